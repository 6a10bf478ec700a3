"""Quotes built from the catalog respect terms: a plan covers its term (and the renewals the
request states), a warranty its years; the buyer's effort is never silently zero."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tco.core.errors import TcoError
from tco.core.scenario import Offer, read_file
from tco.quoting.builder import PricedQuote, price_quote
from tco.quoting.catalog import parse_catalog
from tests.test_quote_golden import GOLDEN

CASE: dict[str, Any] = read_file(GOLDEN / "pump-plan-term.yaml")


def priced(
    request: dict[str, Any] | None = None, catalog: dict[str, Any] | None = None
) -> PricedQuote:
    return price_quote(request or CASE["request"], parse_catalog(catalog or CASE["catalog"]))


def offer(p: PricedQuote, oid: str) -> Offer:
    return next(o for o in p.built.scenario.offers if o.id == oid)


def yearly(p: PricedQuote, oid: str, category: str) -> list[float]:
    """Nominal cash flows of one category by year, summed over the offer's cost lines (costs
    only: failures are checked through their terms)."""
    o = offer(p, oid)
    n = p.built.scenario.assumptions.study_period_years
    out = [0.0] * (n + 1)
    for line in o.costs:
        if line.category == category:
            for t in line.occurrence_years(n):
                out[t] += float(line.amount)
    return out


def test_a_five_year_plan_removes_maintenance_and_repairs_for_five_years_only() -> None:
    p = priced()
    maintenance = yearly(p, "care5", "maintenance")
    assert maintenance[1:6] == [0.0] * 5  # the plan's term
    assert maintenance[6:] == [1500.0] * 10  # the buyer pays again from year 6
    failures = offer(p, "care5").failures
    assert failures is not None
    assert [failures.terms_in(k)[0] for k in range(1, 16)] == [1.0] * 5 + [0.0] * 10
    assert [failures.terms_in(k)[1] for k in range(1, 16)] == [12.0] * 5 + [30.0] * 10
    assert [float(failures.terms_in(k)[2]) for k in (1, 5, 6, 15)] == [0.0, 0.0, 60.0, 60.0]
    service = yearly(p, "care5", "service")
    assert service[1:6] == [2400.0] * 5
    assert service[6:] == [0.0] * 10
    result = {o.id: o for o in p.result.offers}
    assert result["care5"].by_category["repair"] > 0
    assert result["care5"].by_category["maintenance"] > 0


def test_renewed_to_the_end_the_fee_runs_as_long_as_the_cover() -> None:
    p = priced()
    service = yearly(p, "renewed", "service")
    assert service[1:] == [2400.0] * 15
    assert [
        (c.renewal, c.from_year, c.until_year)
        for c in p.built.coverage
        if c.offer_id == "renewed" and c.kind == "service_plan"
    ] == [(0, 1, 5), (1, 6, 10), (2, 11, 15)]
    orders = [c for c in offer(p, "renewed").costs if c.name.startswith("Purchase order: service")]
    assert sorted(c.year or 0 for c in orders) == [0, 5, 10]  # one purchase order per term


def test_a_number_of_renewals_covers_that_many_more_terms() -> None:
    request = copy.deepcopy(CASE["request"])
    request["offers"][2]["renew"] = 1
    p = priced(request)
    service = yearly(p, "renewed", "service")
    assert service[1:11] == [2400.0] * 10
    assert service[11:] == [0.0] * 5
    failures = offer(p, "renewed").failures
    assert failures is not None
    assert [failures.terms_in(k)[0] for k in (10, 11)] == [1.0, 0.0]
    maintenance = yearly(p, "renewed", "maintenance")
    assert maintenance[10] == 0.0
    assert maintenance[11] == 1500.0


def test_a_warranty_pays_the_repairs_of_its_years_without_a_plan() -> None:
    p = priced()
    failures = offer(p, "bare").failures
    assert failures is not None
    assert [failures.terms_in(k) for k in (1, 2, 3)] == [
        (1.0, 30.0, 0),
        (1.0, 30.0, 0),
        (0.0, 30.0, 60),
    ]
    warranty = [c for c in p.built.coverage if c.offer_id == "bare"]
    assert [(c.kind, c.from_year, c.until_year, c.repair_covered) for c in warranty] == [
        ("warranty", 1, 2, 1.0)
    ]


def test_the_plan_states_its_promise_in_the_coverage_terms() -> None:
    plan = next(
        c for c in priced().built.coverage if c.offer_id == "care5" and c.kind == "service_plan"
    )
    assert (plan.response_hours, plan.downtime_hours, plan.uptime_promise) == (8.0, 12.0, 0.97)
    assert (plan.repair_covered, plan.maintenance_covered, str(plan.annual_fee)) == (
        1.0,
        1.0,
        "2400.00",
    )


def test_a_warranty_on_one_of_two_products_covers_its_share_of_repair_cost() -> None:
    catalog = copy.deepcopy(CASE["catalog"])
    second = {**catalog["products"][0], "sku": "PUMP-30", "name": "Pump 30 kW", "warranty_years": 0}
    second["failures"] = {"mtbf_hours": 5000, "repair_cost": 1000, "downtime_hours": 20}
    catalog["products"].append(second)
    request = copy.deepcopy(CASE["request"])
    request["offers"] = [{"id": "both", "equipment": [{"sku": "PUMP-55"}, {"sku": "PUMP-30"}]}]
    request["baseline"] = None
    failures = offer(priced(request, catalog), "both").failures
    assert failures is not None
    # rates 1/10000 and 1/5000 an hour; repair cost weighted by rate: (2000 + 2 x 1000) / 3;
    # in the warranty years the first product's share of that cost is covered: 2000 / 4000
    assert failures.terms_in(1)[0] == pytest.approx(0.5, abs=1e-12)
    assert failures.terms_in(3)[0] == 0.0
    # a repair order for each failure the buyer pays: 2 of 3 failures in years 1-2
    assert float(failures.terms_in(1)[2]) == pytest.approx(60 * 2 / 3, abs=1e-6)
    assert float(failures.terms_in(3)[2]) == 60.0


@pytest.mark.parametrize(
    "missing", ["buyer_hourly_rate", "hours_per_purchase_order", "hours_per_repair_order"]
)
def test_a_quote_without_the_buyers_effort_settings_is_refused_naming_them(missing: str) -> None:
    catalog = copy.deepcopy(CASE["catalog"])
    del catalog["defaults"][missing]
    with pytest.raises(TcoError) as err:
        priced(catalog=catalog)
    (problem,) = err.value.problems
    assert problem.path == f"assumptions.{missing}"
    assert "buyer_hourly_rate" in problem.message
    assert "0 leaves it out" in problem.message


def test_the_buyers_effort_set_to_zero_explicitly_is_accepted_and_said() -> None:
    catalog = copy.deepcopy(CASE["catalog"])
    for key in ("buyer_hourly_rate", "hours_per_purchase_order", "hours_per_repair_order"):
        del catalog["defaults"][key]
    request = copy.deepcopy(CASE["request"])
    request["assumptions"] = {
        "buyer_hourly_rate": 0,
        "hours_per_purchase_order": 0,
        "hours_per_repair_order": 0,
    }
    p = priced(request, catalog)
    assert not p.built.buyer_effort_counted
    assert all(o.by_category["transaction"] == 0.0 for o in p.result.offers)
    assert priced().built.buyer_effort_counted


def test_renewing_a_plan_without_a_term_or_an_offer_without_a_plan_is_refused() -> None:
    catalog = copy.deepcopy(CASE["catalog"])
    del catalog["service_plans"][0]["term_years"]
    with pytest.raises(TcoError) as err:
        priced(catalog=catalog)
    assert [p.path for p in err.value.problems] == ["offers[2].renew"]
    request = copy.deepcopy(CASE["request"])
    request["offers"][0]["renew"] = "to_end"
    with pytest.raises(TcoError) as err:
        priced(request)
    assert "'renew' applies to a service plan" in str(err.value)


def test_the_recommendation_states_a_payback_that_reverses() -> None:
    from tco.presenters.sentences import recommendation
    from tests.test_store_support import demo_catalog, demo_request

    p = price_quote(demo_request(), demo_catalog())
    c = p.result.comparison
    scenario = p.built.scenario
    assert "dearer again" not in recommendation(scenario, p.result, "en")
    cases = (
        (7, "in year 5 it is dearer again until year 7", "ab dem Jahr 5 ist es bis zum Jahr 7"),
        (
            None,
            "dearer again and stays dearer to the end",
            "bis zum Ende des Betrachtungszeitraums",
        ),
    )
    for recovered, words, german in cases:
        ours = c.offers["ours"].model_copy(
            update={"savings_negative_again_year": 5, "savings_recovered_year": recovered}
        )
        result = p.result.model_copy(
            update={"comparison": c.model_copy(update={"offers": {"ours": ours}})}
        )
        text = recommendation(scenario, result, "en")
        assert "it pays back in year 1; " in text
        assert words in text
        assert german in recommendation(scenario, result, "de")
