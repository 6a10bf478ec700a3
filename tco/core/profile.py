"""The cost profile: one evaluated scenario, year by year, as every presenter reads it.

The result (:mod:`tco.core.results`) holds what the contract reports: totals by offer, category and
line, cash flows by offer and year, and the comparison. Presenters also show figures by line and
year (the workbook's cached values, the document's schedules and charts), the expected failures
and the coverage of each year, the factors behind them, and what the comparison rests on year by
year. :func:`cost_profile` produces all of that once, from the engine's own materialisation
(:func:`tco.core.engine.line_cash_flows`), so no presenter computes a convention again:
escalation, discounting, residual shares, coverage, repair orders, "price = year-0 acquisition",
the paybacks' tolerance and the cause of a payback reversal are decided here or in the engine.

Lines are those of the result, in its order and with its names and sources; each line's yearly
present values add up to the result's figure for it (checked by the property tests against the
kernel, which reduces the same flows without storing them). Amounts are unrounded float64 in the
scenario's currency; ``basis`` flows are on the analysis basis (constant money in a real
analysis), ``nominal`` ones in money of each year. An offer's yearly totals (``nominal``,
``present_value``, ``cumulative_present_value``) are the result's own figures.

Conventions stated here (the workbook's formulas and the document's words say the same):

- the *price* of an offer is the sum of its acquisition lines bought once in year 0 (at their
  base-year amount: year 0 is neither escalated nor discounted); ``price_residual`` is the
  present value of the residual credit those lines earn in year N;
- savings of an offer are the baseline's cost minus the offer's, year by year; a cumulative
  saving within :data:`ZERO` of zero counts as zero (the kernel's tolerance), so it is "paid
  back" from the first year it is not below ``-ZERO``;
- the headline compares the recommended offer with the baseline; where the baseline is itself
  recommended, with the next-best offer (lowest lifetime cost rounded to the currency's minor
  unit, as shown; the first in order on a tie), using the engine's comparison of the two;
- a reversal (dearer again after the discounted payback) is explained by one cost line where
  one does: among the lines that fall in that year and are not yearly (one-time, or every k > 1
  years), costs of the offer and credits of the other offer, the largest in present value in
  that year, if it alone is at least the shortfall of the cumulative discounted savings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from tco.core.engine import Batch, LineFlows, compile_batch, line_cash_flows
from tco.core.kernel import ZERO
from tco.core.money import round_money
from tco.core.results import OfferComparison, OfferResult, ScenarioResult, evaluate
from tco.core.scenario import (
    INVESTMENT_CATEGORIES,
    Category,
    CostLine,
    FailureModel,
    Offer,
    Scenario,
)

Years = tuple[float, ...]
Flags = tuple[bool, ...]
FloatArray = npt.NDArray[np.float64]


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
    def total_basis(self) -> float:
        return float(sum(self.basis))

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
class PeriodCover:
    """A coverage period of a failure model (years ``from_year..until_year``, which may reach
    past the study period) with the terms that hold in it."""

    name: str
    from_year: int
    until_year: int
    covered_fraction: float
    downtime_hours: float
    order_cost: Decimal


@dataclass(frozen=True, slots=True)
class Savings:
    """An offer against the baseline, years 0..N: what it saves (the baseline's cost minus its
    own) and the flags the paybacks, their reversal and the breakeven are read from."""

    against: str
    basis: Years
    present_value: Years
    cumulative: Years
    cumulative_present_value: Years
    #: Investment-related present value the offer adds, and the operating cost it saves (the
    #: two terms of the SIR); it "adds investment" where the first is above ZERO.
    added_investment: float
    operating_savings: float
    adds_investment: bool
    #: Years in which the cumulative (discounted) savings are not below -ZERO.
    paid_back: Flags
    paid_back_discounted: Flags
    #: Years after the discounted payback in which the cumulative discounted savings are below
    #: -ZERO again, and years after the first of those in which they are not.
    dearer_again: Flags
    cheaper_again: Flags
    #: Years 1..N in which the cumulative discounted savings are on the other side of -ZERO than
    #: in year 0 (year 0: False), and the first of them (None: the curves never cross).
    crossed: Flags
    crossing_year: int | None


@dataclass(frozen=True, slots=True)
class Reversal:
    """An offer dearer again than the one it is compared with after its discounted payback: from
    ``year`` until ``until`` (None: to the end of the study period), and the one cost line that
    explains it (``line``, of the offer ``owner``), where one does."""

    year: int
    until: int | None
    line: str | None
    owner: str | None


@dataclass(frozen=True, slots=True)
class Headline:
    """What the recommendation is measured against: the recommended offer ``best``, the offer
    ``other`` it is compared with, the engine's comparison of the two, its reversal, and the
    point (year, cumulative discounted cost of ``best``) where their curves cross."""

    best: str
    other: str
    comparison: OfferComparison
    reversal: Reversal | None
    crossover: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class OfferProfile:
    id: str
    name: str
    lines: tuple[LineProfile, ...]
    #: Expected failures in years 0..N (0 in year 0; all 0 without a failure model).
    expected_failures: Years
    #: Terms per year 1..N (empty without a failure model).
    cover: tuple[YearCover, ...]
    #: Totals by year: analysis basis (the lines' sum), and the result's nominal, present and
    #: cumulative present values.
    basis: Years
    nominal: Years
    present_value: Years
    cumulative_present_value: Years
    #: Whether the buyer raises repair orders in some year 1..N (the line ``failures.orders``).
    has_orders: bool
    #: The failure model's coverage periods, by first year.
    periods: tuple[PeriodCover, ...]
    #: The price (year-0 acquisition), the sources of the lines it is made of, and the present
    #: value of the residual credit those lines earn.
    price: float
    price_sources: tuple[str, ...]
    price_residual: float
    #: Against the baseline (None for the baseline itself).
    savings: Savings | None = None

    def line(self, source: str) -> LineProfile:
        """The line of ``source`` (``costs[j]``, ``costs[j].residual``, ``failures.repair``)."""
        return next(x for x in self.lines if x.source == source)

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
    #: The recommendation and what it is measured against (None with a single offer).
    headline: Headline | None = None

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
    offers = [
        _offer(b, f, k, offer, res, growth, cols)
        for k, (offer, res) in enumerate(zip(scenario.offers, result.offers, strict=True))
    ]
    base = offers[scenario.baseline_index]
    results = {o.id: o for o in result.offers}
    for k, o in enumerate(offers):
        if o is not base:
            comparison = result.comparison.offers[o.id]
            savings = _savings(base, o, results[base.id], results[o.id], comparison)
            offers[k] = replace(o, savings=savings)
    return CostProfile(
        currency=a.currency,
        study_period_years=a.study_period_years,
        escalation={d: _years(f.escalation[0, k, :cols]) for k, d in enumerate(drivers)},
        discount_one_time=_years(f.discount_one_time[0, :cols]),
        discount_recurring=_years(f.discount_recurring[0, :cols]),
        growth=_years(growth),
        offers=tuple(offers),
        headline=_headline(scenario, result, {o.id: o for o in offers}),
    )


def _years(values: FloatArray) -> Years:
    return tuple(values.tolist())


def _offer(
    b: Batch,
    f: LineFlows,
    k: int,
    offer: Offer,
    res: OfferResult,
    growth: FloatArray,
    cols: int,
) -> OfferProfile:
    flows: dict[str, tuple[FloatArray, FloatArray]] = {}
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
    basis = np.sum([flows[x.source][0] for x in res.lines], axis=0) if lines else np.zeros(cols)
    in_price = [j for j, x in enumerate(offer.costs) if _in_price(x)]
    residuals = {x.source: x.total_present_value for x in lines}
    fm, n = offer.failures, cols - 1
    return OfferProfile(
        id=res.id,
        name=res.name,
        lines=lines,
        expected_failures=_years(expected),
        cover=_cover(fm, n),
        basis=_years(basis),
        nominal=tuple(res.cash_flows.nominal),
        present_value=tuple(res.cash_flows.present_value),
        cumulative_present_value=tuple(res.cash_flows.cumulative_present_value),
        has_orders=fm is not None and fm.has_orders(n),
        periods=_periods(fm),
        price=sum((float(offer.costs[j].amount) for j in in_price), 0.0),
        price_sources=tuple(f"costs[{j}]" for j in in_price),
        price_residual=sum((residuals.get(f"costs[{j}].residual", 0.0) for j in in_price), 0.0),
    )


def _in_price(line: CostLine) -> bool:
    """Whether a cost line is part of the offer's price: acquisition, bought once in year 0."""
    return line.category is Category.acquisition and line.year == 0


def _cover(failures: FailureModel | None, n: int) -> tuple[YearCover, ...]:
    if failures is None:
        return ()
    out = []
    for year in range(1, n + 1):
        covered, down, order = failures.terms_in(year)
        period = next((p.name for p in failures.periods if p.covers(year)), "")
        out.append(YearCover(year, covered, down, order, period))
    return tuple(out)


def _periods(failures: FailureModel | None) -> tuple[PeriodCover, ...]:
    if failures is None:
        return ()
    return tuple(
        PeriodCover(p.name, p.from_year, p.until_year, *failures.terms_in(p.from_year))
        for p in sorted(failures.periods, key=lambda p: p.from_year)
    )


def _savings(
    base: OfferProfile,
    offer: OfferProfile,
    base_result: OfferResult,
    result: OfferResult,
    comparison: OfferComparison,
) -> Savings:
    sav = np.subtract(base.basis, offer.basis)
    sav_pv = np.subtract(base.present_value, offer.present_value)
    cum, cum_pv = np.cumsum(sav), np.cumsum(sav_pv)
    paid, paid_pv = cum >= -ZERO, cum_pv >= -ZERO
    years = np.arange(cum.size)
    dpb, neg = comparison.discounted_payback_year, comparison.savings_negative_again_year
    dearer = (years > dpb) & ~paid_pv if dpb is not None else np.zeros(cum.size, dtype=bool)
    cheaper = (years > neg) & paid_pv if neg is not None else np.zeros(cum.size, dtype=bool)
    crossed = (paid_pv if cum_pv[0] < -ZERO else ~paid_pv) & (years >= 1)
    added = result.investment_cost - base_result.investment_cost
    return Savings(
        against=base.id,
        basis=_years(sav),
        present_value=_years(sav_pv),
        cumulative=_years(cum),
        cumulative_present_value=_years(cum_pv),
        added_investment=added,
        operating_savings=base_result.operating_cost - result.operating_cost,
        adds_investment=added > ZERO,
        paid_back=tuple(paid.tolist()),
        paid_back_discounted=tuple(paid_pv.tolist()),
        dearer_again=tuple(dearer.tolist()),
        cheaper_again=tuple(cheaper.tolist()),
        crossed=tuple(crossed.tolist()),
        crossing_year=int(np.argmax(crossed)) if crossed.any() else None,
    )


def _headline(
    scenario: Scenario, result: ScenarioResult, offers: dict[str, OfferProfile]
) -> Headline | None:
    if len(result.offers) < 2:
        return None
    best = result.comparison.recommended
    if best != result.comparison.baseline:
        other = result.comparison.baseline
        comparison = result.comparison.offers[best]
    else:
        shown = {o.id: round_money(o.lifetime_cost, result.currency) for o in result.offers}
        others = [o.id for o in result.offers if o.id != best]
        other = min(others, key=lambda oid: (shown[oid], others.index(oid)))
        # the deterministic comparison only: the draws of an uncertainty section are not needed
        again = evaluate(scenario.model_copy(update={"baseline": other, "uncertainty": None}))
        comparison = again.comparison.offers[best]
    reversal = None
    year = comparison.savings_negative_again_year
    if year is not None:
        cause = _reversal_cause(scenario, offers, best, other, year)
        line, owner = cause if cause is not None else (None, None)
        reversal = Reversal(year, comparison.savings_recovered_year, line, owner)
    crossover = None
    if comparison.breakeven_year is not None:
        x = comparison.breakeven_year
        curve = offers[best].cumulative_present_value
        n = result.study_period_years
        k0 = min(math.floor(x), n - 1) if n > 0 else 0
        crossover = (x, curve[k0] + (x - k0) * (curve[min(k0 + 1, n)] - curve[k0]))
    return Headline(best, other, comparison, reversal, crossover)


def _reversal_cause(
    scenario: Scenario, offers: dict[str, OfferProfile], offer_id: str, other_id: str, year: int
) -> tuple[str, str] | None:
    """The one cost line (its name and the id of its offer) that explains why ``offer_id`` is
    dearer again than ``other_id`` in ``year``, if there is one (see the module docstring)."""
    n = scenario.assumptions.study_period_years
    curves = {k: offers[k].cumulative_present_value for k in (offer_id, other_id)}
    shortfall = curves[offer_id][year] - curves[other_id][year]
    if shortfall <= 0:
        return None
    sources = {o.id: o for o in scenario.offers}
    candidates: list[tuple[float, str, str]] = []
    for owner, sign in ((offer_id, 1), (other_id, -1)):
        for j, line in enumerate(sources[owner].costs):
            if line.every_years == 1 or sign * line.amount <= 0:
                continue
            if year in line.occurrence_years(n):
                in_year = abs(offers[owner].line(f"costs[{j}]").present_value[year])
                candidates.append((in_year, line.name, owner))
    if not candidates:
        return None
    in_year, name, owner = max(candidates, key=lambda c: c[0])
    return None if in_year < shortfall else (name, owner)


__all__ = [
    "ZERO",
    "CostProfile",
    "Headline",
    "LineProfile",
    "OfferProfile",
    "PeriodCover",
    "Reversal",
    "Savings",
    "YearCover",
    "cost_profile",
]
