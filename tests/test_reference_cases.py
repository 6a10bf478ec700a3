"""Published cases (NIST BLCC, NIST E3, numpy-financial and Excel docs, textbooks), transcribed:
the conventions and finance primitives; whole scenarios are in tests/golden/published/.

Each expected figure and tolerance below was read in the source named beside it; the tolerances
are about half a unit of the last printed digit. The engine must reproduce them from the
published inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from tco.core.discounting import capital_recovery_factor
from tco.core.measures import irr_rows
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import CostLine, parse_scenario
from tests.scenarios import one_offer, yearly


def run(raw: dict[str, Any]) -> ScenarioResult:
    return evaluate(parse_scenario(raw))


def lcc(raw: dict[str, Any]) -> float:
    return run(raw).offers[0].lifetime_cost


@pytest.mark.parametrize(
    ("years_after_bod", "factor"),
    [(6, 0.813), (12, 0.681), (18, 0.570), (5, 0.837), (10, 0.722), (15, 0.623)],
)
def test_blcc_05_one_time_costs_stay_at_their_date_under_mid_year(
    years_after_bod: int, factor: float
) -> None:
    # ECIP single present-value factors: one-time costs k years after the beneficial occupancy
    # date, which follows a one-year planning period, are discounted at k + 1 exactly.
    raw = one_offer(yearly([1.0], first_year=years_after_bod + 1), n=22, d=0.03, timing="mid_year")
    assert lcc(raw) == pytest.approx(factor, abs=0.0005)


def test_mid_year_raises_the_present_value_of_a_recurring_amount_by_half_a_year() -> None:
    line = {"name": "O&M", "category": "operation", "amount": 1000, "every_years": 1}
    end = lcc(one_offer([line], n=20, d=0.03))
    mid = lcc(one_offer([line], n=20, d=0.03, timing="mid_year"))
    upv = (1 - 1.03**-20) / 0.03  # uniform present value factor, GSA P100 "UPW"
    assert end == pytest.approx(1000 * upv, rel=1e-12)
    assert mid == pytest.approx(end * 1.03**0.5, rel=1e-12)


# ------------------------------------------------------------------------------------------
# The scenario-level published cases (NIST BLCC FEMP and ECIP, the TCO-01 pipeline, the
# gradients GRAD-01 to GRAD-07) live as data in tests/golden/published/, checked by
# tests/test_golden_published.py.


# ------------------------------------------------------------------------------------------
# Spreadsheet NPV convention (XL-04: Adobe FormCalc, MESCIUS Spread, Microsoft VBA NPV
# remarks) and numpy-financial's (NPF-01): the engine puts year 0 undiscounted.


@pytest.mark.parametrize(
    ("rate", "values", "expected", "tol"),
    [
        (0.1, [500, 1500, 4000, 10000], 11529.60863329007, 1e-6),
        (0.065, [5000], 4694.83568075117, 1e-6),
        (0.0022916666666666667, [50, 60, 40, 100, 25], 273.14193838457, 1e-6),
        (0.065, [-10000, 3000, 3400, 7700], 2055.38, 0.005),
        (0.1, [-1000, 500, 500, 500], 221.29635953828267, 1e-6),
    ],
)
def test_xl_04_excel_npv_equals_flows_from_year_one(
    rate: float, values: list[float], expected: float, tol: float
) -> None:
    assert lcc(one_offer(yearly(values), n=len(values), d=rate)) == pytest.approx(expected, abs=tol)


def test_npf_01_year_zero_is_not_discounted() -> None:
    raw = one_offer(yearly([-40000, 5000, 8000, 12000, 30000], first_year=0), n=4, d=0.08)
    assert lcc(raw) == pytest.approx(3065.22267, abs=5e-6)


@pytest.mark.parametrize(
    ("rate", "nper", "pv", "expected", "tol"),
    [
        (0.08 / 12, 10, 10000, -1037.03, 0.005),  # XL-01 a
        (0.005, 216, 0, 0.0, 0.005),  # no principal, no payment
        (0.01, 48, 10000, -263.33, 0.01),  # XL-01 d (Microsoft truncates 263.338)
        (0.005, 15, 5000, -346.82, 0.005),  # XL-01 e
        (0.0062499999999999995, 180, 200000, -1854.0247200054619, 1e-6),  # NPF-04 pmt_doc
        (0.006666666666666667, 60, 15000, -304.145914, 1e-5),  # NPF-04 pmt_test
    ],
)
def test_capital_recovery_factor_reproduces_published_payments(
    rate: float, nper: int, pv: float, expected: float, tol: float
) -> None:
    assert -pv * float(capital_recovery_factor(rate, nper)) == pytest.approx(expected, abs=tol)


def test_capital_recovery_factor_at_zero_rate_is_one_over_n() -> None:
    assert float(capital_recovery_factor(0.0, 8)) == pytest.approx(1 / 8)


@pytest.mark.parametrize(
    ("flows", "expected", "tol"),
    [
        ([-100, 39, 59, 55, 20], 0.28095, 5e-5),  # NPF-03 a
        ([-100, 0, 0, 74], -0.0955, 5e-5),  # b
        ([-100, 100, 0, -7], -0.0833, 5e-5),  # c, two sign changes
        ([-100, 100, 0, 7], 0.06206, 5e-5),  # d
        ([-5, 10.5, 1, -8, 1], 0.0886, 5e-5),  # e, several sign changes
        ([-150000, 15000, 25000, 35000, 45000, 60000], 0.0524, 5e-5),  # f
        ([-70000, 12000, 15000, 18000, 21000], -0.021, 5e-4),  # XL-02, four years
        ([-70000, 12000, 15000, 18000, 21000, 26000], 0.087, 5e-4),  # XL-02, five years
    ],
)
def test_irr_of_published_streams(flows: list[float], expected: float, tol: float) -> None:
    got = irr_rows(np.array([flows], dtype=float), np.array([len(flows) - 1]))[0]
    assert got == pytest.approx(expected, abs=tol)


def test_irr_is_null_when_no_rate_exists() -> None:
    got = irr_rows(np.array([[100.0, 50.0, 10.0]]), np.array([2]))[0]
    assert math.isnan(got)


# ------------------------------------------------------------------------------------------
# NIST E3 residual value rules (usnistgov/E3 @ 99065664, ResidualValuePipelineTest.java)


def test_e3_residual_value_is_the_linear_remaining_share() -> None:
    # calculateResidualValue: remaining 5 of a 10-year life on 156 -> -78
    raw = one_offer(
        [{"name": "x", "category": "acquisition", "amount": 156, "year": 0, "life_years": 10}],
        n=5,
        d=0.0,
    )
    r = run(raw).offers[0]
    assert r.by_category["end_of_life"] == pytest.approx(-78.0, abs=0)


@pytest.mark.parametrize(("study", "life", "remaining"), [(25, 50, 25.0), (4, 5, 1.0)])
def test_e3_remaining_life_of_an_item_placed_in_year_zero(
    study: int, life: int, remaining: float
) -> None:
    raw = one_offer(
        [{"name": "x", "category": "acquisition", "amount": life, "year": 0, "life_years": life}],
        n=study,
        d=0.0,
    )
    assert -run(raw).offers[0].by_category["end_of_life"] == pytest.approx(remaining)


def test_item_placed_after_year_zero_follows_the_scenario_contract_not_e3() -> None:
    # E3 treats an item placed in year k > 0 as placed at the start of year k and gives 74 for
    # (study 50, life 100, placed 25); docs/scenario.md counts from the year placed: 25 + 100 - 50.
    raw = one_offer(
        [{"name": "x", "category": "replacement", "amount": 100, "year": 25, "life_years": 100}],
        n=50,
        d=0.0,
    )
    assert -run(raw).offers[0].by_category["end_of_life"] == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("study", "end", "life", "initial", "interval", "remaining"),
    [(25, 10, 2, 1, 2, 0.0), (25, 50, 10, 0, 7, 6.0)],
)
def test_e3_remaining_life_of_a_recurring_item(
    study: int, end: int, life: int, initial: int, interval: int, remaining: float
) -> None:
    line = {
        "name": "x",
        "category": "replacement",
        "amount": life,
        "every_years": interval,
        "from_year": initial,
        "until_year": min(end, study),
        "life_years": life,
    }
    assert -run(one_offer([line], n=study, d=0.0)).offers[0].by_category[
        "end_of_life"
    ] == pytest.approx(remaining)


@pytest.mark.parametrize(
    ("study", "initial", "interval", "last"),
    [
        (25, 10, 2, 24),
        (25, 0, 2, 24),
        (25, 5, 2, 25),
        (25, 23, 2, 25),
        (50, 0, 1, 50),
        (25, 0, 7, 21),
        (25, 2, 7, 23),
    ],
)
def test_e3_last_occurrence_of_a_recurring_line(
    study: int, initial: int, interval: int, last: int
) -> None:
    line = CostLine(
        name="x", category="maintenance", amount=1, every_years=interval, from_year=initial
    )  # type: ignore[arg-type]
    assert line.occurrence_years(study)[-1] == last


def test_irr_agrees_with_numpy_financial_on_random_streams() -> None:
    import numpy_financial as npf

    rng = np.random.default_rng(20261127)
    checked = 0
    for _ in range(400):
        n = int(rng.integers(2, 21))
        flows = rng.normal(0, 1, n + 1) * rng.uniform(1, 1e5)
        want = float(npf.irr(flows))
        if math.isfinite(want) and not -0.95 < want < 1e5:
            continue  # outside the range the engine searches
        got = float(irr_rows(flows[None, :], np.array([n]))[0])
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want, abs=1e-7)
            checked += 1
    assert checked > 100


# ------------------------------------------------------------------------------------------
# ERR-01: worked values published with errors (pe.nebulome.com, energy-models.com). The engine
# must give the correct figures, not the printed ones.


def test_err_01_present_value_of_a_single_amount_is_not_the_misprinted_one() -> None:
    got = lcc(one_offer(yearly([1000], first_year=2), n=2, d=0.08))
    assert got == pytest.approx(857.34, abs=0.6)
    assert abs(got - 961.17) > 100  # the page discounted at 2 %, not 8 %


def test_err_01_uniform_series_is_not_the_misprinted_one() -> None:
    line = {"name": "payment", "category": "operation", "amount": 2000, "every_years": 1}
    pv = lcc(one_offer([line], n=10, d=0.06))
    assert pv == pytest.approx(14720.2, abs=0.6)
    assert abs(pv - 2636.2) > 1000
    future = pv * 1.06**10  # F/A = (P/A)(F/P)
    assert future == pytest.approx(26362.0, abs=0.6)
