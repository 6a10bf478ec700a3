"""The workbook's Risk sheet for a scenario with an ``uncertainty`` section.

Without LibreOffice: the sheet holds the block's figures (compared with the result's, each side
rounded on its own), the tornado chart, the input cells (named ``risk_<name>``, unlocked,
validated) and the formulas that read them; with the cells at their defaults every other sheet
holds what it holds without the section; without the section there is no Risk sheet and nothing
else changes; numbers fit their columns; a German workbook has no English label on the sheet.

With LibreOffice (marker ``libreoffice``, one soffice call): the workbook recalculates to the
engine's figures with the cells at their defaults; typing the switching value of a factor on
the energy lines, or of a value on the discount rate, into the named cell makes the key offer's
net savings 0; typing other values into every input's cell gives the engine's lifetime costs
for those values (:class:`tco.core.simulation.Replicas`, the copies the simulation evaluates).
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import yaml

from bench.uncertainty import UNCERTAINTY
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, parse_scenario
from tco.core.simulation import Replicas
from tco.core.uncertainty import resolve
from tco.presenters import i18n
from tco.presenters.xlsx import name_part, render_workbook
from tco.presenters.xlsx_labels import RISK_MSGIDS
from tests.libreoffice import available, recalculate
from tests.test_xlsx_layout import layout_problems

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEETS = ["Summary", "Assumptions", "ours", "competitor", "keep_old", "Comparison"]
MONEY_TOL = 0.005
#: The key offer's net savings at a switching value, relative to its base lifetime cost.
SWITCH_TOL = 1e-6

TRIANGULAR = {"distribution": "triangular", "low": 0.8, "mode": 1.0, "high": 1.4}
#: The five inputs of bench/uncertainty.py on the CNC example (fewer draws).
FIVE_INPUTS: dict[str, Any] = {**UNCERTAINTY, "draws": 2000}


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    out: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return out


def uniform(low: float, high: float) -> dict[str, Any]:
    return {"distribution": "uniform", "low": low, "high": high}


def with_section(name: str, section: dict[str, Any], change: Any = None) -> Scenario:
    data = example(name)
    if change is not None:
        change(data)
    return parse_scenario({**data, "uncertainty": section})


def switching_cnc() -> Scenario:
    """CNC with our machine using more electricity (12,500 a year): higher prices or a higher
    rate turn its net savings; a factor on every energy line and a value on the discount rate."""

    def more_energy(data: dict[str, Any]) -> None:
        (line,) = [x for x in data["offers"][0]["costs"] if x["category"] == "energy"]
        line["amount"] = 12500

    inputs = [
        {
            "name": "Electricity price",
            "applies_to": [{"category": "energy"}],
            "factor": {"distribution": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0},
        },
        {
            "name": "Discount rate",
            "applies_to": [{"field": "assumptions.discount_rate"}],
            "value": uniform(0.0, 0.2),
        },
    ]
    return with_section("cnc", {"draws": 200, "seed": 3, "inputs": inputs}, more_energy)


def every_kind_pump() -> Scenario:
    """pump.yaml (coverage periods) with inputs on every kind of target: stacked factors on a
    line, downtime hours (periods with and without their own), a repair cost in periods, a
    value on one line's amount and on lines of different amounts (blank cell), on a failure
    field of two offers with a common value, on a driver given one rate, on the downtime cost."""
    inputs = [
        ("Energy price", [{"category": "energy"}], "factor", uniform(0.7, 1.5)),
        ("Our energy use", [{"offer": "ours", "line": "Electricity"}], "factor", uniform(0.9, 1.2)),
        ("Downtime hours", [{"field": "failures.downtime_hours"}], "factor", uniform(0.5, 1.5)),
        ("Our repairs", [{"offer": "ours", "field": "failures.repair_cost"}], "factor", TRIANGULAR),
        (
            "Their repair cost",
            [{"offer": "competitor", "field": "failures.repair_cost"}],
            "value",
            uniform(2000, 5000),
        ),
        ("Shape", [{"field": "failures.shape"}], "value", uniform(0.8, 2.0)),
        ("Installation", [{"category": "installation"}], "value", uniform(3000, 6000)),
        ("Pump price", [{"category": "acquisition"}], "value", uniform(30000, 40000)),
        ("Labor", [{"field": "assumptions.escalation.labor"}], "value", uniform(0.0, 0.05)),
        ("Energy trend", [{"field": "assumptions.escalation.energy"}], "factor", TRIANGULAR),
        ("Hours", [{"field": "assumptions.operating_hours_per_year"}], "factor", uniform(0.8, 1.2)),
        (
            "Downtime cost",
            [{"field": "assumptions.downtime_cost_per_hour"}],
            "value",
            uniform(200, 600),
        ),
        (
            "Our MTBF",
            [{"offer": "ours", "field": "failures.mtbf_hours"}],
            "value",
            uniform(10000, 20000),
        ),
    ]
    section = {
        "draws": 100,
        "inputs": [
            {"name": name, "applies_to": sel, kind: dist} for name, sel, kind, dist in inputs
        ],
    }
    return with_section("pump", section)


def every_kind_cnc() -> Scenario:
    """CNC (a driver given a list of rates, residual values) with a value on the listed driver
    (blank cell), a factor on the discount rate, on a driver given one rate, on lines with
    residual values and on the year-0 price, and a value on one line's amount."""
    inputs = [
        ("Energy trend", [{"field": "assumptions.escalation.energy"}], "value", uniform(0, 0.05)),
        ("Rate factor", [{"field": "assumptions.discount_rate"}], "factor", uniform(0.5, 1.5)),
        ("Parts", [{"field": "assumptions.escalation.parts"}], "factor", uniform(0.0, 3.0)),
        ("Downtime cost", [{"field": "assumptions.downtime_cost_per_hour"}], "factor", TRIANGULAR),
        (
            "Our investment",
            [
                {"offer": "ours", "category": "acquisition"},
                {"offer": "ours", "category": "replacement"},
            ],
            "factor",
            uniform(0.8, 1.2),
        ),
        ("Plan fee", [{"offer": "ours", "category": "service"}], "value", uniform(10000, 20000)),
        ("Wear", [{"offer": "keep_old", "field": "failures.shape"}], "factor", uniform(0.9, 1.3)),
    ]
    section = {
        "draws": 100,
        "inputs": [
            {"name": name, "applies_to": sel, kind: dist} for name, sel, kind, dist in inputs
        ],
    }
    return with_section("cnc", section)


@dataclass
class Book:
    scenario: Scenario
    result: ScenarioResult

    def data(self, locale: str = "en") -> bytes:
        return render_workbook(self.scenario, self.result, locale=locale)

    def load(self, *, data_only: bool = True, locale: str = "en") -> Any:
        return openpyxl.load_workbook(io.BytesIO(self.data(locale)), data_only=data_only)


@pytest.fixture(scope="module")
def five() -> Book:
    sc = with_section("cnc", FIVE_INPUTS)
    return Book(sc, evaluate(sc))


@pytest.fixture(scope="module")
def plain() -> Book:
    sc = parse_scenario(example("cnc"))
    return Book(sc, evaluate(sc))


# ---- reading the sheet


def rows_after(ws: Any, title: str) -> list[list[Any]]:
    """The rows of the table under the section ``title`` (its header first; a note between
    them skipped), up to the first row whose first cell is empty or a note."""
    found = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == title]
    assert found, f"no section {title!r}"
    out: list[list[Any]] = []
    for r in range(found[0] + 1, ws.max_row + 1):
        first = ws.cell(r, 1)
        if first.font.i and not out:
            continue
        if first.value is None or first.font.i:
            break
        out.append([ws.cell(r, c).value for c in range(1, ws.max_column + 1)])
    return out


def cents(x: float) -> float:
    return round(x, 2)


def named_cell(wb: Any, name: str) -> Any:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def risk_name(input_name: str, scenario: Scenario) -> str:
    assert scenario.uncertainty is not None
    names = [i.name for i in scenario.uncertainty.inputs]
    return "risk_" + name_part(names)[names.index(input_name)]


# ---- the sheet


def test_the_risk_sheet_follows_the_comparison_and_says_where_its_figures_come_from(
    five: Book,
) -> None:
    wb = five.load()
    assert wb.sheetnames == [*SHEETS, "Risk", "Method"]
    ws = wb["Risk"]
    caption = ws["A2"].value
    assert "2,000 simulated futures" in caption
    assert "Latin hypercube sampling" in caption
    assert "seed 7" in caption
    assert "values, not formulas" in caption
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.page_setup.orientation == "landscape"
    assert ws.protection.sheet is True


def test_the_inputs_table_gives_each_input_its_distribution_quantiles_and_cell(five: Book) -> None:
    sc = five.scenario
    assert sc.uncertainty is not None
    wb = five.load()
    rows = rows_after(wb["Risk"], "Uncertain inputs")
    assert rows[0][:9] == [
        "Input",
        "P10",
        "P50",
        "P90",
        "Value in this workbook",
        "Type into",
        "Kind",
        "Distribution",
        "Applies to",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert list(by_name) == [i.name for i in sc.uncertainty.inputs]
    for inp in sc.uncertainty.inputs:
        row = by_name[inp.name]
        got = [round(x, 9) for x in row[1:4]]
        assert got == [round(inp.distribution.quantile(p), 9) for p in (0.1, 0.5, 0.9)]
        assert row[6] == inp.kind
    energy = by_name["Electricity price"]
    assert energy[4] == 1
    assert energy[5] == "Risk!E6"
    assert energy[7] == "triangular from 0.8 to 1.4, mode 1"
    assert energy[8] == (
        "Base amount: Electricity (ours), Electricity (competitor), Electricity (keep_old)"
    )
    rate = by_name["Discount rate"]
    assert rate[4] == pytest.approx(0.06)  # the Assumptions sheet's cell, shown
    assert rate[5] == "Assumptions!B9"
    assert rate[7] == "uniform from 3\u00a0% to 9\u00a0%"
    assert by_name["Our MTBF"][8] == "MTBF (scale): ours"
    assert by_name["Downtime cost"][7] == "lognormal, median 1, sigma 0.3"


def test_the_ranges_and_chances_are_the_blocks(five: Book) -> None:
    u = five.result.uncertainty
    assert u is not None
    ws = five.load()["Risk"]
    titles = {o.id: o.name for o in five.scenario.offers}
    costs = rows_after(ws, "Lifetime cost over the simulated futures (present value)")
    assert costs[0][:5] == ["Offer", "P10", "P50", "P90", "Chance of the lowest cost"]
    assert [row[0] for row in costs[1:]] == list(titles.values())
    for oid, row in zip(titles, costs[1:], strict=True):
        spread = u.offers[oid].lifetime_cost
        assert [cents(x) for x in row[1:4]] == [
            cents(spread.p10),
            cents(spread.p50),
            cents(spread.p90),
        ]
        assert round(row[4], 6) == round(u.offers[oid].probability_lowest_cost, 6)
    savings = rows_after(
        ws, "Net savings against the baseline over the simulated futures (present value)"
    )
    assert savings[0][4] == "Chance of saving"
    assert [row[0] for row in savings[1:]] == [titles["ours"], titles["keep_old"]]
    for oid, row in zip(("ours", "keep_old"), savings[1:], strict=True):
        spread = u.comparison[oid].net_savings
        assert [cents(x) for x in row[1:4]] == [
            cents(spread.p10),
            cents(spread.p50),
            cents(spread.p90),
        ]
        assert round(row[4], 6) == round(u.comparison[oid].probability_saves, 6)


def test_switching_values_per_input_and_offer_none_in_range_where_there_is_none(
    five: Book,
) -> None:
    u = five.result.uncertainty
    assert u is not None
    ws = five.load()["Risk"]
    rows = rows_after(ws, "Switching values: where the offer's net savings would be 0")
    assert rows[0][:3] == ["Input", five.scenario.offers[0].name, five.scenario.offers[2].name]
    shown = {
        (row[0], oid): v
        for row in rows[1:]
        for oid, v in zip(("ours", "keep_old"), row[1:3], strict=True)
    }
    assert len(shown) == len(u.switching_values) == 10
    for s in u.switching_values:
        got = shown[(s.input, s.offer)]
        if s.value is None:
            assert got == "none in range"
        else:
            assert round(got, 9) == round(s.value, 9)
    assert any(s.value is not None for s in u.switching_values)


def test_the_sensitivity_is_sorted_by_swing_with_a_tornado_from_the_base_case(five: Book) -> None:
    u = five.result.uncertainty
    assert u is not None
    ws = five.load()["Risk"]
    title = "What moves the net savings of CNC machining center with Standard plan most"
    base, head, *table = rows_after(ws, title)
    assert base[0] == "Base case"
    assert cents(base[1]) == cents(five.result.comparison.offers["ours"].net_savings)
    assert head[:6] == [
        "Input",
        "Input at P10",
        "Input at P90",
        "Net savings at P10",
        "Net savings at P90",
        "Swing",
    ]
    assert [row[0] for row in table] == [s.input for s in u.sensitivity]
    for row, s in zip(table, u.sensitivity, strict=True):
        low, high = s.net_savings["ours"]
        assert [round(row[1], 9), round(row[2], 9)] == [round(s.low, 9), round(s.high, 9)]
        assert [cents(row[3]), cents(row[4])] == [cents(low), cents(high)]
        assert cents(row[5]) == cents(abs(high - low))
    with zipfile.ZipFile(io.BytesIO(five.data())) as z:
        names = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        charts = [z.read(n).decode() for n in names]
    (tornado,) = [c for c in charts if "'Risk'!" in c]
    assert '<barDir val="bar"' in tornado
    assert '<overlap val="100"' in tornado
    refs = re.findall(r"<val><numRef><f>([^<]*)</f>", tornado)
    head_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Input at P10")
    first, last = head_row + 1, head_row + len(u.sensitivity)
    assert refs == [f"'Risk'!$D${first}:$D${last}", f"'Risk'!$E${first}:$E${last}"]
    crosses = re.findall(r'<crossesAt val="([^"]+)"', tornado)
    assert [float(x) for x in crosses] == [five.result.comparison.offers["ours"].net_savings]


def test_the_input_cells_are_named_unlocked_validated_and_read_by_the_formulas(five: Book) -> None:
    wb = five.load(data_only=False)
    sc = five.scenario
    energy = named_cell(wb, risk_name("Electricity price", sc))
    assert (energy.parent.title, energy.value, energy.protection.locked) == ("Risk", 1, False)
    rules = [
        dv for dv in energy.parent.data_validations.dataValidation if energy.coordinate in dv.sqref
    ]
    assert len(rules) == 1
    assert rules[0].error.startswith("Enter a factor")
    mtbf = named_cell(wb, risk_name("Our MTBF", sc))
    (rule,) = [
        dv for dv in mtbf.parent.data_validations.dataValidation if mtbf.coordinate in dv.sqref
    ]
    assert rule.formula1 == f"AND(ISNUMBER({mtbf.coordinate}),{mtbf.coordinate}>0)"
    # a value input on the discount rate: the Assumptions sheet's cell, named twice
    rate = named_cell(wb, risk_name("Discount rate", sc))
    assert rate.coordinate == named_cell(wb, "discount_rate").coordinate
    assert rate.parent.title == "Assumptions"
    # the energy lines read the factor; the discount factors, EAC and AIRR the discount rate
    ours = wb["ours"]
    electricity = next(r for r in range(1, 60) if ours.cell(r, 1).value == "Electricity")
    assert f"$D{electricity}*risk_Electricity_price)*" in ours.cell(electricity, 12).value
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    texts = [f for f in formulas if isinstance(f, str) and f.startswith("=")]
    assert any("*risk_Our_MTBF)" in f for f in texts)
    assert any("*risk_Competitor_MTBF)" in f for f in texts)
    assert any("(downtime_cost_per_hour*risk_Downtime_cost)" in f for f in texts)
    assert not any("risk_Discount_rate" in f for f in texts)  # it is the existing cell


def test_at_their_defaults_the_cells_leave_every_other_sheet_as_it_is(
    five: Book, plain: Book
) -> None:
    """Cell by cell: the same values (cached), the same formulas except where an input acts."""
    risky_v, plain_v = five.load(), plain.load()
    risky_f, plain_f = five.load(data_only=False), plain.load(data_only=False)
    changed = 0
    for title in [*SHEETS, "Method"]:
        a, b = risky_v[title], plain_v[title]
        assert (a.max_row, a.max_column) == (b.max_row, b.max_column)
        for row in b.iter_rows():
            for cell in row:
                where = f"{title}!{cell.coordinate}"
                assert a[cell.coordinate].value == cell.value, where
                fa, fb = (
                    risky_f[title][cell.coordinate].value,
                    plain_f[title][cell.coordinate].value,
                )
                if fa != fb:
                    assert "risk_" in fa, where
                    changed += 1
    assert changed > 100


def test_without_an_uncertainty_section_there_is_no_risk_sheet_and_nothing_changes(
    five: Book, plain: Book
) -> None:
    wb = plain.load(data_only=False)
    assert wb.sheetnames == [*SHEETS, "Method"]
    assert not [n for n in wb.defined_names if n.lower().startswith("risk")]
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not any(isinstance(f, str) and "risk" in f.lower() for f in formulas)
    # the scenario with the section but a result without the block: the same workbook
    blockless = five.result.model_copy(update={"uncertainty": None})
    with_section_data = render_workbook(five.scenario, blockless)
    with (
        zipfile.ZipFile(io.BytesIO(with_section_data)) as a,
        zipfile.ZipFile(io.BytesIO(plain.data())) as b,
    ):
        parts = [n for n in b.namelist() if not n.startswith("docProps/")]
        assert sorted(n for n in a.namelist() if not n.startswith("docProps/")) == sorted(parts)
        assert [n for n in parts if a.read(n) != b.read(n)] == []


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_number_on_the_risk_sheet_fits_its_column(five: Book, locale: str) -> None:
    wb = five.load(locale=locale)
    assert layout_problems(wb) == []


def test_a_sheet_longer_than_a_page_starts_the_sensitivity_on_a_page_of_its_own(
    five: Book,
) -> None:
    """The tornado never straddles two printed pages where it fits on one: 13 inputs (the
    pump) need a second page, five (the CNC) fit on one."""
    sc = every_kind_pump()
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(sc, evaluate(sc))))
    ws = wb["Risk"]
    title = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("What"))
    assert [b.id for b in ws.row_breaks.brk] == [title - 1]
    assert list(five.load(data_only=False)["Risk"].row_breaks.brk) == []


def test_a_single_offer_shows_what_moves_its_lifetime_cost() -> None:
    raw = {
        "assumptions": {"currency": "EUR", "study_period_years": 5, "discount_rate": 0.05},
        "offers": [
            {
                "id": "only",
                "costs": [{"name": "Power", "category": "energy", "amount": 100, "every_years": 1}],
            }
        ],
        "uncertainty": {
            "draws": 100,
            "inputs": [
                {
                    "name": "Power price",
                    "applies_to": [{"category": "energy"}],
                    "factor": TRIANGULAR,
                }
            ],
        },
    }
    sc = parse_scenario(raw)
    result = evaluate(sc)
    data = render_workbook(sc, result)
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Risk"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("Switching values") for t in texts)
    base, head, *table = rows_after(ws, "What moves the lifetime cost of only most")
    assert cents(base[1]) == cents(result.offers[0].lifetime_cost)
    assert head[3:5] == ["Lifetime cost at P10", "Lifetime cost at P90"]
    (s,) = result.uncertainty.sensitivity  # type: ignore[union-attr]
    assert [cents(x) for x in table[0][3:5]] == [cents(x) for x in s.lifetime_cost["only"]]
    live = next(
        row for row in ws.iter_rows() if row[0].value == "Lifetime cost of only in this workbook"
    )
    assert cents(live[1].value) == cents(result.offers[0].lifetime_cost)


def test_a_value_input_on_lines_of_different_amounts_has_a_blank_cell() -> None:
    sc = every_kind_pump()
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(sc, evaluate(sc))))
    price = named_cell(wb, risk_name("Pump price", sc))
    assert (price.parent.title, price.value, price.protection.locked) == ("Risk", None, False)
    (rule,) = [
        dv for dv in price.parent.data_validations.dataValidation if price.coordinate in dv.sqref
    ]
    assert rule.allow_blank
    installation = named_cell(wb, risk_name("Installation", sc))
    assert installation.value == 4200  # both offers' installation lines: their common value
    labor = named_cell(wb, risk_name("Labor", sc))  # a driver given one rate: its own cell
    assert (labor.parent.title, labor.value) == ("Assumptions", 0.025)


def test_a_german_risk_sheet_shows_no_english_label(five: Book) -> None:
    """Needs the Risk sheet's msgids in the German catalog (tco/presenters/locales)."""
    translated_alike = {"P10", "P50", "P90"}
    untranslated = sorted(
        m for m in RISK_MSGIDS.values() if i18n.gettext("de", m) == m and m not in translated_alike
    )
    assert untranslated == [], "the Risk sheet's msgids need German in the catalog"
    wb = five.load(locale="de", data_only=False)
    assert "Risiko" in wb.sheetnames
    ws = wb["Risiko"]
    users = [i.name for i in five.scenario.uncertainty.inputs]  # type: ignore[union-attr]
    users += [o.name for o in five.scenario.offers] + [o.id for o in five.scenario.offers]
    users += [line.name for o in five.scenario.offers for line in o.costs]
    english = [m for m in RISK_MSGIDS.values() if m not in translated_alike]
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or cell.value.startswith("="):
                continue
            text = cell.value
            for user in sorted(users, key=len, reverse=True):
                text = text.replace(user, " ")
            for msgid in english:
                for piece in re.split(r"\{[^{}]*\}", msgid):
                    piece = piece.strip(" ;,.:()")
                    if len(piece) > 3:
                        assert piece not in text, f"{cell.coordinate}: {cell.value!r}"


# ---- LibreOffice


@dataclass
class Case:
    label: str
    scenario: Scenario
    result: ScenarioResult
    #: the value typed into each input's named cell (none: the workbook as written)
    typed: dict[str, float]
    path: Path
    recalculated: Path | None = None


def typed_copy(src: bytes, dst: Path, sc: Scenario, typed: dict[str, float]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(src))
    for name, value in typed.items():
        cell = named_cell(wb, risk_name(name, sc))
        assert cell.protection.locked is False
        cell.value = value
    wb.save(dst)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    src = tmp_path_factory.mktemp("risk-in")
    out = tmp_path_factory.mktemp("risk-out")
    cases: dict[str, Case] = {}
    switching = switching_cnc()
    result = evaluate(switching)
    assert result.uncertainty is not None
    data = render_workbook(switching, result)
    (src / "switching.xlsx").write_bytes(data)
    cases["defaults"] = Case("defaults", switching, result, {}, src / "switching.xlsx")
    values = {(s.input, s.offer): s.value for s in result.uncertainty.switching_values}
    for name in ("Electricity price", "Discount rate"):
        value = values[(name, "ours")]
        assert value is not None
        label = "switch-" + name.split()[0].lower()
        typed_copy(data, src / f"{label}.xlsx", switching, {name: value})
        cases[label] = Case(label, switching, result, {name: value}, src / f"{label}.xlsx")
    for label, sc in (("pump", every_kind_pump()), ("cnc", every_kind_cnc())):
        res = evaluate(sc)
        data = render_workbook(sc, res)
        assert sc.uncertainty is not None
        (src / f"{label}.xlsx").write_bytes(data)
        cases[label] = Case(label, sc, res, {}, src / f"{label}.xlsx")
        for p in (0.1, 0.9):
            typed = {i.name: i.distribution.quantile(p) for i in sc.uncertainty.inputs}
            path = src / f"{label}-{round(p * 100)}.xlsx"
            typed_copy(data, path, sc, typed)
            cases[path.stem] = Case(path.stem, sc, res, typed, path)
    outputs = recalculate([c.path for c in cases.values()], out)
    for c, o in zip(cases.values(), outputs, strict=True):
        c.recalculated = o
    return cases


def values(case: Case) -> Any:
    assert case.recalculated is not None
    return openpyxl.load_workbook(io.BytesIO(case.recalculated.read_bytes()), data_only=True)


@pytest.mark.libreoffice
@pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("label", ["defaults", "pump", "cnc"])
def test_with_the_cells_at_their_defaults_libreoffice_computes_the_engines_figures(
    recalculated: dict[str, Case], label: str
) -> None:
    """Every named result as the engine's, and every formula's stored value (the Risk sheet's
    included) as LibreOffice computes it."""
    from tests.test_xlsx_parity import assert_matches_engine

    case = recalculated[label]
    recalc = values(case)
    assert_matches_engine(recalc, case.scenario, case.result)
    data = case.path.read_bytes()
    formulas = openpyxl.load_workbook(io.BytesIO(data))
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                a = cached[ws.title][cell.coordinate].value
                b = recalc[ws.title][cell.coordinate].value
                where = f"{label} {ws.title}!{cell.coordinate} {cell.value}"
                if isinstance(b, int | float):
                    assert isinstance(a, int | float), f"{where}: cached {a!r}, computed {b}"
                    assert abs(a - b) <= 1e-6 * max(1.0, abs(b)), f"{where}: {a} != {b}"
                else:
                    assert (a or "") == (b or ""), f"{where}: {a!r} != {b!r}"
                checked += 1
    assert checked > 500


@pytest.mark.libreoffice
@pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("label", ["switch-electricity", "switch-discount"])
def test_typing_a_switching_value_into_its_cell_makes_the_net_savings_zero(
    recalculated: dict[str, Case], label: str
) -> None:
    case = recalculated[label]
    wb = values(case)
    ((name, value),) = case.typed.items()
    assert named_cell(wb, risk_name(name, case.scenario)).value == pytest.approx(value, rel=1e-15)
    base_cost = next(o.lifetime_cost for o in case.result.offers if o.id == "ours")
    before = case.result.comparison.offers["ours"].net_savings
    got = named_cell(wb, "net_savings_ours").value
    assert abs(before) > 10_000  # the base case saves (or loses) a lot: the value turned it
    assert abs(got) <= SWITCH_TOL * base_cost, f"{name} at {value}: net savings {got}"
    # the Risk sheet's live cell shows the same net savings
    live = next(
        row[1].value
        for row in wb["Risk"].iter_rows()
        if isinstance(row[0].value, str) and row[0].value.startswith("Net savings of")
    )
    assert live == pytest.approx(got, abs=1e-9)


@pytest.mark.libreoffice
@pytest.mark.skipif(not available(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("label", ["pump-10", "pump-90", "cnc-10", "cnc-90"])
def test_values_typed_into_every_inputs_cell_give_the_engines_lifetime_costs(
    recalculated: dict[str, Case], label: str
) -> None:
    """Each input at its P10 (or P90) at once, typed into its cell; the engine evaluates the
    scenario's copy with the same values (as the simulation does a draw)."""
    case = recalculated[label]
    sc = case.scenario
    assert sc.uncertainty is not None
    targets, _ = resolve(sc.uncertainty, sc)
    row = np.array([[case.typed[i.name] for i in sc.uncertainty.inputs]])
    want = Replicas(sc, targets).lifetime_costs(row)[0]
    base = [o.lifetime_cost for o in case.result.offers]
    wb = values(case)
    ids = [o.id for o in sc.offers]
    for oid, part, engine, before in zip(ids, name_part(ids), want, base, strict=True):
        got = named_cell(wb, f"lifetime_cost_{part}").value
        assert math.isfinite(engine)
        assert abs(got - engine) <= MONEY_TOL, f"{label} {oid}: workbook {got}, engine {engine}"
        assert abs(engine - before) > 1.0  # the values moved the result
