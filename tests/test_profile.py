"""The cost profile every presenter reads: the engine's numpy materialisation by line and year
agrees with the compiled kernel's totals, and with the line-by-line reference evaluator."""

from __future__ import annotations

import copy
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from tco.core.profile import CostProfile, PeriodCover, Reversal, cost_profile
from tco.core.results import evaluate
from tco.core.scenario import CATEGORIES, load_scenario, parse_scenario
from tests.scenarios import one_offer, scenarios
from tests.test_document import REVERSAL
from tests.test_properties import FAST, reference_offers


def close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


@FAST
@given(scenarios())
def test_the_profile_adds_up_to_the_kernels_figures(raw: dict[str, Any]) -> None:
    sc = parse_scenario(raw)
    result = evaluate(sc)
    profile = cost_profile(sc, result)
    refs = reference_offers(sc)
    for o, p, ref in zip(result.offers, profile.offers, refs, strict=True):
        scale = sum(abs(x.present_value) for x in o.lines) + 1
        assert [x.source for x in p.lines] == [x.source for x in o.lines]
        for line, lp in zip(o.lines, p.lines, strict=True):
            assert close(lp.total_present_value, line.present_value, scale)
        for t in range(sc.assumptions.study_period_years + 1):
            assert close(
                sum(x.present_value[t] for x in p.lines), o.cash_flows.present_value[t], scale
            )
            assert close(sum(x.nominal[t] for x in p.lines), o.cash_flows.nominal[t], scale)
            assert close(sum(x.present_value[t] for x in p.lines), ref.present[t], scale)
        for c in CATEGORIES:
            _, present = p.by_category(c)
            assert close(sum(present), o.by_category[c.value], scale)


def test_the_profile_states_the_cover_and_the_expected_failures_of_each_year() -> None:
    sc = load_scenario("examples/pump.yaml")
    profile = cost_profile(sc, evaluate(sc))
    ours = profile.offer("ours")
    assert [c.period for c in ours.cover] == ["Warranty + FullCare"] * 2 + ["FullCare"] * 3 + [
        ""
    ] * 10
    assert [c.covered_fraction for c in ours.cover] == [1.0] * 5 + [0.0] * 10
    assert [c.downtime_hours for c in ours.cover] == [12.0] * 5 + [30.0] * 10
    # constant rate: 6,000 h a year / 15,000 h MTBF
    assert ours.expected_failures[0] == 0.0
    assert all(x == pytest.approx(0.4, rel=1e-12) for x in ours.expected_failures[1:])
    # repairs cost nothing while covered, and 0.4 x 3,100 x labor escalation afterwards
    repairs = next(x for x in ours.lines if x.source == "failures.repair")
    assert repairs.basis[1:6] == (0.0,) * 5
    assert repairs.basis[6] == pytest.approx(0.4 * 3100 * 1.025**6, rel=1e-12)
    # the factors behind it: labor escalation compounds from year 0, mid-year discounting
    assert profile.escalation["labor"][6] == pytest.approx(1.025**6, rel=1e-12)
    assert profile.discount_recurring[6] == pytest.approx(1.06**-5.5, rel=1e-12)
    assert profile.discount_one_time[6] == pytest.approx(1.06**-6, rel=1e-12)


@FAST
@given(scenarios())
def test_the_profile_by_year_and_the_savings_agree_with_the_reference_and_the_engine(
    raw: dict[str, Any],
) -> None:
    """Totals by year and savings against the baseline equal the line-by-line reference's; the
    flags the workbook's paybacks, reversals and breakeven are read from start in the years the
    engine reports."""
    sc = parse_scenario(raw)
    result = evaluate(sc)
    profile = cost_profile(sc, result)
    refs = reference_offers(sc)
    base_ref = refs[sc.baseline_index]
    scale = max(sum(abs(x) for x in r.present) + sum(abs(x) for x in r.basis) for r in refs) + 1
    for o, p, ref in zip(result.offers, profile.offers, refs, strict=True):
        assert all(close(a, b, scale) for a, b in zip(p.basis, ref.basis, strict=True))
        running = 0.0
        for t, pv in enumerate(p.present_value):
            running += pv
            assert close(p.cumulative_present_value[t], running, scale)
            assert close(p.nominal[t], p.basis[t] * profile.growth[t], scale)
        if o.id == result.comparison.baseline:
            assert p.savings is None
            continue
        s, comp = p.savings, result.comparison.offers[o.id]
        assert s is not None
        assert s.against == result.comparison.baseline
        cum = cum_pv = 0.0
        for t in range(sc.assumptions.study_period_years + 1):
            cum += base_ref.basis[t] - ref.basis[t]
            cum_pv += base_ref.present[t] - ref.present[t]
            assert close(s.basis[t], base_ref.basis[t] - ref.basis[t], scale)
            assert close(s.present_value[t], base_ref.present[t] - ref.present[t], scale)
            assert close(s.cumulative[t], cum, scale)
            assert close(s.cumulative_present_value[t], cum_pv, scale)
        assert close(s.added_investment, ref.investment - base_ref.investment, scale)
        assert s.adds_investment == (comp.sir is not None)

        def first(flags: tuple[bool, ...]) -> int | None:
            return next((t for t, on in enumerate(flags) if on), None)

        if s.adds_investment:
            assert first(s.paid_back) == comp.simple_payback_year
            assert first(s.paid_back_discounted) == comp.discounted_payback_year
        assert first(s.dearer_again) == comp.savings_negative_again_year
        assert first(s.cheaper_again) == comp.savings_recovered_year
        assert s.crossing_year == first(s.crossed)
        if comp.breakeven_year is not None and comp.breakeven_year > 0:
            assert s.crossing_year is not None
            assert s.crossing_year - 1 < comp.breakeven_year <= s.crossing_year


def profile_of(raw: dict[str, Any]) -> CostProfile:
    sc = parse_scenario(raw)
    return cost_profile(sc, evaluate(sc))


def test_the_savings_their_flags_and_the_reversal_by_hand() -> None:
    """Eight years, no discounting. Ours: 10,000 and 1,000 a year, a 6,000 overhaul in year 4;
    the competitor (the baseline): 6,000 and 2,500 a year; keeping the old machine: 3,200 a
    year."""
    profile = profile_of(REVERSAL)
    s = profile.offer("ours").savings
    assert s is not None
    assert s.against == "competitor"
    assert s.basis == (-4000.0, 1500.0, 1500.0, 1500.0, -4500.0, 1500.0, 1500.0, 1500.0, 1500.0)
    cumulative = (-4000.0, -2500.0, -1000.0, 500.0, -4000.0, -2500.0, -1000.0, 500.0, 2000.0)
    assert s.cumulative == s.cumulative_present_value == cumulative
    assert s.added_investment == 4000.0  # the machines; the overhaul is maintenance
    assert s.operating_savings == 8 * 2500.0 - (8 * 1000.0 + 6000.0)
    assert s.adds_investment
    paid = (False, False, False, True, False, False, False, True, True)
    assert s.paid_back == s.paid_back_discounted == paid
    assert s.dearer_again == (False,) * 4 + (True,) * 3 + (False,) * 2  # after year 3
    assert s.cheaper_again == (False,) * 7 + (True,) * 2  # after year 4
    assert s.crossed == paid
    assert s.crossing_year == 3
    assert profile.offer("competitor").savings is None
    headline = profile.headline
    assert headline is not None
    assert (headline.best, headline.other) == ("ours", "competitor")
    assert headline.reversal == Reversal(year=4, until=7, line="Overhaul", owner="ours")
    # the curves cross 1,000/1,500 into year 3; ours has then cost 12,000 + 2/3 x 1,000
    assert headline.crossover == pytest.approx((2 + 1000 / 1500, 12000 + 1000 * 2 / 3))


@pytest.mark.parametrize(
    ("overhauls", "cause"),
    [
        ({"Overhaul": 6000}, "Overhaul"),
        # the shortfall in year 4 is 4,000: the larger part alone makes it up
        ({"Small": 1500, "Large": 4500}, "Large"),
        # no part alone does
        ({"A": 2500, "B": 2000, "C": 1500}, None),
    ],
)
def test_a_reversal_is_explained_by_one_line_where_one_line_alone_explains_it(
    overhauls: dict[str, int], cause: str | None
) -> None:
    """Ours' overhaul of 6,000 in year 4 split into parts, once or every fourth year up to 4."""
    data = copy.deepcopy(REVERSAL)
    when: list[dict[str, int]] = [{"year": 4}, {"every_years": 4, "until_year": 4}]
    data["offers"][0]["costs"][2:] = [
        {"name": name, "category": "maintenance", "amount": amount} | when[k % 2]
        for k, (name, amount) in enumerate(overhauls.items())
    ]
    headline = profile_of(data).headline
    assert headline is not None
    assert headline.reversal == Reversal(4, 7, cause, None if cause is None else "ours")


def test_a_credit_of_the_offer_compared_with_can_cause_a_reversal() -> None:
    """Ours without its overhaul; the competitor with a credit of 4,000 in year 4 (savings then:
    500 in year 3, -2,000 in year 4, -500 in year 5, 1,000 in year 6). The yearly energy of
    ours is never named."""
    data = copy.deepcopy(REVERSAL)
    del data["offers"][0]["costs"][2]
    credit = {"name": "Trade-in", "category": "end_of_life", "amount": -4000, "year": 4}
    data["offers"][1]["costs"].append(credit)
    profile = profile_of(data)
    savings = profile.offer("ours").savings
    assert savings is not None
    assert savings.cumulative[3:7] == (500.0, -2000.0, -500.0, 1000.0)
    assert profile.headline is not None
    assert profile.headline.reversal == Reversal(4, 6, "Trade-in", "competitor")


def test_a_recommended_baseline_is_measured_against_the_next_best_offer() -> None:
    data = copy.deepcopy(REVERSAL) | {"baseline": "ours"}
    headline = profile_of(data).headline
    assert headline is not None
    # lifetime costs: ours 24,000, keeping the old machine 25,600, the competitor 26,000
    assert (headline.best, headline.other) == ("ours", "keep_old")
    assert headline.comparison.net_savings == pytest.approx(1600.0)
    single = copy.deepcopy(REVERSAL) | {"baseline": None}
    single["offers"] = single["offers"][:1]
    assert profile_of(single).headline is None


def test_the_price_is_the_year_0_acquisition_and_its_residual_credit() -> None:
    """Installation, a later acquisition and a recurring acquisition are not part of the price;
    the machine's life of 10 years leaves 2/10 of it at the end of the 8-year study period."""
    raw = one_offer(
        [
            {"name": "Machine", "category": "acquisition", "amount": 10000, "year": 0},
            {"name": "Tooling", "category": "acquisition", "amount": 2500, "year": 0},
            {"name": "Install", "category": "installation", "amount": 1000, "year": 0},
            {"name": "Upgrade", "category": "acquisition", "amount": 3000, "year": 2},
            {"name": "Rent", "category": "acquisition", "amount": 100, "every_years": 1},
        ],
        n=8,
        d=0.05,
    )
    raw["offers"][0]["costs"][0]["life_years"] = 10
    raw["offers"][0]["costs"][3]["life_years"] = 4  # a credit, but not of the price
    offer = profile_of(raw).offers[0]
    assert offer.price == 12500.0
    assert offer.price_sources == ("costs[0]", "costs[1]")
    assert offer.price_residual == pytest.approx(-10000 * 2 / 10 / 1.05**8, rel=1e-12)


def failures(**model: Any) -> dict[str, Any]:
    raw = one_offer(
        [{"name": "Machine", "category": "acquisition", "amount": 1000, "year": 0}],
        n=6,
        d=0.05,
        operating_hours_per_year=4000,
    )
    raw["offers"][0]["failures"] = {"mtbf_hours": 8000, "repair_cost": 500, **model}
    return raw


def test_repair_orders_and_the_terms_of_each_coverage_period() -> None:
    # an order cost outside the periods only, a period that states an order cost of its own
    offer = profile_of(
        failures(
            order_cost=80,
            periods=[
                {"from_year": 3, "until_year": 4, "covered_fraction": 0.5, "name": "Plan"},
                {"from_year": 1, "until_year": 2, "order_cost": 0, "downtime_hours": 2},
            ],
        )
    ).offers[0]
    assert offer.has_orders
    assert offer.periods == (
        PeriodCover("", 1, 2, covered_fraction=0.0, downtime_hours=2.0, order_cost=Decimal(0)),
        PeriodCover("Plan", 3, 4, covered_fraction=0.5, downtime_hours=0.0, order_cost=Decimal(80)),
    )
    assert [line.source for line in offer.lines][-1] == "failures.orders"
    # no order cost in any year: a period that covers the whole study period states none
    everywhere = [{"from_year": 1, "until_year": 6, "order_cost": 0}]
    assert not profile_of(failures(order_cost=80, periods=everywhere)).offers[0].has_orders
    # an order cost only within a period
    within = [{"from_year": 5, "until_year": 6, "order_cost": 40}]
    assert profile_of(failures(periods=within)).offers[0].has_orders
    assert not profile_of(failures()).offers[0].has_orders
