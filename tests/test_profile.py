"""The cost profile every presenter reads: the engine's numpy materialisation by line and year
agrees with the compiled kernel's totals, and with the line-by-line reference evaluator."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given

from tco.core.profile import cost_profile
from tco.core.results import evaluate
from tco.core.scenario import CATEGORIES, load_scenario, parse_scenario
from tests.scenarios import scenarios
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
