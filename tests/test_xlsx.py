"""The workbook without LibreOffice: structure, names, cached values, protection, safety."""

from __future__ import annotations

import html
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tco.core.results import evaluate
from tco.core.scenario import Scenario, load_scenario, parse_scenario
from tco.presenters.info import QuoteInfo
from tco.presenters.xlsx import name_part, render_workbook, write_workbook
from tco.quoting.builder import CoverageTerm

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def named(wb: Any, name: str) -> list[Any]:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    cells = wb[sheet][ref.replace("$", "")]
    if not isinstance(cells, tuple):
        return [cells]
    return [c for row in cells for c in row]


def workbook(sc: Scenario, *, data_only: bool, **kw: Any) -> Any:
    data = render_workbook(sc, evaluate(sc), **kw)
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


@pytest.fixture(scope="module")
def cnc() -> Scenario:
    return load_scenario(EXAMPLES / "cnc.yaml")


def simple(**assumptions: Any) -> Scenario:
    raw = {
        "assumptions": {"currency": "EUR", "study_period_years": 4, "discount_rate": 0.1}
        | assumptions,
        "baseline": "old",
        "offers": [
            {
                "id": "new-1.x",
                "costs": [
                    {"name": "Machine", "category": "acquisition", "amount": 1000, "year": 0},
                    {"name": "Service", "category": "service", "amount": 100, "every_years": 1},
                ],
            },
            {
                "id": "old",
                "costs": [
                    {"name": "Repairs", "category": "repair", "amount": 500, "every_years": 1}
                ],
            },
        ],
    }
    return parse_scenario(raw)


def test_sheets_in_order_one_per_offer(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=False)
    assert wb.sheetnames == [
        "Summary",
        "Assumptions",
        "ours",
        "competitor",
        "keep_old",
        "Comparison",
        "Method",
    ]


def test_german_locale_gives_german_labels(cnc: Scenario) -> None:
    for locale in ("de_DE", "de"):
        wb = workbook(cnc, data_only=False, locale=locale)
        assert wb.sheetnames[:2] == ["Übersicht", "Annahmen"]
        assert wb["Annahmen"]["A9"].value == "Kalkulationszinssatz"


def test_defined_names_point_at_inputs_and_results(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=True)
    (rate,) = named(wb, "discount_rate")
    assert rate.value == pytest.approx(0.06)
    assert named(wb, "inflation")[0].value == pytest.approx(0.02)
    assert named(wb, "escalation_labor")[0].value == pytest.approx(0.02)
    assert [c.value for c in named(wb, "escalation_energy")] == pytest.approx([0.04, 0.03, 0.02])
    for oid in ("ours", "competitor", "keep_old"):
        for key in ("lifetime_cost", "eac"):
            assert f"{key}_{oid}" in wb.defined_names
    assert "net_savings_ours" in wb.defined_names
    assert "net_savings_competitor" not in wb.defined_names  # the baseline


def test_escalation_names_refer_to_input_cells_years_after_a_list_hold_its_last_rate(
    cnc: Scenario,
) -> None:
    wb = workbook(cnc, data_only=False)
    energy = named(wb, "escalation_energy")
    assert all(c.protection.locked is False for c in energy)
    last = energy[-1]
    follower = last.parent.cell(row=last.row, column=last.column + 1)
    assert follower.value == f"={last.coordinate}"
    assert follower.protection.locked is True


def test_offer_ids_become_valid_distinct_names() -> None:
    assert name_part(["a-b", "a.b", "A_b", "ours"]) == ["a_b", "a_b_2", "A_b_3", "ours"]
    wb = workbook(simple(), data_only=True)
    assert "lifetime_cost_new_1_x" in wb.defined_names
    assert "net_savings_new_1_x" in wb.defined_names


def test_cached_values_are_readable_without_recalculation(cnc: Scenario) -> None:
    result = evaluate(cnc)
    wb = workbook(cnc, data_only=True)
    for off in result.offers:
        (lcc,) = named(wb, f"lifetime_cost_{off.id}")
        assert lcc.value == pytest.approx(off.lifetime_cost, abs=0.005)
        (eac,) = named(wb, f"eac_{off.id}")
        assert eac.value == pytest.approx(off.equivalent_annual_cost, abs=0.005)
    for oid, comp in result.comparison.offers.items():
        (ns,) = named(wb, f"net_savings_{oid}")
        assert ns.value == pytest.approx(comp.net_savings, abs=0.005)
    formulas = openpyxl.load_workbook(io.BytesIO(render_workbook(cnc, result)))
    empty = [
        f"{ws.title}!{c.coordinate}"
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and c.value.startswith("=")
        and wb[ws.title][c.coordinate].value is None
    ]
    # empty text on purpose: the recommended mark of the other offers, the years in which
    # savings do not turn negative again or recover (and the summary's copies of them)
    blank = {x for x in empty if '""' in formulas[x.split("!")[0]][x.split("!")[1]].value}
    copies = {
        x
        for x in empty
        if formulas[x.split("!")[0]][x.split("!")[1]].value.replace("$", "").lstrip("=")
        in {"'" + b.replace("!", "'!") for b in blank}
    }
    keep_old = [
        f"{c.parent.title}!{c.coordinate}"
        for key in ("savings_negative_again", "savings_recovered")
        for c in named(formulas, f"{key}_keep_old")
    ]
    assert set(keep_old) < blank
    assert len(blank) == 4  # and the recommended marks of the two other offers
    empty = [x for x in empty if x not in blank | copies]
    assert empty == []


def test_pandas_sees_numbers_on_the_summary(cnc: Scenario) -> None:
    result = evaluate(cnc)
    data = render_workbook(cnc, result)
    frame = pd.read_excel(io.BytesIO(data), sheet_name="Summary", header=None)
    labels = frame[0].astype(str).tolist()
    row = frame.iloc[labels.index("Lifetime cost (present value)")]
    assert [float(x) for x in row[1:4]] == pytest.approx(
        [o.lifetime_cost for o in result.offers], abs=0.005
    )


def test_hand_computed_small_case() -> None:
    """1000 now, 100 a year for 4 years at 10 %, against 500 a year: textbook values."""
    annuity = sum(1.1**-t for t in range(1, 5))  # 3.169865...
    wb = workbook(simple(), data_only=True)
    assert named(wb, "lifetime_cost_new_1_x")[0].value == pytest.approx(
        1000 + 100 * annuity, abs=0.005
    )
    assert named(wb, "lifetime_cost_old")[0].value == pytest.approx(500 * annuity, abs=0.005)
    assert named(wb, "net_savings_new_1_x")[0].value == pytest.approx(
        400 * annuity - 1000, abs=0.005
    )
    # mid-year: recurring amounts at t - 0.5
    mid = workbook(simple(timing="mid_year"), data_only=True)
    assert named(mid, "lifetime_cost_old")[0].value == pytest.approx(
        500 * annuity * 1.1**0.5, abs=0.005
    )


def test_offer_cash_flows_are_formulas_of_amount_schedule_and_escalation(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=False)
    ws = wb["ours"]
    flows = named(wb, "cash_flow_nominal_ours")
    assert all(isinstance(c.value, str) and c.value.startswith("=") for c in flows)
    electricity = next(r for r in ws.iter_rows() if r[0].value == "Electricity")
    year3 = electricity[10 + 3].value
    assert "$D" in year3
    assert "Assumptions" in year3
    assert electricity[3].protection.locked is False  # the base amount is an input
    (lcc,) = named(wb, "lifetime_cost_ours")
    assert lcc.value.startswith("=")
    (eac,) = named(wb, "eac_ours")
    assert "PMT(discount_rate" in eac.value


def test_sheets_are_protected_without_password_inputs_unlocked_and_marked(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=False)
    for ws in wb.worksheets:
        assert ws.protection.sheet is True
        assert not ws.protection.password
    (rate,) = named(wb, "discount_rate")
    assert rate.protection.locked is False
    assert rate.fill.fgColor.rgb.endswith("FFF2CC")
    (lcc,) = named(wb, "lifetime_cost_ours")
    assert lcc.protection.locked is True


def test_formula_like_text_is_written_as_text() -> None:
    sc = load_scenario(EXAMPLES / "compressor.yaml")
    raw = sc.model_dump(mode="json")
    tricky = ["=1+1", "+49 30", "-x", "@SUM(A1)", '=HYPERLINK("http://x")']
    for line, text in zip(raw["offers"][0]["costs"], tricky, strict=False):
        line["name"] = text
    raw["offers"][1]["name"] = "=cmd|' /C calc'!A0"
    sc = parse_scenario(raw)
    data = render_workbook(sc, evaluate(sc), info=QuoteInfo(customer="=1+1", seller="-Seller"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    for text in [*tricky, "=cmd|' /C calc'!A0", "-Seller"]:
        assert text in cells
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>1+1</f>" not in xml
    assert b"<f>cmd" not in xml


def test_presentation_print_setup_frozen_panes_and_charts(cnc: Scenario) -> None:
    data = render_workbook(cnc, evaluate(cnc))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert "&P" in ws.oddFooter.right.text
        assert "&N" in ws.oddFooter.right.text
    summary, method = wb["Summary"], wb["Method"]
    assert summary.sheet_properties.pageSetUpPr.fitToPage is True
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 1)
    assert method.sheet_properties.pageSetUpPr.fitToPage is True
    assert method.page_setup.fitToWidth == 1
    # the wide sheets print their years across pages at a readable scale, with the labels
    # and the header rows repeated on every page
    for title in ("Assumptions", "ours", "competitor", "keep_old", "Comparison"):
        ws = wb[title]
        assert ws.sheet_properties.pageSetUpPr.fitToPage is False
        assert 60 <= int(ws.page_setup.scale) <= 100
        assert ws.print_title_cols == ("$A:$B" if title == "Comparison" else "$A:$A")
    assert wb["ours"].print_title_rows == "$1:$5"
    assert wb["Comparison"].print_title_rows == "$1:$2"
    assert wb["ours"].freeze_panes is not None
    assert '"EUR"' in named(wb, "lifetime_cost_ours")[0].number_format
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any(b"<lineChart>" in c for c in charts)
    assert any(b"<barChart>" in c and b'<grouping val="stacked"' in c for c in charts)


def test_the_buyer_may_format_and_resize_columns_rows_and_cells(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=False)
    for ws in wb.worksheets:
        assert ws.protection.sheet is True
        # in OOXML a true flag locks the action: false allows it under protection
        assert ws.protection.formatColumns is False
        assert ws.protection.formatRows is False
        assert ws.protection.formatCells is False
        assert ws.protection.insertRows is True  # the structure stays fixed
        assert ws.protection.deleteColumns is True


def _chart_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")
        }


def test_charts_use_compact_axes_the_document_palette_and_years_0_to_n(cnc: Scenario) -> None:
    from tco.core.scenario import CATEGORIES
    from tco.presenters.document import CATEGORY_COLORS, OFFER_COLORS

    result = evaluate(cnc)
    charts = _chart_xml(render_workbook(cnc, result))
    (bar,) = [c for c in charts.values() if "<barChart>" in c]
    (line,) = [c for c in charts.values() if "<lineChart>" in c]
    for chart in (bar, line):
        formats = re.findall(r'<numFmt formatCode="([^"]*)"', chart)
        assert "#,##0" in formats
        assert not any("EUR" in f or "0.00" in f for f in formats)
        assert "Present value (EUR)" in chart  # the currency is in the axis title
    # every category with a cost, in the quote document's colour for it, in category order
    used = [c for c in CATEGORIES if any(abs(o.by_category[c.value]) > 0 for o in result.offers)]
    fills = re.findall(r'<ser>.*?<spPr><a:solidFill><a:srgbClr val="(\w{6})"', bar)
    assert fills == [CATEGORY_COLORS[c].lstrip("#").upper() for c in used]
    lines = re.findall(r'<ser>.*?<spPr><a:ln w="\d+"><a:solidFill><a:srgbClr val="(\w{6})"', line)
    assert lines == [x.lstrip("#").upper() for x in OFFER_COLORS[:3]]
    # the cumulative chart's categories are the 21 years 0..20 of an offer sheet's header
    (cat,) = set(re.findall(r"<cat><numRef><f>([^<]*)</f>", line))
    assert cat == "'ours'!$K$5:$AE$5"
    assert '<crossBetween val="midCat"' in line


def test_offer_names_that_look_like_formulas_stay_text_in_cells_and_chart_legends() -> None:
    sc = load_scenario(EXAMPLES / "compressor.yaml")
    raw = sc.model_dump(mode="json")
    names = ["=SUM(A1:A3)", "+49 line", "-minus\x07 bell"]
    for off, name in zip(raw["offers"], names, strict=True):
        off["name"] = name
    raw["offers"][0]["costs"][0]["name"] = "\x1b[31m=2+2"
    sc = parse_scenario(raw)
    data = render_workbook(sc, evaluate(sc))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    shown = ["=SUM(A1:A3)", "+49 line", "-minus bell"]  # control characters cleaned at input
    summary = wb["Summary"]
    header = next(r for r in summary.iter_rows() if r[0].value == "Measure")
    assert [c.value for c in header[1:4]] == shown
    for c in header[1:4]:
        assert c.data_type == "s"
        assert c.quotePrefix is True
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "[31m=2+2" in texts  # the escape character never reaches the workbook
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>SUM(A1:A3)</f>" not in xml
    # the legend names the lines by a reference to the Summary's header cells (text), with the
    # names cached as text: never a formula of their own
    (line,) = [c for c in _chart_xml(data).values() if "<lineChart>" in c]
    titles = re.findall(r"<tx><strRef><f>([^<]*)</f><strCache>.*?<v>([^<]*)</v>", line)
    titles = [(f, html.unescape(v)) for f, v in titles]
    assert [v for _, v in titles] == shown
    assert [f for f, _ in titles] == [f"'Summary'!${c}${header[0].row}" for c in "BCD"]
    assert "<tx><v>" not in line


def validation_of(cell: Any) -> Any:
    """The data validation that covers a cell (None where there is none)."""
    for dv in cell.parent.data_validations.dataValidation:
        if cell.coordinate in dv.sqref:
            return dv
    return None


def accepts(cell: Any, value: float) -> bool:
    """Whether the cell's data validation lets ``value`` in (the rule kinds of the workbook:
    decimal between / at least, and AND(ISNUMBER(x),x>a,x<=b))."""
    dv = validation_of(cell)
    if dv.type == "decimal":
        low = float(dv.formula1)
        if dv.operator == "greaterThanOrEqual":
            return value >= low
        assert dv.operator == "between"
        return low <= value <= float(dv.formula2)
    assert dv.type == "custom"
    x = cell.coordinate
    m = re.fullmatch(rf"AND\(ISNUMBER\({x}\),{x}>(-?[\d.]+),{x}<=(-?[\d.]+)\)", dv.formula1)
    assert m is not None, dv.formula1
    return float(m[1]) < value <= float(m[2])


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_input_cell_has_the_contract_limits_as_data_validation(
    pump: Scenario, locale: str
) -> None:
    wb = workbook(pump, data_only=False, locale=locale)
    inputs = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.protection.locked is False
    ]
    assert len(inputs) > 50
    hint = "Enter" if locale == "en" else "Geben Sie"
    for c in inputs:
        dv = validation_of(c)
        assert dv is not None, f"{c.parent.title}!{c.coordinate} has no validation"
        assert dv.showErrorMessage
        assert dv.errorStyle == "stop"
        assert not dv.allow_blank
        assert dv.error.startswith(hint)
        assert dv.errorTitle
        if isinstance(c.value, int | float):
            assert accepts(c, float(c.value)), f"{c.coordinate}: its own value is refused"

    def limits(cells: list[Any], ok: list[float], refused: list[float]) -> None:
        for c in cells:
            assert [accepts(c, x) for x in ok] == [True] * len(ok), c.coordinate
            assert [accepts(c, x) for x in refused] == [False] * len(refused), c.coordinate

    # rates: above -100 % and at most 1,000 % (docs/scenario.md); 7000 % (70) is refused
    rates = [*named(wb, "discount_rate"), *named(wb, "inflation"), *named(wb, "escalation_energy")]
    limits(rates, [0.07, -0.99, 10.0], [-1.0, -1.5, 10.01, 70.0])
    limits(named(wb, "operating_hours_per_year"), [0.0, 8784.0], [-1.0, 9000.0])
    limits(named(wb, "downtime_cost_per_hour"), [0.0, 400.0], [-1.0])
    limits(named(wb, "covered_fraction_ours"), [0.0, 0.4, 1.0], [1.2, -0.1])
    limits(named(wb, "downtime_hours_ours"), [0.0, 1000.0], [-1.0])
    limits(named(wb, "order_cost_ours"), [0.0, 350.0], [-1.0, 2e12])
    ws = wb["ours"]
    mtbf = ws.cell(offer_row(ws, "MTBF (scale)" if locale == "en" else "MTBF (Skala)"), 4)
    limits([mtbf], [1.0, 15000.0], [0.5, -1.0])
    limits([ws.cell(mtbf.row + 1, 4)], [0.5, 2.5, 20.0], [0.0, 21.0])  # shape
    amount = ws.cell(_first(ws, "Installation and commissioning"), 4)  # its cash-flow row
    assert amount.protection.locked is False
    limits([amount], [-5000.0, 0.0, 1e12], [2e12, -2e12])  # a credit is an amount too


def test_write_workbook_writes_the_file(tmp_path: Path, cnc: Scenario) -> None:
    out = tmp_path / "quote.xlsx"
    write_workbook(out, cnc, evaluate(cnc), locale="en", info=None)
    wb = openpyxl.load_workbook(out, data_only=True)
    assert "lifetime_cost_ours" in wb.defined_names
    assert list(tmp_path.iterdir()) == [out]


def test_an_unknown_locale_is_refused_like_the_document(cnc: Scenario) -> None:
    from tco.core.errors import TcoError

    with pytest.raises(TcoError, match="locale"):
        workbook(cnc, data_only=False, locale="xx_YY")


# ---- contract version 2: coverage terms per year, paybacks, the quote's coverage


@pytest.fixture(scope="module")
def pump() -> Scenario:
    return load_scenario(EXAMPLES / "pump.yaml")


def offer_row(ws: Any, label: str) -> int:
    (row,) = [c.row for c in ws["A"] if c.value == label]
    return int(row)


def test_coverage_terms_are_per_year_inputs_that_the_failure_formulas_read(pump: Scenario) -> None:
    wb = workbook(pump, data_only=False)
    ws = wb["ours"]
    covered = named(wb, "covered_fraction_ours")
    downtime = named(wb, "downtime_hours_ours")
    orders = named(wb, "order_cost_ours")
    n = pump.assumptions.study_period_years
    ours = pump.offers[0].failures
    assert ours is not None
    for cells, k in ((covered, 0), (downtime, 1), (orders, 2)):
        assert [c.column for c in cells] == list(range(12, 12 + n))  # years 1..N
        assert [c.value for c in cells] == pytest.approx(
            [float(ours.terms_in(t)[k]) for t in range(1, n + 1)]
        )
        assert all(c.protection.locked is False for c in cells)
    assert [c.value for c in covered[:6]] == [1.0] * 5 + [0.0]
    assert [c.value for c in downtime[:6]] == [12.0] * 5 + [30.0]
    names = ws[offer_row(ws, "Warranty or plan period")]
    assert [names[11 + t - 1].value for t in range(1, 7)] == [
        "Warranty + FullCare",
        "Warranty + FullCare",
        "FullCare",
        "FullCare",
        "FullCare",
        None,
    ]
    repairs = ws[_first(ws, "Expected repairs")]
    down = ws[_first(ws, "Expected downtime")]
    order = ws[_first(ws, "Expected repair orders")]
    for t in range(1, n + 1):
        c = covered[t - 1]
        assert f"{c.column_letter}${c.row}" in repairs[10 + t].value
        d = downtime[t - 1]
        assert f"{d.column_letter}${d.row}" in down[10 + t].value
        o = orders[t - 1]
        assert f"{o.column_letter}${o.row}" in order[10 + t].value


def _first(ws: Any, label: str) -> int:
    """The cash-flow row of a label that also has a present-value row below it."""
    return min(c.row for c in ws["A"] if c.value == label)


def test_without_periods_every_year_holds_the_failure_model_terms(cnc: Scenario) -> None:
    wb = workbook(cnc, data_only=False)
    assert [c.value for c in named(wb, "covered_fraction_ours")] == [0.8] * 20
    assert [c.value for c in named(wb, "downtime_hours_keep_old")] == [24] * 20
    assert "order_cost_ours" not in wb.defined_names  # no repair orders to cost
    texts = {c.value for row in wb["ours"].iter_rows() for c in row}
    assert "Warranty or plan period" not in texts


def test_paybacks_are_a_dash_without_added_investment_and_reversals_are_named(
    cnc: Scenario,
) -> None:
    wb = workbook(cnc, data_only=True)
    value = {key: named(wb, key)[0].value for key in wb.defined_names}
    assert value["discounted_payback_ours"] == 8
    assert value["savings_negative_again_ours"] == 10
    assert value["savings_recovered_ours"] == 13
    assert value["simple_payback_keep_old"] == value["discounted_payback_keep_old"] == "\u2013"
    assert value["savings_negative_again_keep_old"] is None  # blank
    formulas = workbook(cnc, data_only=False)
    (dpb,) = named(formulas, "discounted_payback_keep_old")
    assert dpb.value.startswith("=IF(G")  # live: reads the added investment
    assert '"\u2013"' in dpb.value
    for key in ("savings_negative_again", "savings_recovered"):
        (cell,) = named(formulas, f"{key}_ours")
        assert cell.value.startswith("=IFERROR(MATCH(1,")
    summary = formulas["Summary"]
    labels = [c.value for c in summary["A"]]
    assert "Dearer again from year" in labels
    assert "Cheaper again from year" in labels
    german = workbook(cnc, data_only=False, locale="de")
    labels = [c.value for c in german["Übersicht"]["A"]]
    assert "Wieder teurer ab Jahr" in labels
    assert "Wieder günstiger ab Jahr" in labels


COVERAGE = (
    CoverageTerm(
        offer_id="ours",
        kind="warranty",
        name="Manufacturer's warranty",
        from_year=1,
        until_year=2,
        repair_covered=1.0,
    ),
    CoverageTerm(
        offer_id="ours",
        kind="service_plan",
        name="FullCare",
        code="FC-5",
        renewal=1,
        from_year=3,
        until_year=5,
        repair_covered=0.9,
        maintenance_covered=1.0,
        response_hours=8,
        downtime_hours=12,
        uptime_promise=0.985,
        annual_fee=Decimal("2900"),
    ),
)


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        (
            "en",
            ["Warranty and service plan", "Warranty", "Service plan", "Renewal (0 = first term)"],
        ),
        (
            "de",
            [
                "Garantie und Servicevertrag",
                "Garantie",
                "Servicevertrag",
                "Jahresgebühr (Basisjahr)",
            ],
        ),
    ],
)
def test_the_quote_coverage_terms_are_stated_on_the_offer_sheet(
    pump: Scenario, locale: str, words: list[str]
) -> None:
    wb = workbook(pump, data_only=False, locale=locale, info=QuoteInfo(coverage=COVERAGE))
    ws = wb["ours"]
    rows = {r[0].value: [c.value for c in r[:11]] for r in ws.iter_rows() if r[0].value is not None}
    assert rows["Manufacturer's warranty"][1:] == [
        words[1],
        0,
        "\u2013",
        1,
        2,
        1.0,
        0.0,
        "\u2013",
        "\u2013",
        "\u2013",
    ]
    assert rows["FullCare (FC-5)"][1:] == [words[2], 1, 2900.0, 3, 5, 0.9, 1.0, 8, 12, 0.985]
    texts = {c.value for row in ws.iter_rows() for c in row}
    assert words[0] in texts
    assert words[3] in texts
    other = {c.value for row in wb["competitor"].iter_rows() for c in row}
    assert words[0] not in other  # the competitor's quote states no terms


@pytest.mark.parametrize(
    ("locale", "note"),
    [
        ("en", "The buyer's own procurement effort (purchase and repair orders) is not counted"),
        ("de", "Der eigene Beschaffungsaufwand des Käufers"),
    ],
)
def test_a_note_says_when_the_buyer_effort_is_not_counted(
    pump: Scenario, locale: str, note: str
) -> None:
    def notes(counted: bool) -> list[str]:
        info = QuoteInfo(coverage=COVERAGE, buyer_effort_counted=counted)
        wb = workbook(pump, data_only=False, locale=locale, info=info)
        return [
            c.value
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith(note)
        ]

    assert len(notes(False)) == 1
    assert notes(True) == []
    plain = workbook(pump, data_only=False, locale=locale)  # no quote: nothing to say
    assert not any(
        isinstance(c.value, str) and c.value.startswith(note)
        for ws in plain.worksheets
        for row in ws.iter_rows()
        for c in row
    )
