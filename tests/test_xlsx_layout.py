"""The workbook's layout: every number fits its column (a spreadsheet prints `###` where it does
not), wrapped text fits its row, text runs over no neighbour.

Each cell's cached value is formatted with its own number format (thousands separators, fixed and
optional decimals, percent, quoted currency suffix, `_x` gutters, General), its width estimated in
characters of the default font (bold counted 10 % wider) and compared with the column width that
openpyxl reads (a merged cell has the width of all its columns). The estimate counts every
character as wide as a digit, which is generous for separators and spaces.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tco.core.results import evaluate
from tco.core.scenario import Scenario, load_scenario, parse_scenario
from tco.presenters.xlsx import render_workbook, wrapped_lines

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BOLD = 1.1
LINE_POINTS = 15.0
DEFAULT_WIDTH = 8.43


# ---- a small number formatter for the formats of the workbook


def sections(fmt: str) -> list[str]:
    out, cur, quoted = [], "", False
    for ch in fmt:
        quoted = not quoted if ch == '"' else quoted
        if ch == ";" and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return [*out, cur]


def general(x: float) -> str:
    text = f"{x:.10g}"
    return text if "e" in text or "." not in text else text.rstrip("0").rstrip(".")


def formatted(value: float, fmt: str) -> str:
    """``value`` as a spreadsheet shows it in ``fmt``."""
    parts = sections(fmt)
    negative = value < 0 and len(parts) > 1
    section = parts[1] if negative else parts[0]
    x = abs(value) if negative else value
    out = []
    for token in re.findall(r'"[^"]*"|_.|\\.|General|[#0,.]+|.', section):
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("_"):
            out.append(" ")  # a gutter as wide as the character after it
        elif token.startswith("\\"):
            out.append(token[1])
        elif token == "General":
            out.append(general(x))
        elif token[0] in "#0,.":
            head, _, decimals = token.partition(".")
            shown = x * 100 if "%" in section else x
            text = f"{shown:{',' if ',' in head else ''}.{len(decimals)}f}"
            optional = decimals.count("#")
            if optional:
                whole, _, tail = text.partition(".")
                text = f"{whole}.{tail.rstrip('0').ljust(len(decimals) - optional, '0')}"
            out.append(text)
        else:
            out.append(token)
    return "".join(out)


def test_the_formatter_knows_the_formats_of_the_workbook() -> None:
    money = '#,##0.00 "EUR"_0;-#,##0.00 "EUR"_0;#,##0.00 "EUR"_0;@_0'
    assert formatted(12_345_678.9, money) == "12,345,678.90 EUR "
    assert formatted(-4_998.77, '#,##0.00 "EUR";-#,##0.00 "EUR"') == "-4,998.77 EUR"
    assert formatted(1_234_567, '#,##0 "JPY"') == "1,234,567 JPY"
    assert formatted(0.0728, "0.00%") == "7.28%"
    assert formatted(0.5, "0%") == "50%"
    assert formatted(12_000, "#,##0.####") == "12,000."
    assert formatted(0.33333, "#,##0.####") == "0.3333"
    assert formatted(1.96715123, "0.000000") == "1.967151"
    assert formatted(12.0, "General") == "12"
    assert formatted(-6.5, "General_0;-General_0") == "-6.5 "


# ---- reading widths and heights


def column_widths(ws: Any) -> dict[int, float]:
    """Column index -> width, from the <col> ranges openpyxl read (min..max)."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                out[c] = float(dim.width)
    return out


def layout_problems(wb: Any) -> list[str]:
    """Every cell whose number does not fit its column, whose wrapped text does not fit its
    row, or whose text runs over a neighbour that holds something."""
    problems: list[str] = []
    for ws in wb.worksheets:
        widths = column_widths(ws)
        spans = {
            (m.min_row, m.min_col): range(m.min_col, m.max_col + 1) for m in ws.merged_cells.ranges
        }
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or value == "" or isinstance(value, bool):
                    continue
                cols = spans.get((cell.row, cell.column), (cell.column,))
                available = sum(widths.get(c, DEFAULT_WIDTH) for c in cols)
                factor = BOLD if cell.font.b else 1.0
                size = (cell.font.sz or 11) / 11
                where = f"{ws.title}!{cell.coordinate}"
                if isinstance(value, int | float):
                    text = formatted(float(value), cell.number_format)
                    need = len(text) * factor * size
                    if need > available:
                        problems.append(f"{where}: {text!r} needs {need:.1f} > {available}")
                elif cell.alignment.wrap_text:
                    lines = wrapped_lines(str(value), int((available - 1) / factor))
                    height = ws.row_dimensions[cell.row].height or LINE_POINTS
                    if lines * LINE_POINTS > height:
                        problems.append(f"{where}: {lines} lines in a row {height} pt high")
                else:
                    need = len(str(value)) * factor * size
                    right = cell.alignment.horizontal == "right"
                    side = cell.column - 1 if right else cols[-1] + 1
                    blocked = side >= 1 and ws.cell(cell.row, side).value not in (None, "")
                    if need > available and blocked:
                        problems.append(f"{where}: {value!r} runs into the next cell")
    return problems


# ---- the workbooks


def long_and_large() -> Scenario:
    """Two offers with amounts in the millions over 20 years (totals of 12,345,678.90 EUR and
    more), long and formula-like names."""
    offers = []
    for k, name in enumerate(
        [
            "=SUM(A1:A3)",
            "+49 line: heavy-duty industrial screw compressor 250 kW with FullCare premium "
            "service plan and remote monitoring, installed and commissioned",
        ]
    ):
        offers.append(
            {
                "id": f"o{k}",
                "name": name,
                "costs": [
                    {
                        "name": "Compressor package with a long descriptive line name " * 2,
                        "category": "acquisition",
                        "amount": "12345678.90",
                        "year": 0,
                        "life_years": 25,
                    },
                    {
                        "name": "Electricity",
                        "category": "energy",
                        "amount": 1_234_567.89 * (k + 1),
                        "every_years": 1,
                        "escalation": "energy",
                    },
                ],
                "failures": {"mtbf_hours": 9000, "repair_cost": 12000, "downtime_hours": 12.5},
            }
        )
    raw = {
        "assumptions": {
            "currency": "EUR",
            "study_period_years": 20,
            "discount_rate": 0.05,
            "escalation": {"energy": 0.03},
            "operating_hours_per_year": 6000,
            "downtime_cost_per_hour": 1500,
        },
        "offers": offers,
    }
    return parse_scenario(raw)


CASES = [
    *[(name, locale) for name in ("compressor", "cnc", "pump") for locale in ("en", "de")],
    ("large", "en"),
    ("large", "de"),
]


def scenario_of(name: str) -> Scenario:
    return long_and_large() if name == "large" else load_scenario(EXAMPLES / f"{name}.yaml")


def values_workbook(sc: Scenario, locale: str) -> Any:
    data = render_workbook(sc, evaluate(sc), locale=locale)
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


@pytest.mark.parametrize(("name", "locale"), CASES, ids=[f"{n}-{loc}" for n, loc in CASES])
def test_every_value_fits_its_column_and_every_wrapped_text_its_row(name: str, locale: str) -> None:
    wb = values_workbook(scenario_of(name), locale)
    checked = sum(
        1
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float)
    )
    assert checked > 200
    assert layout_problems(wb) == []


def test_the_check_finds_a_number_too_wide_for_its_column() -> None:
    """Narrowed to the width of the columns before they were sized from the values (15),
    the year columns of an offer with totals in the millions print `###`: the check says so."""
    wb = values_workbook(long_and_large(), "en")
    ws = wb["o0"]
    for c in range(11, 32):
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = 15
    problems = layout_problems(wb)
    assert problems
    assert all(p.startswith("o0!") for p in problems)
    assert any("12,345,678.90 EUR" in p for p in problems)


def test_the_check_finds_a_wrapped_name_taller_than_its_row() -> None:
    wb = values_workbook(long_and_large(), "en")
    ws = wb.worksheets[0]  # the Summary: offer names wrap in the header rows
    rows = {
        c.row for row in ws.iter_rows() for c in row if c.value == long_and_large().offers[1].title
    }
    assert rows
    for r in rows:
        ws.row_dimensions[r].height = 30
    assert any("lines in a row 30" in p for p in layout_problems(wb))
