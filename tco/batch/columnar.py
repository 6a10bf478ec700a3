"""The columnar path: a chunk's scenarios to the engine's batch without a Python object per
scenario, offer or cost line (``tco batch run`` and ``POST /v1/evaluate/batch``).

Rows of JSON text are read at once into Arrow columns (pyarrow's JSON reader, in C++, on every
core); a Parquet input with nested columns is already in columns. The columns are checked by
vectorized predicates and packed into a :class:`tco.core.engine.Batch` with numpy from their
list offsets. JSON results are assembled from plain values (:class:`tco.core.results.Plain`) by
the same code as on the object path; Parquet results are built from the engine's arrays
(:mod:`tco.batch.table`).

The predicates accept only rows that are plainly valid, and hand every other row to the object
path (:func:`tco.core.scenario.parse_scenario`), which names each of its problems by its path
with the same message as everywhere else, or accepts it: a row the predicates doubt is never
refused by them, only evaluated the slower way. Handed over are rows that:

- as JSON text, hold ``null``, ``NaN`` or ``Infinity`` anywhere (Arrow cannot tell a null from
  an absent field), or are not a JSON object;
- have a field the contract does not know, a value of another type than a plain number or
  text where one is expected (amounts as strings, say), or an ``uncertainty`` section;
- break a rule of the contract (a bound, a pattern, a schedule, a driver, an offer id, the
  baseline, coverage periods that overlap, a failure model without operating hours);
- would carry an issue in their result (no baseline among several offers, more escalation
  rates than years, a recurring line that falls in no year);
- have a name or a title that cleaning would change (control or bidi characters, spaces at
  either end) or that starts or ends with anything but a letter, digit, punctuation or symbol.

Where the reader refuses a chunk's text as a whole (a syntax error, a field that is a number in
one row and a list in another), each half is read on its own, down to :data:`MIN_ROWS` rows;
the rows of parts it still refuses take the object path. Both paths give the same bytes
for the same row (tests/test_batch_columnar.py checks it on generated scenarios, valid and
not).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.json as pj  # type: ignore[import-untyped,unused-ignore]

from tco.core.engine import Batch
from tco.core.errors import Problem, ScenarioError, TcoError
from tco.core.results import Plain, evaluate_many_json, evaluate_plain, evaluate_plain_arrays
from tco.core.scenario import (
    _NAME,
    _OFFER_ID,
    CATEGORIES,
    HOURS_PER_YEAR_MAX,
    MAX_AMOUNT,
    MAX_RATE,
    MAX_STUDY_PERIOD_YEARS,
    Assumptions,
    CostLine,
    CoveragePeriod,
    FailureModel,
    Offer,
    Scenario,
    parse_scenario,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Below this many rows a chunk takes the object path (reading into columns costs more).
MIN_ROWS = 64
#: The Arrow JSON reader's block: each row must fit in one.
BLOCK_BYTES = 4 << 20
_DOUBTFUL_TOKENS = (b"null", b"NaN", b"Infinity")

#: The fields the contract knows at each level, from the models that define them.
_FIELDS: dict[str, set[str]] = {
    "scenario": set(Scenario.model_fields),
    "assumptions": set(Assumptions.model_fields),
    "offer": set(Offer.model_fields),
    "line": set(CostLine.model_fields),
    "failures": set(FailureModel.model_fields),
    "period": set(CoveragePeriod.model_fields),
}
#: Category names, in the order of the batch's category index (CAT_INDEX follows CATEGORIES).
_CATEGORIES = [c.value for c in CATEGORIES]
_CURRENCY = r"^[A-Z]{3}$"
#: Text that cleaning and trimming leave as it is: no control, bidi or separator character,
#: and a letter, digit, punctuation or symbol at either end (never a space).
_EDGE = r"[\p{L}\p{N}\p{P}\p{S}]"
_PLAIN_TEXT = rf"^{_EDGE}(?:.*{_EDGE})?$"
_SUSPECT = (
    r"[\x00-\x1f\x7f-\x9f\x{061c}\x{200e}\x{200f}\x{2028}\x{2029}\x{202a}-\x{202e}"
    r"\x{2066}-\x{206f}]"
)


def doubtful(payload: bytes) -> bool:
    """Whether a row goes to the object path before it is read into columns."""
    head = payload.lstrip()[:1]
    return head != b"{" or any(t in payload for t in _DOUBTFUL_TOKENS)


def read_table(payloads: Sequence[bytes]) -> Any | None:
    """The rows as an Arrow table (one chunk per column), or None when the reader refuses them
    as a whole."""
    try:
        table = pj.read_json(
            io.BytesIO(b"\n".join(payloads)),
            read_options=pj.ReadOptions(block_size=BLOCK_BYTES, use_threads=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(payloads):
        return None
    return table.combine_chunks()


# --------------------------------------------------------------------------------------------
# Columns of one nesting level


@dataclass(slots=True)
class _Level:
    """One nesting level (scenarios, offers, cost lines, failure models, periods): its struct
    array, the scenario row of each element, and the flags of the chunk's rows it adds to."""

    array: Any  # a StructArray, or None where no row has the level
    row: IntArray
    flag: BoolArray
    present: BoolArray  # the element is there (a failure model: not absent)

    @property
    def size(self) -> int:
        return int(self.row.size)

    def doubt(self, mask: BoolArray) -> None:
        """Hand the rows of the elements in ``mask`` to the object path."""
        self.flag[self.row[mask & self.present]] = True

    def child(self, name: str) -> Any | None:
        if self.array is None or self.array.type.get_field_index(name) < 0:
            return None
        return self.array.field(name)

    def check_fields(self, known: set[str]) -> None:
        if self.array is None:
            return
        for f in self.array.type:
            if f.name not in known:
                self.doubt(_valid(self.array.field(f.name)))

    def number(self, name: str, *, whole: bool = False) -> tuple[FloatArray, BoolArray]:
        """The field as floats (NaN where absent) and where it is given; rows whose value is no
        finite number (or, ``whole``, no whole number) are doubted."""
        arr = self.child(name)
        if arr is None or pa.types.is_null(arr.type):
            return np.full(self.size, np.nan), np.zeros(self.size, np.bool_)
        given = _valid(arr) & self.present
        if not (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)):
            self.doubt(given)
            return np.full(self.size, np.nan), np.zeros(self.size, np.bool_)
        values = np.asarray(
            arr.cast(pa.float64(), safe=False).fill_null(np.nan).to_numpy(zero_copy_only=False),
            dtype=np.float64,
        )
        with np.errstate(invalid="ignore"):
            bad = given & ~np.isfinite(values)
            if whole:
                bad |= given & (np.floor(values) != values)
        self.doubt(bad)
        return values, given

    def text(self, name: str) -> tuple[Any, BoolArray]:
        """The field as a string array (or None: no row gives it as text) and where it is
        given; rows that give it as anything but text are doubted."""
        arr = self.child(name)
        if arr is None or pa.types.is_null(arr.type):
            return None, np.zeros(self.size, np.bool_)
        given = _valid(arr) & self.present
        if not pa.types.is_string(arr.type):
            self.doubt(given)
            return None, np.zeros(self.size, np.bool_)
        return arr, given

    def plain_text(self, name: str, *, required: bool) -> Any:
        """A name or title that cleaning leaves as it is, as a string array (None: absent in
        every row)."""
        arr, given = self.text(name)
        if required:
            self.doubt(~given)
        if arr is None:
            return None
        self.doubt(given & ~_per_value(arr, _plain_values(required)))
        return arr

    def within(
        self, name: str, low: float, high: float, *, low_open: bool = False, whole: bool = False
    ) -> tuple[FloatArray, BoolArray]:
        values, given = self.number(name, whole=whole)
        with np.errstate(invalid="ignore"):
            ok = (values > low if low_open else values >= low) & (values <= high)
        self.doubt(given & ~ok)
        return values, given

    def one_of(self, name: str, allowed: Sequence[str]) -> tuple[IntArray, BoolArray]:
        """The index of the field's value in ``allowed`` (-1 where absent); others doubted."""
        arr, given = self.text(name)
        if arr is None:
            return np.full(self.size, -1, np.int64), given
        index = _index_in(arr, list(allowed))
        self.doubt(given & (index < 0))
        return index, given


def _per_value(arr: Any, check: Callable[[Any], BoolArray]) -> BoolArray:
    """``check`` (of a string array, to booleans) applied to each distinct value of ``arr`` once:
    names, ids and currencies repeat from row to row (False where null)."""
    encoded = pc.dictionary_encode(arr)
    ok = np.append(check(encoded.dictionary), False)
    return ok[_ints(encoded.indices, -1)]


def _index_in(arr: Any, allowed: list[str]) -> IntArray:
    """Each value's index in ``allowed`` (-1: another value, or null)."""
    encoded = pc.dictionary_encode(arr)
    index = np.append(
        _ints(pc.index_in(encoded.dictionary, value_set=pa.array(allowed, pa.string())), -1), -1
    )
    return index[_ints(encoded.indices, -1)]


def _regex(pattern: str) -> Callable[[Any], BoolArray]:
    return lambda values: _bools(pc.match_substring_regex(values, pattern))


def _plain_values(required: bool) -> Callable[[Any], BoolArray]:
    def check(values: Any) -> BoolArray:
        length = np.asarray(pc.utf8_length(values).to_numpy(zero_copy_only=False))
        ok = _regex(_PLAIN_TEXT)(values) & ~_regex(_SUSPECT)(values) & (length <= 200)
        return ok if required else ok | (length == 0)

    return check


def _valid(arr: Any) -> BoolArray:
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _bools(arr: Any) -> BoolArray:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _ints(arr: Any, fill: int) -> IntArray:
    return np.asarray(
        arr.cast(pa.int64()).fill_null(fill).to_numpy(zero_copy_only=False), dtype=np.int64
    )


def _list_level(parent: _Level, name: str, known: set[str]) -> tuple[_Level, IntArray]:
    """The elements of the list field ``name`` of each parent element, as a level, and each
    one's parent. Rows that give anything but a list of objects are doubted."""
    arr = parent.child(name)
    empty = np.zeros(0, np.int64)
    if arr is None or pa.types.is_null(arr.type):
        return _Level(None, empty, parent.flag, np.zeros(0, np.bool_)), empty
    if not (pa.types.is_list(arr.type) and pa.types.is_struct(arr.type.value_type)):
        parent.doubt(_valid(arr))
        return _Level(None, empty, parent.flag, np.zeros(0, np.bool_)), empty
    offsets = np.asarray(arr.offsets.to_numpy(), dtype=np.int64)
    values = arr.values
    if offsets[0] != 0 or values.offset != 0 or len(values) != offsets[-1]:
        values = values.slice(offsets[0], offsets[-1] - offsets[0])
    owner = np.repeat(np.arange(parent.size, dtype=np.int64), np.diff(offsets))
    present = np.repeat(parent.present, np.diff(offsets))
    level = _Level(values, parent.row[owner], parent.flag, present)
    level.check_fields(known)
    return level, owner


# --------------------------------------------------------------------------------------------
# The chunk's scenarios, checked and packed


@dataclass(slots=True)
class Columns:
    """A chunk's rows read into columns and checked: ``doubted`` marks the rows for the object
    path; the rest can be packed (:meth:`batch`) and described (:meth:`plains`)."""

    doubted: BoolArray
    n: IntArray
    scenario_floats: FloatArray  # (4, S): discount rate, inflation, hours, downtime cost
    scenario_flags: BoolArray  # (2, S): nominal, mid-year
    rates: FloatArray  # (S, D+1, N max)
    baseline_offer: IntArray  # (S,): index within the scenario
    offer_row: IntArray
    line_offer: IntArray
    line_ints: IntArray  # (category, driver, first, every, last, source) x L
    line_floats: FloatArray  # (amount, life, fraction) x L
    fail_offer: IntArray
    fail_ints: IntArray  # (repair, downtime, order driver) x F
    fail_floats: FloatArray  # (mtbf, shape, repair amount, downtime hours, order amount) x F
    fail_orders: BoolArray  # (F,) whether the model raises repair orders
    period_fail: IntArray
    period_ints: IntArray  # (from, until) x P
    period_floats: FloatArray  # (repair amount, downtime hours, order amount) x P
    arrays: dict[str, Any]  # per scenario / offer / line, for the results' texts

    def batch(self, rows: IntArray) -> Batch:
        """The batch of the chunk's rows ``rows`` (indexes, ascending, none doubted)."""
        if rows.size == self.n.size:  # every row of the part (one study period, none doubted)
            return self._batch_of_all()
        keep_s = np.zeros(self.n.size, np.bool_)
        keep_s[rows] = True
        keep_o = keep_s[self.offer_row]
        keep_l = keep_o[self.line_offer]
        keep_f = keep_o[self.fail_offer]
        keep_p = keep_f[self.period_fail]
        new_o = np.cumsum(keep_o) - 1
        new_f = np.cumsum(keep_f) - 1
        return Columns(
            doubted=self.doubted[rows],
            n=self.n[rows],
            scenario_floats=self.scenario_floats[:, rows],
            scenario_flags=self.scenario_flags[:, rows],
            rates=self.rates[rows],
            baseline_offer=self.baseline_offer[rows],
            offer_row=np.cumsum(keep_s)[self.offer_row[keep_o]] - 1,
            line_offer=new_o[self.line_offer[keep_l]],
            line_ints=self.line_ints[:, keep_l],
            line_floats=self.line_floats[:, keep_l],
            fail_offer=new_o[self.fail_offer[keep_f]],
            fail_ints=self.fail_ints[:, keep_f],
            fail_floats=self.fail_floats[:, keep_f],
            fail_orders=self.fail_orders[keep_f],
            period_fail=new_f[self.period_fail[keep_p]],
            period_ints=self.period_ints[:, keep_p],
            period_floats=self.period_floats[:, keep_p],
            arrays={},
        )._batch_of_all()

    def _batch_of_all(self) -> Batch:
        offer_row, line_offer, fail_offer = self.offer_row, self.line_offer, self.fail_offer
        n_s, n_o = self.n.size, offer_row.size
        offer_start = np.searchsorted(offer_row, np.arange(n_s + 1))
        line_start = np.searchsorted(line_offer, np.arange(n_o + 1))
        offer_fail = np.full(n_o, -1, np.int64)
        offer_fail[fail_offer] = np.arange(fail_offer.size)
        period_start = np.searchsorted(self.period_fail, np.arange(fail_offer.size + 1))
        n_max = int(self.n.max())
        return Batch(
            scenario_ints=np.stack([self.n, offer_start[:-1] + self.baseline_offer]),
            scenario_floats=np.ascontiguousarray(self.scenario_floats),
            scenario_flags=np.ascontiguousarray(self.scenario_flags),
            rates=np.ascontiguousarray(self.rates[:, :, :n_max]),
            offer_scenario=offer_row,
            line_ints=np.vstack([line_offer, self.line_ints]),
            line_floats=np.ascontiguousarray(self.line_floats),
            fail_ints=np.vstack([fail_offer, self.fail_ints]),
            fail_floats=np.ascontiguousarray(self.fail_floats),
            period_start=period_start.astype(np.int64),
            period_ints=np.ascontiguousarray(self.period_ints),
            period_floats=np.ascontiguousarray(self.period_floats),
            runs=(offer_start.astype(np.int64), line_start.astype(np.int64), offer_fail),
        )

    def texts_of(self, rows: IntArray) -> dict[str, Any]:
        """The texts of the results of rows ``rows`` (as :meth:`batch` packs them), as Arrow
        arrays: offer ids and titles, line names; and which failure models raise orders."""
        a = self.arrays
        keep_s = np.zeros(self.n.size, np.bool_)
        keep_s[rows] = True
        keep_o = keep_s[self.offer_row]
        o_idx = pa.array(np.flatnonzero(keep_o))
        ids = a["offer_id"].take(o_idx) if a["offer_id"] is not None else pa.array([], pa.string())
        names = a["offer_name"].take(o_idx) if a["offer_name"] is not None else None
        titles = ids
        if names is not None:
            named = pc.fill_null(pc.greater(pc.utf8_length(names), 0), False)
            titles = pc.if_else(named, names, ids)
        lines = a["line_name"]
        take = pa.array(rows)
        return {
            "currency": a["currency"].take(take),
            "rate_basis": pa.array(["real", "nominal"]).take(
                pa.array((a["rate_basis"][rows] == 1).astype(np.int64))
            ),
            "timing": pa.array(["end_of_year", "mid_year"]).take(
                pa.array((a["timing"][rows] == 1).astype(np.int64))
            ),
            "offer_id": ids,
            "offer_title": titles,
            "line_name": (
                lines.take(pa.array(np.flatnonzero(keep_o[self.line_offer])))
                if lines is not None
                else pa.array([], pa.string())
            ),
            "fail_orders": self.fail_orders[keep_o[self.fail_offer]],
        }

    def plains(self, rows: IntArray) -> list[Plain]:
        """The plain values of the chunk's rows ``rows`` (as :meth:`batch` packs them), from the
        same texts as the result tables (:meth:`texts_of`)."""
        t = {
            k: v.to_pylist() if isinstance(v, pa.Array) else v.tolist()
            for k, v in self.texts_of(rows).items()
        }
        keep_s = np.zeros(self.n.size, np.bool_)
        keep_s[rows] = True
        keep_o = keep_s[self.offer_row]
        offer_row = np.cumsum(keep_s)[self.offer_row[keep_o]] - 1
        offer_start = np.searchsorted(offer_row, np.arange(rows.size + 1)).tolist()
        line_offer = (np.cumsum(keep_o) - 1)[self.line_offer[keep_o[self.line_offer]]]
        line_start = np.searchsorted(line_offer, np.arange(offer_row.size + 1)).tolist()
        categories = [_CATEGORIES[i] for i in self.line_ints[0, keep_o[self.line_offer]].tolist()]
        orders: list[bool | None] = [None] * offer_row.size
        fail_offer = (np.cumsum(keep_o) - 1)[self.fail_offer[keep_o[self.fail_offer]]]
        for o, has in zip(fail_offer.tolist(), t["fail_orders"], strict=True):
            orders[o] = has
        n, base = self.n[rows].tolist(), self.baseline_offer[rows].tolist()
        discount, inflation = self.scenario_floats[:2, rows].tolist()
        out = []
        for k in range(rows.size):
            o0, o1 = offer_start[k], offer_start[k + 1]
            offers = [
                (
                    t["offer_id"][o],
                    t["offer_title"][o],
                    t["line_name"][line_start[o] : line_start[o + 1]],
                    categories[line_start[o] : line_start[o + 1]],
                    orders[o],
                )
                for o in range(o0, o1)
            ]
            out.append(
                Plain(
                    currency=t["currency"][k],
                    study_period_years=n[k],
                    rate_basis=t["rate_basis"][k],
                    discount_rate=discount[k],
                    inflation=inflation[k],
                    timing=t["timing"][k],
                    baseline_id=offers[base[k]][0],
                    offers=offers,
                    issues=[],
                )
            )
        return out


def read_columns(table: Any) -> Columns:
    """Check a chunk's table and gather what the batch and the results need."""
    s = table.num_rows
    flag = np.zeros(s, np.bool_)
    top = _Level(
        pa.StructArray.from_arrays([c.chunk(0) for c in table.columns], names=table.column_names)
        if table.num_columns
        else None,
        np.arange(s, dtype=np.int64),
        flag,
        np.ones(s, np.bool_),
    )
    top.check_fields(_FIELDS["scenario"])
    uncertainty = top.child("uncertainty")
    if uncertainty is not None:  # the object path draws
        top.doubt(_valid(uncertainty))
    a, text = _assumptions(top)
    drivers, rates, driver_given = _escalation(a, text["n"])
    offers, offer_owner = _list_level(top, "offers", _FIELDS["offer"])
    counts = np.bincount(offer_owner, minlength=s)
    top.doubt((counts < 1) | (counts > 50))
    offer_ids = _offer_ids(offers, offer_owner)
    baseline = _baseline(top, offer_owner, offer_ids, counts)
    lines, line_offer = _list_level(offers, "costs", _FIELDS["line"])
    line_ints, line_floats = _lines(lines, line_offer, text["n"], drivers, driver_given)
    fails = _failures(offers, offer_owner, text, drivers, driver_given)
    return Columns(
        doubted=flag,
        n=text["n"],
        scenario_floats=text["floats"],
        scenario_flags=text["flags"],
        rates=rates,
        baseline_offer=baseline,
        offer_row=offer_owner,
        line_offer=line_offer,
        line_ints=line_ints,
        line_floats=line_floats,
        fail_offer=fails["offer"],
        fail_ints=fails["ints"],
        fail_floats=fails["floats"],
        fail_orders=fails["orders"],
        period_fail=fails["period_fail"],
        period_ints=fails["period_ints"],
        period_floats=fails["period_floats"],
        arrays={
            "currency": text["currency"],
            "rate_basis": text["rate_basis"],
            "timing": text["timing"],
            "offer_id": offer_ids,
            "offer_name": offers.plain_text("name", required=False),
            "line_name": lines.plain_text("name", required=True),
        },
    )


def _struct_level(parent: _Level, name: str, known: set[str]) -> _Level:
    """The struct field ``name`` of each parent element, as a level (absent where null)."""
    arr = parent.child(name)
    if arr is None or pa.types.is_null(arr.type):
        return _Level(None, parent.row, parent.flag, np.zeros(parent.size, np.bool_))
    given = _valid(arr) & parent.present
    if not pa.types.is_struct(arr.type):
        parent.doubt(given)
        return _Level(None, parent.row, parent.flag, np.zeros(parent.size, np.bool_))
    level = _Level(arr, parent.row, parent.flag, given)
    level.check_fields(known)
    return level


def _assumptions(top: _Level) -> tuple[_Level, dict[str, Any]]:
    a = _struct_level(top, "assumptions", _FIELDS["assumptions"])
    top.doubt(~a.present)
    currency, given = a.text("currency")
    ok = _per_value(currency, _regex(_CURRENCY)) if currency is not None else given
    a.doubt(~(given & ok))
    n, given = a.within("study_period_years", 1, MAX_STUDY_PERIOD_YEARS, whole=True)
    a.doubt(~given)
    discount, given = a.within("discount_rate", -1.0, MAX_RATE, low_open=True)
    a.doubt(~given)
    inflation, given_i = a.within("inflation", -1.0, MAX_RATE, low_open=True)
    hours, _ = a.within("operating_hours_per_year", 0.0, HOURS_PER_YEAR_MAX)
    downtime, given_d = a.within("downtime_cost_per_hour", 0.0, float(MAX_AMOUNT))
    basis, _ = a.one_of("rate_basis", ("real", "nominal"))
    timing, _ = a.one_of("timing", ("end_of_year", "mid_year"))
    n_int = np.where(np.isfinite(n), n, 1).astype(np.int64)
    text = {
        "n": n_int,
        "floats": np.stack(
            [
                np.nan_to_num(discount),
                np.where(given_i, inflation, 0.0),
                hours,
                np.where(given_d, downtime, 0.0),
            ]
        ),
        "flags": np.stack([basis == 1, timing == 1]),
        "currency": currency,
        "rate_basis": basis,
        "timing": timing,
        "hours_given": np.isfinite(hours),
    }
    return a, text


def _escalation(a: _Level, n: IntArray) -> tuple[list[str], FloatArray, BoolArray]:
    """The chunk's driver names (sorted; driver k+1 is ``names[k]``), the rates (S, D+1, N max)
    with each rate list's last rate held to year N, and which scenario gives which driver."""
    s = a.size
    arr = a.child("escalation")
    names: list[str] = []
    present = np.zeros(s, np.bool_)
    if arr is not None and not pa.types.is_null(arr.type):
        present = _valid(arr) & a.present
        if pa.types.is_struct(arr.type):
            names = sorted(f.name for f in arr.type)
        else:
            a.doubt(present)
    n_max = int(n.max()) if s else 1
    rates = np.zeros((s, len(names) + 1, n_max))
    given = np.zeros((s, len(names) + 1), np.bool_)
    years = np.arange(n_max)
    for d, name in enumerate(names, start=1):
        column = arr.field(name)  # type: ignore[union-attr]  # names come from arr
        here = _valid(column) & present
        given[:, d] = here
        if not _NAME.match(name):
            a.doubt(here)
        t = column.type
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            v = np.asarray(
                column.cast(pa.float64(), safe=False).fill_null(0.0).to_numpy(), np.float64
            )
            rates[:, d, :] = v[:, None]
        elif pa.types.is_list(t) and (
            pa.types.is_integer(t.value_type) or pa.types.is_floating(t.value_type)
        ):
            offsets = np.asarray(column.offsets.to_numpy(), np.int64)
            lengths = np.diff(offsets)
            flat = np.asarray(
                column.values.cast(pa.float64(), safe=False).fill_null(np.nan).to_numpy(),
                np.float64,
            )
            a.doubt(here & ((lengths < 1) | (lengths > n)))  # none, or an issue: too many
            lengths = np.maximum(lengths, 1)
            flat = np.append(flat, 0.0)  # where a doubted empty list would point
            at = offsets[:-1, None] + np.minimum(years[None, :], lengths[:, None] - 1)
            rates[:, d, :] = flat[np.minimum(at, flat.size - 1)]
        else:
            a.doubt(here)
            continue
        with np.errstate(invalid="ignore"):
            ok = (rates[:, d, :] > -1.0) & (rates[:, d, :] <= MAX_RATE)
        a.doubt(here & ~ok.all(axis=1))
    rates = np.where(years[None, None, :] < n[:, None, None], rates, 0.0)
    rates[~given] = 0.0
    return names, np.nan_to_num(rates), given


def _offer_ids(offers: _Level, owner: IntArray) -> Any | None:
    """The offers' ids (checked: pattern, unique within the scenario)."""
    ids, given = offers.text("id")
    offers.doubt(~given)
    if ids is None:
        return None
    offers.doubt(~_per_value(ids, _regex(_OFFER_ID.pattern)))
    codes = _ints(pc.dictionary_encode(ids).indices, -1)
    width = int(codes.max()) + 1 if codes.size else 1
    key = owner * width + codes
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    dup = np.ones(key.size, np.bool_)
    dup[first[counts == 1]] = False
    offers.doubt(dup)
    return ids


def _baseline(top: _Level, owner: IntArray, ids: Any | None, counts: IntArray) -> IntArray:
    """Each scenario's baseline offer (its index among the scenario's offers)."""
    baseline, given = top.text("baseline")
    top.doubt(~given & (counts > 1))  # an issue: the first offer is used
    out = np.zeros(top.size, np.int64)
    if baseline is None or ids is None:
        return out
    names = baseline.fill_null("").to_numpy(zero_copy_only=False)[owner]
    match = np.asarray(ids.fill_null("").to_numpy(zero_copy_only=False) == names, np.bool_)
    match &= given[owner]
    starts = np.searchsorted(owner, np.arange(top.size))
    hit = np.flatnonzero(match)  # at most one per scenario where the ids are unique
    found = np.zeros(top.size, np.bool_)
    found[owner[hit]] = True
    out[owner[hit]] = hit - starts[owner[hit]]
    top.doubt(given & ~found)
    return out


def _driver_index(
    level: _Level, name: str, drivers: list[str], driver_given: BoolArray
) -> IntArray:
    """The driver a field names (0: none), doubted where its scenario does not define it."""
    arr, given = level.text(name)
    if arr is None:
        return np.zeros(level.size, np.int64)
    index = _index_in(arr, drivers) + 1
    defined = (index > 0) & driver_given[level.row, np.maximum(index, 0)]
    level.doubt(given & ~defined)
    return np.where(given & defined, index, 0)


def _lines(
    lines: _Level, line_offer: IntArray, n_all: IntArray, drivers: list[str], dg: BoolArray
) -> tuple[IntArray, FloatArray]:
    """Per cost line (checked): (category, driver, first, every, last, source) and (amount,
    life, residual fraction), as the batch packs them."""
    n = n_all[lines.row].astype(np.float64)
    category, given = lines.one_of("category", _CATEGORIES)
    lines.doubt(~given)
    amount, given = lines.within("amount", -float(MAX_AMOUNT), float(MAX_AMOUNT))
    lines.doubt(~given)
    big = float(MAX_STUDY_PERIOD_YEARS)
    year, once = lines.within("year", 0, big, whole=True)
    every, recurring = lines.within("every_years", 1, big, whole=True)
    start, has_from = lines.within("from_year", 0, big, whole=True)
    until, has_until = lines.within("until_year", 0, big, whole=True)
    life, has_life = lines.within("life_years", 1, np.inf, whole=True)
    fraction, _ = lines.within("residual_fraction", 0.0, 1.0)
    with np.errstate(invalid="ignore"):
        lines.doubt(once == recurring)
        lines.doubt(once & (has_from | has_until))
        lines.doubt(has_from & has_until & (start > until))
        for v, g in ((year, once), (start, has_from), (until, has_until)):
            lines.doubt(g & (v > n))
    first = np.where(once, year, np.where(has_from, start, every))
    last = np.where(once, year, np.where(has_until, np.minimum(until, n), n))
    lines.doubt(recurring & (first > last))  # an issue: it falls in no year
    driver = _driver_index(lines, "escalation", drivers, dg)
    source = np.arange(lines.size) - np.searchsorted(line_offer, line_offer)  # in its offer
    ints = np.stack(
        [
            np.maximum(category, 0),
            driver,
            np.nan_to_num(first).astype(np.int64),
            np.where(recurring, np.minimum(np.nan_to_num(every), n + 1), 0).astype(np.int64),
            np.nan_to_num(last).astype(np.int64),
            source,
        ]
    )
    floats = np.stack([np.nan_to_num(amount), np.where(has_life, life, 0.0), fraction])
    return ints, floats


def _failures(
    offers: _Level,
    owner: IntArray,
    text: dict[str, Any],
    drivers: list[str],
    dg: BoolArray,
) -> dict[str, Any]:
    f = _struct_level(offers, "failures", _FIELDS["failures"])
    f.doubt(~text["hours_given"][f.row])  # a failure model needs operating hours
    mtbf, given = f.within("mtbf_hours", 1.0, np.inf)
    f.doubt(~given)
    shape, has_shape = f.within("shape", 0.0, 20.0, low_open=True)
    repair, has_repair = f.within("repair_cost", 0.0, float(MAX_AMOUNT))
    down, has_down = f.within("downtime_hours", 0.0, np.inf)
    covered, has_covered = f.within("covered_fraction", 0.0, 1.0)
    order, has_order = f.within("order_cost", 0.0, float(MAX_AMOUNT))
    ints = np.stack(
        [
            _driver_index(f, k, drivers, dg)
            for k in ("escalation", "downtime_escalation", "order_escalation")
        ]
    )
    repair = np.where(has_repair, repair, 0.0)
    covered = np.where(has_covered, covered, 0.0)
    down = np.where(has_down, down, 0.0)
    order = np.where(has_order, order, 0.0)
    periods, p_fail_all = _list_level(f, "periods", _FIELDS["period"])
    p = _periods(periods, p_fail_all, text["n"], repair, covered, down, order)
    keep = f.present
    index = np.full(f.size, -1, np.int64)
    index[keep] = np.arange(int(keep.sum()))
    n = text["n"][f.row].astype(np.float64)
    orders = (order > 0) & (p["order_years"] < n)  # a year the model's own order cost holds
    np.logical_or.at(orders, p_fail_all, p["order"] > 0)
    p_keep = keep[p_fail_all]
    return {
        "offer": np.flatnonzero(keep),
        "ints": ints[:, keep],
        "floats": np.stack(
            [
                np.nan_to_num(mtbf),
                np.where(has_shape, shape, 1.0),
                repair * (1.0 - covered),
                down,
                order,
            ]
        )[:, keep],
        "orders": orders[keep],
        "period_fail": index[p_fail_all[p_keep]],
        "period_ints": p["ints"][:, p_keep],
        "period_floats": p["floats"][:, p_keep],
    }


def _periods(
    periods: _Level,
    fail: IntArray,
    n_all: IntArray,
    repair: FloatArray,
    covered: FloatArray,
    down: FloatArray,
    order: FloatArray,
) -> dict[str, Any]:
    n = n_all[periods.row].astype(np.float64) if periods.size else np.zeros(0)
    big = float(MAX_STUDY_PERIOD_YEARS)
    start, g1 = periods.within("from_year", 1, big, whole=True)
    until, g2 = periods.within("until_year", 1, big, whole=True)
    periods.doubt(~(g1 & g2))
    with np.errstate(invalid="ignore"):
        periods.doubt((start > n) | (until > n) | (start > until))
    p_cov, has_cov = periods.within("covered_fraction", 0.0, 1.0)
    p_down, has_down = periods.within("downtime_hours", 0.0, np.inf)
    p_order, has_order = periods.within("order_cost", 0.0, float(MAX_AMOUNT))
    periods.doubt(~(has_cov | has_down | has_order))
    periods.plain_text("name", required=False)
    start_i = np.nan_to_num(start).astype(np.int64)
    until_i = np.nan_to_num(until).astype(np.int64)
    order_sorted = np.lexsort((start_i, fail))
    fs, ss, us = fail[order_sorted], start_i[order_sorted], until_i[order_sorted]
    overlap = (fs[1:] == fs[:-1]) & (ss[1:] <= us[:-1])
    bad = np.zeros(periods.size, np.bool_)
    bad[order_sorted[1:][overlap]] = True
    periods.doubt(bad)
    order_years = np.zeros(repair.size)
    np.add.at(order_years, fail[has_order], (until_i - start_i + 1)[has_order])
    p_order_amount = np.where(has_order, p_order, order[fail])
    return {
        "ints": np.stack([start_i, until_i]),
        "floats": np.stack(
            [
                repair[fail] * (1.0 - np.where(has_cov, p_cov, covered[fail])),
                np.where(has_down, p_down, down[fail]),
                p_order_amount,
            ]
        ),
        "order": np.where(has_order, p_order, 0.0),
        "order_years": order_years,
    }


# --------------------------------------------------------------------------------------------
# A chunk's rows


Row = tuple[int, Any]


def evaluate_columns(
    rows: Sequence[Row], *, as_tables: bool = False
) -> tuple[list[tuple[int, dict[str, Any]]], list[Any], list[Row]]:
    """The results of the rows the columnar path takes, as (row number, JSON-ready result), or,
    ``as_tables``, as Arrow tables of results (:mod:`tco.batch.table`, for Parquet output);
    and the rows it leaves to the object path (with their payloads). Results and rows are in
    row order, tables each in row order. A study period's rows whose numbers overflow are left
    to the object path, which names them."""
    fast, slow = _split(rows)
    return _evaluate_parts(_tables(fast, slow), slow, as_tables)


def evaluate_table(
    table: Any, first_row: int, *, as_tables: bool = False
) -> tuple[list[tuple[int, dict[str, Any]]], list[Any], list[Row]]:
    """:func:`evaluate_columns` for a chunk already in columns (a Parquet input with nested
    columns, rows numbered from ``first_row``): the rows left to the object path come with
    their data (nulls dropped, as absent fields)."""
    from tco.batch.sources import row_data

    part: list[Row] = [(first_row + k, k) for k in range(table.num_rows)]
    slow: list[Row] = []
    results, tables, slow = _evaluate_parts([(part, table)], slow, as_tables)
    return results, tables, [(row, row_data(table, k)) for row, k in slow]


def _evaluate_parts(
    parts: list[tuple[list[Row], Any]], slow: list[Row], as_tables: bool
) -> tuple[list[tuple[int, dict[str, Any]]], list[Any], list[Row]]:
    results: list[tuple[int, dict[str, Any]]] = []
    tables: list[Any] = []
    for part, cols in _checked(parts, slow):
        for idx in _groups(cols):
            numbers = [part[k][0] for k in idx.tolist()]
            try:
                if as_tables:
                    tables.append(_table(cols, idx, numbers))
                    continue
                evaluated = evaluate_plain(cols.batch(idx), cols.plains(idx))
            except ScenarioError:
                slow.extend(part[k] for k in idx.tolist())
                continue
            results.extend(zip(numbers, evaluated, strict=True))
    results.sort(key=lambda r: r[0])
    slow.sort(key=lambda r: r[0])
    return results, tables, slow


def _table(cols: Columns, idx: IntArray, numbers: list[int]) -> Any:
    from tco.batch.table import table_of_batch

    r = evaluate_plain_arrays(cols.batch(idx))
    return table_of_batch(numbers, r, cols.texts_of(idx))


def evaluate_all(
    items: Sequence[Any], *, check: Callable[[list[Scenario | None]], None] | None = None
) -> list[dict[str, Any]]:
    """All or nothing: the JSON-ready result of every scenario of ``items`` (scenarios as data,
    an API batch's), in order; or :class:`ScenarioError` naming every problem of every scenario
    as ``scenarios[i]...``, before anything is evaluated (overflow: after). The plainly valid
    ones take the columnar path, the others are validated (and, if all are valid, evaluated)
    on the object path; ``check`` sees the object path's scenarios (None for the others: they
    have no uncertainty section) before anything is evaluated. Each study period is evaluated
    in a batch of its own, so a scenario's numbers do not depend on the others."""
    rows: list[Row] = []
    for i, item in enumerate(items):
        try:
            rows.append((i, orjson.dumps(item) if isinstance(item, dict) else item))
        except (orjson.JSONEncodeError, TypeError):  # integers past 64 bits: the object path
            rows.append((i, item))
    fast, slow = _split(rows)
    checked = _checked(_tables(fast, slow), slow)
    del rows, fast
    scenarios: list[Scenario | None] = [None] * len(items)
    problems: list[Problem] = []
    for i, _ in sorted(slow, key=lambda r: r[0]):
        try:
            scenarios[i] = parse_scenario(items[i])
        except TcoError as exc:
            problems.extend(_named(i, p) for p in exc.problems)
    if problems:
        raise ScenarioError(problems)
    if check is not None:
        check(scenarios)
    out: list[dict[str, Any] | None] = [None] * len(items)
    overflow: list[tuple[int, Problem]] = []
    for part, cols in checked:
        for idx in _groups(cols):
            numbers = [part[k][0] for k in idx.tolist()]
            try:
                evaluated = evaluate_plain(cols.batch(idx), cols.plains(idx))
                for i, r in zip(numbers, evaluated, strict=True):
                    out[i] = r
            except ScenarioError as exc:
                overflow.extend(_renamed(numbers, p) for p in exc.problems)
    _evaluate_objects(scenarios, out, overflow)
    if overflow:
        overflow.sort(key=lambda pair: pair[0])  # stable: each scenario's in their order
        raise ScenarioError([p for _, p in overflow])
    return cast(list[dict[str, Any]], out)


def _evaluate_objects(
    scenarios: list[Scenario | None],
    out: list[dict[str, Any] | None],
    overflow: list[tuple[int, Problem]],
) -> None:
    """Evaluate the object path's scenarios, one batch per study period, into ``out``."""
    by_n: dict[int, list[int]] = {}
    for i, sc in enumerate(scenarios):
        if sc is not None:
            by_n.setdefault(sc.assumptions.study_period_years, []).append(i)
    for numbers in by_n.values():
        batch = [cast(Scenario, scenarios[i]) for i in numbers]
        try:
            for i, r in zip(numbers, evaluate_many_json(batch, named_in_batch=True), strict=True):
                out[i] = r
        except ScenarioError as exc:
            overflow.extend(_renamed(numbers, p) for p in exc.problems)


_IN_BATCH = re.compile(r"scenarios\[(\d+)\](.*)", re.DOTALL)


def _named(i: int, p: Problem) -> Problem:
    return Problem(f"scenarios[{i}]" + (f".{p.path}" if p.path else ""), p.message)


def _renamed(numbers: list[int], p: Problem) -> tuple[int, Problem]:
    """A problem of a group's batch (``scenarios[k]...``) named by the scenario's index."""
    m = _IN_BATCH.fullmatch(p.path)
    if m is None:
        return -1, p
    i = numbers[int(m.group(1))]
    return i, Problem(f"scenarios[{i}]{m.group(2)}", p.message)


def _split(rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """The rows the columnar path may read (UTF-8 JSON text, nothing doubtful) and the rest."""
    fast: list[Row] = []
    slow: list[Row] = []
    for row, payload in rows:
        data = payload.encode() if isinstance(payload, str) else payload
        if isinstance(data, bytes) and data.lstrip()[:1] == b"{" and _utf8(data):
            fast.append((row, data))
        else:
            slow.append((row, payload))
    whole = b"\n".join(p for _, p in fast)  # one pass per token over the chunk, mostly
    if any(token in whole for token in _DOUBTFUL_TOKENS):
        taken, fast = fast, []
        for r in taken:
            (slow if doubtful(r[1]) else fast).append(r)
    return fast, slow


def _checked(
    parts: list[tuple[list[Row], Any]], slow: list[Row]
) -> list[tuple[list[Row], Columns]]:
    """The parts' tables checked; the rows doubted are added to ``slow``."""
    out = []
    for part, table in parts:
        cols = read_columns(table)
        slow.extend(part[k] for k in np.flatnonzero(cols.doubted).tolist())
        out.append((part, cols))
    return out


def _groups(cols: Columns) -> list[IntArray]:
    """The rows of a part not doubted, by study period (one batch each: see chunk.py)."""
    ok = ~cols.doubted
    return [np.flatnonzero(ok & (cols.n == n)) for n in np.unique(cols.n[ok]).tolist()]


def _tables(rows: list[Row], rest: list[Row]) -> list[tuple[list[Row], Any]]:
    """The rows read into tables: all in one, or, where the reader refuses them as a whole (a
    field that is a number in one row and text in another, a syntax error), each half on its own,
    down to :data:`MIN_ROWS` rows; the rows of parts it still refuses are added to ``rest``."""
    if len(rows) < MIN_ROWS:
        rest.extend(rows)
        return []
    table = read_table([p for _, p in rows])
    if table is not None:
        return [(rows, table)]
    mid = len(rows) // 2
    return _tables(rows[:mid], rest) + _tables(rows[mid:], rest)


def _utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
