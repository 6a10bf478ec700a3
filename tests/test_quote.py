"""The quote builder: configurations become the engine's cost lines; bad input is named."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest

from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.core.scenario import Offer
from tco.presenters.sentences import recommendation
from tco.quoting.builder import price_quote
from tco.quoting.catalog import Catalog
from tco.quoting.requests import request_json
from tco.quoting.versions import (
    QuoteStatus,
    apply_changes,
    check_transition,
    diff_versions,
    effective_status,
)
from tests.test_store_support import demo_catalog, demo_request


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return demo_catalog()


def offer(priced: Any, oid: str) -> Offer:
    return next(o for o in priced.built.scenario.offers if o.id == oid)


def names(o: Offer, category: str) -> list[str]:
    return [c.name for c in o.costs if c.category == category]


def test_a_quote_is_the_engines_evaluation_of_the_built_scenario(catalog: Catalog) -> None:
    from tco.core.results import evaluate

    priced = price_quote(demo_request(), catalog)
    assert priced.result == evaluate(priced.built.scenario)


def test_a_service_contract_removes_the_buyers_repair_and_maintenance_orders(
    catalog: Catalog,
) -> None:
    priced = price_quote(demo_request(), catalog)
    ours, competitor = offer(priced, "ours"), offer(priced, "competitor")
    assert names(ours, "transaction") == [  # FullCare's five-year term, renewed to year 10
        "Purchase order: equipment",
        "Purchase order: service plan FullCare",
        "Purchase order: service plan FullCare, renewal 1",
    ]
    competitor_orders = names(competitor, "transaction")
    assert "Purchase orders: Annual service" in competitor_orders
    # one repair order per expected failure the plan does not cover: 3 h x EUR 65, which the
    # engine books per expected failure (2/3 a year) as a transaction line
    assert ours.failures is not None
    assert competitor.failures is not None
    # FullCare (renewed to the end) and the warranty cover every year: no orders in any year
    assert [ours.failures.terms_in(k)[2] for k in range(1, 11)] == [0] * 10
    assert competitor.failures.order_cost == Decimal(3 * 65)
    assert competitor.failures.order_escalation == "labor"
    by_id = {o.id: o for o in priced.result.offers}
    orders = [x for x in by_id["competitor"].lines if x.source == "failures.orders"]
    assert [(x.name, x.category.value) for x in orders] == [
        ("Expected repair orders", "transaction")
    ]
    assert orders[0].present_value > 4000 / 6000 * 3 * 65  # ten years of orders
    assert not any(x.source == "failures.orders" for x in by_id["ours"].lines)
    assert by_id["competitor"].by_category["transaction"] > by_id["ours"].by_category["transaction"]


def test_fullcare_covers_repairs_and_shortens_downtime(catalog: Catalog) -> None:
    ours = offer(price_quote(demo_request(), catalog), "ours")
    assert ours.failures is not None
    for year in range(1, 11):  # FullCare for five years, renewed to the end of the study
        covered, downtime_hours, _ = ours.failures.terms_in(year)
        assert covered == 1.0
        assert downtime_hours == 8 + 6  # response + repair, less than 30 without
    assert names(ours, "maintenance") == []


def test_the_plan_fee_is_a_rounded_share_of_the_net_price(catalog: Catalog) -> None:
    priced = price_quote(demo_request(), catalog)
    sheet = priced.built.price_sheets[0]
    fee = next(li for li in sheet.lines if li.kind == "annual")
    assert fee.total == Decimal("3149.85")  # 7.5 % of 41,998.00
    assert sheet.lines[0].net_unit_price == Decimal("41998.00")  # 45,650 less 8 %


def test_energy_is_quantity_times_kwh_times_hours_times_price(catalog: Catalog) -> None:
    req = demo_request()
    req["offers"][0]["equipment"][0]["quantity"] = 2
    ours = offer(price_quote(req, catalog), "ours")
    energy = next(c for c in ours.costs if c.category == "energy")
    assert energy.amount == Decimal("51800.00")  # 2 x 32.375 kWh x 4000 h x 0.20
    assert energy.escalation == "energy"


def test_quantity_scales_the_failure_rate(catalog: Catalog) -> None:
    req = demo_request("cnc-loan.yaml")
    one = offer(price_quote(req, catalog), "ours").failures
    req["offers"][0]["equipment"][0]["quantity"] = 3
    three = offer(price_quote(req, catalog), "ours").failures
    assert one is not None
    assert three is not None
    # H(t) = (t h / eta)^beta: three units fail three times as often at every age
    h = 4500.0
    ratio = (h / three.mtbf_hours) ** three.shape / (h / one.mtbf_hours) ** one.shape
    assert ratio == pytest.approx(3.0)


def test_several_constant_rate_products_combine_into_one_rate(catalog: Catalog) -> None:
    req = demo_request()
    req["offers"][0]["equipment"].append({"sku": "CMP-FS-37"})
    ours = offer(price_quote(req, catalog), "ours")
    assert ours.failures is not None
    assert ours.failures.mtbf_hours == pytest.approx(1 / (1 / 12000 + 1 / 8000))
    expected_repair = (2400 / 12000 + 2800 / 8000) / (1 / 12000 + 1 / 8000)
    assert float(ours.failures.repair_cost) == pytest.approx(expected_repair, abs=1e-5)


def test_a_loan_pays_numpy_financial_pmt_and_keeps_the_residual(catalog: Catalog) -> None:
    priced = price_quote(demo_request("cnc-loan.yaml"), catalog)
    ours = offer(priced, "ours")
    installment = next(c for c in ours.costs if c.category == "financing")
    price = Decimal("298000") * Decimal("0.95")
    assert float(installment.amount) == pytest.approx(
        -npf.pmt(0.045, 5, float(price - 50000)), abs=0.005
    )
    assert installment.occurrence_years(20) == (1, 2, 3, 4, 5)
    assert [c.amount for c in ours.costs if c.category == "acquisition"] == [Decimal(50000)]
    residual = next(c for c in ours.costs if c.category == "end_of_life")
    assert residual.amount == -(price * 5 / 25).quantize(Decimal("0.000001"))


@pytest.mark.parametrize(("timing", "years"), [("advance", (0, 1, 2)), ("arrears", (1, 2, 3))])
def test_a_lease_pays_in_advance_or_in_arrears(
    catalog: Catalog, timing: str, years: tuple[int, ...]
) -> None:
    req = demo_request()
    req["offers"][0]["financing"] = {
        "kind": "lease",
        "payment_per_year": 15000,
        "term_years": 3,
        "timing": timing,
    }
    ours = offer(price_quote(req, catalog), "ours")
    lease = next(c for c in ours.costs if c.category == "financing")
    assert lease.occurrence_years(10) == years
    assert lease.amount == Decimal(15000)
    assert names(ours, "acquisition") == []
    assert names(ours, "end_of_life") == []


def test_a_lease_rate_factor_applies_to_the_net_price(catalog: Catalog) -> None:
    req = demo_request()
    req["offers"][0]["financing"] = {"kind": "lease", "rate_factor": 0.3, "term_years": 4}
    lease = next(
        c for c in offer(price_quote(req, catalog), "ours").costs if c.category == "financing"
    )
    assert lease.amount == Decimal("12599.40")  # 0.3 x 41,998.00


def test_the_recommendation_names_saving_payback_and_headroom(catalog: Catalog) -> None:
    p = price_quote(demo_request(), catalog)
    text = recommendation(p.built.scenario, p.result, "en")
    assert text.startswith("Over 10 years VSD compressor 37 kW with FullCare costs EUR\xa0")
    assert "less than Competitor fixed-speed compressor 37 kW" in text
    assert "pays back in year 1" in text
    assert "even at a price EUR\xa0" in text
    assert text.endswith(" higher.")


def test_the_recommendation_is_said_in_german_from_the_same_result(catalog: Catalog) -> None:
    p = price_quote(demo_request(), catalog)
    text = recommendation(p.built.scenario, p.result, "de")
    assert text.startswith("Über 10 Jahre kostet VSD compressor 37 kW with FullCare ")
    assert "weniger als Competitor fixed-speed compressor 37 kW" in text
    assert "es amortisiert sich im Jahr 1" in text
    assert text.endswith("höheren Preis bleibt es die günstigere Wahl.")
    assert not re.search(r"\b(Over|costs|less than|pays back|price|higher)\b", text)


def test_the_recommendation_when_the_baseline_is_cheapest(catalog: Catalog) -> None:
    req = demo_request()
    req["offers"][0]["equipment"][0]["unit_price"] = 400000
    p = price_quote(req, catalog)
    text = recommendation(p.built.scenario, p.result, "en")
    assert text.startswith("Over 10 years Competitor fixed-speed compressor 37 kW costs EUR\xa0")
    assert "less than VSD compressor 37 kW with FullCare, the next-best offer," in text


def test_changes_merge_offers_by_id_and_can_remove_offers() -> None:
    base = {
        "title": "a",
        "assumptions": {"discount_rate": 0.07},
        "offers": [{"id": "x", "name": "X"}, {"id": "y"}],
    }
    changed = apply_changes(
        base,
        {"assumptions": {"study_period_years": 12}, "offers": [{"id": "x", "name": "X2"}, {"id": "z"}],
         "remove_offers": ["y"]},
    )  # fmt: skip
    assert changed["assumptions"] == {"discount_rate": 0.07, "study_period_years": 12}
    assert changed["offers"] == [{"id": "x", "name": "X2"}, {"id": "z"}]
    assert base["offers"][0]["name"] == "X"  # the base is not modified


def test_a_diff_names_changed_inputs_and_results(catalog: Catalog) -> None:
    a = price_quote(demo_request(), catalog)
    req_b = demo_request()
    req_b["offers"][0]["equipment"][0]["discount"] = 0.1
    b = price_quote(req_b, catalog)
    ja, jb = request_json(a.built.request), request_json(b.built.request)
    changes = {c.path: c for c in diff_versions(ja, a.result, jb, b.result)}
    assert changes["offers[ours].equipment[0].discount"].new == "0.1"
    acq = changes["offers[ours].by_category.acquisition"]
    assert (acq.old, acq.new, acq.delta) == ("41998.00", "41085.00", "-913.00")
    assert "offers[competitor].lifetime_cost" not in changes
    assert diff_versions(ja, a.result, ja, a.result) == ()


def test_status_transitions() -> None:
    day, until = date(2026, 3, 1), date(2026, 4, 1)
    check_transition("Q", QuoteStatus.draft, QuoteStatus.sent, until, day)
    check_transition("Q", QuoteStatus.sent, QuoteStatus.accepted, until, day)
    check_transition("Q", QuoteStatus.sent, QuoteStatus.expired, until, date(2026, 5, 1))
    for current, new in [
        (QuoteStatus.draft, QuoteStatus.accepted),
        (QuoteStatus.accepted, QuoteStatus.rejected),
        (QuoteStatus.rejected, QuoteStatus.sent),
    ]:
        with pytest.raises(ConflictError):
            check_transition("Q", current, new, until, day)
    with pytest.raises(ConflictError, match=r"expired \(valid until 2026-04-01\)"):
        check_transition("Q", QuoteStatus.sent, QuoteStatus.accepted, until, date(2026, 4, 2))
    assert effective_status(QuoteStatus.sent, until, date(2026, 4, 2)) == QuoteStatus.expired
    assert effective_status(QuoteStatus.accepted, until, date(2026, 4, 2)) == QuoteStatus.accepted


def edit(path: str, value: Any) -> dict[str, Any]:
    """The demo request with one value set (``a.b[0].c``); ``value=...`` deletes it."""
    req = copy.deepcopy(demo_request())
    keys: list[Any] = []
    for part in path.replace("]", "").split("."):
        name, *idx = part.split("[")
        keys.append(name)
        keys.extend(int(i) for i in idx)
    target: Any = req
    for k in keys[:-1]:
        target = target[k]
    if value is ...:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return req


ours_eq = "offers[0].equipment[0]"
competitor_product = "offers[1].equipment[0].product"
BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown sku", edit(f"{ours_eq}.sku", "CMP-XX"), f"{ours_eq}.sku", "unknown sku 'CMP-XX' in offer 'ours'"),
    ("unknown plan", edit("offers[0].service_plan", "GOLD"), "offers[0].service_plan",
     "unknown service plan 'GOLD' in offer 'ours'"),
    ("no price in currency", edit("currency", "USD"), f"{ours_eq}.sku", "no price for 'CMP-VSD-37' in USD"),
    ("unknown field", edit("offers[0].colour", "red"), "offers[0].colour", "unknown field"),
    ("missing customer", edit("customer", ...), "customer", "required field is missing"),
    ("missing seller", edit("seller", ...), "seller", "required field is missing"),
    ("bad date", edit("as_of", "yesterday"), "as_of", "date"),
    ("bad currency", edit("currency", "eur"), "currency", "pattern"),
    ("sku and product", edit(f"{ours_eq}.product", {"sku": "Z", "name": "Z", "list_price": 1,
                                                   "currency": "EUR", "life_years": 1}),
     ours_eq, "exactly one of 'sku'"),
    ("zero quantity", edit(f"{ours_eq}.quantity", 0), f"{ours_eq}.quantity", "greater than or equal"),
    ("discount 100 %", edit(f"{ours_eq}.discount", 1), f"{ours_eq}.discount", "less than 1"),
    ("negative discount", edit(f"{ours_eq}.discount", -0.1), f"{ours_eq}.discount", "greater than or equal"),
    ("plan twice", edit("offers[0].service", {"code": "X", "name": "X", "fee_percent": 0.1}), "offers[0]",
     "not both"),
    ("empty offer", edit("offers[0].equipment", []), "offers[0]", "needs equipment or extra_costs"),
    ("cash with a rate", edit("offers[0].financing", {"kind": "cash", "rate": 0.05}), "offers[0].financing",
     "rate do not apply to cash"),
    ("loan without rate", edit("offers[0].financing", {"kind": "loan", "term_years": 5}), "offers[0].financing",
     "needs 'rate' and 'term_years'"),
    ("loan longer than the study", edit("offers[0].financing", {"kind": "loan", "rate": 0.05, "term_years": 12}),
     "offers[0].financing.term_years", "longer than the study period"),
    ("down payment above price", edit("offers[0].financing",
                                      {"kind": "loan", "rate": 0.05, "term_years": 5, "down_payment": 90000}),
     "offers[0].financing.down_payment", "more than the equipment price"),
    ("lease without payment", edit("offers[0].financing", {"kind": "lease", "term_years": 3}),
     "offers[0].financing", "exactly one of 'payment_per_year' and 'rate_factor'"),
    ("lease with down payment", edit("offers[0].financing", {"kind": "lease", "term_years": 3,
                                                             "payment_per_year": 1, "down_payment": 5}),
     "offers[0].financing", "down_payment do not apply to lease"),
    ("unknown financing", edit("offers[0].financing", {"kind": "barter"}), "offers[0].financing.kind", "barter"),
    ("duplicate offers", edit("offers[1].id", "ours"), "", "duplicate offer ids: ours"),
    ("unknown baseline", edit("baseline", "nobody"), "", "baseline 'nobody' names no offer"),
    ("validity before date", edit("valid_until", "2026-01-01"), "", "valid_until 2026-01-01 is before as_of"),
    ("two wear-out products", edit("offers[1].equipment", [
        {"product": {"sku": "A", "name": "A", "list_price": 1, "currency": "EUR", "life_years": 5,
                     "failures": {"mtbf_hours": 100, "shape": 2}}},
        {"product": {"sku": "B", "name": "B", "list_price": 1, "currency": "EUR", "life_years": 5,
                     "failures": {"mtbf_hours": 100, "shape": 1.5}}}]),
     "offers[1].equipment", "only one product with a wear-out failure profile"),
    ("extra cost outside the study", edit("offers[0].extra_costs", [
        {"name": "x", "category": "operation", "amount": 1, "year": 11}]),
     "offers[0].extra_costs[0].year", "within 0..10"),
    ("extra cost unknown driver", edit("offers[0].extra_costs", [
        {"name": "x", "category": "operation", "amount": 1, "every_years": 1, "escalation": "steel"}]),
     "offers[0].extra_costs[0].escalation", "unknown escalation driver 'steel'"),
    ("extra cost unknown category", edit("offers[0].extra_costs", [
        {"name": "x", "category": "fun", "amount": 1, "year": 1}]),
     "offers[0].extra_costs[0].category", "'fun' is not one of"),
    ("bad assumption", edit("assumptions", {"discount_rate": -1.5}), "assumptions.discount_rate", "greater than"),
    ("unknown assumption", edit("assumptions", {"colour": 1}), "assumptions.colour", "unknown field"),
    ("bad locale", edit("locale", "German"), "locale", "pattern"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "path", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_request_input_names_the_field(
    catalog: Catalog, raw: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(TcoError) as err:
        price_quote(raw, catalog)
    lines = err.value.lines()
    prefix = f"{path}: " if path else ""
    assert any(line.startswith(prefix) and message in line for line in lines), lines


def test_an_unknown_sku_is_a_not_found_error_with_one_line(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as err:
        price_quote(edit(f"{ours_eq}.sku", "CMP-XX"), catalog)
    assert len(err.value.lines()) == 1


def test_a_required_assumption_missing_everywhere_is_named() -> None:
    with pytest.raises(TcoError) as err:
        price_quote(demo_request(), Catalog())
    lines = err.value.lines()
    assert (
        "assumptions.study_period_years: required: set it in the request's assumptions or the catalog's defaults"
        in lines
    )


def test_an_energy_product_needs_an_energy_price(catalog: Catalog) -> None:
    no_price = catalog.model_copy(
        update={"defaults": catalog.defaults.model_copy(update={"energy_price_per_kwh": None})}
    )
    with pytest.raises(TcoError) as err:
        price_quote(demo_request(), no_price)
    assert err.value.lines()[0].startswith(
        "assumptions.energy_price_per_kwh: required: offers[0].equipment[0]"
    )


def test_a_request_must_be_a_mapping(catalog: Catalog) -> None:
    with pytest.raises(TcoError, match="must be a mapping"):
        price_quote(["not", "a", "request"], catalog)


def test_an_inline_product_in_another_currency_needs_a_unit_price(catalog: Catalog) -> None:
    req = edit(f"{competitor_product}.currency", "USD")
    del req["offers"][1]["equipment"][0]["unit_price"]
    with pytest.raises(TcoError) as err:
        price_quote(req, catalog)
    assert err.value.lines() == [
        f"{competitor_product}.currency: USD differs from the quote's EUR; "
        "give 'unit_price' in the quote's currency"
    ]
