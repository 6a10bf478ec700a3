"""Results as Arrow columns: Parquet output in the shape of ``tco evaluate --json``.

The ``result`` column is a struct with the result's fields (docs/batch.md): ``offers`` a list
of structs (``lines`` a list of structs, ``by_category`` and ``cash_flows`` structs),
``comparison.offers`` a map from offer id to the comparison's struct, ``issues`` a list of
structs. Read back (``to_pylist(maps_as_pydicts="strict")``), a row's ``result`` is the
``--json`` document without its ``uncertainty`` block, which the column ``uncertainty`` holds as
JSON text (null where the scenario has no uncertainty section).

Results of the columnar path (:mod:`tco.batch.columnar`) are built straight from the engine's
arrays, with numpy and pyarrow, without a Python object per result; results of the object path
(dicts) are converted by pyarrow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
from pydantic_core import to_json

from tco import __version__
from tco.core.engine import CAT_INDEX, Batch, BatchResult
from tco.core.scenario import CATEGORIES, INVESTMENT_CATEGORIES

FloatArray = npt.NDArray[np.float64]

#: Category names, in the order of the batch's category index (CAT_INDEX follows CATEGORIES).
_CAT_NAMES = [c.value for c in CATEGORIES]
_INV_IDX = [CAT_INDEX[c] for c in CATEGORIES if c in INVESTMENT_CATEGORIES]
_F = pa.float64()
_S = pa.string()
_I = pa.int64()

LINE = pa.struct([("name", _S), ("category", _S), ("present_value", _F), ("source", _S)])
CASH_FLOWS = pa.struct(
    [
        ("nominal", pa.list_(_F)),
        ("present_value", pa.list_(_F)),
        ("cumulative_present_value", pa.list_(_F)),
    ]
)
OFFER = pa.struct(
    [
        ("id", _S),
        ("name", _S),
        ("lifetime_cost", _F),
        ("equivalent_annual_cost", _F),
        ("cost_per_operating_hour", _F),
        ("investment_cost", _F),
        ("operating_cost", _F),
        ("by_category", pa.struct([(name, _F) for name in _CAT_NAMES])),
        ("lines", pa.list_(LINE)),
        ("cash_flows", CASH_FLOWS),
    ]
)
_COMPARED = [
    ("net_savings", _F),
    ("sir", _F),
    ("airr", _F),
    ("simple_payback_year", _I),
    ("discounted_payback_year", _I),
    ("savings_negative_again_year", _I),
    ("savings_recovered_year", _I),
    ("breakeven_year", _F),
    ("irr", _F),
    ("price_headroom", _F),
]
COMPARISON = pa.struct(
    [
        ("baseline", _S),
        ("offers", pa.map_(_S, pa.struct(_COMPARED))),
        ("recommended", _S),
    ]
)
METHOD = pa.struct(
    [
        ("rate_basis", _S),
        ("discount_rate", _F),
        ("inflation", _F),
        ("timing", _S),
        ("engine_version", _S),
    ]
)
ISSUE = pa.struct([("path", _S), ("message", _S)])
RESULT = pa.struct(
    [
        ("currency", _S),
        ("study_period_years", _I),
        ("offers", pa.list_(OFFER)),
        ("comparison", COMPARISON),
        ("method", METHOD),
        ("issues", pa.list_(ISSUE)),
    ]
)
SCHEMA = pa.schema(
    [
        ("row", _I),
        ("recommended", _S),
        ("offer_ids", pa.list_(_S)),
        ("lifetime_cost", pa.list_(_F)),
        ("result", RESULT),
        ("uncertainty", _S),
    ]
)


def table_of_dicts(rows: list[int], results: list[dict[str, Any]]) -> Any:
    """The rows of JSON-ready results (the object path's) as a table of :data:`SCHEMA`."""
    plain = [{k: v for k, v in r.items() if k != "uncertainty"} for r in results]
    return pa.table(
        {
            "row": pa.array(rows, _I),
            "recommended": [r["comparison"]["recommended"] for r in results],
            "offer_ids": [[o["id"] for o in r["offers"]] for r in results],
            "lifetime_cost": [[o["lifetime_cost"] for o in r["offers"]] for r in results],
            "result": pa.array(plain, RESULT),
            "uncertainty": [
                to_json(r["uncertainty"]).decode() if "uncertainty" in r else None for r in results
            ],
        },
        schema=SCHEMA,
    )


def _finite_or_null(values: FloatArray, kind: Any = _F) -> Any:
    finite = np.isfinite(values)
    if kind == _I:
        return pa.array(np.where(finite, values, 0).astype(np.int64), _I, mask=~finite)
    return pa.array(values, _F, mask=~finite)


def _lists(offsets: npt.NDArray[np.int64], values: Any) -> Any:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32), pa.int32()), values)


def table_of_batch(rows: list[int], r: BatchResult, text: dict[str, Any]) -> Any:
    """The results of a batch the columnar path packed, as a table of :data:`SCHEMA`: ``text``
    holds the batch's texts (:meth:`tco.batch.columnar.Columns.texts_of`: currencies, rate
    bases and timings, offer ids and titles, line names)."""
    b = r.batch
    m = r.measures
    offer_start = b.offer_start
    offers = _offers(r, text)
    ids = text["offer_id"]
    baseline = ids.take(pa.array(b.baseline_offer))
    lcc = m.lifetime_cost
    seg_min = np.minimum.reduceat(lcc, offer_start[:-1])
    first = np.flatnonzero(lcc == seg_min[b.offer_scenario])
    _, at = np.unique(b.offer_scenario[first], return_index=True)
    recommended = ids.take(pa.array(first[at]))
    compared = ~m.is_baseline
    comp_items = pa.StructArray.from_arrays(
        [_finite_or_null(getattr(m, name)[compared], kind) for name, kind in _COMPARED],
        fields=[pa.field(name, kind) for name, kind in _COMPARED],
    )
    comp_counts = np.bincount(b.offer_scenario[compared], minlength=b.n_scenarios)
    comp_offsets = np.concatenate([[0], np.cumsum(comp_counts)]).astype(np.int32)
    comparison = pa.StructArray.from_arrays(
        [
            baseline,
            pa.MapArray.from_arrays(
                pa.array(comp_offsets), ids.filter(pa.array(compared)), comp_items
            ),
            recommended,
        ],
        fields=list(COMPARISON),
    )
    n_s = b.n_scenarios
    method = pa.StructArray.from_arrays(
        [
            text["rate_basis"],
            pa.array(b.discount_rate, _F),
            pa.array(b.inflation, _F),
            text["timing"],
            pa.array([__version__] * n_s, _S),
        ],
        fields=list(METHOD),
    )
    result = pa.StructArray.from_arrays(
        [
            text["currency"],
            pa.array(b.study_years, _I),
            _lists(offer_start, offers),
            comparison,
            method,
            _lists(np.zeros(n_s + 1, np.int64), pa.array([], ISSUE)),
        ],
        fields=list(RESULT),
    )
    return pa.table(
        {
            "row": pa.array(rows, _I),
            "recommended": recommended,
            "offer_ids": _lists(offer_start, ids),
            "lifetime_cost": _lists(offer_start, pa.array(lcc, _F)),
            "result": result,
            "uncertainty": pa.nulls(n_s, _S),
        },
        schema=SCHEMA,
    )


def _offers(r: BatchResult, text: dict[str, Any]) -> Any:
    """The batch's offers as structs of :data:`OFFER`."""
    b = r.batch
    m = r.measures
    cat = r.category_pv
    inv = np.zeros(b.n_offers)
    for i in _INV_IDX:  # in this order, as the object path adds them
        inv = inv + cat[:, i]
    n = int(b.study_years.max())
    width = n + 1  # one study period per batch (columnar.py)
    assert int(b.study_years.min()) == n
    flow_offsets = np.arange(b.n_offers + 1, dtype=np.int64) * width
    present = r.offer_pv[:, :width]
    cash_flows = pa.StructArray.from_arrays(
        [
            _lists(flow_offsets, pa.array(r.offer_nominal[:, :width].ravel(), _F)),
            _lists(flow_offsets, pa.array(present.ravel(), _F)),
            _lists(flow_offsets, pa.array(np.cumsum(present, axis=1).ravel(), _F)),
        ],
        fields=list(CASH_FLOWS),
    )
    by_category = pa.StructArray.from_arrays(
        [pa.array(cat[:, CAT_INDEX[c]], _F) for c in CATEGORIES], names=_CAT_NAMES
    )
    line_offsets, lines = _lines(r, text)
    return pa.StructArray.from_arrays(
        [
            text["offer_id"],
            text["offer_title"],
            pa.array(m.lifetime_cost, _F),
            pa.array(m.equivalent_annual_cost, _F),
            _finite_or_null(m.cost_per_operating_hour),
            pa.array(inv, _F),
            pa.array(m.lifetime_cost - inv, _F),
            by_category,
            _lists(line_offsets, lines),
            cash_flows,
        ],
        fields=list(OFFER),
    )


_STREAMS = (
    ("Expected repairs", "repair", "failures.repair"),
    ("Expected downtime", "downtime", "failures.downtime"),
    ("Expected repair orders", "transaction", "failures.orders"),
)


def _lines(r: BatchResult, text: dict[str, Any]) -> tuple[npt.NDArray[np.int64], Any]:
    """Every offer's result lines, in the object path's order: its cost lines (as in
    ``costs``), their residual values, then its failure streams; and each offer's first."""
    b: Batch = r.batch
    source = b.line_source
    residual = (b.line_life > 0) | ~np.isnan(b.line_fraction)
    names = text["line_name"]
    source_text = pc.cast(pa.array(source), _S)
    cats = pa.array(_CAT_NAMES, _S)
    parts = [
        (
            b.line_offer,
            np.zeros(source.size, np.int64),
            source,
            names,
            cats.take(pa.array(b.line_category)),
            r.line_pv,
            pc.binary_join_element_wise("costs[", source_text, "]", ""),
        ),
        (
            b.line_offer[residual],
            np.ones(int(residual.sum()), np.int64),
            source[residual],
            pc.binary_join_element_wise(names.filter(pa.array(residual)), ": residual value", ""),
            pa.array(["end_of_life"] * int(residual.sum()), _S),
            r.residual_pv[residual],
            pc.binary_join_element_wise(
                "costs[", source_text.filter(pa.array(residual)), "].residual", ""
            ),
        ),
    ]
    orders = text["fail_orders"]
    for k, (name, category, where) in enumerate(_STREAMS):
        pv = (r.repair_pv, r.downtime_pv, r.order_pv)[k]
        keep = orders if k == 2 else np.ones(b.fail_offer.size, np.bool_)
        count = int(keep.sum())
        parts.append(
            (
                b.fail_offer[keep],
                np.full(count, 2, np.int64),
                np.full(count, k, np.int64),
                pa.array([name] * count, _S),
                pa.array([category] * count, _S),
                pv[keep],
                pa.array([where] * count, _S),
            )
        )
    offer = np.concatenate([p[0] for p in parts])
    order = np.lexsort(
        (np.concatenate([p[2] for p in parts]), np.concatenate([p[1] for p in parts]), offer)
    )
    take = pa.array(order)
    lines = pa.StructArray.from_arrays(
        [
            pa.concat_arrays([p[3] for p in parts]).take(take),
            pa.concat_arrays([p[4] for p in parts]).take(take),
            pa.array(np.concatenate([p[5] for p in parts])[order], _F),
            pa.concat_arrays([p[6] for p in parts]).take(take),
        ],
        fields=list(LINE),
    )
    counts = np.bincount(offer, minlength=b.n_offers)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), lines
