"""The cost profile: one evaluated scenario, year by year, as every presenter reads it.

The result (:mod:`tco.core.results`) holds what the contract reports: totals by offer, category and
line, cash flows by offer and year, and the comparison. Presenters also show figures by line and
year (the workbook's cached values, the document's schedules), the expected failures and the
coverage of each year, and the factors behind them. :func:`cost_profile` produces all of that
once, from the engine's own materialisation (:func:`tco.core.engine.line_cash_flows`), so no
presenter
computes a convention again: escalation, discounting, residual shares, coverage and "price =
year-0 acquisition" are the engine's.

Lines are those of the result, in its order and with its names and sources; each line's yearly
present values add up to the result's figure for it (checked by the property tests against the
kernel, which reduces the same flows without storing them). Amounts are unrounded float64 in the
scenario's currency; ``basis`` flows are on the analysis basis (constant money in a real
analysis), ``nominal`` ones in money of each year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from tco.core.engine import Batch, LineFlows, compile_batch, line_cash_flows
from tco.core.results import OfferResult, ScenarioResult
from tco.core.scenario import INVESTMENT_CATEGORIES, Category, FailureModel, Scenario

Years = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LineProfile:
    """One line of an offer (a cost line, its residual credit, or a failure stream) by year."""

    name: str
    category: Category
    source: str
    basis: Years
    nominal: Years
    present_value: Years

    @property
    def total_present_value(self) -> float:
        return float(sum(self.present_value))


@dataclass(frozen=True, slots=True)
class YearCover:
    """The terms of the failures expected in one year: the share of repair cost paid by a
    warranty or plan, downtime hours per failure, the buyer's cost per repair order (base-year
    prices) and the name of the coverage period that sets them ("" outside every period)."""

    year: int
    covered_fraction: float
    downtime_hours: float
    order_cost: Decimal
    period: str


@dataclass(frozen=True, slots=True)
class OfferProfile:
    id: str
    name: str
    lines: tuple[LineProfile, ...]
    #: Expected failures in years 0..N (0 in year 0; all 0 without a failure model).
    expected_failures: Years
    #: Terms per year 1..N (empty without a failure model).
    cover: tuple[YearCover, ...]

    def by_category(self, category: Category) -> tuple[Years, Years]:
        """Nominal flows and present values of one category by year."""
        rows = [x for x in self.lines if x.category == category]
        width = len(self.expected_failures)
        nominal = np.sum([x.nominal for x in rows], axis=0) if rows else np.zeros(width)
        present = np.sum([x.present_value for x in rows], axis=0) if rows else np.zeros(width)
        return tuple(nominal.tolist()), tuple(present.tolist())

    @property
    def investment_present_value(self) -> Years:
        """Present values of the investment-related categories by year."""
        rows = [x.present_value for x in self.lines if x.category in INVESTMENT_CATEGORIES]
        width = len(self.expected_failures)
        return tuple((np.sum(rows, axis=0) if rows else np.zeros(width)).tolist())


@dataclass(frozen=True, slots=True)
class CostProfile:
    """An evaluated scenario by line and year, with the factors behind it (years 0..N)."""

    currency: str
    study_period_years: int
    #: Escalation factors by driver name (None: a line without a driver), years 0..N.
    escalation: dict[str | None, Years]
    #: Discount factors of one-time amounts and of recurring amounts and expected failures.
    discount_one_time: Years
    discount_recurring: Years
    #: Nominal value of one unit on the analysis basis, by year.
    growth: Years
    offers: tuple[OfferProfile, ...]

    def offer(self, offer_id: str) -> OfferProfile:
        return next(o for o in self.offers if o.id == offer_id)


def cost_profile(scenario: Scenario, result: ScenarioResult) -> CostProfile:
    """The cost profile of ``scenario``, whose result is ``result`` (``evaluate(scenario)``)."""
    b = compile_batch([scenario])
    f = line_cash_flows(b)
    a = scenario.assumptions
    cols = a.study_period_years + 1
    growth = f.growth[0, :cols]
    drivers = [None, *sorted(a.escalation)]  # compile_batch's driver order
    return CostProfile(
        currency=a.currency,
        study_period_years=a.study_period_years,
        escalation={d: _years(f.escalation[0, k, :cols]) for k, d in enumerate(drivers)},
        discount_one_time=_years(f.discount_one_time[0, :cols]),
        discount_recurring=_years(f.discount_recurring[0, :cols]),
        growth=_years(growth),
        offers=tuple(
            _offer(b, f, k, offer.failures, res, growth, cols)
            for k, (offer, res) in enumerate(zip(scenario.offers, result.offers, strict=True))
        ),
    )


def _years(values: np.typing.NDArray[np.float64]) -> Years:
    return tuple(values.tolist())


def _offer(
    b: Batch,
    f: LineFlows,
    k: int,
    failures: FailureModel | None,
    res: OfferResult,
    growth: np.typing.NDArray[np.float64],
    cols: int,
) -> OfferProfile:
    flows: dict[str, tuple[np.typing.NDArray[np.float64], np.typing.NDArray[np.float64]]] = {}
    for li in range(int(b.line_start[k]), int(b.line_start[k + 1])):
        j = int(b.line_source[li])
        flows[f"costs[{j}]"] = (f.line_basis[li, :cols], f.line_present[li, :cols])
        flows[f"costs[{j}].residual"] = (f.residual_basis[li, :cols], f.residual_present[li, :cols])
    fi = int(b.offer_fail[k])
    expected = np.zeros(cols)
    if fi >= 0:
        expected = f.expected_failures[fi, :cols]
        for s, source in enumerate(("failures.repair", "failures.downtime", "failures.orders")):
            flows[source] = (f.fail_basis[s, fi, :cols], f.fail_present[s, fi, :cols])
    lines = tuple(
        LineProfile(
            name=line.name,
            category=line.category,
            source=line.source,
            basis=_years(flows[line.source][0]),
            nominal=_years(flows[line.source][0] * growth),
            present_value=_years(flows[line.source][1]),
        )
        for line in res.lines
    )
    return OfferProfile(
        id=res.id,
        name=res.name,
        lines=lines,
        expected_failures=_years(expected),
        cover=_cover(failures, cols - 1),
    )


def _cover(failures: FailureModel | None, n: int) -> tuple[YearCover, ...]:
    if failures is None:
        return ()
    out = []
    for year in range(1, n + 1):
        covered, down, order = failures.terms_in(year)
        period = next((p.name for p in failures.periods if p.covers(year)), "")
        out.append(YearCover(year, covered, down, order, period))
    return tuple(out)


__all__ = [
    "CostProfile",
    "LineProfile",
    "OfferProfile",
    "YearCover",
    "cost_profile",
]
