"""Results: the public output contract (SCENARIO.md "Results") and how it is assembled.

Amounts are unrounded float64 projections in the scenario's currency; documents and tables round
them when shown. ``evaluate`` is the one entry point the front doors use for scenarios.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tco import __version__
from tco.engine import CAT_INDEX, BatchResult, compile_batch, evaluate_batch
from tco.measures import Measures, compute_measures
from tco.scenario import CATEGORIES, Category, Scenario
from tco.scenario import INVESTMENT_CATEGORIES as _INVESTMENT


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
        description="where the line comes from: costs[i], its residual value, or failures"
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
    simple_payback_year: int | None
    discounted_payback_year: int | None
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


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _int(x: float) -> int | None:
    return int(x) if math.isfinite(x) else None


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
            if line.every_years is not None and not line.occurrence_years(n):
                out.append(
                    Issue(
                        path=f"offers[{i}].costs[{j}]",
                        message="falls in no year of the study period; it adds nothing",
                    )
                )
    return out


def _assemble(
    sc: Scenario, r: BatchResult, m: Measures, offer0: int, line0: int, fail0: int
) -> tuple[ScenarioResult, int, int]:
    b = r.batch
    n = sc.assumptions.study_period_years
    offers: list[OfferResult] = []
    li, fi = line0, fail0
    for k, offer in enumerate(sc.offers):
        o = offer0 + k
        lines_pv: dict[int, float] = {}
        residual: dict[int, float] = {}
        while li < b.line_offer.size and b.line_offer[li] == o:
            src = int(b.line_source[li])
            lines_pv[src] = float(r.line_pv[li])
            if b.line_life[li] > 0 or not np.isnan(b.line_fraction[li]):
                residual[src] = float(r.residual_pv[li])
            li += 1
        rows: list[LineResult] = []
        for j, line in enumerate(offer.costs):
            rows.append(
                LineResult(
                    name=line.name,
                    category=line.category,
                    present_value=lines_pv[j],
                    source=f"costs[{j}]",
                )
            )
        for j, credit in sorted(residual.items()):
            rows.append(
                LineResult(
                    name=f"{offer.costs[j].name}: residual value",
                    category=Category.end_of_life,
                    present_value=credit,
                    source=f"costs[{j}].residual",
                )
            )
        if offer.failures is not None:
            rows.append(
                LineResult(
                    name="Expected repairs",
                    category=Category.repair,
                    present_value=float(r.repair_pv[fi]),
                    source="failures.repair",
                )
            )
            rows.append(
                LineResult(
                    name="Expected downtime",
                    category=Category.downtime,
                    present_value=float(r.downtime_pv[fi]),
                    source="failures.downtime",
                )
            )
            fi += 1
        cat = r.category_pv[o]
        inv = float(sum(cat[CAT_INDEX[c]] for c in CATEGORIES if c in _INVESTMENT))
        pv = r.offer_pv[o, : n + 1]
        offers.append(
            OfferResult(
                id=offer.id,
                name=offer.title,
                lifetime_cost=float(m.lifetime_cost[o]),
                equivalent_annual_cost=float(m.equivalent_annual_cost[o]),
                cost_per_operating_hour=_num(m.cost_per_operating_hour[o]),
                investment_cost=inv,
                operating_cost=float(m.lifetime_cost[o]) - inv,
                by_category={c.value: float(cat[i]) for i, c in enumerate(CATEGORIES)},
                lines=tuple(rows),
                cash_flows=CashFlows(
                    nominal=tuple(float(v) for v in r.offer_nominal[o, : n + 1]),
                    present_value=tuple(float(v) for v in pv),
                    cumulative_present_value=tuple(float(v) for v in np.cumsum(pv)),
                ),
            )
        )
    comps: dict[str, OfferComparison] = {}
    for k, offer in enumerate(sc.offers):
        o = offer0 + k
        if m.is_baseline[o]:
            continue
        comps[offer.id] = OfferComparison(
            net_savings=float(m.net_savings[o]),
            sir=_num(m.sir[o]),
            airr=_num(m.airr[o]),
            simple_payback_year=_int(m.simple_payback_year[o]),
            discounted_payback_year=_int(m.discounted_payback_year[o]),
            breakeven_year=_num(m.breakeven_year[o]),
            irr=_num(m.irr[o]),
            price_headroom=_num(m.price_headroom[o]),
        )
    lcc = m.lifetime_cost[offer0 : offer0 + len(sc.offers)]
    a = sc.assumptions
    result = ScenarioResult(
        currency=a.currency,
        study_period_years=n,
        offers=tuple(offers),
        comparison=Comparison(
            baseline=sc.baseline_id, offers=comps, recommended=sc.offers[int(np.argmin(lcc))].id
        ),
        method=Method(
            rate_basis=a.rate_basis,
            discount_rate=a.discount_rate,
            inflation=a.inflation,
            timing=a.timing,
            engine_version=__version__,
        ),
        issues=tuple(scenario_issues(sc)),
    )
    return result, li, fi


def evaluate_many(scenarios: Sequence[Scenario]) -> list[ScenarioResult]:
    """Evaluate scenarios in one vectorized batch and assemble one result each."""
    batch = compile_batch(scenarios)
    r = evaluate_batch(batch)
    m = compute_measures(r)
    out: list[ScenarioResult] = []
    o = li = fi = 0
    for sc in scenarios:
        res, li, fi = _assemble(sc, r, m, o, li, fi)
        out.append(res)
        o += len(sc.offers)
    return out


def evaluate(scenario: Scenario) -> ScenarioResult:
    """Evaluate one scenario: every offer's cost profile and the comparison with the baseline."""
    return evaluate_many([scenario])[0]


def result_json(result: ScenarioResult) -> dict[str, Any]:
    """The machine-readable form of a result (SCENARIO.md), unrounded."""
    return result.model_dump(mode="json")
