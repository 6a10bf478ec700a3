"""The relationship ledger's pure parts, checked against hand calculations and scipy: the field
reliability (gamma prior, 90 % credible interval), study years, promised vs actual to date, the
re-forecast, CSV events with line-numbered problems, and the follow-up rules."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from scipy import stats

from tco.core.errors import TcoError
from tco.core.scenario import Category
from tco.ledger.dates import add_years, study_year, years_elapsed
from tco.ledger.events import (
    ContactKind,
    Event,
    EventError,
    EventKind,
    Payer,
    events_csv,
    parse_event,
    parse_events_csv,
)
from tco.ledger.followup import Reason, Rules, follow_ups
from tco.ledger.promise import CategoryPromise, PlanTerm, Promise
from tco.ledger.reliability import UnitRecord, expected_failures, pooled, update
from tco.ledger.tracking import AssetRecord, accrued_shares, asset_status, quote_groups

# --------------------------------------------------------------------------------------------
# Field reliability


def test_the_updated_mtbf_is_the_hand_formula_for_shape_1() -> None:
    # prior worth 2 failures at 12,000 h; 3 failures in 20,000 h:
    # (2 x 12,000 + 20,000) / (2 + 3) = 44,000 / 5 = 8,800 h
    r = update(12_000, 3, 20_000)
    assert r.mtbf_hours == pytest.approx(8_800, rel=1e-12)
    assert r.expected_failures == pytest.approx(20_000 / 12_000)
    assert r.factor == pytest.approx(5 / (2 + 20_000 / 12_000))


def test_the_interval_agrees_with_scipy_gamma_and_with_chi_square() -> None:
    # posterior failure rate ~ gamma(shape 2 + 3, rate 2 x 12,000 + 20,000 per hour)
    r = update(12_000, 3, 20_000)
    rate = stats.gamma(5, scale=1 / 44_000)
    assert r.mtbf_low_hours == pytest.approx(1 / rate.ppf(0.95), rel=1e-12)
    assert r.mtbf_high_hours == pytest.approx(1 / rate.ppf(0.05), rel=1e-12)
    # the same quantiles from the chi-square distribution: lambda_q = chi2_q(2k) / (2 x rate)
    assert r.mtbf_low_hours == pytest.approx(2 * 44_000 / stats.chi2.ppf(0.95, 10), rel=1e-9)
    assert r.mtbf_high_hours == pytest.approx(2 * 44_000 / stats.chi2.ppf(0.05, 10), rel=1e-9)
    # and by hand for a gamma of shape 5: P(X <= x) = 1 - e^-x sum_{k<5} x^k/k!
    x = rate.ppf(0.05) * 44_000
    cdf = 1 - sum(x**k / math.factorial(k) for k in range(5)) * math.exp(-x)
    assert cdf == pytest.approx(0.05, abs=1e-9)
    assert r.mtbf_low_hours < r.mtbf_hours < r.mtbf_high_hours


def test_no_failures_raise_the_mtbf_and_the_prior_weight_counts() -> None:
    r = update(12_000, 0, 12_000)  # one expected, none seen: (24,000 + 12,000) / 2
    assert r.mtbf_hours == pytest.approx(18_000)
    heavy = update(12_000, 0, 12_000, prior_failures=10)  # (120,000 + 12,000) / 10
    assert heavy.mtbf_hours == pytest.approx(13_200)
    assert (heavy.mtbf_high_hours - heavy.mtbf_low_hours) < (r.mtbf_high_hours - r.mtbf_low_hours)


def test_other_shapes_scale_future_failures_by_the_posterior_mean() -> None:
    # Weibull scale 20,000 h, shape 2: in 10,000 h E = (10,000 / 20,000)^2 = 0.25 expected;
    # 2 failures seen: factor (2 + 2) / (2 + 0.25) = 16/9; scale 20,000 x (16/9)^(-1/2) = 15,000
    r = update(20_000, 2, 10_000, shape=2.0)
    assert r.expected_failures == pytest.approx(0.25)
    assert r.factor == pytest.approx(16 / 9)
    assert r.mtbf_hours == pytest.approx(15_000)
    post = stats.gamma(4, scale=1 / 2.25)
    assert r.mtbf_low_hours == pytest.approx(20_000 * post.ppf(0.95) ** -0.5)
    assert r.mtbf_high_hours == pytest.approx(20_000 * post.ppf(0.05) ** -0.5)


def test_pooling_sums_failures_hours_and_expected_failures() -> None:
    units = [UnitRecord(1, 4_000), UnitRecord(0, 6_000), UnitRecord(3, 10_000)]
    r = pooled(12_000, units)
    assert (r.failures, r.operating_hours) == (4, 20_000)
    assert r.mtbf_hours == pytest.approx((2 * 12_000 + 20_000) / (2 + 4))
    w = pooled(20_000, units, shape=2.0)
    e = sum((u.operating_hours / 20_000) ** 2 for u in units)
    assert w.expected_failures == pytest.approx(e)
    assert w.factor == pytest.approx(6 / (2 + e))


def test_bad_reliability_inputs_are_refused_by_name() -> None:
    with pytest.raises(TcoError) as exc:
        update(0, 1, 10, prior_failures=0)
    assert {p.path for p in exc.value.problems} == {"mtbf_hours", "prior_failures"}
    assert expected_failures(0, 100) == 0.0


# --------------------------------------------------------------------------------------------
# Study years


def test_study_years_count_from_the_commissioning_date() -> None:
    start = date(2024, 2, 29)
    assert add_years(start, 1) == date(2025, 2, 28)
    assert add_years(start, 4) == date(2028, 2, 29)
    assert years_elapsed(start, date(2025, 2, 28)) == 1.0
    assert years_elapsed(date(2026, 3, 2), date(2026, 9, 1)) == pytest.approx(183 / 365)
    assert years_elapsed(date(2026, 3, 2), date(2026, 3, 1)) < 0
    assert study_year(date(2026, 3, 2), date(2026, 3, 2), 10) == 0
    assert study_year(date(2026, 3, 2), date(2026, 3, 3), 10) == 1
    assert study_year(date(2026, 3, 2), date(2027, 3, 2), 10) == 1
    assert study_year(date(2026, 3, 2), date(2027, 3, 3), 10) == 2
    assert study_year(date(2026, 3, 2), date(2050, 1, 1), 10) == 10
    assert list(accrued_shares(1.25, 4)) == [1.0, 1.0, 0.25, 0.0]
    assert list(accrued_shares(-0.1, 3)) == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------------------------
# Promised vs actual


def cat(nominal: list[float], pv: list[float], fail: float = 0.0) -> CategoryPromise:
    return CategoryPromise(
        nominal=tuple(nominal),
        present_value=tuple(pv),
        failure_nominal=tuple(x * fail for x in nominal),
        failure_present_value=tuple(x * fail for x in pv),
    )


#: A 3-year promise of one unit: 10 % discount, no growth (real analysis, constant prices).
D = (1.0, 1 / 1.1, 1 / 1.1**2, 1 / 1.1**3)
PROMISE = Promise(
    quote_number="Q-2026-00001",
    quote_version=1,
    offer_id="ours",
    offer_name="Ours",
    units=1,
    currency="EUR",
    study_period_years=3,
    operating_hours_per_year=4_000,
    downtime_cost_per_hour=Decimal(100),
    energy_price_per_kwh=Decimal("0.20"),
    growth=(1.0, 1.0, 1.0, 1.0),
    discount=D,
    categories={
        Category.acquisition: cat([1000, 0, 0, 0], [1000, 0, 0, 0]),
        Category.energy: cat([0, 800, 800, 800], [0, 800 * D[1], 800 * D[2], 800 * D[3]]),
        Category.repair: cat([0, 300, 300, 300], [0, 300 * D[1], 300 * D[2], 300 * D[3]], 1.0),
        Category.downtime: cat([0, 200, 200, 200], [0, 200 * D[1], 200 * D[2], 200 * D[3]], 1.0),
    },
    expected_failures=(0.0, 0.5, 0.5, 0.5),
    downtime_hours_per_failure=(0.0, 4.0, 4.0, 4.0),
    lifetime_cost=1000 + 1300 * (D[1] + D[2] + D[3]),
    alternative_id="competitor",
    alternative_name="Competitor",
    alternative_lifetime_cost=4000.0,
    terms=(PlanTerm(name="Care", code="CARE", from_year=1, until_year=2, annual_fee=Decimal(500)),),
)
START = date(2026, 3, 2)


def asset(asset_id: int = 1, customer: str = "Müller", mtbf: float | None = 8_000) -> AssetRecord:
    return AssetRecord(
        id=asset_id,
        customer=customer,
        quote_number="Q-2026-00001",
        quote_version=1,
        offer_id="ours",
        unit=1,
        units=1,
        sku="CMP",
        product_name="Compressor",
        serial_number=None,
        commissioned_on=START,
        accepted_on=START,
        mtbf_hours=mtbf,
        shape=1.0 if mtbf else None,
        promise_id=1,
    )


def repair(
    day: date, cost: str, payer: Payer = Payer.buyer, down: str = "0", n: str = "r"
) -> Event:
    return Event(
        n, 1, EventKind.repair, day, cost=Decimal(cost), payer=payer, downtime_hours=Decimal(down)
    )


def test_promised_to_date_is_the_profile_summed_on_anniversaries() -> None:
    s = asset_status(asset(), PROMISE, [], add_years(START, 2))
    by = {c.category: c for c in s.categories}
    assert by[Category.repair].promised == pytest.approx(600)
    assert by[Category.acquisition].promised == 1000
    assert by[Category.energy].measured is False  # no readings: as promised
    assert by[Category.energy].actual == pytest.approx(1600)
    assert s.promised_measured == pytest.approx(600 + 400)  # repair + downtime
    assert s.actual_measured == 0
    assert s.promised_downtime_hours == pytest.approx(2 * 0.5 * 4)


def test_within_a_year_the_promise_accrues_evenly() -> None:
    day = date(2026, 9, 1)  # 183 of 365 days into year 1
    s = asset_status(asset(), PROMISE, [], day)
    share = 183 / 365
    by = {c.category: c for c in s.categories}
    assert by[Category.repair].promised == pytest.approx(300 * share)
    assert s.expected_failures == pytest.approx(share * 4_000 / 8_000)
    assert s.hours_from_readings is False


def test_actual_costs_failures_and_the_reforecast_by_hand() -> None:
    events = [
        repair(date(2026, 6, 1), "450", down="5", n="r1"),  # year 1: 450 + 5 h x 100 downtime
        repair(date(2027, 5, 1), "900", payer=Payer.seller, down="2", n="r2"),  # year 2
        Event("h1", 1, EventKind.operating_hours, date(2027, 6, 1), hours=Decimal(5000)),
        Event("e1", 1, EventKind.energy, date(2027, 3, 1), kwh=Decimal(5000)),  # 1000 at 0.20
        Event("c1", 1, EventKind.contact, date(2027, 6, 2), contact=ContactKind.complaint),
        repair(date(2027, 7, 1), "100", n="later"),  # after as_of: not counted
    ]
    s = asset_status(asset(), PROMISE, events, date(2027, 6, 15))
    assert s.failures == 2
    assert s.downtime_hours == 7
    assert s.seller_paid == 900
    by = {c.category: c for c in s.categories}
    assert by[Category.repair].actual == 450
    assert by[Category.downtime].actual == 700  # 7 h x 100
    assert by[Category.energy].actual == 1000
    assert by[Category.energy].measured
    assert s.operating_hours == 5000
    assert s.hours_from_readings
    # reliability: (2 x 8,000 + 5,000) / (2 + 2) = 5,250 h; factor (2 + 2) / (2 + 5/8)
    assert s.reliability is not None
    assert s.reliability.mtbf_hours == pytest.approx(5_250)
    factor = 4 / (2 + 5_000 / 8_000)
    t = years_elapsed(START, date(2027, 6, 15))
    share2 = t - 1  # of year 2
    # re-forecast (present values): acquisition 1,000 as promised; measured to date discounted
    # in their study year: repair 450 and downtime 500 in year 1, downtime 200 in year 2,
    # energy 1,000 in year 1 (2027-03-01 is before the first anniversary); the rest as promised
    # with repairs and downtime scaled by the factor
    to_date = 1000 + (450 + 500 + 1000) * D[1] + 200 * D[2]
    rest_energy = 800 * ((1 - share2) * D[2] + D[3])
    rest_fail = factor * 500 * ((1 - share2) * D[2] + D[3])
    assert s.reforecast_lifetime_cost == pytest.approx(to_date + rest_energy + rest_fail)
    assert s.last_contact == date(2027, 6, 2)
    assert s.complaints == 1
    assert s.last_activity == date(2027, 6, 2)
    assert s.turns_against is (to_date + rest_energy + rest_fail > 4000)


def test_an_asset_without_a_failure_profile_has_no_reliability() -> None:
    s = asset_status(asset(mtbf=None), PROMISE, [], date(2027, 1, 1))
    assert s.reliability is None
    assert s.expected_failures == 0


# --------------------------------------------------------------------------------------------
# Follow-up


def test_follow_up_names_silence_cost_renewal_and_comparison() -> None:
    a1, a2 = asset(1, "Müller"), asset(2, "Berger")
    expensive = [repair(date(2026, 5, 1), "5000", down="30", n="x")]
    as_of = date(2028, 1, 15)  # renewal: the term ends 2028-03-02, 47 days later
    statuses = [
        asset_status(a1, PROMISE, [], as_of),
        asset_status(
            a2,
            PROMISE,
            [Event("c", 2, EventKind.contact, date(2027, 12, 1), contact=ContactKind.call)],
            as_of,
        ),
        asset_status(asset(3, "Berger"), PROMISE, list(expensive), as_of),
    ]
    found = follow_ups(statuses, {1: PROMISE, 2: PROMISE, 3: PROMISE}, as_of)
    reasons = {(g.customer, f.reason, f.asset_ids) for g in found for f in g.items}
    assert ("Müller", Reason.silence, (1,)) in reasons  # nothing since commissioning
    assert ("Berger", Reason.silence, (2, 3)) not in reasons  # a call on 2027-12-01
    assert ("Berger", Reason.over_promise, (3,)) in reasons
    assert ("Berger", Reason.renewal, (2, 3)) in reasons
    assert ("Müller", Reason.renewal, (1,)) in reasons
    renewal = next(f for g in found for f in g.items if f.reason is Reason.renewal)
    assert renewal.day == date(2028, 3, 2)
    assert renewal.days == 47
    assert renewal.renewal_stated is False
    # a costly asset turns the comparison once its re-forecast passes the alternative's 4,000
    assert ("Berger", Reason.comparison, (3,)) in reasons
    quiet = follow_ups(
        statuses,
        {1: PROMISE, 2: PROMISE, 3: PROMISE},
        as_of,
        Rules(silence_days=1000, over_promise=100, renewal_days=10),
    )
    assert {f.reason for g in quiet for f in g.items} == {Reason.comparison}


def test_rules_refuse_bad_thresholds() -> None:
    with pytest.raises(TcoError) as exc:
        Rules(silence_days=0, over_promise=-1, renewal_days=-1)
    assert len(exc.value.problems) == 3


def test_quote_groups_sum_their_assets() -> None:
    statuses = [
        asset_status(asset(1), PROMISE, [repair(date(2026, 6, 1), "100")], date(2027, 1, 1)),
        asset_status(asset(2), PROMISE, [], date(2027, 1, 1)),
    ]
    (g,) = quote_groups(statuses)
    assert g.actual_measured == 100
    assert g.promised_measured == pytest.approx(2 * statuses[1].promised_measured)
    assert g.actual_curve[-1][1] == 100
    assert g.promised_curve[1][1] == pytest.approx(2 * 500)


# --------------------------------------------------------------------------------------------
# Events and their CSV

HEADER = "event_id,asset_id,date,kind,hours,cost,payer,downtime_hours,kwh,contact,note\n"


def test_a_csv_is_read_with_its_lines() -> None:
    text = (
        HEADER
        + "a1,7,2026-05-01,repair,,1200.50,buyer,4,,,\n"
        + "\n"
        + 'a2,7,2026-05-02,contact,,,,,,complaint,"noisy,\nvery"\n'
        + "a3,7,2026-05-03,operating_hours,1500,,,,,,\n"
    )
    rows = parse_events_csv(text)
    assert [r.line for r in rows] == [2, 4, 6]
    assert rows[0].event.cost == Decimal("1200.50")
    assert rows[1].event.note == "noisy,\nvery"
    again = parse_events_csv(events_csv([r.event for r in rows]))
    assert [r.event for r in again] == [r.event for r in rows]


def test_every_bad_line_is_named_and_nothing_is_returned() -> None:
    text = (
        HEADER
        + "ok,7,2026-05-01,repair,,100,buyer,,,,\n"
        + "b1,7,2026-05-01,repair,,,buyer,,,,\n"  # no cost
        + "b2,7,2026-13-01,contact,,,,,,visit,\n"  # no such date
        + "b3,7,2026-05-01,energy,,,,,,,\n"  # no kWh
        + "b4,x,2026-05-01,fuel,5,,,,,,\n"  # asset and kind
        + "b5,7,2026-05-01\n"  # short line
        + "b6,7,2026-05-01,operating_hours,-3,,,,,,\n"
        + "b7,7,2026-05-01,operating_hours,10,5,,,,,\n"  # cost does not apply
    )
    with pytest.raises(EventError) as exc:
        parse_events_csv(text)
    paths = [p.path for p in exc.value.problems]
    assert "line 3: cost" in paths
    assert "line 4: date" in paths
    assert "line 5: kwh" in paths
    assert {"line 6: asset_id", "line 6: kind"} <= set(paths)
    assert "line 7" in paths
    assert "line 8: hours" in paths
    assert "line 9: cost" in paths
    assert not any(p.startswith("line 2") for p in paths)


def test_a_bad_header_is_refused() -> None:
    with pytest.raises(EventError) as exc:
        parse_events_csv("event_id,asset,date\n1,2,2026-01-01\n")
    messages = [str(p) for p in exc.value.problems]
    assert any("line 1: asset" in m and "unknown column" in m for m in messages)
    assert any("'kind' is missing" in m for m in messages)
    with pytest.raises(EventError):
        parse_events_csv("")
    with pytest.raises(EventError):
        parse_events_csv(HEADER)


def test_the_digest_ignores_how_a_number_is_written() -> None:
    a = parse_event(
        {
            "event_id": "x",
            "asset_id": 1,
            "date": "2026-01-02",
            "kind": "repair",
            "cost": "1200",
            "payer": "buyer",
        }
    )
    b = parse_event(
        {
            "event_id": "x",
            "asset_id": 1,
            "date": "2026-01-02",
            "kind": "repair",
            "cost": "1200.00",
            "payer": "buyer",
        }
    )
    c = parse_event(
        {
            "event_id": "x",
            "asset_id": 1,
            "date": "2026-01-02",
            "kind": "repair",
            "cost": "1201",
            "payer": "buyer",
        }
    )
    assert a.digest() == b.digest() != c.digest()


def test_fields_of_another_kind_and_unknown_fields_are_refused_by_name() -> None:
    with pytest.raises(EventError) as exc:
        parse_event(
            {
                "event_id": "x",
                "asset_id": 1,
                "date": "2026-01-02",
                "kind": "maintenance",
                "cost": "10",
                "kwh": "5",
                "colour": "red",
            }
        )
    assert {p.path for p in exc.value.problems} == {"colour"}
    with pytest.raises(EventError) as exc:
        parse_event(
            {
                "event_id": "x",
                "asset_id": 1,
                "date": "2026-01-02",
                "kind": "maintenance",
                "cost": "10",
                "kwh": "5",
            }
        )
    assert {p.path for p in exc.value.problems} == {"kwh", "payer"}
