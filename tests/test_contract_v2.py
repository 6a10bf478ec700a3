"""Scenario contract version 2: coverage periods and the payback rule.

Two contract cases written for this version, each computed by hand below (plain arithmetic, no
project code) and by the line-by-line reference evaluator, then hypothesis properties of periods
and paybacks, and bad input refused by path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco.cli.main import app
from tco.core.errors import ScenarioError
from tco.core.results import evaluate
from tco.core.scenario import parse_scenario
from tests.scenarios import scenarios
from tests.test_properties import FAST, reference_lcc, reference_paybacks

# --------------------------------------------------------------------------------------------
# Case 1: a two-year warranty and a shorter plan inside a longer study, mid-year timing.
#
# Six years at 5 %, mid-year: a recurring amount or expected failure of year t is discounted
# by 1.05^-(t - 0.5). 2,000 operating hours a year, MTBF 4,000 h: 0.5 failures a year. Each
# failure: repair 1,000, 10 h of standstill at 100 an hour, an order costing the buyer 50.
#   years 1-2 (warranty):  repair 0;            downtime 0.5 x 10 x 100 = 500;  orders 0
#   years 3-4 (plan):      repair 0.5 x 500;    downtime 0.5 x 4 x 100 = 200;   orders 0
#   years 5-6 (no cover):  repair 0.5 x 1000;   downtime 500;                   orders 25
# The plan's fee, 300 a year, runs in years 3-4 only. The machine costs 10,000 in year 0.
COVERAGE: dict[str, Any] = {
    "assumptions": {
        "currency": "EUR",
        "study_period_years": 6,
        "discount_rate": 0.05,
        "timing": "mid_year",
        "operating_hours_per_year": 2000,
        "downtime_cost_per_hour": 100,
    },
    "offers": [
        {
            "id": "covered",
            "costs": [
                {"name": "Machine", "category": "acquisition", "amount": 10000, "year": 0},
                {
                    "name": "Plan fee",
                    "category": "service",
                    "amount": 300,
                    "every_years": 1,
                    "from_year": 3,
                    "until_year": 4,
                },
            ],
            "failures": {
                "mtbf_hours": 4000,
                "repair_cost": 1000,
                "downtime_hours": 10,
                "order_cost": 50,
                "periods": [
                    {
                        "name": "Warranty",
                        "from_year": 1,
                        "until_year": 2,
                        "covered_fraction": 1.0,
                        "order_cost": 0,
                    },
                    {
                        "name": "Plan",
                        "from_year": 3,
                        "until_year": 4,
                        "covered_fraction": 0.5,
                        "downtime_hours": 4,
                        "order_cost": 0,
                    },
                ],
            },
        },
        {
            "id": "bare",
            "costs": [{"name": "Machine", "category": "acquisition", "amount": 10000, "year": 0}],
            "failures": {
                "mtbf_hours": 4000,
                "repair_cost": 1000,
                "downtime_hours": 10,
                "order_cost": 50,
            },
        },
    ],
}


def mid(t: int) -> float:
    return float(1.05 ** -(t - 0.5))


def test_periods_case_agrees_with_the_hand_calculation_and_the_reference() -> None:
    yearly = {1: 500, 2: 500, 3: 250 + 200 + 300, 4: 250 + 200 + 300, 5: 500 + 500 + 25, 6: 1025}
    covered = 10000 + sum(c * mid(t) for t, c in yearly.items())
    bare = 10000 + sum((500 + 500 + 25) * mid(t) for t in range(1, 7))
    sc = parse_scenario(COVERAGE)
    result = {o.id: o for o in evaluate(sc).offers}
    for oid, hand, ref in zip(("covered", "bare"), (covered, bare), reference_lcc(sc), strict=True):
        assert result[oid].lifetime_cost == pytest.approx(hand, rel=1e-12)
        assert result[oid].lifetime_cost == pytest.approx(ref, rel=1e-9)
    repair = sum(r * mid(t) for t, r in {3: 250, 4: 250, 5: 500, 6: 500}.items())
    assert result["covered"].by_category["repair"] == pytest.approx(repair, rel=1e-12)
    orders = sum(25 * mid(t) for t in (5, 6))
    assert result["covered"].by_category["transaction"] == pytest.approx(orders, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Case 2: a payback that reverses, and an offer that adds no investment.
#
# Eight years, no discounting (discounted = simple). Ours costs 10,000 and 1,000 a year of
# energy, with a 6,000 overhaul in year 4; the competitor 6,000 and 2,500 a year; keeping the
# old machine costs nothing to buy and 3,200 a year.
#   ours vs competitor: savings -4,000 in year 0, then 1,500 a year, -4,500 in year 4.
#   cumulative: -4000, -2500, -1000, 500 (pays back in 3), -4000 (negative again in 4),
#   -2500, -1000, 500 (cheaper again in 7), 2000: net savings 2,000.
#   keep_old vs competitor: 6,000 less investment; saves -700 a year after +6,000 in year 0:
#   net savings 6000 - 8 x 700 = 400, and nothing to pay back: paybacks null.
REVERSAL: dict[str, Any] = {
    "assumptions": {"currency": "EUR", "study_period_years": 8, "discount_rate": 0.0},
    "baseline": "competitor",
    "offers": [
        {
            "id": "ours",
            "costs": [
                {"name": "Machine", "category": "acquisition", "amount": 10000, "year": 0},
                {"name": "Energy", "category": "energy", "amount": 1000, "every_years": 1},
                {"name": "Overhaul", "category": "maintenance", "amount": 6000, "year": 4},
            ],
        },
        {
            "id": "competitor",
            "costs": [
                {"name": "Machine", "category": "acquisition", "amount": 6000, "year": 0},
                {"name": "Energy", "category": "energy", "amount": 2500, "every_years": 1},
            ],
        },
        {
            "id": "keep_old",
            "costs": [{"name": "Energy", "category": "energy", "amount": 3200, "every_years": 1}],
        },
    ],
}


def test_reversal_case_agrees_with_the_hand_calculation_and_the_reference() -> None:
    sc = parse_scenario(REVERSAL)
    result = evaluate(sc)
    ours = result.comparison.offers["ours"]
    assert ours.net_savings == pytest.approx(2000, abs=1e-9)
    got = (
        ours.simple_payback_year,
        ours.discounted_payback_year,
        ours.savings_negative_again_year,
        ours.savings_recovered_year,
    )
    assert got == (3, 3, 4, 7)
    assert reference_paybacks(sc)["ours"] == got
    keep = result.comparison.offers["keep_old"]
    assert keep.net_savings == pytest.approx(400, abs=1e-9)
    assert (keep.sir, keep.simple_payback_year, keep.discounted_payback_year) == (None, None, None)
    assert keep.savings_negative_again_year is None
    assert keep.savings_recovered_year is None
    for got_lcc, ref in zip(
        (o.lifetime_cost for o in result.offers), reference_lcc(sc), strict=True
    ):
        assert got_lcc == pytest.approx(ref, rel=1e-9)


def test_a_reversal_that_never_recovers_has_no_recovery_year() -> None:
    raw = copy.deepcopy(REVERSAL)
    raw["offers"][0]["costs"][2]["amount"] = 20000  # the overhaul outweighs all later savings
    ours = evaluate(parse_scenario(raw)).comparison.offers["ours"]
    assert (ours.discounted_payback_year, ours.savings_negative_again_year) == (3, 4)
    assert ours.savings_recovered_year is None


# --------------------------------------------------------------------------------------------
# Properties


@FAST
@given(scenarios(), st.data())
def test_a_period_covering_every_year_equals_setting_the_fields_on_the_model(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    n = raw["assumptions"]["study_period_years"]
    with_failures = [o for o in raw["offers"] if "failures" in o]
    if not with_failures:
        return
    covered = data.draw(st.floats(0, 1))
    down = data.draw(st.floats(0, 48))
    order = data.draw(st.integers(0, 500))
    period_raw, fields_raw = copy.deepcopy(raw), copy.deepcopy(raw)
    for offer in period_raw["offers"]:
        if "failures" in offer:
            offer["failures"]["periods"] = [
                {
                    "from_year": 1,
                    "until_year": n,
                    "covered_fraction": covered,
                    "downtime_hours": down,
                    "order_cost": order,
                }
            ]
    for offer in fields_raw["offers"]:
        if "failures" in offer:
            offer["failures"].pop("periods", None)
            offer["failures"].update(
                covered_fraction=covered, downtime_hours=down, order_cost=order
            )
    a, b = evaluate(parse_scenario(period_raw)), evaluate(parse_scenario(fields_raw))
    for x, y in zip(a.offers, b.offers, strict=True):
        assert x.lifetime_cost == pytest.approx(y.lifetime_cost, rel=1e-12, abs=1e-9)
        assert x.cash_flows.present_value == pytest.approx(
            y.cash_flows.present_value, rel=1e-12, abs=1e-9
        )


@FAST
@given(scenarios(), st.data())
def test_more_coverage_never_raises_cost(raw: dict[str, Any], data: st.DataObject) -> None:
    """A period that pays a larger share of repairs, shortens downtime and removes orders in
    some years never makes an offer dearer."""
    n = raw["assumptions"]["study_period_years"]
    first = data.draw(st.integers(1, n))
    last = data.draw(st.integers(first, n))
    before = evaluate(parse_scenario(raw))
    more = copy.deepcopy(raw)
    for offer in more["offers"]:
        f = offer.get("failures")
        if f is None:
            continue
        base = parse_scenario(raw).offers[int(offer["id"][1:])].failures
        assert base is not None
        kept = []  # the other periods, trimmed to the years outside first..last
        for p in f.get("periods", []):
            if p["from_year"] < first:
                kept.append({**p, "until_year": min(p["until_year"], first - 1)})
            if p["until_year"] > last:
                kept.append({**p, "from_year": max(p["from_year"], last + 1)})
        # within first..last: at least the coverage the model had there, and more
        cov = max(base.terms_in(k)[0] for k in range(first, last + 1))
        down = min(base.terms_in(k)[1] for k in range(first, last + 1))
        f["periods"] = [
            *kept,
            {
                "from_year": first,
                "until_year": last,
                "covered_fraction": data.draw(st.floats(cov, 1)),
                "downtime_hours": data.draw(st.floats(0, down)),
                "order_cost": 0,
            },
        ]
    after = evaluate(parse_scenario(more))
    for x, y in zip(before.offers, after.offers, strict=True):
        assert y.lifetime_cost <= x.lifetime_cost + 1e-9 * max(1.0, abs(x.lifetime_cost))


@FAST
@given(scenarios())
def test_paybacks_follow_the_contract_rules(raw: dict[str, Any]) -> None:
    sc = parse_scenario(raw)
    result = evaluate(sc)
    want = reference_paybacks(sc)
    for oid, c in result.comparison.offers.items():
        got = (
            c.simple_payback_year,
            c.discounted_payback_year,
            c.savings_negative_again_year,
            c.savings_recovered_year,
        )
        # the reference's cumulative sums may sit on the other side of the tolerance by a
        # rounding; only where a cumulative sum is clear of it must the years agree exactly
        if got != want[oid]:
            cum = [0.0]
            base, ours = (
                result.offers[sc.baseline_index],
                next(o for o in result.offers if o.id == oid),
            )
            for b, o in zip(
                base.cash_flows.present_value, ours.cash_flows.present_value, strict=True
            ):
                cum.append(cum[-1] + b - o)
            assert min(abs(x + 1e-6) for x in cum[1:]) < 1e-6 * max(1.0, abs(ours.lifetime_cost))
        if c.sir is None:
            assert c.simple_payback_year is None
            assert c.discounted_payback_year is None
        if c.savings_negative_again_year is not None:
            assert c.discounted_payback_year is not None
            assert c.savings_negative_again_year > c.discounted_payback_year
        if c.savings_recovered_year is not None:
            assert c.savings_negative_again_year is not None
            assert c.savings_recovered_year > c.savings_negative_again_year


# --------------------------------------------------------------------------------------------
# Bad input


def periods_of(*periods: dict[str, Any]) -> dict[str, Any]:
    raw = copy.deepcopy(COVERAGE)
    raw["offers"][0]["failures"]["periods"] = list(periods)
    return raw


BAD_PERIODS = [
    (
        periods_of(
            {"from_year": 1, "until_year": 3, "covered_fraction": 1},
            {"from_year": 3, "until_year": 4, "covered_fraction": 1},
        ),
        "offers[0].failures.periods[1].from_year",
        "overlaps periods[0] (years 1..3)",
    ),
    (
        periods_of({"from_year": 0, "until_year": 2, "covered_fraction": 1}),
        "offers[0].failures.periods[0].from_year",
        "must be at least 1",
    ),
    (
        periods_of({"from_year": 2, "until_year": 7, "covered_fraction": 1}),
        "offers[0].failures.periods[0].until_year",
        "must be within 1..6",
    ),
    (
        periods_of({"from_year": 4, "until_year": 2, "covered_fraction": 1}),
        "offers[0].failures.periods[0]",
        "from_year 4 is after until_year 2",
    ),
    (
        periods_of({"from_year": 1, "until_year": 2}),
        "offers[0].failures.periods[0]",
        "names at least one of covered_fraction",
    ),
    (
        periods_of({"from_year": 1, "until_year": 2, "covered_fraction": 1.5}),
        "offers[0].failures.periods[0].covered_fraction",
        "must be at most 1",
    ),
    (
        periods_of({"from_year": 1, "until_year": 2, "repair_cost": 5}),
        "offers[0].failures.periods[0].repair_cost",
        "unknown field",
    ),
]


@pytest.mark.parametrize(("raw", "path", "message"), BAD_PERIODS)
def test_bad_periods_are_refused_by_path(raw: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw)
    assert any(p.path == path and message in p.message for p in err.value.problems), err.value


@pytest.mark.parametrize(("raw", "path", "message"), BAD_PERIODS[:3])
def test_the_command_line_refuses_bad_periods_with_exit_2(
    raw: dict[str, Any], path: str, message: str, tmp_path: Path
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(raw))
    out = CliRunner().invoke(app, ["evaluate", str(f)])
    assert out.exit_code == 2
    assert f"{path}: " in out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_the_json_schema_states_periods_and_refuses_unknown_period_fields() -> None:
    out = CliRunner().invoke(app, ["schema"])
    schema = json.loads(out.stdout)
    assert "periods" in schema["$defs"]["FailureModel"]["properties"]
    period = schema["$defs"]["CoveragePeriod"]
    assert set(period["properties"]) == {
        "from_year",
        "until_year",
        "covered_fraction",
        "downtime_hours",
        "order_cost",
        "name",
    }
    assert set(period["required"]) == {"from_year", "until_year"}
    assert period["additionalProperties"] is False
