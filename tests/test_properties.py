"""Invariants of the engine (hypothesis), and a line-by-line reference evaluator written from
docs/scenario.md alone, against which the vectorized engine is checked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tco.core import engine
from tco.core.engine import category_cash_flows, compile_batch, evaluate_batch
from tco.core.results import evaluate, evaluate_many
from tco.core.scenario import INVESTMENT_CATEGORIES, Category, Scenario, parse_scenario
from tests.scenarios import scenarios

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class ReferenceOffer:
    """One offer's numbers by the line-by-line reference: per year, the cash flows on the
    analysis basis and their present values, and the present value of investment costs."""

    def __init__(self, n: int) -> None:
        self.basis = [0.0] * (n + 1)
        self.present = [0.0] * (n + 1)
        self.investment = 0.0

    def add(self, t: int, basis: float, discount: float, category: str) -> None:
        self.basis[t] += basis
        self.present[t] += basis * discount
        if Category(category) in INVESTMENT_CATEGORIES:
            self.investment += basis * discount

    @property
    def lifetime_cost(self) -> float:
        return sum(self.present)


def reference_offers(sc: Scenario) -> list[ReferenceOffer]:
    """Every offer computed year by year with plain floats, from the written contract alone
    (docs/scenario.md): escalation, discounting, residual values, expected failures and the
    coverage periods that replace a failure model's terms in the years they cover."""
    a = sc.assumptions
    n, d, infl = a.study_period_years, a.discount_rate, a.inflation

    def rate(driver: str | None, year: int) -> float:
        if driver is None:
            return infl if a.rate_basis == "nominal" else 0.0
        given_rates = a.escalation[driver]
        return given_rates[min(year - 1, len(given_rates) - 1)]

    def esc(driver: str | None, t: int) -> float:
        f = 1.0
        for k in range(1, t + 1):
            f *= 1.0 + rate(driver, k)
        return f

    def disc(t: int, recurring: bool) -> float:
        when = max(t - 0.5, 0.0) if (recurring and a.timing == "mid_year") else float(t)
        return float((1.0 + d) ** -when)

    out = []
    for offer in sc.offers:
        ref = ReferenceOffer(n)
        for line in offer.costs:
            amount = float(line.amount)
            years = line.occurrence_years(n)
            recurring = line.every_years is not None
            for t in years:
                ref.add(t, amount * esc(line.escalation, t), disc(t, recurring), line.category)
            if years and (line.life_years or line.residual_fraction is not None):
                if line.residual_fraction is not None:
                    share = line.residual_fraction
                else:
                    assert line.life_years is not None
                    share = max(years[-1] + line.life_years - n, 0) / line.life_years
                ref.add(n, -amount * esc(line.escalation, n) * share, disc(n, False), "end_of_life")
        f = offer.failures
        if f is not None:
            hours = a.operating_hours_per_year or 0.0
            for k in range(1, n + 1):
                expected = (k * hours / f.mtbf_hours) ** f.shape - (
                    (k - 1) * hours / f.mtbf_hours
                ) ** f.shape
                # the period covering year k names the terms it replaces
                covered, downtime_hours, order_cost = (
                    f.covered_fraction,
                    f.downtime_hours,
                    f.order_cost,
                )
                for p in f.periods:
                    if p.from_year <= k <= p.until_year:
                        if p.covered_fraction is not None:
                            covered = p.covered_fraction
                        if p.downtime_hours is not None:
                            downtime_hours = p.downtime_hours
                        if p.order_cost is not None:
                            order_cost = p.order_cost
                repair = expected * (1 - covered) * float(f.repair_cost) * esc(f.escalation, k)
                down = (
                    expected
                    * downtime_hours
                    * float(a.downtime_cost_per_hour)
                    * esc(f.downtime_escalation, k)
                )
                orders = expected * float(order_cost) * esc(f.order_escalation, k)
                ref.add(k, repair + down + orders, disc(k, True), "repair")
        out.append(ref)
    return out


def reference_lcc(sc: Scenario) -> list[float]:
    """Lifetime cost of each offer by the line-by-line reference."""
    return [o.lifetime_cost for o in reference_offers(sc)]


ZERO = 1e-6  # the engine's tolerance for "no longer negative"


def reference_paybacks(sc: Scenario) -> dict[str, tuple[int | None, ...]]:
    """Per offer other than the baseline: (simple payback, discounted payback, negative again,
    recovered) by the contract's rules, from the reference's yearly flows."""
    refs = reference_offers(sc)
    base = refs[sc.baseline_index]
    out: dict[str, tuple[int | None, ...]] = {}
    for offer, ref in zip(sc.offers, refs, strict=True):
        if ref is base:
            continue
        spb = dpb = neg = rec = None
        if ref.investment - base.investment > ZERO:
            cum = cum_pv = 0.0
            for t in range(len(ref.basis)):
                cum += base.basis[t] - ref.basis[t]
                cum_pv += base.present[t] - ref.present[t]
                if spb is None and cum >= -ZERO:
                    spb = t
                if dpb is None:
                    if cum_pv >= -ZERO:
                        dpb = t
                elif neg is None:
                    if cum_pv < -ZERO:
                        neg = t
                elif rec is None and cum_pv >= -ZERO:
                    rec = t
        out[offer.id] = (spb, dpb, neg, rec)
    return out


def close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


@FAST
@given(scenarios())
def test_engine_equals_the_line_by_line_reference(raw: dict[str, Any]) -> None:
    sc = parse_scenario(raw)
    result = evaluate(sc)
    for got, want in zip((o.lifetime_cost for o in result.offers), reference_lcc(sc), strict=True):
        assert close(got, want, abs(want))


@FAST
@given(scenarios())
def test_categories_lines_and_yearly_flows_add_up_to_the_lifetime_cost(raw: dict[str, Any]) -> None:
    for o in evaluate(parse_scenario(raw)).offers:
        scale = sum(abs(x.present_value) for x in o.lines) + 1
        assert close(sum(o.by_category.values()), o.lifetime_cost, scale)
        assert close(sum(x.present_value for x in o.lines), o.lifetime_cost, scale)
        assert close(sum(o.cash_flows.present_value), o.lifetime_cost, scale)
        assert close(o.cash_flows.cumulative_present_value[-1], o.lifetime_cost, scale)


@FAST
@given(scenarios())
def test_at_discount_rate_zero_present_value_is_the_nominal_sum(raw: dict[str, Any]) -> None:
    raw["assumptions"].update(discount_rate=0.0, inflation=0.0)
    for o in evaluate(parse_scenario(raw)).offers:
        scale = sum(abs(x) for x in o.cash_flows.nominal) + 1
        assert close(o.lifetime_cost, sum(o.cash_flows.nominal), scale)


@FAST
@given(scenarios(nonneg=True), st.floats(0.0, 0.2), st.floats(0.001, 0.2))
def test_non_negative_flows_never_cost_more_at_a_higher_discount_rate(
    raw: dict[str, Any], d: float, step: float
) -> None:
    raw["assumptions"]["discount_rate"] = d
    low = evaluate(parse_scenario(raw))
    raw["assumptions"]["discount_rate"] = d + step
    high = evaluate(parse_scenario(raw))
    for lo, hi in zip(low.offers, high.offers, strict=True):
        assert hi.lifetime_cost <= lo.lifetime_cost * (1 + 1e-12) + 1e-9


@FAST
@given(scenarios(max_offers=1), st.data())
def test_adding_a_line_adds_its_present_value(raw: dict[str, Any], data: st.DataObject) -> None:
    from tests.scenarios import cost_lines

    n = raw["assumptions"]["study_period_years"]
    extra = data.draw(cost_lines(n, list(raw["assumptions"]["escalation"])))
    before = evaluate(parse_scenario(raw)).offers[0]
    raw["offers"][0]["costs"].append(extra)
    after = evaluate(parse_scenario(raw)).offers[0]
    added = [
        x
        for x in after.lines
        if x.source.startswith(f"costs[{len(raw['offers'][0]['costs']) - 1}]")
    ]
    scale = abs(after.lifetime_cost) + abs(before.lifetime_cost) + 1
    assert close(
        after.lifetime_cost - before.lifetime_cost, sum(x.present_value for x in added), scale
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(scenarios(), min_size=2, max_size=6))
def test_a_batch_equals_its_scenarios_one_by_one(raws: list[dict[str, Any]]) -> None:
    scs = [parse_scenario(r) for r in raws]
    batch = evaluate_many(scs)
    for sc, got in zip(scs, batch, strict=True):
        alone = evaluate(sc)
        for a, b in zip(got.offers, alone.offers, strict=True):
            assert close(a.lifetime_cost, b.lifetime_cost, abs(b.lifetime_cost))
            assert np.allclose(a.cash_flows.nominal, b.cash_flows.nominal, rtol=1e-12, atol=1e-9)
        assert got.comparison.offers.keys() == alone.comparison.offers.keys()
        for k, c in got.comparison.offers.items():
            other = alone.comparison.offers[k]
            assert close(c.net_savings, other.net_savings, abs(other.net_savings) + 1)
            assert c.simple_payback_year == other.simple_payback_year
            assert c.discounted_payback_year == other.discounted_payback_year


@FAST
@given(st.floats(500, 50000), st.floats(100, 8760), st.integers(1, 30), st.floats(0.0, 0.15))
def test_shape_one_is_a_constant_failure_rate(mtbf: float, hours: float, n: int, d: float) -> None:
    assumptions = {
        "currency": "EUR",
        "study_period_years": n,
        "discount_rate": d,
        "operating_hours_per_year": hours,
        "downtime_cost_per_hour": 0,
    }
    weibull = {
        "assumptions": assumptions,
        "offers": [
            {"id": "a", "failures": {"mtbf_hours": mtbf, "shape": 1.0, "repair_cost": 1000}}
        ],
    }
    constant = {
        "assumptions": assumptions,
        "offers": [
            {
                "id": "a",
                "costs": [
                    {
                        "name": "repairs",
                        "category": "repair",
                        "amount": 1000 * hours / mtbf,
                        "every_years": 1,
                    }
                ],
            }
        ],
    }
    got = evaluate(parse_scenario(weibull)).offers[0].lifetime_cost
    want = evaluate(parse_scenario(constant)).offers[0].lifetime_cost
    assert close(got, want, want)


@FAST
@given(scenarios())
def test_the_category_year_array_agrees_with_the_batch_reductions(raw: dict[str, Any]) -> None:
    batch = compile_batch([parse_scenario(raw)])
    result = evaluate_batch(batch)
    basis, present = category_cash_flows(batch)
    a = parse_scenario(raw).assumptions
    years = np.arange(basis.shape[2])
    growth = 1.0 if a.rate_basis == "nominal" else (1.0 + a.inflation) ** years
    assert np.allclose(basis.sum(axis=1) * growth, result.offer_nominal, rtol=1e-10, atol=1e-7)
    assert np.allclose(present.sum(axis=1), result.offer_pv, rtol=1e-10, atol=1e-7)
    assert np.allclose(present.sum(axis=2), result.category_pv, rtol=1e-10, atol=1e-7)


def test_nominal_analysis_grows_undriven_lines_with_inflation() -> None:
    raw = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 3,
            "discount_rate": 0.0,
            "rate_basis": "nominal",
            "inflation": 0.02,
        },
        "offers": [
            {
                "id": "a",
                "costs": [{"name": "fee", "category": "service", "amount": 100, "every_years": 1}],
            }
        ],
    }
    flows = evaluate(parse_scenario(raw)).offers[0].cash_flows.nominal
    assert flows == pytest.approx([0.0, 102.0, 104.04, 106.1208])


def test_real_analysis_reports_nominal_equivalents_with_inflation() -> None:
    raw = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 2,
            "discount_rate": 0.05,
            "inflation": 0.03,
        },
        "offers": [
            {
                "id": "a",
                "costs": [{"name": "fee", "category": "service", "amount": 100, "every_years": 1}],
            }
        ],
    }
    o = evaluate(parse_scenario(raw)).offers[0]
    assert o.cash_flows.nominal == pytest.approx([0.0, 103.0, 106.09])
    assert o.cash_flows.present_value == pytest.approx([0.0, 100 / 1.05, 100 / 1.05**2])


def test_escalation_list_holds_its_last_rate() -> None:
    raw = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 4,
            "discount_rate": 0.0,
            "escalation": {"labor": [0.10, 0.0, 0.5]},
        },
        "offers": [
            {
                "id": "a",
                "costs": [
                    {
                        "name": "x",
                        "category": "service",
                        "amount": 100,
                        "every_years": 1,
                        "escalation": "labor",
                    }
                ],
            }
        ],
    }
    flows = evaluate(parse_scenario(raw)).offers[0].cash_flows.nominal
    assert flows == pytest.approx([0.0, 110.0, 110.0, 165.0, 247.5])


def test_lease_in_advance_falls_in_year_zero_and_is_not_shifted_by_mid_year() -> None:
    raw = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 3,
            "discount_rate": 0.1,
            "timing": "mid_year",
        },
        "offers": [
            {
                "id": "a",
                "costs": [
                    {
                        "name": "lease",
                        "category": "financing",
                        "amount": 100,
                        "every_years": 1,
                        "from_year": 0,
                        "until_year": 2,
                    }
                ],
            }
        ],
    }
    o = evaluate(parse_scenario(raw)).offers[0]
    assert o.cash_flows.nominal == pytest.approx([100.0, 100.0, 100.0, 0.0])
    assert o.lifetime_cost == pytest.approx(100 + 100 / 1.1**0.5 + 100 / 1.1**1.5)


@settings(max_examples=20, deadline=None)
@given(st.lists(scenarios(), min_size=2, max_size=8))
def test_a_batch_split_over_threads_equals_one_pass(raws: list[dict[str, Any]]) -> None:
    batch = compile_batch([parse_scenario(r) for r in raws])
    whole = evaluate_batch(batch, part_offers=10**9)
    cpus = engine._CPUS
    engine._CPUS = 3  # three parts on three threads, whatever this machine has
    try:
        split = evaluate_batch(batch, part_offers=1)
    finally:
        engine._CPUS = cpus
    for name in (
        "line_pv",
        "residual_pv",
        "repair_pv",
        "downtime_pv",
        "order_pv",
        "offer_nominal",
        "offer_pv",
        "category_pv",
    ):
        assert np.array_equal(getattr(whole, name), getattr(split, name), equal_nan=True), name
    for name in ("lifetime_cost", "net_savings", "irr", "breakeven_year", "price_headroom"):
        got, want = getattr(split.measures, name), getattr(whole.measures, name)
        assert np.array_equal(got, want, equal_nan=True), name


@settings(max_examples=25, deadline=None)
@given(st.lists(scenarios(), min_size=1, max_size=6))
def test_compiled_run_tables_equal_those_derived_from_the_rows(raws: list[dict[str, Any]]) -> None:
    batch = compile_batch([parse_scenario(r) for r in raws])
    built = (batch.offer_start, batch.line_start, batch.offer_fail)
    derived = engine._array_starts(batch)
    assert derived is not None
    for a, b in zip(built, derived, strict=True):
        assert np.array_equal(a, b)


def test_a_schedule_ending_before_it_starts_adds_nothing() -> None:
    """Batches built by hand may hold such a line (compile_batch never does): it adds nothing."""
    from tco.core.engine import Batch

    batch = compile_batch([parse_scenario(scenario_with_schedules())])
    first, last, every = batch.line_first.copy(), batch.line_last.copy(), batch.line_every.copy()
    first[0], last[0], every[0] = 5, 2, 1  # every year from 5 to 2
    first[1], last[1], every[1] = 9, 2, 5  # every 5 years from 9 to 2
    columns = {**batch.columns(), "line_first": first, "line_last": last, "line_every": every}
    result = evaluate_batch(Batch.of(**columns))
    assert result.line_pv[0] == 0.0
    assert result.line_pv[1] == 0.0
    assert np.isfinite(result.offer_pv).all()


def scenario_with_schedules() -> dict[str, Any]:
    return {
        "assumptions": {"currency": "EUR", "study_period_years": 10, "discount_rate": 0.05},
        "offers": [
            {
                "id": "a",
                "costs": [
                    {"name": "x", "category": "service", "amount": 10, "every_years": 1},
                    {"name": "y", "category": "maintenance", "amount": 20, "every_years": 5},
                ],
            }
        ],
    }
