"""Repair orders: the buyer's cost of handling one repair order, per expected failure.

Hand-computed cases for the failure model's ``order_cost`` (booked as ``transaction``), and the
same numbers in the workbook (formulas, recalculated by LibreOffice) and the quote document.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tco.core.engine import category_cash_flows, compile_batch
from tco.core.results import evaluate
from tco.core.scenario import CATEGORIES, Category, parse_scenario
from tco.presenters.document import render_html
from tco.presenters.xlsx import render_workbook
from tests.libreoffice import available, recalculate
from tests.test_xlsx_parity import assert_matches_engine

TRANSACTION = CATEGORIES.index(Category.transaction)


def orders_scenario(**failures: Any) -> dict[str, Any]:
    """Five years at 5 %, 2000 operating hours and an MTBF of 4000: 0.5 failures a year."""
    return {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 5,
            "discount_rate": 0.05,
            "escalation": {"labor": 0.03},
            "operating_hours_per_year": 2000,
            "downtime_cost_per_hour": 100,
        },
        "offers": [
            {
                "id": "a",
                "costs": [
                    {"name": "Machine", "category": "acquisition", "amount": 1000, "year": 0}
                ],
                "failures": {"mtbf_hours": 4000, **failures},
            }
        ],
    }


def lines(raw: dict[str, Any]) -> dict[str, tuple[str, float]]:
    (offer,) = evaluate(parse_scenario(raw)).offers
    return {x.source: (x.category.value, x.present_value) for x in offer.lines}


def test_half_a_failure_a_year_at_200_per_order_is_an_annuity_of_100() -> None:
    offer = evaluate(parse_scenario(orders_scenario(order_cost=200))).offers[0]
    want = 100 * (1 - 1.05**-5) / 0.05  # 432.95
    orders = [x for x in offer.lines if x.source == "failures.orders"]
    assert [(x.name, x.category.value) for x in orders] == [
        ("Expected repair orders", "transaction")
    ]
    assert orders[0].present_value == pytest.approx(want, abs=1e-9)
    assert offer.by_category["transaction"] == pytest.approx(want, abs=1e-9)
    assert offer.lifetime_cost == pytest.approx(1000 + want, abs=1e-9)
    assert offer.cash_flows.nominal[1:] == pytest.approx([100.0] * 5, abs=1e-9)


def test_orders_follow_their_driver_and_mid_year_timing() -> None:
    raw = orders_scenario(order_cost=200, order_escalation="labor")
    raw["assumptions"]["timing"] = "mid_year"
    want = sum(100 * 1.03**t * 1.05 ** -(t - 0.5) for t in range(1, 6))
    assert lines(raw)["failures.orders"] == ("transaction", pytest.approx(want, abs=1e-9))


def test_orders_of_a_wearing_out_machine_follow_its_expected_failures() -> None:
    raw = orders_scenario(order_cost=200, shape=2.0)
    # H(t) = (t x 2000 / 4000)^2 = t^2 / 4: 0.25, 0.75, 1.25, 1.75, 2.25 failures in years 1..5
    want = sum(200 * (2 * t - 1) / 4 * 1.05**-t for t in range(1, 6))
    assert lines(raw)["failures.orders"] == ("transaction", pytest.approx(want, abs=1e-9))


def test_orders_come_after_repairs_and_downtime_and_only_when_they_cost_something() -> None:
    with_orders = list(lines(orders_scenario(order_cost=200, repair_cost=50, downtime_hours=1)))
    assert with_orders[-3:] == ["failures.repair", "failures.downtime", "failures.orders"]
    without = list(lines(orders_scenario(order_cost=0, repair_cost=50, downtime_hours=1)))
    assert without[-2:] == ["failures.repair", "failures.downtime"]
    assert "failures.orders" not in without


def test_orders_are_not_covered_by_the_service_plan() -> None:
    raw = orders_scenario(order_cost=200, repair_cost=500, covered_fraction=1.0)
    got = lines(raw)
    assert got["failures.repair"] == ("repair", 0.0)
    assert got["failures.orders"][1] == pytest.approx(100 * (1 - 1.05**-5) / 0.05, abs=1e-9)


def test_the_category_array_and_the_batch_path_agree() -> None:
    raw = orders_scenario(order_cost=200, order_escalation="labor", shape=1.5)
    raw["assumptions"]["timing"] = "mid_year"
    sc = parse_scenario(raw)
    _, present = category_cash_flows(compile_batch([sc]))
    (offer,) = evaluate(sc).offers
    assert present[0, TRANSACTION].sum() == pytest.approx(offer.by_category["transaction"])
    assert present[0].sum() == pytest.approx(offer.lifetime_cost)


def test_the_workbook_writes_the_orders_row_as_a_formula() -> None:
    sc = parse_scenario(orders_scenario(order_cost=200, order_escalation="labor"))
    result = evaluate(sc)
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(sc, result)))
    ws = next(w for w in wb.worksheets if any(c.value == "Expected repair orders" for c in w["A"]))
    rows = [c.row for c in ws["A"] if c.value == "Expected repair orders"]
    assert len(rows) == 2  # cash flow and present value
    r = rows[0]
    assert ws.cell(r, 2).value == "transaction"
    assert ws.cell(r, 3).value == "labor"
    # year t reads year t's cost per repair order, an input cell of its own
    ((_, ref),) = list(wb.defined_names["order_cost_a"].destinations)
    inputs = ws[ref.replace("$", "")][0]
    assert [c.value for c in inputs] == [200] * 5
    assert all(c.protection.locked is False for c in inputs)
    for t, cell in enumerate(inputs, start=1):
        assert f"{cell.column_letter}${cell.row}" in str(ws.cell(r, 11 + t).value)
    values = openpyxl.load_workbook(io.BytesIO(render_workbook(sc, result)), data_only=True)
    cached = [c.value for c in values[ws.title][rows[1]]]
    (offer,) = result.offers
    want = next(x.present_value for x in offer.lines if x.source == "failures.orders")
    assert any(isinstance(v, float) and math.isclose(v, want, abs_tol=1e-6) for v in cached)


def test_the_german_workbook_and_document_name_the_orders() -> None:
    sc = parse_scenario(orders_scenario(order_cost=200))
    result = evaluate(sc)
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(sc, result, locale="de")))
    texts = {c.value for w in wb.worksheets for row in w.iter_rows() for c in row}
    assert "Erwartete Reparaturaufträge" in texts
    assert "Erwartete Reparaturaufträge" in render_html(sc, result, locale="de")
    assert "Expected repair orders" in render_html(sc, result, locale="en")


@pytest.mark.libreoffice
@pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed")
def test_the_recalculated_workbook_matches_the_engine(tmp_path: Path) -> None:
    raw = orders_scenario(
        order_cost=200, order_escalation="labor", shape=1.7, repair_cost=300, downtime_hours=2
    )
    raw["assumptions"]["timing"] = "mid_year"
    raw["assumptions"]["rate_basis"] = "nominal"
    raw["assumptions"]["inflation"] = 0.02
    raw["offers"].append(
        {
            "id": "b",
            "costs": [{"name": "Machine", "category": "acquisition", "amount": 800, "year": 0}],
            "failures": {"mtbf_hours": 3000, "order_cost": 150.5},
        }
    )
    sc = parse_scenario(raw)
    result = evaluate(sc)
    src = tmp_path / "orders.xlsx"
    src.write_bytes(render_workbook(sc, result))
    (out,) = recalculate([src], tmp_path / "out")
    wb = openpyxl.load_workbook(out, data_only=True)
    assert assert_matches_engine(wb, sc, result) <= 0.005
