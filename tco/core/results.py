"""Results: the public output contract (docs/scenario.md, "The result") and how it is assembled.

Amounts are unrounded float64 projections in the scenario's currency; documents and tables round
them when shown. ``evaluate`` is the one entry point the front doors use for scenarios.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tco import __version__
from tco.core.engine import CAT_INDEX, Batch, BatchResult, Measures, compile_batch, evaluate_batch
from tco.core.errors import Problem, ScenarioError
from tco.core.scenario import CATEGORIES, Category, Scenario, parse_scenario
from tco.core.scenario import INVESTMENT_CATEGORIES as _INVESTMENT
from tco.core.simulation import Progress, UncertaintyResult, simulate


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Issue(_Out):
    """A finding that still allows a result: where it is and what it means."""

    path: str
    message: str


class LineResult(_Out):
    name: str
    category: Category
    present_value: float
    source: str = Field(
        description="where the line comes from: costs[i], its residual value, or failures "
        "(failures.repair, failures.downtime, failures.orders)"
    )


class CashFlows(_Out):
    nominal: tuple[float, ...]
    present_value: tuple[float, ...]
    cumulative_present_value: tuple[float, ...]


class OfferResult(_Out):
    id: str
    name: str
    lifetime_cost: float
    equivalent_annual_cost: float
    cost_per_operating_hour: float | None
    investment_cost: float = Field(description="present value of investment-related categories")
    operating_cost: float = Field(description="present value of operating categories")
    by_category: dict[str, float]
    lines: tuple[LineResult, ...]
    cash_flows: CashFlows


class OfferComparison(_Out):
    net_savings: float
    sir: float | None
    airr: float | None
    simple_payback_year: int | None = Field(
        description="first year in which cumulative savings (undiscounted) are no longer "
        "negative; null when never, and null where the offer adds no investment"
    )
    discounted_payback_year: int | None = Field(
        description="first year in which cumulative discounted savings are no longer "
        "negative; null when never, and null where the offer adds no investment"
    )
    savings_negative_again_year: int | None = Field(
        description="first year after the discounted payback year in which cumulative "
        "discounted savings are negative again; null when they stay non-negative or there is no "
        "payback"
    )
    savings_recovered_year: int | None = Field(
        description="first year after savings_negative_again_year in which cumulative "
        "discounted savings are no longer negative; null when not by year N or no reversal"
    )
    breakeven_year: float | None
    irr: float | None
    price_headroom: float | None


class Comparison(_Out):
    baseline: str
    offers: dict[str, OfferComparison]
    recommended: str = Field(description="the offer with the lowest lifetime cost")


class Method(_Out):
    rate_basis: str
    discount_rate: float
    inflation: float
    timing: str
    engine_version: str


class ScenarioResult(_Out):
    currency: str
    study_period_years: int
    offers: tuple[OfferResult, ...]
    comparison: Comparison
    method: Method
    issues: tuple[Issue, ...] = ()
    uncertainty: UncertaintyResult | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="only where the scenario has an uncertainty section: percentiles, "
        "chances, sensitivity and switching values over its draws",
    )


def scenario_issues(sc: Scenario) -> list[Issue]:
    """Findings that allow a result but that a reader should see."""
    out: list[Issue] = []
    a = sc.assumptions
    n = a.study_period_years
    if sc.baseline is None and len(sc.offers) > 1:
        out.append(
            Issue(
                path="baseline", message=f"not given; '{sc.offers[0].id}' (the first offer) is used"
            )
        )
    for name, rates in a.escalation.items():
        if len(rates) > n:
            out.append(
                Issue(
                    path=f"assumptions.escalation.{name}",
                    message=f"{len(rates)} rates for a {n}-year study period; "
                    f"those after year {n} are not used",
                )
            )
    for i, offer in enumerate(sc.offers):
        for j, line in enumerate(offer.costs):
            if line.every_years is None:
                continue
            first, last = line.span(n)
            if first > last:
                out.append(
                    Issue(
                        path=f"offers[{i}].costs[{j}]",
                        message="falls in no year of the study period; it adds nothing",
                    )
                )
    return out


_INV_IDX = tuple(CAT_INDEX[c] for c in CATEGORIES if c in _INVESTMENT)
_CAT_NAMES = tuple(c.value for c in CATEGORIES)
_CAT_VALUE = {c: c.value for c in CATEGORIES}
_END_OF_LIFE = Category.end_of_life.value
_REPAIR = Category.repair.value
_DOWNTIME = Category.downtime.value
_TRANSACTION = Category.transaction.value


_SOURCES = tuple(f"costs[{j}]" for j in range(64))


def _source(j: int) -> str:
    """``costs[j]``, the source of a result line (prebuilt for the first 64 lines)."""
    return _SOURCES[j] if j < len(_SOURCES) else f"costs[{j}]"


def _first_min(values: list[float]) -> int:
    """Index of the first smallest value (``numpy.argmin``'s choice)."""
    return min(range(len(values)), key=values.__getitem__)


def _num_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _int_or_none(x: float) -> int | None:
    return int(x) if math.isfinite(x) else None


class _Columns:
    """A batch's per-line and per-offer numbers as Python lists, converted once per batch."""

    def __init__(self, r: BatchResult, m: Measures) -> None:
        b = r.batch
        self.r = r
        self.line_start: list[int] = b.line_start.tolist()
        self.line_source: list[int] = b.line_source.tolist()
        self.line_pv: list[float] = r.line_pv.tolist()
        self.line_life: list[float] = b.line_life.tolist()
        self.line_fraction: list[float] = b.line_fraction.tolist()
        self.residual_pv: list[float] = r.residual_pv.tolist()
        self.repair_pv: list[float] = r.repair_pv.tolist()
        self.downtime_pv: list[float] = r.downtime_pv.tolist()
        self.order_pv: list[float] = r.order_pv.tolist()
        self.category_pv: list[list[float]] = r.category_pv.tolist()
        self.lcc: list[float] = m.lifetime_cost.tolist()
        self.eac: list[float] = m.equivalent_annual_cost.tolist()
        self.per_hour: list[float] = m.cost_per_operating_hour.tolist()
        self.is_baseline: list[bool] = m.is_baseline.tolist()
        self.net: list[float] = m.net_savings.tolist()
        self.sir: list[float] = m.sir.tolist()
        self.airr: list[float] = m.airr.tolist()
        self.spb: list[float] = m.simple_payback_year.tolist()
        self.dpb: list[float] = m.discounted_payback_year.tolist()
        self.be: list[float] = m.breakeven_year.tolist()
        self.irr: list[float] = m.irr.tolist()
        self.headroom: list[float] = m.price_headroom.tolist()
        self.neg_again: list[float] = m.savings_negative_again_year.tolist()
        self.recovered: list[float] = m.savings_recovered_year.tolist()


@dataclass(slots=True)
class Plain:
    """What a result takes from its scenario besides the engine's numbers, as plain values:
    the object path makes it from a :class:`Scenario` (:func:`plain_of`), the columnar path of
    ``tco batch run`` from columns, and both results are assembled by the same code.

    ``offers`` holds per offer its id, its title, its cost lines' names and categories (in the
    order of ``costs``, as the batch holds them) and whether its failure model raises repair
    orders (None: no failure model)."""

    currency: str
    study_period_years: int
    rate_basis: str
    discount_rate: float
    inflation: float
    timing: str
    baseline_id: str
    offers: list[tuple[str, str, list[str], list[str], bool | None]]
    issues: list[dict[str, Any]]


def plain_of(sc: Scenario) -> Plain:
    a = sc.assumptions
    n = a.study_period_years
    return Plain(
        currency=a.currency,
        study_period_years=n,
        rate_basis=a.rate_basis,
        discount_rate=a.discount_rate,
        inflation=a.inflation,
        timing=a.timing,
        baseline_id=sc.baseline_id,
        offers=[
            (
                o.id,
                o.title,
                [line.name for line in o.costs],
                [_CAT_VALUE[line.category] for line in o.costs],
                None if o.failures is None else o.failures.has_orders(n),
            )
            for o in sc.offers
        ],
        issues=[{"path": i.path, "message": i.message} for i in scenario_issues(sc)],
    )


def _line_rows(
    names: list[str], categories: list[str], cols: _Columns, o: int, li: int
) -> tuple[list[dict[str, Any]], int]:
    """The cost-line rows of offer o (batch row), whose lines start at batch row ``li``: its
    cost lines in the order of ``costs``, then their residual values (the failure streams follow,
    :func:`_failure_rows`). Returns the rows and the next ``li``."""
    end = cols.line_start[o + 1]
    pvs = [0.0] * len(names)  # by position in costs (the batch may order lines otherwise)
    residual: list[tuple[int, float]] = []
    for src, pv, life, fraction, credit in zip(
        cols.line_source[li:end],
        cols.line_pv[li:end],
        cols.line_life[li:end],
        cols.line_fraction[li:end],
        cols.residual_pv[li:end],
        strict=True,
    ):
        pvs[src] = pv
        if life > 0 or fraction == fraction:  # fraction not NaN
            residual.append((src, credit))
    rows: list[dict[str, Any]] = [
        {"name": name, "category": category, "present_value": pv, "source": _source(j)}
        for j, (name, category, pv) in enumerate(zip(names, categories, pvs, strict=True))
    ]
    for j, credit in sorted(residual):
        rows.append(
            {
                "name": f"{names[j]}: residual value",
                "category": _END_OF_LIFE,
                "present_value": credit,
                "source": f"costs[{j}].residual",
            }
        )
    return rows, end


def _failure_rows(orders: bool, cols: _Columns, fi: int) -> list[dict[str, Any]]:
    """The failure streams of failure model ``fi`` (batch row): repairs, downtime and, where
    the buyer raises repair orders, the orders."""
    streams = [
        ("Expected repairs", _REPAIR, cols.repair_pv[fi], "failures.repair"),
        ("Expected downtime", _DOWNTIME, cols.downtime_pv[fi], "failures.downtime"),
    ]
    if orders:
        streams.append(
            ("Expected repair orders", _TRANSACTION, cols.order_pv[fi], "failures.orders")
        )
    return [
        {"name": name, "category": category, "present_value": pv, "source": source}
        for name, category, pv, source in streams
    ]


def _offer_json(
    head: tuple[str, str],
    cols: _Columns,
    o: int,
    lines: list[dict[str, Any]],
    flows: tuple[list[float], list[float], list[float]],
) -> dict[str, Any]:
    """One offer's result (batch row o; ``head``: its id and title): totals, categories,
    ``lines`` and ``flows`` (nominal, present value, cumulative present value by year)."""
    cat = cols.category_pv[o]
    inv = 0.0
    for i in _INV_IDX:
        inv += cat[i]
    lcc = cols.lcc[o]
    return {
        "id": head[0],
        "name": head[1],
        "lifetime_cost": lcc,
        "equivalent_annual_cost": cols.eac[o],
        "cost_per_operating_hour": _num_or_none(cols.per_hour[o]),
        "investment_cost": inv,
        "operating_cost": lcc - inv,
        "by_category": dict(zip(_CAT_NAMES, cat, strict=True)),
        "lines": lines,
        "cash_flows": {
            "nominal": flows[0],
            "present_value": flows[1],
            "cumulative_present_value": flows[2],
        },
    }


def _comparison_json(p: Plain, cols: _Columns, offer0: int) -> dict[str, Any]:
    """The comparison of the scenario whose offers start at batch row ``offer0``."""
    comps: dict[str, dict[str, Any]] = {}
    for k, offer in enumerate(p.offers):
        o = offer0 + k
        if cols.is_baseline[o]:
            continue
        comps[offer[0]] = {
            "net_savings": cols.net[o],
            "sir": _num_or_none(cols.sir[o]),
            "airr": _num_or_none(cols.airr[o]),
            "simple_payback_year": _int_or_none(cols.spb[o]),
            "discounted_payback_year": _int_or_none(cols.dpb[o]),
            "savings_negative_again_year": _int_or_none(cols.neg_again[o]),
            "savings_recovered_year": _int_or_none(cols.recovered[o]),
            "breakeven_year": _num_or_none(cols.be[o]),
            "irr": _num_or_none(cols.irr[o]),
            "price_headroom": _num_or_none(cols.headroom[o]),
        }
    o_end = offer0 + len(p.offers)
    return {
        "baseline": p.baseline_id,
        "offers": comps,
        "recommended": p.offers[_first_min(cols.lcc[offer0:o_end])][0],
    }


def _assemble_json(
    p: Plain, cols: _Columns, offer0: int, line0: int, fail0: int
) -> tuple[dict[str, Any], int, int]:
    """One scenario's result as JSON-ready data: exactly ``ScenarioResult.model_dump(mode="json")``
    (same keys, order and numbers), built directly. The scenario's offers, lines and failure
    models start at batch rows ``offer0``, ``line0`` and ``fail0``; returns the result and the
    next line and failure-model rows."""
    r = cols.r
    n = p.study_period_years
    o_end = offer0 + len(p.offers)
    nominal = r.offer_nominal[offer0:o_end, : n + 1].tolist()
    present = r.offer_pv[offer0:o_end, : n + 1].tolist()
    offers: list[dict[str, Any]] = []
    li, fi = line0, fail0
    for k, (oid, title, names, categories, orders) in enumerate(p.offers):
        lines, li = _line_rows(names, categories, cols, offer0 + k, li)
        if orders is not None:
            lines.extend(_failure_rows(orders, cols, fi))
            fi += 1
        cumulative = list(accumulate(present[k]))  # numpy.cumsum's sums, in order
        offers.append(
            _offer_json((oid, title), cols, offer0 + k, lines, (nominal[k], present[k], cumulative))
        )
    result = {
        "currency": p.currency,
        "study_period_years": n,
        "offers": offers,
        "comparison": _comparison_json(p, cols, offer0),
        "method": {
            "rate_basis": p.rate_basis,
            "discount_rate": p.discount_rate,
            "inflation": p.inflation,
            "timing": p.timing,
            "engine_version": __version__,
        },
        "issues": p.issues,
    }
    return result, li, fi


def _model(d: dict[str, Any]) -> ScenarioResult:
    """The :class:`ScenarioResult` of JSON-ready data from :func:`_assemble_json` (numbers already
    checked by construction: built without validating again)."""
    offers = tuple(
        OfferResult.model_construct(
            id=o["id"],
            name=o["name"],
            lifetime_cost=o["lifetime_cost"],
            equivalent_annual_cost=o["equivalent_annual_cost"],
            cost_per_operating_hour=o["cost_per_operating_hour"],
            investment_cost=o["investment_cost"],
            operating_cost=o["operating_cost"],
            by_category=o["by_category"],
            lines=tuple(
                LineResult.model_construct(
                    name=x["name"],
                    category=Category(x["category"]),
                    present_value=x["present_value"],
                    source=x["source"],
                )
                for x in o["lines"]
            ),
            cash_flows=CashFlows.model_construct(
                nominal=tuple(o["cash_flows"]["nominal"]),
                present_value=tuple(o["cash_flows"]["present_value"]),
                cumulative_present_value=tuple(o["cash_flows"]["cumulative_present_value"]),
            ),
        )
        for o in d["offers"]
    )
    c = d["comparison"]
    return ScenarioResult.model_construct(
        currency=d["currency"],
        study_period_years=d["study_period_years"],
        offers=offers,
        comparison=Comparison.model_construct(
            baseline=c["baseline"],
            offers={k: OfferComparison.model_construct(**v) for k, v in c["offers"].items()},
            recommended=c["recommended"],
        ),
        method=Method.model_construct(**d["method"]),
        issues=tuple(Issue.model_construct(**i) for i in d["issues"]),
        uncertainty=(
            UncertaintyResult.model_validate(d["uncertainty"]) if "uncertainty" in d else None
        ),
    )


def _refuse_non_finite(r: BatchResult, m: Measures, *, batch: bool) -> None:
    """Raise :class:`ScenarioError` naming every offer whose numbers overflowed.

    The scenario's bounds keep ordinary inputs finite; extreme combinations (a discount rate near
    -100 % over a long study period, say) can still overflow float64. Such a result is refused,
    never printed or saved. Paths are ``offers[i]``, or ``scenarios[k].offers[i]`` in a batch.
    """
    b = r.batch
    if math.isfinite(r.measures.check.sum()):  # every number finite: see Measures.check
        return
    ok = (
        np.isfinite(r.offer_pv).all(axis=1)
        & np.isfinite(r.offer_nominal).all(axis=1)
        & np.isfinite(r.category_pv).all(axis=1)
        & np.isfinite(m.equivalent_annual_cost)
    )
    line_ok = np.isfinite(r.line_pv) & np.isfinite(r.residual_pv)
    ok[b.line_offer[~line_ok]] = False
    if ok.all():
        return
    first = np.searchsorted(b.offer_scenario, np.arange(b.n_scenarios))
    problems = []
    for o in np.flatnonzero(~ok).tolist():
        k = int(b.offer_scenario[o])
        where = f"offers[{o - int(first[k])}]"
        if batch:
            where = f"scenarios[{k}].{where}"
        problems.append(
            Problem(
                where,
                "its cash flows overflow (not finite numbers); the discount or escalation rates "
                "are too extreme for the study period",
            )
        )
    raise ScenarioError(problems)


def evaluate_many_json(
    scenarios: Sequence[Scenario],
    *,
    named_in_batch: bool | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Evaluate scenarios in one vectorized batch; one JSON-ready result each, exactly
    ``[result_json(r) for r in evaluate_many(scenarios)]``. Problems are named
    ``scenarios[k]...`` when ``named_in_batch`` (by default, when there are several).

    A scenario with an ``uncertainty`` section gets its block
    (:func:`tco.core.simulation.simulate`, its draws in a batch of their own); ``progress``
    hears how far its draws are."""
    batch = compile_batch(scenarios)
    r = evaluate_batch(batch)  # overflow is checked below, and refused by name
    m = r.measures  # computed by the kernel in its pass
    in_batch = len(scenarios) > 1 if named_in_batch is None else named_in_batch
    _refuse_non_finite(r, m, batch=in_batch)
    out = _assemble_all(_Columns(r, m), [plain_of(sc) for sc in scenarios])
    for k, sc in enumerate(scenarios):
        if sc.uncertainty is not None:
            out[k]["uncertainty"] = _uncertainty_block(sc, k if in_batch else None, progress)
    return out


def _assemble_all(cols: _Columns, plains: Sequence[Plain]) -> list[dict[str, Any]]:
    """The JSON-ready results of a batch's scenarios, in its order."""
    out: list[dict[str, Any]] = []
    o = li = fi = 0
    for p in plains:
        res, li, fi = _assemble_json(p, cols, o, li, fi)
        out.append(res)
        o += len(p.offers)
    return out


def evaluate_plain_arrays(batch: Batch) -> BatchResult:
    """The engine's arrays of a batch compiled without scenario objects; raises
    :class:`ScenarioError` (paths ``scenarios[k]...``) where numbers overflow."""
    r = evaluate_batch(batch)
    _refuse_non_finite(r, r.measures, batch=True)
    return r


def evaluate_plain(batch: Batch, plains: Sequence[Plain]) -> list[dict[str, Any]]:
    """Evaluate a batch compiled without scenario objects (``tco batch run``'s columnar path)
    into JSON-ready results, exactly what :func:`evaluate_many_json` gives for the same
    scenarios without an uncertainty section. ``plains`` holds the scenarios' plain values, in
    the batch's order. Raises :class:`ScenarioError` (paths ``scenarios[k]...``) where numbers
    overflow."""
    r = evaluate_plain_arrays(batch)
    return _assemble_all(_Columns(r, r.measures), plains)


def _uncertainty_block(sc: Scenario, k: int | None, progress: Progress | None) -> dict[str, Any]:
    """The scenario's uncertainty block; problems named ``scenarios[k]...`` in a batch."""
    try:
        return simulate(sc, progress=progress)
    except ScenarioError as exc:
        if k is None:
            raise
        raise ScenarioError(
            [Problem(f"scenarios[{k}].{p.path}", p.message) for p in exc.problems]
        ) from None


def evaluate_json(scenario: Scenario, *, progress: Progress | None = None) -> dict[str, Any]:
    """Evaluate one scenario into JSON-ready data: exactly ``result_json(evaluate(scenario))``."""
    return evaluate_many_json([scenario], progress=progress)[0]


def evaluate_many(scenarios: Sequence[Scenario]) -> list[ScenarioResult]:
    """Evaluate scenarios in one vectorized batch and assemble one result each."""
    return [_model(d) for d in evaluate_many_json(scenarios)]


def evaluate(scenario: Scenario, *, progress: Progress | None = None) -> ScenarioResult:
    """Evaluate one scenario: every offer's cost profile and the comparison with the baseline
    (and, where the scenario has an ``uncertainty`` section, its block; ``progress`` hears how
    far its draws are)."""
    return _model(evaluate_json(scenario, progress=progress))


def key_offer(result: ScenarioResult) -> str | None:
    """The offer the uncertainty is told for (its sensitivity, tornado and sentence): the one
    with the highest base net savings against the baseline (the first on a tie); None where
    there is no offer besides the baseline."""
    comp = result.comparison.offers
    if not comp:
        return None
    best = max(c.net_savings for c in comp.values())
    return next(oid for oid, c in comp.items() if c.net_savings == best)


def result_json(result: ScenarioResult) -> dict[str, Any]:
    """The machine-readable form of a result (docs/scenario.md), unrounded."""
    return result.model_dump(mode="json")


_WARM_UP: dict[str, Any] = {
    "assumptions": {
        "currency": "EUR",
        "study_period_years": 3,
        "discount_rate": 0.05,
        "escalation": {"energy": 0.02},
        "operating_hours_per_year": 1000,
        "downtime_cost_per_hour": 10,
    },
    "offers": [
        {
            "id": oid,
            "costs": [
                {"name": "Price", "category": "acquisition", "amount": price, "year": 0},
                {
                    "name": "Energy",
                    "category": "energy",
                    "amount": energy,
                    "every_years": 1,
                    "escalation": "energy",
                },
            ],
            "failures": {"mtbf_hours": 2000, "repair_cost": 100, "downtime_hours": 2},
        }
        for oid, price, energy in (("a", 100, 50), ("b", 120, 30))
    ],
}


def warm_up() -> None:
    """Evaluate a tiny scenario once, so that a new process loads the compiled kernel (from the
    on-disk cache, or compiles it) before its first real request rather than during it."""
    evaluate_json(parse_scenario(_WARM_UP))
