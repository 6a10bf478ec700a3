"""The buyer's workbook: live formulas that reproduce the engine to the cent.

Sheets: Summary (offers side by side, two native charts), Assumptions (the inputs a buyer may
change, and the escalation and discount factors computed from them), one sheet per offer (the
quote's warranty and service-plan terms, the failure model, cost lines x years 0..N: cash flows,
present values, totals by category), Comparison (net savings, SIR, AIRR, paybacks, breakeven
against the baseline) and Method (the conventions in words).

Every number on the offer, comparison and summary sheets is a formula of the input cells: the
buyer's audit trail. The formulas follow the conventions of :mod:`tco.core.escalation` and
:mod:`tco.core.discounting`; the engine's results stay the reference. openpyxl writes formulas
without cached values, so :func:`render_workbook` stores, next to every formula, the value it
evaluates to: the engine's result where the engine reports one, else the cost profile's
(:func:`tco.core.profile.cost_profile`: lines, factors, expected failures, terms, savings and
flags by year, the price). The workbook computes no figure itself; that LibreOffice, recalculating
the formulas, arrives at the cached values is the proof that the formulas and the engine agree.
Readers that do not recalculate (pandas, openpyxl with ``data_only=True``, mail previews) see the
numbers; Excel and LibreOffice recalculate on load.

A failure model's coverage terms (covered share, downtime hours, cost per repair order; the last
only where the profile says the buyer raises repair orders) are input cells per year, filled with
the profile's terms of each year; year t's repairs, downtime and repair orders read year t's
cells. Paybacks are formulas of the same rule as the engine's (a dash where the offer adds no
investment), as are the years in which cumulative discounted savings turn negative again and
recover.

Layout and print: after the sheets are written, every column is made as wide as the widest
number it shows in its number format (bold counted wider; every number format ends in a gutter,
``_0``, so a right-aligned value never touches the next column's text), and every row with
wrapped text (headers, long offer and line names) as tall as its wrapped lines. The Summary
prints on one page; the Assumptions, offer and Comparison sheets print at 70 % across as many
pages as their year columns need, the label column(s) and header rows repeated on each page.
Sheets are protected without a password; the buyer may format and resize cells, rows and
columns. Every input cell carries a data validation with the limits of the scenario contract
(docs/scenario.md) and an error message in the workbook's language. Text from the scenario is
always text (control characters replaced); the charts name offers by references to the
Summary's header cells, their names cached as text.

Defined names (workbook scope): ``discount_rate``, ``inflation``, ``study_period_years``,
``operating_hours_per_year``, ``downtime_cost_per_hour``, ``escalation_<driver>``, and per
offer ``lifetime_cost_<id>``, ``eac_<id>``, ``investment_cost_<id>``, ``operating_cost_<id>``,
``by_category_<id>`` (12 cells, category order), ``line_pv_<id>`` (the result's lines, in order),
``cash_flow_nominal_<id>``, ``present_value_<id>``, ``cumulative_pv_<id>`` (years 0..N),
for an offer with a failure model ``covered_fraction_<id>``, ``downtime_hours_<id>`` and, where
it has repair orders, ``order_cost_<id>`` (inputs, years 1..N) and, for offers other than the
baseline, ``net_savings_<id>``, ``sir_<id>``, ``airr_<id>``, ``simple_payback_<id>``,
``discounted_payback_<id>``, ``savings_negative_again_<id>``, ``savings_recovered_<id>``,
``breakeven_<id>``, ``irr_<id>``, ``price_headroom_<id>``. ``<id>`` is the offer id with every
character other than a letter, digit or underscore replaced by ``_``; where two offers would get
the same name (names are case-insensitive), the later one gets ``_2``, ``_3``, ... appended.

Where the result has an uncertainty block, a Risk sheet follows the Comparison
(:mod:`tco.presenters.xlsx_risk`): the simulation's figures as values, and a cell per uncertain
input (``risk_<name>``, the name made a name as an offer id is) that the formulas of the values
it acts on read: a factor (1) multiplies them, a value replaces them; a value input on one
existing input cell (the discount rate, say) names that cell instead. At their defaults the
cells change no figure; without an uncertainty block the workbook has no Risk sheet and no
formula reads one.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrData, StrRef, StrVal
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from tco.core.money import minor_unit_exponent
from tco.core.profile import ZERO as ENGINE_ZERO
from tco.core.profile import CostProfile, LineProfile, OfferProfile, Savings, cost_profile
from tco.core.results import ScenarioResult
from tco.core.scenario import (
    CATEGORIES,
    INVESTMENT_CATEGORIES,
    Category,
    FailureModel,
    Offer,
    Scenario,
)
from tco.core.uncertainty import ESCALATION, LINE_FIELD, Target
from tco.presenters.document import CATEGORY_COLORS, OFFER_COLORS
from tco.presenters.files import write_atomic
from tco.presenters.info import QuoteInfo
from tco.presenters.xlsx_labels import (
    Labels,
    category_labels,
    category_names,
    driver_label,
    labels,
    language,
    method_text,
    risk_labels,
)
from tco.presenters.xlsx_risk import NAME_PREFIX, RiskCells, RiskSheet

Cached = float | str | None

#: Column of year 0 on the Assumptions and offer sheets (K); year t is in column YEAR0 + t.
YEAR0 = 11
#: Least width of the year columns of the offer sheets (characters); wider where values need it.
_YEAR_WIDTH = 15
#: Column of year 0 in the working rows of the Comparison sheet (C).
CMP_YEAR0 = 3
#: Cumulative savings within this many currency units of zero count as zero (as the engine).
ZERO = f"{ENGINE_ZERO:f}"
#: Leading characters that make a spreadsheet read text as a formula (after any whitespace).
_RISKY = ("=", "+", "-", "@")
#: Characters a worksheet cannot hold (XML 1.0): control characters other than tab, LF, CR.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Layout estimates, in characters of the default font: bold text is wider; a cell keeps this
#: much room beside its widest value (whose format adds a gutter of its own); a label column
#: grows to at most this width (longer labels wrap); a wrapped line is this many points high.
_BOLD = 1.1
_PAD = 2.0
_MAX_LABEL = 60.0
_LINE_POINTS = 15.0
#: Excel's width of a column without a width of its own.
_DEFAULT_WIDTH = 8.43
#: Print scale of the wide sheets (Assumptions, offers, Comparison): their year columns print
#: across as many pages as they need, with the label column(s) and header rows repeated.
_PRINT_SCALE = 70
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_THIN = Side(style="thin", color="808080")
#: Shown where a measure has nothing to measure (a payback where the offer adds no investment)
#: and where a coverage term states no value.
_DASH = "\u2013"

_LINE_HEADS = (
    "line",
    "category",
    "driver",
    "amount",
    "first_year",
    "every",
    "last_year",
    "life",
    "fraction",
    "total",
)
#: Columns of the warranty and service-plan terms on an offer sheet (A..K).
_COVERAGE_HEADS = (
    "cov_name",
    "cov_kind",
    "cov_renewal",
    "cov_fee",
    "cov_from",
    "cov_until",
    "cov_repairs",
    "cov_maintenance",
    "cov_response",
    "cov_downtime",
    "cov_uptime",
)
#: Columns of the Comparison sheet's table, one row per offer.
_CMP_HEADS = (
    "offer",
    "offer_id",
    "lifetime_cost",
    "net_savings",
    "investment_cost",
    "operating_cost",
    "added_investment",
    "operating_savings",
    "sir",
    "airr",
    "simple_payback",
    "discounted_payback",
    "dearer_again",
    "cheaper_again",
    "breakeven",
    "irr",
    "headroom",
)
#: Defined names of the measures in the Comparison table, with their columns.
_CMP_NAMES = (
    ("sir", 9),
    ("airr", 10),
    ("simple_payback", 11),
    ("discounted_payback", 12),
    ("savings_negative_again", 13),
    ("savings_recovered", 14),
    ("breakeven", 15),
    ("irr", 16),
    ("price_headroom", 17),
)
#: Working rows per offer on the Comparison sheet, in order.
_WORKING_ROWS = (
    "savings_basis",
    "cum_savings",
    "payback_flag",
    "savings_pv",
    "cum_savings_pv",
    "dpayback_flag",
    "neg_again_flag",
    "recovered_flag",
    "cross_flag",
    "cross_year",
)
#: Rows of the Summary's measures: label, column of the Comparison table it repeats, style.
_SUMMARY_ROWS = (
    ("offer_id", 0, "text"),
    ("price", 0, "money"),
    ("lifetime_cost", 3, "money"),
    ("eac", 0, "money"),
    ("net_savings", 4, "money"),
    ("sir", 9, "ratio"),
    ("airr", 10, "pct"),
    ("simple_payback", 11, "year"),
    ("discounted_payback", 12, "year"),
    ("dearer_again", 13, "year"),
    ("cheaper_again", 14, "year"),
    ("breakeven", 15, "year1"),
    ("headroom", 17, "money"),
)

#: Data validation of the input cells, by kind: the limits of docs/scenario.md as a validation
#: type, operator and bounds; a custom rule is a formula of the cell ``{x}``.
_LIMITS: dict[str, tuple[str, str | None, str, str | None]] = {
    "rate": ("custom", None, "AND(ISNUMBER({x}),{x}>-1,{x}<=10)", None),
    "fraction": ("decimal", "between", "0", "1"),
    "hours_year": ("decimal", "between", "0", "8784"),
    "hours": ("decimal", "greaterThanOrEqual", "0", None),
    "mtbf": ("decimal", "greaterThanOrEqual", "1", None),
    "shape": ("custom", None, "AND(ISNUMBER({x}),{x}>0,{x}<=20)", None),
    "money": ("decimal", "between", "0", "1000000000000"),
    "amount": ("decimal", "between", "-1000000000000", "1000000000000"),
    # the factors of uncertain inputs (Risk sheet): any number, above 0, or 0 or more
    "factor": ("custom", None, "ISNUMBER({x})", None),
    "factor_positive": ("custom", None, "AND(ISNUMBER({x}),{x}>0)", None),
    "factor_non_negative": ("decimal", "greaterThanOrEqual", "0", None),
}
#: Styles whose text may run over empty neighbours (titles, notes) and is not sized.
_FREE = frozenset({"title", "section", "note", "legend"})
#: Styles that wrap their text (rows are made tall enough for it).
_WRAPPING = frozenset({"header", "header_right", "wrap", "note_wrap", "text_wrap", "bold_wrap"})
#: Label styles that wrap where a label is longer than _MAX_LABEL.
_WRAP_OF = {"text": "text_wrap", "bold": "bold_wrap"}


def col(c: int) -> str:
    return str(get_column_letter(c))


def ycol(t: int) -> str:
    return str(get_column_letter(YEAR0 + t))


def name_part(ids: Sequence[str]) -> list[str]:
    """Defined-name suffixes for offer ids (see the module docstring for the rule)."""
    out: list[str] = []
    seen: set[str] = set()
    for oid in ids:
        base = re.sub(r"[^A-Za-z0-9_]", "_", oid)
        cand, k = base, 1
        while cand.lower() in seen:
            k += 1
            cand = f"{base}_{k}"
        seen.add(cand.lower())
        out.append(cand)
    return out


def _sheet_titles(fixed: Sequence[str], ids: Sequence[str]) -> list[str]:
    """Offer sheet titles: the id (at most 31 characters), made unique ignoring case."""
    used = {t.lower() for t in fixed}
    out: list[str] = []
    for oid in ids:
        cand, k = oid[:31], 1
        while cand.lower() in used:
            k += 1
            cand = f"{oid[: 31 - len(str(k)) - 1]}~{k}"
        used.add(cand.lower())
        out.append(cand)
    return out


def _pct_style(x: float, places: int = 0) -> str:
    """A percent style that shows ``x`` without trailing zeros where it is whole."""
    scaled = x * 100 * 10**places
    if abs(scaled - round(scaled)) < 1e-9:
        return "pct0" if places == 0 else "pct1"
    return "pct"


def wrapped_lines(text: str, width: int) -> int:
    """Lines a text wrapped at word boundaries takes in a column ``width`` characters wide
    (each line break of the text starts a new line)."""
    width = max(1, width)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > width:
                lines, used = lines + 1, 0
            used += len(word) + (1 if used else 0)
            while used > width:  # a word longer than the column is broken
                lines, used = lines + 1, used - width
        total += lines
    return total


_FORMAT_TOKEN = re.compile(r'"[^"]*"|_.|\\.|General|[#0,.]+|.')


@lru_cache(maxsize=64)
def _format_sections(fmt: str) -> tuple[tuple[str, ...], ...]:
    """The tokens of each section of a number format (positive; negative; zero; text), split at
    ``;`` outside quotes."""
    out: list[str] = []
    cur, quoted = "", False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return tuple(tuple(_FORMAT_TOKEN.findall(x)) for x in [*out, cur])


def shown(value: float, fmt: str) -> str:
    """``value`` as a spreadsheet shows it in the number format ``fmt``, for the formats of this
    workbook: General, thousands separators, fixed and optional decimals, percent, quoted
    literals, a negative section. Used to size the columns."""
    sections = _format_sections(fmt)
    negative = value < 0 and len(sections) > 1
    section = sections[1] if negative else sections[0]
    x = abs(value) if negative else value
    out = []
    for token in section:
        if token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith(("\\", "_")):
            out.append(token[1] if token[0] == "\\" else " ")
        elif token == "General":
            text = f"{x:.10g}"
            out.append(text if "e" in text or "." not in text else text.rstrip("0").rstrip("."))
        elif token[0] in "#0,.":
            ints, _, decs = token.partition(".")
            x = x * 100 if "%" in section else x  # a percent sign is a token of its own
            places = len(decs)
            text = f"{x:{',' if ',' in ints else ''}.{places}f}"
            if places and decs.count("#"):  # optional decimals: trailing zeros dropped
                keep = len(decs) - decs.count("#")
                head, _, tail = text.partition(".")
                tail = tail.rstrip("0").ljust(keep, "0")
                text = f"{head}.{tail}"
            out.append(text)
        else:
            out.append(token)
    return "".join(out)


def _column_cm(width: float) -> float:
    """The printed width (cm, at 100 %) of a column ``width`` characters wide."""
    return (width * 7 + 5) / 96 * 2.54


def _padded(fmt: str) -> str:
    """A number format whose every section, text included, ends in the width of a digit
    (``_0``): a right-aligned value keeps that gutter before the next column."""
    sections = fmt.split(";")  # the formats of this workbook hold no quoted ";"
    if len(sections) == 1:
        sections.append("-" + sections[0])
    if len(sections) == 2:
        sections.append(sections[0])
    return ";".join(x + "_0" for x in sections[:3]) + ";@_0"


def _flag(on: bool) -> float:
    return 1.0 if on else 0.0


def q(title: str) -> str:
    """A sheet title quoted for a formula."""
    return "'" + title.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------
# the builder


@dataclass
class _Offer:
    """Positions of one offer sheet, for the sheets that refer to it, and the offer's profile."""

    offer: Offer
    title: str
    name: str
    profile: OfferProfile
    row_total: int = 0  # analysis-basis totals per year
    row_nominal: int = 0
    row_pv: int = 0  # total present value per year; J is the lifetime cost
    row_cum: int = 0
    row_eac: int = 0
    row_cat0: int = 0  # first of the 12 category rows
    row_inv: int = 0
    row_op: int = 0
    row_price: int = 0
    row_price_residual: int = 0
    pv_rows: list[int] = field(default_factory=list)
    index: int = 0  # in the scenario's offers

    @property
    def savings(self) -> Savings:
        """Against the baseline (offers other than the baseline only)."""
        assert self.profile.savings is not None
        return self.profile.savings


class _Flow(NamedTuple):
    """A cash-flow row of an offer sheet: its row, label, category, driver, timing (1 for
    recurring amounts and failures) and the profile's line (values per year)."""

    row: int
    label: str
    category: str
    driver: str | None
    timing: int
    line: LineProfile


@dataclass
class _Failures:
    """Rows of an offer's failure model: the expected failures, the repair-cost input and the
    per-year terms (row 0: no repair orders)."""

    row_fails: int
    row_repair_cost: int
    row_covered: int
    row_down: int
    row_order: int


class _Builder:
    def __init__(
        self,
        scenario: Scenario,
        result: ScenarioResult,
        lang: str,
        info: QuoteInfo | None,
        profile: CostProfile,
    ) -> None:
        self.sc = scenario
        self.res = result
        self.profile = profile
        self.a = scenario.assumptions
        self.n = self.a.study_period_years
        self.lang = lang
        self.lab: Labels = labels(lang)
        self.cats = category_labels(lang)
        self.cat_names = category_names(lang)
        self.info = info
        self.wb = Workbook()
        self.cache: dict[str, dict[str, Cached]] = {}
        self.na = self.lab["na"]
        self._protos: dict[str, Any] = {}
        self._format: dict[str, str] = {}
        self._bold: set[str] = set()
        self._right: set[str] = set()
        #: input cells to validate: (sheet, kind) -> cell references; those that may be blank
        self._inputs_of: dict[tuple[str, str], list[str]] = {}
        self.blank_ok: set[tuple[str, str]] = set()
        #: the uncertain inputs (none without an uncertainty block: no Risk sheet) and the
        #: input cells of the values they act on, (sheet, reference) by target
        unc = scenario.uncertainty if result.uncertainty is not None else None
        parts = name_part([i.name for i in unc.inputs]) if unc is not None else []
        self.risk = RiskCells(scenario, [NAME_PREFIX + p for p in parts])
        self.input_cells: dict[Target, tuple[str, str]] = {}
        self._styles()

    # ---- cells

    def _styles(self) -> None:
        places = minor_unit_exponent(self.a.currency)
        cur = self.a.currency
        digits = "#,##0" + ("." + "0" * places if places else "")
        unlocked = Protection(locked=False)
        bold = Font(bold=True)
        right = Alignment(horizontal="right")
        header = {"font": bold, "fill": _HEAD_FILL, "border": Border(bottom=_THIN)}
        inputs = {"fill": _INPUT_FILL, "font": Font(color="1F4E79", bold=True)}
        inputs["protection"] = unlocked

        def number(fmt: str, **kw: Any) -> dict[str, Any]:
            """A right-aligned number whose format keeps a gutter on its right (_padded); text
            among the numbers (n/a) aligns with them."""
            return {"number_format": _padded(fmt), "alignment": right} | kw

        money = f'{digits} "{cur}"'
        specs: dict[str, dict[str, Any]] = {
            "title": {"font": Font(bold=True, size=14)},
            "section": {"font": Font(bold=True, size=11, color="1F4E79")},
            "header": header | {"alignment": Alignment(wrap_text=True, vertical="center")},
            # the header of a column of numbers: right-aligned like them, indented by about
            # their gutter (a number format's gutter does not reach wrapped lines)
            "header_right": header
            | {
                "alignment": Alignment(
                    wrap_text=True, vertical="center", horizontal="right", indent=1
                )
            },
            "text": {},
            "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
            # a label longer than its column may be wide: wraps, its last line beside the values
            "text_wrap": {"alignment": Alignment(wrap_text=True)},
            "bold_wrap": {"font": bold, "alignment": Alignment(wrap_text=True)},
            # a unit beside a number: indented, so the two never run together
            "unit": {"alignment": Alignment(horizontal="left", indent=1)},
            "money": number(money),
            "money_total": number(money, font=bold, border=Border(top=_THIN)),
            "money_in": number(money, **inputs),
            "pct": number("0.00%"),
            "pct_in": number("0.00%", **inputs),
            "num_in": number("#,##0.####", **inputs),
            "factor": number("0.000000"),
            "count": number("0.0000"),
            "int": number("0"),
            "year": number("0"),
            "pct0": number("0%"),
            "pct1": number("0.0%"),
            "hours": number("General"),
            "hours_in": number("General", **inputs),
            "ratio": number("0.00"),
            "year1": number("0.0"),
            "text_right": number("General"),
            "bold_right": number("General", font=bold),
            # values beside labels in the Summary's head: left-aligned, text and numbers alike
            "int_left": {"number_format": "0", "alignment": Alignment(horizontal="left")},
            "pct_left": {"number_format": "0.00%", "alignment": Alignment(horizontal="left")},
            "note": {"font": Font(italic=True)},
            "note_wrap": {
                "font": Font(italic=True),
                "alignment": Alignment(wrap_text=True, vertical="top"),
            },
            "bold": {"font": bold},
            "legend": {"fill": _INPUT_FILL, "font": Font(italic=True)},
        }
        if self.risk.inputs:  # the Risk sheet's factor cells
            specs["factor_in"] = number("0.0000", **inputs)
        for key, kw in specs.items():
            style = NamedStyle(name=f"tco_{key}", **kw)
            self.wb.add_named_style(style)
            self._format[key] = kw.get("number_format", "General")
            if "font" in kw and kw["font"].b:
                self._bold.add(key)
            if "alignment" in kw and kw["alignment"].horizontal == "right":
                self._right.add(key)

    def _style(self, cell: Any, style: str) -> None:
        """Apply a named style; the first use resolves it, later uses copy its style array."""
        proto = self._protos.get(style)
        if proto is None:
            cell.style = f"tco_{style}"
            self._protos[style] = copy(cell._style)
        else:
            cell._style = copy(proto)

    def driver(self, name: str | None) -> str:
        """An escalation driver's name in the workbook's language ("" for none)."""
        return driver_label(self.lang, name) if name else ""

    def text(self, ws: Worksheet, r: int, c: int, value: str | None, style: str = "text") -> None:
        """A text cell; text that looks like a formula stays text, and characters a worksheet
        cannot hold (control characters) are replaced by U+FFFD."""
        if not value:
            return
        value = _CONTROL.sub("\ufffd", value)
        cell = ws.cell(row=r, column=c)
        cell.value = value
        cell.data_type = "s"
        self._style(cell, style)
        if value.lstrip(" \t\r\n\ufffd").startswith(_RISKY):
            cell.quotePrefix = True

    def num(
        self,
        ws: Worksheet,
        r: int,
        c: int,
        value: float | int | None,
        style: str,
        valid: str | None = None,
    ) -> None:
        """A number; ``valid`` names the limits of an input cell (a kind of _LIMITS)."""
        cell = ws.cell(row=r, column=c, value=value)
        self._style(cell, style)
        if valid is not None:
            self._inputs_of.setdefault((ws.title, valid), []).append(f"{col(c)}{r}")

    def f(self, ws: Worksheet, r: int, c: int, formula: str, value: Cached, style: str) -> None:
        """A formula cell with the value it evaluates to (stored as its cached value)."""
        cell = ws.cell(row=r, column=c)
        cell.value = "=" + formula
        self._style(cell, style)
        if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
            self.cache.setdefault(ws.title, {})[f"{col(c)}{r}"] = value

    def name(self, name: str, ws: Worksheet, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{q(ws.title)}!{ref}")

    def sheet(self, title: str, fit: str = "wide") -> Worksheet:
        """A new sheet, protected without a password (the buyer may still format and resize
        rows, columns and cells), A4 landscape with the sheet's name and page numbers in the
        footer. ``fit``: ``page`` prints on one page (the Summary, its charts included),
        ``width`` one page wide (Method), ``wide`` at _PRINT_SCALE across as many pages as the
        columns need (the sheet's builder sets the print titles repeated on every page)."""
        ws = self.wb.create_sheet(title)
        ws.protection = SheetProtection(
            sheet=True, formatCells=False, formatColumns=False, formatRows=False
        )
        ps = ws.page_setup
        ps.orientation = "landscape"
        ps.paperSize = ws.PAPERSIZE_A4
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        ws.page_margins.header = ws.page_margins.footer = 0.2
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.right.text = (
            self.lab["page_of"].replace("{page}", "&P").replace("{pages}", "&N")
        )
        if fit == "wide":
            ws.sheet_properties.pageSetUpPr.fitToPage = False
            ps.scale = _PRINT_SCALE
            ps.pageOrder = "overThenDown"
        else:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ps.fitToWidth = 1
            ps.fitToHeight = 1 if fit == "page" else 0
        return ws

    def widths(self, ws: Worksheet, widths: Mapping[str, float]) -> None:
        for letter, w in widths.items():
            ws.column_dimensions[letter].width = w

    def year_header(self, ws: Worksheet, r: int, c0: int) -> None:
        for t in range(self.n + 1):
            self.num(ws, r, c0 + t, t, "header_right")

    # ---- build

    def build(self) -> Workbook:
        lab = self.lab
        self.wb.remove(self.wb.active)
        fixed = [
            lab["sheet_summary"],
            lab["sheet_assumptions"],
            lab["sheet_comparison"],
            lab["sheet_method"],
        ]
        if self.risk.inputs:
            fixed.append(risk_labels(self.lang)["sheet_risk"])
        ids = [o.id for o in self.sc.offers]
        titles = _sheet_titles(fixed, ids)
        parts = name_part(ids)
        self.ws_sum = self.sheet(lab["sheet_summary"], "page")
        self.ws_a = self.sheet(lab["sheet_assumptions"])
        self.offers = [
            _Offer(offer=o, title=t, name=p, profile=op, index=k)
            for k, (o, t, p, op) in enumerate(
                zip(self.sc.offers, titles, parts, self.profile.offers, strict=True)
            )
        ]
        self.base = self.sc.baseline_index
        self.results = {o.id: o for o in self.res.offers}
        #: per sheet, groups of columns that get one width (the widest of them), and the label
        #: columns repeated on printed pages, whose labels wrap rather than run over
        self.groups: dict[str, list[range]] = {}
        self.label_cols: dict[str, tuple[set[int], int]] = {}
        self.assumptions()
        for k, od in enumerate(self.offers):
            self.offer_sheet(od, k == self.base)
        self.ws_cmp = self.sheet(lab["sheet_comparison"])
        self.comparison()
        risk = None
        if self.risk.inputs and self.res.uncertainty is not None:
            risk = RiskSheet(self, self.risk, self.res.uncertainty)
            risk.write()
        self.summary()
        self.method()
        for ws in self.wb.worksheets:
            self._layout(ws, self.groups.get(ws.title, []), self.label_cols.get(ws.title))
        self._summary_charts(self.ws_sum)
        if risk is not None:
            risk.chart()
        self._validations()
        self.wb.calculation.fullCalcOnLoad = True
        self.wb.active = 0
        return self.wb

    # ---- layout: column widths and row heights from what the cells show

    def _layout(
        self, ws: Worksheet, groups: Sequence[range], labels: tuple[set[int], int] | None
    ) -> None:
        """Widen each column to the widest number it shows (and to labels a value beside them
        would cut off; a label wider than _MAX_LABEL wraps instead, as does a label wider than
        its column in the ``labels`` columns from their first row on: they print on every
        page), the columns of each group to the widest of the group; then make each row tall
        enough for its wrapped text."""
        need = self._needed_widths(ws, labels)
        for group in groups:
            widest = max([need.get(c, 0.0) for c in group] + [self._width(ws, c) for c in group])
            need.update(dict.fromkeys(group, widest))
        for c, w in need.items():
            if w > self._width(ws, c):
                ws.column_dimensions[col(c)].width = math.ceil(w)
        self._row_heights(ws)

    def _width(self, ws: Worksheet, c: int) -> float:
        dim = ws.column_dimensions.get(col(c))
        return float(dim.width) if dim is not None and dim.width else _DEFAULT_WIDTH

    def _key_of(self) -> dict[int, str]:
        return {proto.xfId: key for key, proto in self._protos.items()}

    def _needed_widths(
        self, ws: Worksheet, labels: tuple[set[int], int] | None
    ) -> dict[int, float]:
        """The width each column needs: its numbers as their number formats show them (bold
        counted wider), plus room beside them; text that a neighbour would cut off."""
        key_of, cache = self._key_of(), self.cache.get(ws.title, {})
        label_cols, label_row = labels or (set(), 0)
        cells = ws._cells
        need: dict[int, float] = {}
        for (r, c), cell in list(cells.items()):
            key = key_of.get(cell._style.xfId)
            value = cell.value
            if cell.data_type == "f":
                value = cache.get(f"{col(c)}{r}")
            if key is None or key in _FREE or value is None or value == "":
                continue
            factor = _BOLD if key in self._bold else 1.0
            if isinstance(value, str):
                side = cells.get((r, c - 1 if key in self._right else c + 1))
                label = c in label_cols and r >= label_row
                if key in _WRAPPING or (not label and (side is None or side.value is None)):
                    continue  # wraps, or runs over an empty neighbour
                width = len(value) * factor + _PAD
                limit = self._width(ws, c) if label else _MAX_LABEL
                if width > limit and key in _WRAP_OF:
                    prefix = cell.quotePrefix
                    self._style(cell, _WRAP_OF[key])
                    cell.quotePrefix = prefix
                    width = limit
            elif isinstance(value, int | float) and not isinstance(value, bool):
                width = len(shown(float(value), self._format[key])) * factor + _PAD
            else:
                continue
            need[c] = max(need.get(c, 0.0), width)
        return need

    def _row_heights(self, ws: Worksheet) -> None:
        """Each row with wrapped text as tall as its most wrapped cell needs (a merged cell
        wraps in the width of all its columns)."""
        key_of = self._key_of()
        spans = {
            (m.min_row, m.min_col): range(m.min_col, m.max_col + 1) for m in ws.merged_cells.ranges
        }
        lines_of: dict[int, int] = {}
        for (r, c), cell in ws._cells.items():
            key = key_of.get(cell._style.xfId)
            if key not in _WRAPPING or not isinstance(cell.value, str):
                continue
            width = sum(self._width(ws, x) for x in spans.get((r, c), (c,)))
            factor = _BOLD if key in self._bold else 1.0
            lines = wrapped_lines(cell.value, int((width - 1) / factor))
            lines_of[r] = max(lines_of.get(r, 1), lines)
        for r, lines in lines_of.items():
            if lines > 1:
                ws.row_dimensions[r].height = _LINE_POINTS * lines

    def _validations(self) -> None:
        """Data validation of every input cell: the limits of the scenario contract, with an
        error message (and an input hint) in the workbook's language."""
        lab = self.lab
        messages = {**(risk_labels(self.lang) if self.risk.inputs else {}), **lab}
        for (title, kind), refs in self._inputs_of.items():
            vtype, op, low, high = _LIMITS[kind]
            blank = [ref for ref in refs if (title, ref) in self.blank_ok]
            filled = [ref for ref in refs if (title, ref) not in self.blank_ok]
            # a custom rule is a formula of its cell: one rule per cell
            if vtype == "custom":
                groups = [[ref] for ref in refs]
            else:
                groups = [g for g in (filled, blank) if g]
            for group in groups:
                dv = DataValidation(
                    type=vtype,
                    operator=op,
                    formula1=low.replace("{x}", group[0]),
                    formula2=high,
                    allow_blank=(title, group[0]) in self.blank_ok,
                    showErrorMessage=True,
                    errorStyle="stop",
                    errorTitle=lab["invalid_title"],
                    error=messages[f"invalid_{kind}"],
                    showInputMessage=True,
                    promptTitle=lab["allowed_title"],
                    prompt=messages[f"invalid_{kind}"],
                    sqref=" ".join(group),
                )
                self.wb[title].add_data_validation(dv)

    # ---- Assumptions

    def assumptions(self) -> None:
        ws, n = self.ws_a, self.n
        r = self._inputs(ws)
        r, rate_row = self._escalation_rates(ws, r + 2)
        r = self._escalation_factors(ws, r + 2, rate_row)
        self._discount_factors(ws, r + 2)
        self.widths(ws, {"A": 44, "B": 16, "C": 10, "D": 34})
        for c in range(5, YEAR0 - 1):
            ws.column_dimensions[col(c)].width = 3
        ws.column_dimensions[col(YEAR0 - 1)].width = 7
        for t in range(n + 1):
            ws.column_dimensions[ycol(t)].width = 10
        self.groups[ws.title] = [range(YEAR0, YEAR0 + n + 1)]
        ws.freeze_panes = f"B{self.row_years + 1}"
        ws.print_title_cols = "A:A"
        self.label_cols[ws.title] = ({1}, 5)

    def _inputs(self, ws: Worksheet) -> int:
        """Currency, study period, rate basis, timing and the scalar inputs; returns the last
        row."""
        lab, a, n = self.lab, self.a, self.n
        self.text(ws, 1, 1, lab["sheet_assumptions"], "title")
        self.text(ws, 2, 1, lab["legend"], "legend")
        for c, key in enumerate(("parameter", "value", "unit", "note"), start=1):
            self.text(ws, 4, c, lab[key], "header")
        r = 5
        self.text(ws, r, 1, lab["currency"])
        self.text(ws, r, 2, a.currency, "bold")
        self.text(ws, r, 4, lab["fixed_note"])
        r += 1
        self.text(ws, r, 1, lab["study_period"])
        self.num(ws, r, 2, n, "int")
        self.text(ws, r, 3, lab["years"], "unit")
        self.text(ws, r, 4, lab["fixed_note"])
        self.name("study_period_years", ws, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["rate_basis"])
        self.text(ws, r, 2, a.rate_basis, "bold")
        self.text(ws, r, 4, lab["basis_" + a.rate_basis])
        r += 1
        self.text(ws, r, 1, lab["timing"])
        self.text(ws, r, 2, a.timing, "bold")
        self.text(ws, r, 4, lab["timing_" + a.timing])
        r += 1
        self.text(ws, r, 1, lab["discount_rate"])
        self.num(ws, r, 2, a.discount_rate, "pct_in", "rate")
        self.text(ws, r, 3, lab["per_year"], "unit")
        self.text(ws, r, 4, a.rate_basis)
        self.name("discount_rate", ws, f"$B${r}")
        self.input_cells[Target("assumptions.discount_rate")] = (ws.title, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["inflation"])
        self.num(ws, r, 2, a.inflation, "pct_in", "rate")
        self.text(ws, r, 3, lab["per_year"], "unit")
        self.name("inflation", ws, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["operating_hours"])
        self.num(ws, r, 2, a.operating_hours_per_year, "num_in", "hours_year")
        self.text(ws, r, 3, lab["hours"], "unit")
        self.name("operating_hours_per_year", ws, f"$B${r}")
        self.input_cells[Target("assumptions.operating_hours_per_year")] = (ws.title, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["downtime_cost"])
        self.num(ws, r, 2, float(a.downtime_cost_per_hour), "money_in", "money")
        self.text(ws, r, 3, a.currency, "unit")
        self.name("downtime_cost_per_hour", ws, f"$B${r}")
        self.input_cells[Target("assumptions.downtime_cost_per_hour")] = (ws.title, f"$B${r}")
        return r

    def _escalation_rates(self, ws: Worksheet, r: int) -> tuple[int, dict[str, int]]:
        """The escalation rates, one row per driver, under the section title at row r (held
        rates are formulas of the last given one); returns the last row and each driver's."""
        lab, a, n = self.lab, self.a, self.n
        self.text(ws, r, 1, lab["escalation_rates"], "section")
        r += 1
        self.row_years = r
        self.text(ws, r, 1, lab["driver"], "header")
        self.text(ws, r, 2, lab["value"], "header")
        self.text(ws, r, YEAR0 - 1, lab["year"], "header_right")
        self.year_header(ws, r, YEAR0)
        drivers = sorted(a.escalation)
        driver_names = name_part(drivers)
        rate_row: dict[str, int] = {}
        for d, dname in zip(drivers, driver_names, strict=True):
            r += 1
            rate_row[d] = r
            given = a.escalation[d]
            rates = a.rates_for(d)
            self.text(ws, r, 1, driver_label(self.lang, d), "bold")
            self.text(ws, r, 2, lab["given_one"] if len(given) == 1 else lab["given_list"])
            k_in = min(len(given), n)
            for t in range(1, n + 1):
                if t <= k_in:
                    self.num(ws, r, YEAR0 + t, rates[t - 1], "pct_in", "rate")
                else:
                    self.f(ws, r, YEAR0 + t, f"{ycol(t - 1)}{r}", rates[t - 1], "pct")
            ref = f"${ycol(1)}${r}" if k_in == 1 else f"${ycol(1)}${r}:${ycol(k_in)}${r}"
            self.name(f"escalation_{dname}", ws, ref)
            self.input_cells[Target(ESCALATION, driver=d)] = (ws.title, f"${ycol(1)}${r}")
        return r, rate_row

    def _escalation_factors(self, ws: Worksheet, r: int, rate_row: dict[str, int]) -> int:
        """The escalation factors per driver and the nominal-equivalent factors, under the
        section title at row r; returns the last row."""
        lab, esc = self.lab, self.profile.escalation
        self.text(ws, r, 1, lab["escalation_factors"], "section")
        nominal = self.a.rate_basis == "nominal"
        self.esc_row: dict[str | None, int] = {}
        r += 1
        self.esc_row[None] = r
        self.text(ws, r, 1, lab["no_driver"])
        self._factor_row(ws, r, "inflation" if nominal else None, esc[None])
        for d in rate_row:
            r += 1
            self.esc_row[d] = r
            self.text(ws, r, 1, driver_label(self.lang, d), "bold")
            self._factor_row(ws, r, rate_row[d], esc[d], d)
        r += 1
        self.row_nominal = r
        self.text(ws, r, 1, lab["nominal_factor"])
        self._factor_row(ws, r, None if nominal else "inflation", self.profile.growth)
        return r

    def _discount_factors(self, ws: Worksheet, r: int) -> None:
        """Discount factors of one-time and of recurring amounts, under the title at row r."""
        lab, a, n = self.lab, self.a, self.n
        self.text(ws, r, 1, lab["discount_factors"], "section")
        values = {0: self.profile.discount_one_time, 1: self.profile.discount_recurring}
        self.df_row: dict[int, int] = {}
        yr = self.row_years
        for timing, key in ((0, "df_once"), (1, "df_recurring")):
            r += 1
            self.df_row[timing] = r
            self.text(ws, r, 1, lab[key])
            for t in range(n + 1):
                when = f"{ycol(t)}${yr}"
                if timing == 1 and a.timing == "mid_year":
                    when = f"MAX({when}-0.5,0)"
                formula = f"1/(1+{self._rate()})^{when}"
                self.f(ws, r, YEAR0 + t, formula, values[timing][t], "factor")

    def _factor_row(
        self,
        ws: Worksheet,
        r: int,
        rate: int | str | None,
        values: Sequence[float],
        driver: str | None = None,
    ) -> None:
        """Year 0 = 1; year t = year t-1 x (1 + rate_t); rate None: constant 1. ``rate`` is a
        name, or the row of the rates of ``driver`` (read through the uncertain inputs)."""
        self.num(ws, r, YEAR0, 1, "factor")
        for t in range(1, self.n + 1):
            if rate is None:
                self.num(ws, r, YEAR0 + t, 1, "factor")
                continue
            g = rate if isinstance(rate, str) else f"{ycol(t)}{rate}"
            if driver is not None:
                g = self.risk.rate(driver, g)
            self.f(ws, r, YEAR0 + t, f"{ycol(t - 1)}{r}*(1+{g})", float(values[t]), "factor")

    def _rate(self) -> str:
        """The discount rate as the formulas read it (through the uncertain inputs)."""
        return self.risk.assumption("assumptions.discount_rate", "discount_rate")

    def a_ref(self, t: int, row: int) -> str:
        return f"{q(self.ws_a.title)}!{ycol(t)}${row}"

    # ---- offer sheets

    def offer_sheet(self, od: _Offer, is_base: bool) -> None:
        a = self.a
        offer = od.offer
        ws = self.sheet(od.title)
        hr = self._offer_head(ws, offer, is_base)
        r = self._coverage_terms(ws, offer.id, hr + 1)
        fm: _Failures | None = None
        if offer.failures is not None:
            fm = self._failure_model(ws, od, offer.failures, r, hr)
            r = fm.row_fails + 1
        r += 1
        self.text(ws, r, 1, f"{self.lab['cash_flows']} ({a.rate_basis}, {a.currency})", "section")
        lines = self._line_rows(ws, od, r + 1, hr)
        r += len(lines)
        residuals = self._residual_rows(ws, od, lines, r + 1)
        r += len(residuals)
        flows = [*lines, *residuals.values()]
        if fm is not None and offer.failures is not None:
            failure_flows = self._failure_rows(ws, od, fm, offer.failures, r + 1)
            r += len(failure_flows)
            flows += failure_flows
        for x in flows:
            self._sum_j(ws, x.row, x.line.total_basis)
        r = self._totals(ws, od, flows, r + 1)
        pv_first, pv_last = self._present_values(
            ws, od, flows, {x.row for x in residuals.values()}, r + 2
        )
        r = self._lifetime_rows(ws, od, pv_first, pv_last)
        self._price_rows(ws, od, lines, residuals, r + 2)
        self._offer_layout(ws, hr)

    def _offer_layout(self, ws: Worksheet, hr: int) -> None:
        """Column widths, frozen panes and print titles of an offer sheet (header at row hr)."""
        widths = {"A": 40, "B": 13, "C": 13, "D": 17, "J": 17}
        self.widths(ws, widths | dict.fromkeys("EFGHI", 10.0))
        for t in range(self.n + 1):
            ws.column_dimensions[ycol(t)].width = _YEAR_WIDTH
        self.groups[ws.title] = [range(YEAR0, YEAR0 + self.n + 1)]
        ws.freeze_panes = f"B{hr + 1}"
        ws.print_title_cols = "A:A"
        ws.print_title_rows = f"1:{hr}"
        self.label_cols[ws.title] = ({1}, hr + 1)

    def _offer_head(self, ws: Worksheet, offer: Offer, is_base: bool) -> int:
        """Title, id, legend and the header of the line table (returned: its row)."""
        lab = self.lab
        self.text(ws, 1, 1, offer.title, "title")
        self.text(ws, 2, 1, lab["offer_id"])
        self.text(ws, 2, 2, offer.id, "bold")
        if is_base:
            self.text(ws, 2, 4, lab["baseline_label"], "bold")
        self.text(ws, 3, 1, lab["legend"], "legend")
        hr = 5
        for c, key in enumerate(_LINE_HEADS, start=1):
            self.text(ws, hr, c, lab[key], "header" if c <= 3 else "header_right")
        self.year_header(ws, hr, YEAR0)
        return hr

    def _coverage_terms(self, ws: Worksheet, offer_id: str, r: int) -> int:
        """The warranty and service-plan terms of the quote for this offer, one row each, from
        row r + 1; returns the blank row after them (r where the quote states none)."""
        terms = [x for x in self.info.coverage if x.offer_id == offer_id] if self.info else []
        if not terms:
            return r
        lab = self.lab
        r += 1
        self.text(ws, r, 1, lab["coverage"], "section")
        r += 1
        for c, key in enumerate(_COVERAGE_HEADS, start=1):
            self.text(ws, r, c, lab[key], "header" if c <= 2 else "header_right")
        for term in terms:
            r += 1
            self.text(ws, r, 1, term.name + (f" ({term.code})" if term.code else ""))
            self.text(ws, r, 2, lab[f"kind_{term.kind}"])
            self.num(ws, r, 3, term.renewal, "int")
            fee = None if term.annual_fee is None else float(term.annual_fee)
            self._maybe(ws, r, 4, fee, "money")
            self.num(ws, r, 5, term.from_year, "int")
            self.num(ws, r, 6, term.until_year, "int")
            self.num(ws, r, 7, term.repair_covered, _pct_style(term.repair_covered))
            self.num(ws, r, 8, term.maintenance_covered, _pct_style(term.maintenance_covered))
            self._maybe(ws, r, 9, term.response_hours, "hours")
            self._maybe(ws, r, 10, term.downtime_hours, "hours")
            up = term.uptime_promise
            self._maybe(ws, r, 11, up, "pct" if up is None else _pct_style(up, 1))
        r += 1
        self.text(ws, r, 1, lab["coverage_note"], "note")
        return r + 1

    def _maybe(self, ws: Worksheet, r: int, c: int, value: float | None, style: str) -> None:
        """A number, or a dash where the term states none."""
        if value is None:
            self.text(ws, r, c, _DASH, "text_right")
        else:
            self.num(ws, r, c, value, style)

    def _failure_model(
        self, ws: Worksheet, od: _Offer, f: FailureModel, r: int, hr: int
    ) -> _Failures:
        """The failure model's inputs from row r + 1: MTBF, shape and repair cost, the drivers,
        the coverage terms per year (inputs, one cell per year) and the expected failures."""
        r += 1
        self.text(ws, r, 1, self.lab["failure_model"], "section")
        r, prm = self._failure_inputs(ws, od, f, r)
        if f.periods:
            r += 1
            self._period_names(ws, r, od.profile)
        r, rows = self._failure_terms(ws, od, r)
        r += 1
        self._expected_failures(ws, od, r, hr, prm)
        return _Failures(
            row_fails=r,
            row_repair_cost=prm["repair_cost"],
            row_covered=rows["covered_fraction"],
            row_down=rows["downtime_hours"],
            row_order=rows.get("order_cost", 0),
        )

    def _failure_inputs(
        self, ws: Worksheet, od: _Offer, f: FailureModel, r: int
    ) -> tuple[int, dict[str, int]]:
        """MTBF, shape, repair cost and the escalation drivers from row r + 1; returns the last
        row and the rows of the first three."""
        lab, a = self.lab, self.a
        prm: dict[str, int] = {}
        entries = (
            ("mtbf", f.mtbf_hours, "num_in", lab["hours"], "mtbf", "failures.mtbf_hours"),
            ("shape", f.shape, "num_in", "", "shape", "failures.shape"),
            (
                "repair_cost",
                float(f.repair_cost),
                "money_in",
                a.currency,
                "money",
                "failures.repair_cost",
            ),
        )
        for key, value, style, unit, valid, target in entries:
            r += 1
            prm[key] = r
            self.text(ws, r, 1, lab[key])
            self.num(ws, r, 4, value, style, valid)
            self.text(ws, r, 5, unit, "unit")
            self.input_cells[Target(target, offer=od.index)] = (ws.title, f"$D${r}")
        drivers = [("repair_driver", f.escalation), ("downtime_driver", f.downtime_escalation)]
        if od.profile.has_orders:
            drivers.append(("order_driver", f.order_escalation))
        for key, drv in drivers:
            r += 1
            self.text(ws, r, 1, lab[key])
            self.text(ws, r, 4, driver_label(self.lang, drv) if drv else lab["no_driver"])
        return r, prm

    def _failure_terms(self, ws: Worksheet, od: _Offer, r: int) -> tuple[int, dict[str, int]]:
        """The terms of each year 1..N from row r + 1, input cells: the covered share, downtime
        hours and, where the buyer raises repair orders, the cost of one; returns the last row
        and each term's row."""
        lab, n, cover = self.lab, self.n, od.profile.cover
        per_year = [
            ("covered_fraction", "covered", "", "pct_in", "fraction"),
            ("downtime_hours", "downtime_hours", lab["hours"], "hours_in", "hours"),
        ]
        if od.profile.has_orders:
            per_year.append(("order_cost", "order_cost", self.a.currency, "money_in", "money"))
        values = {
            "covered_fraction": [c.covered_fraction for c in cover],
            "downtime_hours": [c.downtime_hours for c in cover],
            "order_cost": [float(c.order_cost) for c in cover],
        }
        rows: dict[str, int] = {}
        for key, label, unit, style, valid in per_year:
            r += 1
            rows[key] = r
            self.text(ws, r, 1, lab[label])
            self.text(ws, r, 5, unit, "unit")
            for t, value in enumerate(values[key], start=1):
                self.num(ws, r, YEAR0 + t, value, style, valid)
            self.name(f"{key}_{od.name}", ws, f"${ycol(1)}${r}:${ycol(n)}${r}")
        return r, rows

    def _expected_failures(
        self, ws: Worksheet, od: _Offer, r: int, hr: int, prm: dict[str, int]
    ) -> None:
        """The expected failures of each year at row r: H(t) - H(t-1), H(t) = (t x operating
        hours / MTBF)^shape, from the inputs at the rows ``prm``."""
        self.text(ws, r, 1, self.lab["expected_failures"], "bold")
        self.num(ws, r, YEAR0, 0, "count")
        risk, k = self.risk, od.index
        m = risk.failure(k, "failures.mtbf_hours", f"$D${prm['mtbf']}")
        s = risk.failure(k, "failures.shape", f"$D${prm['shape']}")
        h = risk.assumption("assumptions.operating_hours_per_year", "operating_hours_per_year")
        fails = od.profile.expected_failures
        for t in range(1, self.n + 1):
            y = f"{ycol(t)}${hr}"
            formula = f"({y}*{h}/{m})^{s}-(({y}-1)*{h}/{m})^{s}"
            self.f(ws, r, YEAR0 + t, formula, fails[t], "count")

    def _period_names(self, ws: Worksheet, r: int, op: OfferProfile) -> None:
        """The name of the warranty or plan period each year falls in (blank outside them)."""
        self.text(ws, r, 1, self.lab["coverage_period"])
        for p in op.periods:
            label = p.name or f"{self.lab['period']} {p.from_year}-{p.until_year}"
            for t in range(p.from_year, min(p.until_year, self.n) + 1):
                self.text(ws, r, YEAR0 + t, label, "wrap")

    def _line_rows(self, ws: Worksheet, od: _Offer, r: int, hr: int) -> list[_Flow]:
        """One row per cost line from row r: its inputs and its cash flow per year."""
        n = self.n
        out: list[_Flow] = []
        for j, line in enumerate(od.offer.costs):
            lp = od.profile.line(f"costs[{j}]")
            first, last = line.span(n)
            self.text(ws, r, 1, line.name)
            self.text(ws, r, 2, self.cat_names[line.category.value])
            self.text(ws, r, 3, self.driver(line.escalation))
            self.num(ws, r, 4, float(line.amount), "money_in", "amount")
            self.input_cells[Target(LINE_FIELD, offer=od.index, line=j)] = (ws.title, f"$D${r}")
            amount = self.risk.amount(od.index, j, f"$D{r}")
            self.num(ws, r, 5, first, "int")
            self.num(ws, r, 6, line.every_years, "int")
            self.num(ws, r, 7, last, "int")
            self.num(ws, r, 8, line.life_years, "int")
            self.num(ws, r, 9, line.residual_fraction, "ratio")
            erow = self.esc_row[line.escalation]
            for t in range(n + 1):
                y = f"{ycol(t)}${hr}"
                cond = f"AND({y}>=$E{r},{y}<=$G{r},MOD({y}-$E{r},MAX(1,$F{r}))=0)"
                formula = f"IF({cond},{amount}*{self.a_ref(t, erow)},0)"
                self.f(ws, r, YEAR0 + t, formula, lp.basis[t], "money")
            timing = 1 if line.recurring else 0
            out.append(_Flow(r, line.name, line.category.value, line.escalation, timing, lp))
            r += 1
        return out

    def _residual_rows(
        self, ws: Worksheet, od: _Offer, lines: list[_Flow], r: int
    ) -> dict[int, _Flow]:
        """The residual credit in year N of each line that leaves one and falls in some year,
        from row r; keyed by the line's row."""
        n, lab = self.n, self.lab
        credits = {x.source: x for x in od.profile.lines}
        out: dict[int, _Flow] = {}
        for j, (line, lf) in enumerate(zip(od.offer.costs, lines, strict=True)):
            lp = credits.get(f"costs[{j}].residual")
            if lp is None or not line.occurrence_years(n):
                continue
            lr = lf.row
            erow = self.esc_row[line.escalation]
            if line.residual_fraction is not None:
                share_f = f"$I{lr}"
            else:
                step = f"MAX(1,$F{lr})"
                last_occ = f"$E{lr}+INT(($G{lr}-$E{lr})/{step})*{step}"
                share_f = f"MAX(0,{last_occ}+$H{lr}-study_period_years)/$H{lr}"
            label = f"{line.name}: {lab['residual_value']}"
            self.text(ws, r, 1, label)
            self.text(ws, r, 2, self.cat_names[Category.end_of_life.value])
            self.text(ws, r, 3, self.driver(line.escalation))
            self.f(ws, r, 4, self.risk.amount(od.index, j, f"D{lr}"), float(line.amount), "money")
            credit = f"-{self.risk.amount(od.index, j, f'$D{lr}')}*{share_f}*{self.a_ref(n, erow)}"
            self.f(ws, r, YEAR0 + n, credit, lp.basis[n], "money")
            out[lr] = _Flow(r, label, Category.end_of_life.value, line.escalation, 0, lp)
            r += 1
        return out

    def _failure_rows(
        self, ws: Worksheet, od: _Offer, fm: _Failures, f: FailureModel, r: int
    ) -> list[_Flow]:
        """Expected repairs, downtime and repair orders from row r: year t's expected failures x
        year t's terms (the per-year input rows) x the driver's escalation factor."""
        lab, n, risk, k = self.lab, self.n, self.risk, od.index
        fr = fm.row_fails
        repair = risk.failure(k, "failures.repair_cost", f"$D${fm.row_repair_cost}")
        hourly = risk.assumption("assumptions.downtime_cost_per_hour", "downtime_cost_per_hour")

        def repairs(y: str, t: int) -> str:
            return f"{y}${fr}*{repair}*(1-{y}${fm.row_covered})"

        def downtime(y: str, t: int) -> str:
            return f"{y}${fr}*{risk.downtime_hours(k, t, f'{y}${fm.row_down}')}*{hourly}"

        def orders(y: str, t: int) -> str:
            return f"{y}${fr}*{y}${fm.row_order}"

        specs = [
            ("expected_repairs", "failures.repair", Category.repair, f.escalation, repairs),
            (
                "expected_downtime",
                "failures.downtime",
                Category.downtime,
                f.downtime_escalation,
                downtime,
            ),
        ]
        if fm.row_order:
            specs.append(
                (
                    "expected_orders",
                    "failures.orders",
                    Category.transaction,
                    f.order_escalation,
                    orders,
                )
            )
        out: list[_Flow] = []
        for key, source, cat, drv, per_year in specs:
            lp = od.profile.line(source)
            erow = self.esc_row[drv]
            self.text(ws, r, 1, lab[key])
            self.text(ws, r, 2, self.cat_names[cat.value])
            self.text(ws, r, 3, self.driver(drv))
            for t in range(n + 1):
                formula = per_year(ycol(t), t) + f"*{self.a_ref(t, erow)}"
                self.f(ws, r, YEAR0 + t, formula, lp.basis[t], "money")
            out.append(_Flow(r, lab[key], cat.value, drv, 1, lp))
            r += 1
        return out

    def _totals(self, ws: Worksheet, od: _Offer, flows: list[_Flow], r: int) -> int:
        """The analysis-basis and nominal totals per year at rows r, r + 1 (returns r + 1)."""
        lab, n, a = self.lab, self.n, self.a
        first_row = flows[0].row if flows else r
        basis = od.profile.basis
        od.row_total = r
        self.text(ws, r, 1, f"{lab['total_basis']} ({a.rate_basis})", "bold")
        for t in range(n + 1):
            total = self._colsum(t, first_row, r - 1)
            self.f(ws, r, YEAR0 + t, total, basis[t], "money_total")
        self._sum_j(ws, r, float(sum(basis)), "money_total")
        r += 1
        od.row_nominal = r
        self.text(ws, r, 1, lab["total_nominal"], "bold")
        nominal = od.profile.nominal
        for t in range(n + 1):
            formula = f"{ycol(t)}{od.row_total}*{self.a_ref(t, self.row_nominal)}"
            self.f(ws, r, YEAR0 + t, formula, nominal[t], "money")
        self._sum_j(ws, r, float(sum(nominal)))
        self.name(f"cash_flow_nominal_{od.name}", ws, f"${ycol(0)}${r}:${ycol(n)}${r}")
        return r

    def _present_values(
        self, ws: Worksheet, od: _Offer, flows: list[_Flow], residual_rows: set[int], r: int
    ) -> tuple[int, int]:
        """A present-value row per cash-flow row after the section title at row r; returns the
        first and last of them."""
        lab, n = self.lab, self.n
        self.text(ws, r, 1, lab["present_values"], "section")
        self.text(ws, r, YEAR0 - 1, lab["present_value"], "header_right")
        pv_first = r + 1
        for x in flows:
            r += 1
            od.pv_rows.append(r)
            pv = x.line.present_value
            self.text(ws, r, 1, x.label)
            self.text(ws, r, 2, self.cat_names[x.category])
            self.text(ws, r, 3, self.driver(x.driver))
            for t in range(n + 1):
                if x.row in residual_rows and t != n:
                    continue
                formula = f"{ycol(t)}{x.row}*{self.a_ref(t, self.df_row[x.timing])}"
                self.f(ws, r, YEAR0 + t, formula, pv[t], "money")
            self._sum_j(ws, r, x.line.total_present_value)
        if od.pv_rows:
            self.name(f"line_pv_{od.name}", ws, f"$J${pv_first}:$J${r}")
        return pv_first, r

    def _lifetime_rows(self, ws: Worksheet, od: _Offer, pv_first: int, pv_last: int) -> int:
        """Total and cumulative present value, lifetime cost, equivalent annual cost and the
        present value by category after the present-value rows; returns the last row."""
        lab, n = self.lab, self.n
        res = self.results[od.offer.id]
        r = pv_last + 1
        od.row_pv = r
        pv_res = od.profile.present_value
        self.text(ws, r, 1, lab["total_pv"], "bold")
        for t in range(n + 1):
            self.f(ws, r, YEAR0 + t, self._colsum(t, pv_first, pv_last), pv_res[t], "money_total")
        self._sum_j(ws, r, res.lifetime_cost, "money_total")
        self.name(f"present_value_{od.name}", ws, f"${ycol(0)}${r}:${ycol(n)}${r}")
        r += 1
        od.row_cum = r
        self.text(ws, r, 1, lab["cumulative_pv"])
        cum = od.profile.cumulative_present_value
        for t in range(n + 1):
            formula = (
                f"{ycol(0)}{od.row_pv}" if t == 0 else f"{ycol(t - 1)}{r}+{ycol(t)}{od.row_pv}"
            )
            self.f(ws, r, YEAR0 + t, formula, cum[t], "money")
        self.name(f"cumulative_pv_{od.name}", ws, f"${ycol(0)}${r}:${ycol(n)}${r}")
        r += 2
        self.text(ws, r, 1, lab["lifetime_cost"], "bold")
        self.f(ws, r, 10, f"J{od.row_pv}", res.lifetime_cost, "money_total")
        self.name(f"lifetime_cost_{od.name}", ws, f"$J${r}")
        lcc_row = r
        r += 1
        od.row_eac = r
        self.text(ws, r, 1, lab["eac"], "bold")
        eac = f"-PMT({self._rate()},study_period_years,J{lcc_row})"
        self.f(ws, r, 10, eac, res.equivalent_annual_cost, "money_total")
        self.name(f"eac_{od.name}", ws, f"$J${r}")
        return self._category_rows(ws, od, pv_first, pv_last, lcc_row, r + 2)

    def _category_rows(
        self, ws: Worksheet, od: _Offer, pv_first: int, pv_last: int, lcc_row: int, r: int
    ) -> int:
        """Present value by category (section title at row r), investment-related and operating
        costs; returns the last row."""
        lab = self.lab
        res = self.results[od.offer.id]
        self.text(ws, r, 1, lab["by_category"], "section")
        self.text(ws, r, 2, lab["category"], "header")
        self.text(ws, r, 3, lab["investment_flag"], "header_right")
        self.text(ws, r, 10, lab["present_value"], "header_right")
        od.row_cat0 = r + 1
        last = max(pv_last, pv_first)
        rng_b = f"$B${pv_first}:$B${last}"
        for cat in CATEGORIES:
            r += 1
            self.text(ws, r, 1, self.cats[cat.value])
            self.text(ws, r, 2, self.cat_names[cat.value])
            self.num(ws, r, 3, 1 if cat in INVESTMENT_CATEGORIES else 0, "int")
            formula = f"SUMIF({rng_b},$B{r},$J${pv_first}:$J${last})"
            self.f(ws, r, 10, formula, res.by_category[cat.value], "money")
        self.name(f"by_category_{od.name}", ws, f"$J${od.row_cat0}:$J${r}")
        r += 1
        od.row_inv = r
        self.text(ws, r, 1, lab["investment_cost"], "bold")
        c0, c1 = od.row_cat0, od.row_cat0 + len(CATEGORIES) - 1
        formula = f"SUMIF($C${c0}:$C${c1},1,$J${c0}:$J${c1})"
        self.f(ws, r, 10, formula, res.investment_cost, "money_total")
        self.name(f"investment_cost_{od.name}", ws, f"$J${r}")
        r += 1
        od.row_op = r
        self.text(ws, r, 1, lab["operating_cost"], "bold")
        self.f(ws, r, 10, f"J{lcc_row}-J{od.row_inv}", res.operating_cost, "money_total")
        self.name(f"operating_cost_{od.name}", ws, f"$J${r}")
        return r

    def _price_rows(
        self, ws: Worksheet, od: _Offer, lines: list[_Flow], residuals: dict[int, _Flow], r: int
    ) -> None:
        """The year-0 acquisition price (row r) and the residual credit it earns (row r + 1),
        for the price headroom: the lines the profile counts in the price."""
        op = od.profile
        own = [*lines, *residuals.values()]
        pv_row = {x.row: pv for x, pv in zip(own, od.pv_rows[: len(own)], strict=True)}
        row_of = {x.line.source: x.row for x in lines}
        price_rows = [row_of[source] for source in op.price_sources]
        line_of = {x.row: j for j, x in enumerate(lines)}
        price_cells = [self.risk.amount(od.index, line_of[row], f"D{row}") for row in price_rows]
        residual_cells = [
            f"J{pv_row[residuals[row].row]}" for row in price_rows if row in residuals
        ]
        od.row_price = r
        self.text(ws, r, 1, self.lab["price"])
        self.f(ws, r, 10, "+".join(price_cells) or "0", op.price, "money")
        r += 1
        od.row_price_residual = r
        self.text(ws, r, 1, self.lab["price_residual"])
        self.f(ws, r, 10, "+".join(residual_cells) or "0", op.price_residual, "money")

    def _colsum(self, t: int, r0: int, r1: int) -> str:
        if r1 < r0:
            return "0"
        x = ycol(t)
        return f"SUM({x}{r0}:{x}{r1})"

    def _sum_j(self, ws: Worksheet, r: int, value: float, style: str = "money") -> None:
        self.f(ws, r, 10, f"SUM({ycol(0)}{r}:{ycol(self.n)}{r})", value, style)

    def o_ref(self, od: _Offer, cell: str) -> str:
        return f"{q(od.title)}!{cell}"

    # ---- Comparison

    def comparison(self) -> None:
        ws, lab, n = self.ws_cmp, self.lab, self.n
        base = self.offers[self.base]
        self.text(ws, 1, 1, lab["sheet_comparison"], "title")
        self.text(ws, 2, 1, lab["baseline_label"])
        self.text(ws, 2, 2, base.offer.title, "bold")
        hr = 4
        for c, key in enumerate(_CMP_HEADS, start=1):
            self.text(ws, hr, c, lab[key], "header" if c <= 2 else "header_right")
        self.cmp_rows: dict[int, int] = {k: hr + 1 + k for k in range(len(self.offers))}
        self.cmp_cached: dict[tuple[int, int], Cached] = {}
        note = hr + len(self.offers) + 1
        self.text(ws, note, 1, lab["payback_note"], "note_wrap")
        # merged over the first columns only: the note prints whole on the first page
        ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=5)
        helper0 = note + 2
        self.text(ws, helper0, 1, lab["helper_rows"], "section")
        wr = helper0 + 1
        for k, od in enumerate(self.offers):
            r = self.cmp_rows[k]
            res = self.results[od.offer.id]
            self.text(ws, r, 1, od.offer.title)
            self.text(ws, r, 2, od.offer.id)
            self.f(ws, r, 3, self.o_ref(od, f"$J${od.row_pv}"), res.lifetime_cost, "money")
            self.f(ws, r, 5, self.o_ref(od, f"$J${od.row_inv}"), res.investment_cost, "money")
            self.f(ws, r, 6, self.o_ref(od, f"$J${od.row_op}"), res.operating_cost, "money")
            if k == self.base:
                self.text(ws, r, 4, lab["baseline"], "text_right")
                continue
            # each offer's working rows under a year header of their own (printed pages that
            # show only working rows still say which year a column is)
            self.text(ws, wr, 1, od.offer.title, "header")
            self.text(ws, wr, 2, lab["year"], "header_right")
            self.year_header(ws, wr, CMP_YEAR0)
            rows = self._working_rows(ws, od, wr + 1, wr)
            self._measures(ws, k, od, rows)
            wr += len(rows) + 2
        self.widths(ws, {"A": 48, "B": 14})
        last = max(len(_CMP_HEADS) + 1, CMP_YEAR0 + n + 1)
        for c in range(3, last):
            ws.column_dimensions[col(c)].width = 15
        self.groups[ws.title] = [range(3, last)]
        ws.freeze_panes = f"C{hr + 1}"
        ws.print_title_cols = "A:B"
        ws.print_title_rows = "1:2"
        self.label_cols[ws.title] = ({1, 2}, hr + 1)

    def _cmp(self, ws: Worksheet, k: int, c: int, formula: str, value: Cached, style: str) -> None:
        """A measure in offer k's row of the comparison table (the summary repeats its value)."""
        self.f(ws, self.cmp_rows[k], c, formula, value, style)
        self.cmp_cached[(k, c)] = value

    def _measures(self, ws: Worksheet, k: int, od: _Offer, wr: dict[str, int]) -> None:
        """Offer k's measures against the baseline, from the working rows ``wr``."""
        n, na = self.n, f'"{self.na}"'
        r, b = self.cmp_rows[k], self.cmp_rows[self.base]
        oc, sv = self.res.comparison.offers[od.offer.id], od.savings
        self._cmp(ws, k, 4, f"$C${b}-C{r}", oc.net_savings, "money")
        self.name(f"net_savings_{od.name}", ws, f"$D${r}")
        self.f(ws, r, 7, f"E{r}-$E${b}", sv.added_investment, "money")
        self.f(ws, r, 8, f"$F${b}-F{r}", sv.operating_savings, "money")
        self._cmp(ws, k, 9, f"IF(G{r}>{ZERO},H{r}/G{r},{na})", self._v(oc.sir), "ratio")
        airr = f"IF(I{r}>=0,(1+{self._rate()})*I{r}^(1/study_period_years)-1,{na})"
        self._cmp(ws, k, 10, f"IF(ISNUMBER(I{r}),{airr},{na})", self._v(oc.airr), "pct")
        # paybacks: only where the offer adds investment (a dash: nothing to pay back)
        invests = sv.adds_investment
        y0, yn = col(CMP_YEAR0), col(CMP_YEAR0 + n)

        def first(key: str, none: str) -> str:
            return f"IFERROR(MATCH(1,{y0}{wr[key]}:{yn}{wr[key]},0)-1,{none})"

        dash = f'"{_DASH}"'
        for c, key, value in (
            (11, "payback_flag", oc.simple_payback_year),
            (12, "dpayback_flag", oc.discounted_payback_year),
        ):
            cached = self._v(value) if value is not None or invests else _DASH
            self._cmp(ws, k, c, f"IF(G{r}>{ZERO},{first(key, na)},{dash})", cached, "year")
        for c, key, value in (
            (13, "neg_again_flag", oc.savings_negative_again_year),
            (14, "recovered_flag", oc.savings_recovered_year),
        ):
            self._cmp(ws, k, c, first(key, '""'), "" if value is None else float(value), "year")
        kc = f"${y0}${wr['cross_year']}"
        cum_rng = f"${y0}${wr['cum_savings_pv']}:${yn}${wr['cum_savings_pv']}"
        before, after = f"INDEX({cum_rng},{kc})", f"INDEX({cum_rng},{kc}+1)"
        crossing = f"IF(ISNUMBER({kc}),{kc}-1+(-{before})/({after}-{before}),{na})"
        level = f"ABS(${y0}${wr['cum_savings_pv']})<={ZERO}"
        self._cmp(ws, k, 15, f"IF({level},0,{crossing})", self._v(oc.breakeven_year), "year1")
        # IRR's iteration starts at the engine's rate where there is one: from the default guess
        # (10 %) it may miss a root far from it, or find another root than the engine's
        guess = "" if oc.irr is None else f",{oc.irr!r}"
        irr = f"IFERROR(IRR({y0}{wr['savings_basis']}:{yn}{wr['savings_basis']}{guess}),{na})"
        self._cmp(ws, k, 16, irr, self._v(oc.irr), "pct")
        price = self.o_ref(od, f"$J${od.row_price}")
        credit = self.o_ref(od, f"$J${od.row_price_residual}")
        share = f"IF({price}>0,-{credit}/{price},0)"
        headroom = f"IF({share}<1,D{r}/(1-{share}),{na})"
        self._cmp(ws, k, 17, headroom, self._v(oc.price_headroom), "money")
        for key, c_ in _CMP_NAMES:
            self.name(f"{key}_{od.name}", ws, f"${col(c_)}${r}")

    def _working_rows(self, ws: Worksheet, od: _Offer, row: int, year_row: int) -> dict[str, int]:
        """Offer od's working rows against the baseline from row ``row`` (years 0..N in the
        columns of the year header at ``year_row``): savings, cumulative savings and the flags
        the paybacks and the breakeven are read from."""
        wr = {key: row + i for i, key in enumerate(_WORKING_ROWS)}
        for key, r in wr.items():
            self.text(ws, r, 1, self.lab[key])
            self.text(ws, r, 2, od.offer.id)
        for t in range(self.n + 1):
            self._savings_column(ws, od, wr, t)
            self._flag_column(ws, od, wr, year_row, t)
        y1, yn = col(CMP_YEAR0 + 1), col(CMP_YEAR0 + self.n)
        first = od.savings.crossing_year
        self.f(
            ws,
            wr["cross_year"],
            CMP_YEAR0,
            f'IFERROR(MATCH(1,{y1}{wr["cross_flag"]}:{yn}{wr["cross_flag"]},0),"{self.na}")',
            self._v(first),
            "int",
        )
        return wr

    def _savings_column(self, ws: Worksheet, od: _Offer, wr: dict[str, int], t: int) -> None:
        """Year t of the savings (analysis basis, present value) and of their cumulative sums."""
        base, sv = self.offers[self.base], od.savings
        c = CMP_YEAR0 + t
        x, xb, prev = col(c), ycol(t), col(c - 1)
        for key, row_b, row_o, vals in (
            ("savings_basis", base.row_total, od.row_total, sv.basis),
            ("savings_pv", base.row_pv, od.row_pv, sv.present_value),
        ):
            formula = self.o_ref(base, f"{xb}{row_b}") + "-" + self.o_ref(od, f"{xb}{row_o}")
            self.f(ws, wr[key], c, formula, vals[t], "money")
        for src, dst, vals in (
            ("savings_basis", "cum_savings", sv.cumulative),
            ("savings_pv", "cum_savings_pv", sv.cumulative_present_value),
        ):
            formula = f"{x}{wr[src]}" if t == 0 else f"{prev}{wr[dst]}+{x}{wr[src]}"
            self.f(ws, wr[dst], c, formula, vals[t], "money")

    def _flag_column(
        self, ws: Worksheet, od: _Offer, wr: dict[str, int], year_row: int, t: int
    ) -> None:
        """Year t of the flags: paid back (analysis basis, discounted), dearer again after the
        discounted payback, cheaper again after that, and (years 1..N) curves crossed."""
        sv, cmp_row = od.savings, self.cmp_rows[self.offers.index(od)]
        c = CMP_YEAR0 + t
        x = col(c)
        for src, dst, flags in (
            ("cum_savings", "payback_flag", sv.paid_back),
            ("cum_savings_pv", "dpayback_flag", sv.paid_back_discounted),
        ):
            self.f(ws, wr[dst], c, f"IF({x}{wr[src]}>=-{ZERO},1,0)", _flag(flags[t]), "int")
        # after the discounted payback: negative again, then no longer negative
        year, ok = f"{x}${year_row}", f"{x}{wr['dpayback_flag']}"
        for dst, after, want, flags in (
            ("neg_again_flag", 12, 0, sv.dearer_again),
            ("recovered_flag", 13, 1, sv.cheaper_again),
        ):
            at = f"${col(after)}${cmp_row}"
            formula = f"IF(ISNUMBER({at}),IF(AND({year}>{at},{ok}={want}),1,0),0)"
            self.f(ws, wr[dst], c, formula, _flag(flags[t]), "int")
        if t >= 1:
            c0 = f"${col(CMP_YEAR0)}{wr['cum_savings_pv']}"
            cur = f"{x}{wr['cum_savings_pv']}"
            formula = f"IF({c0}<-{ZERO},IF({cur}>=-{ZERO},1,0),IF({cur}<-{ZERO},1,0))"
            self.f(ws, wr["cross_flag"], c, formula, _flag(sv.crossed[t]), "int")

    def _v(self, x: float | int | None) -> Cached:
        return self.na if x is None else float(x)

    # ---- Summary

    def summary(self) -> None:
        ws = self.ws_sum
        hr = self._summary_head(ws)
        r = self._summary_measures(ws, hr)
        self.sum_hr, self.sum_cat_hr = hr, r + 3
        self.sum_end = self._summary_categories(ws, r + 2)
        self.widths(ws, {"A": 42})
        n_off = len(self.offers)
        for k in range(n_off):
            ws.column_dimensions[col(2 + k)].width = 18
        self.groups[ws.title] = [range(2, 2 + n_off)]
        ws.freeze_panes = f"B{hr + 1}"

    def _summary_head(self, ws: Worksheet) -> int:
        """Title, the quote's header fields, currency, period, rate and baseline; returns the
        row of the measures' header."""
        lab, a, info = self.lab, self.a, self.info
        self.text(ws, 1, 1, (info.title if info and info.title else lab["title"]), "title")
        r = 2
        if info is not None:
            fields: list[tuple[str, str | None]] = []
            if info.number:
                v = f" ({lab['version']} {info.version})" if info.version is not None else ""
                fields.append(("quote", info.number + v))
            fields += [
                ("customer", info.customer),
                ("seller", info.seller),
                ("issued", info.issued.isoformat() if info.issued else None),
                ("valid_until", info.valid_until.isoformat() if info.valid_until else None),
                ("terms", info.terms),
            ]
            for key, value in fields:
                if value:
                    self.text(ws, r, 1, lab[key])
                    self.text(ws, r, 2, value, "bold")
                    r += 1
        self.text(ws, r, 1, lab["currency"])
        self.text(ws, r, 2, a.currency, "bold")
        r += 1
        self.text(ws, r, 1, lab["study_period"])
        self.f(ws, r, 2, "study_period_years", float(self.n), "int_left")
        r += 1
        self.text(ws, r, 1, f"{lab['discount_rate']} ({a.rate_basis})")
        self.f(ws, r, 2, self._rate(), a.discount_rate, "pct_left")
        r += 1
        self.text(ws, r, 1, lab["baseline_label"])
        self.text(ws, r, 2, self.offers[self.base].offer.title, "bold")
        if info is not None and not info.buyer_effort_counted:
            r += 1
            self.text(ws, r, 1, lab["effort_not_counted"], "note")
        return r + 2

    def _summary_measures(self, ws: Worksheet, hr: int) -> int:
        """The offers side by side (header at row hr) and the recommended mark; returns the
        mark's row. Every cell of an offer's column is right-aligned, text and numbers alike."""
        lab = self.lab
        self.text(ws, hr, 1, lab["measure"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, hr, 2 + k, od.offer.title, "header_right")
        cmp_t = q(self.ws_cmp.title)
        for i, (key, ccol, style) in enumerate(_SUMMARY_ROWS):
            rr = hr + 1 + i
            self.text(ws, rr, 1, lab[key], "bold" if key in ("lifetime_cost", "eac") else "text")
            for k, od in enumerate(self.offers):
                c = 2 + k
                res = self.results[od.offer.id]
                if key == "offer_id":
                    self.text(ws, rr, c, od.offer.id, "text_right")
                elif key == "price":
                    price = od.profile.price
                    self.f(ws, rr, c, self.o_ref(od, f"$J${od.row_price}"), price, style)
                elif key == "lifetime_cost":
                    self.f(ws, rr, c, f"{cmp_t}!$C${self.cmp_rows[k]}", res.lifetime_cost, style)
                elif key == "eac":
                    eac = self.o_ref(od, f"$J${od.row_eac}")
                    self.f(ws, rr, c, eac, res.equivalent_annual_cost, style)
                elif k == self.base:
                    self.text(ws, rr, c, lab["baseline"], "text_right")
                else:
                    value = self.cmp_cached[(k, ccol)]
                    self.f(ws, rr, c, f"{cmp_t}!${col(ccol)}${self.cmp_rows[k]}", value, style)
        rr = hr + 1 + len(_SUMMARY_ROWS)
        lcc_row = hr + 1 + [x[0] for x in _SUMMARY_ROWS].index("lifetime_cost")
        last_c = col(1 + len(self.offers))
        self.text(ws, rr, 1, lab["recommended"], "bold")
        mark = f"✔ {lab['recommended_mark']}"
        for k, od in enumerate(self.offers):
            c = 2 + k
            value = mark if od.offer.id == self.res.comparison.recommended else ""
            lowest = f"{col(c)}{lcc_row}=MIN($B${lcc_row}:${last_c}${lcc_row})"
            self.f(ws, rr, c, f'IF({lowest},"{mark}","")', value, "bold_right")
        return rr

    def _summary_categories(self, ws: Worksheet, r: int) -> int:
        """Lifetime cost by category from row r (section title); returns the total's row."""
        lab = self.lab
        self.text(ws, r, 1, lab["chart_categories"], "section")
        r += 1
        cat_hr = r
        self.text(ws, r, 1, lab["category"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, r, 2 + k, od.offer.title, "header_right")
        for ci, cat in enumerate(CATEGORIES):
            r += 1
            self.text(ws, r, 1, self.cats[cat.value])
            for k, od in enumerate(self.offers):
                pv = self.results[od.offer.id].by_category[cat.value]
                self.f(ws, r, 2 + k, self.o_ref(od, f"$J${od.row_cat0 + ci}"), pv, "money")
        r += 1
        self.text(ws, r, 1, lab["total"], "bold")
        for k, od in enumerate(self.offers):
            x = col(2 + k)
            lcc = self.results[od.offer.id].lifetime_cost
            self.f(ws, r, 2 + k, f"SUM({x}{cat_hr + 1}:{x}{r - 1})", lcc, "money_total")
        return r

    def _offer_names(self, ws: Worksheet, k: int | None = None) -> StrRef:
        """A reference to the offer names of the Summary's header (offer k's, or all), with
        their text cached: a chart shows the names as text, whatever they look like."""
        hr, n_off = self.sum_hr, len(self.offers)
        first, last = (0, n_off - 1) if k is None else (k, k)
        names = [self.ws_sum.cell(hr, 2 + i).value or "" for i in range(first, last + 1)]
        ref = f"{q(ws.title)}!${col(2 + first)}${hr}" + (
            f":${col(2 + last)}${hr}" if last > first else ""
        )
        pts = [StrVal(idx=i, v=str(name)) for i, name in enumerate(names)]
        return StrRef(f=ref, strCache=StrData(ptCount=len(pts), pt=pts))

    def _category_chart(self, ws: Worksheet) -> BarChart:
        """Lifetime cost by category: one horizontal stacked bar per offer, in the colours of
        the quote document's category chart; categories without any cost are left out."""
        n_off, cat_hr = len(self.offers), self.sum_cat_hr
        bar = BarChart()
        bar.type, bar.grouping, bar.overlap = "bar", "stacked", 100
        bar.title = self.lab["chart_categories"]
        bar.y_axis.title = f"{self.lab['present_value']} ({self.a.currency})"
        bar.y_axis.number_format = "#,##0"
        bar.y_axis.majorGridlines = None
        bar.y_axis.majorUnit = self._category_axis_unit()  # few labels: they never touch
        bar.x_axis.scaling.orientation = "maxMin"  # the first offer on top, as in the table
        bar.x_axis.tickLblPos = "low"  # names left of the plot, clear of negative bars
        bar.y_axis.crosses = "max"  # ... and the value axis below the bars
        bar.x_axis.delete = bar.y_axis.delete = False
        for ci, cat in enumerate(CATEGORIES):
            r = cat_hr + 1 + ci
            if all(abs(self.results[o.offer.id].by_category[cat.value]) == 0 for o in self.offers):
                continue
            s = Series(
                Reference(ws, min_col=2, max_col=1 + n_off, min_row=r), title=self.cats[cat.value]
            )
            color = CATEGORY_COLORS[cat].lstrip("#").upper()
            s.graphicalProperties.solidFill = color
            s.graphicalProperties.line.solidFill = color
            bar.series.append(s)
        for s in bar.series:
            s.cat = AxDataSource(strRef=self._offer_names(ws))
        bar.legend = Legend(legendPos="b")  # leaves the plot the chart's width
        return bar

    def _category_axis_unit(self) -> float:
        """A round step for the value axis of the category chart: about four steps from the
        most negative stack (credits) to the highest one."""
        ups = [sum(max(0.0, v) for v in o.by_category.values()) for o in self.res.offers]
        downs = [sum(min(0.0, v) for v in o.by_category.values()) for o in self.res.offers]
        span = max(max(ups, default=0.0) - min(downs, default=0.0), 1.0) / 4
        power = 10.0 ** math.floor(math.log10(span))
        return next(power * k for k in (1.0, 2.0, 2.5, 5.0, 10.0) if power * k >= span)

    def _cumulative_chart(self, ws: Worksheet) -> LineChart:
        """Cumulative discounted cost per offer over years 0..N, in the quote document's offer
        colours; each line is named by a reference to its offer's name (text)."""
        line = LineChart()
        line.title = self.lab["chart_cumulative"]
        line.y_axis.title = f"{self.lab['present_value']} ({self.a.currency})"
        line.y_axis.number_format = "#,##0"
        line.y_axis.crossBetween = "midCat"  # year 0 on the value axis, year N at the end
        line.x_axis.title = self.lab["year"]
        line.x_axis.number_format = "0"
        line.x_axis.delete = line.y_axis.delete = False
        # the year header of an offer sheet: 0..N
        first = self.wb[self.offers[0].title]
        years = Reference(first, min_col=YEAR0, max_col=YEAR0 + self.n, min_row=5)
        for k, od in enumerate(self.offers):
            ows = self.wb[od.title]
            s = Series(Reference(ows, min_col=YEAR0, max_col=YEAR0 + self.n, min_row=od.row_cum))
            s.tx = SeriesLabel(strRef=self._offer_names(ws, k))
            color = OFFER_COLORS[k % len(OFFER_COLORS)].lstrip("#").upper()
            s.graphicalProperties.line.solidFill = color
            s.graphicalProperties.line.width = 28575  # 2.25 pt
            s.smooth = False
            line.series.append(s)
        line.set_categories(years)
        line.legend = Legend(legendPos="b")
        return line

    def _summary_charts(self, ws: Worksheet) -> None:
        """The two charts: right of the tables for up to four offers, else below them, side by
        side; sized from the (final) column widths so that the page prints legibly."""
        n_off = len(self.offers)
        bar, line = self._category_chart(ws), self._cumulative_chart(ws)
        table_cm = sum(_column_cm(self._width(ws, c)) for c in range(1, 2 + n_off))
        legend_rows = sum(wrapped_lines(od.offer.title, 40) for od in self.offers)
        if n_off <= 4:
            anchor = col(3 + n_off)
            bar.width = line.width = 17.0
            bar.height = 7.0 + 1.5 * n_off
            line.height = 9.0 + 0.45 * legend_rows
            ws.add_chart(bar, f"{anchor}{self.sum_hr}")
            below = self.sum_hr + math.ceil(bar.height / 0.53) + 2
            ws.add_chart(line, f"{anchor}{below}")
        else:
            half = max(14.0, table_cm / 2 - 0.5)
            bar.width = line.width = half
            bar.height = line.height = max(7.0 + 1.2 * n_off, 9.0 + 0.45 * legend_rows)
            r = self.sum_end + 2
            ws.add_chart(bar, f"A{r}")
            right, used = 2, _column_cm(self._width(ws, 1))
            while used < half + 0.5 and right <= 1 + n_off:
                used += _column_cm(self._width(ws, right))
                right += 1
            ws.add_chart(line, f"{col(right)}{r}")

    # ---- Method

    def method(self) -> None:
        ws = self.sheet(self.lab["sheet_method"], "width")
        self.text(ws, 1, 1, self.lab["sheet_method"], "title")
        r = 2
        for para in method_text(self.lang):
            r += 1
            self.text(ws, r, 1, para, "wrap")
        r += 2
        self.text(ws, r, 1, f"{self.lab['engine_version']}: {self.res.method.engine_version}")
        ws.column_dimensions["A"].width = 110


# --------------------------------------------------------------------------------------------
# cached values


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/></c>')


def _with_cached_values(data: bytes, cache: dict[str, dict[str, Cached]]) -> bytes:
    """Store each formula's value next to it in the sheet XML (``<f>..</f><v>..</v>``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            values = cache.get(item.filename)
            if values:

                def fill(m: re.Match[bytes], values: dict[str, Cached] = values) -> bytes:
                    v = values.get(m[1].decode())
                    if v is None:
                        return m[0]
                    if isinstance(v, str):
                        return b'<c r="%s"%s t="str"><f>%s</f><v>%s</v></c>' % (
                            m[1],
                            m[2],
                            m[3],
                            escape(v).encode("utf-8"),
                        )
                    return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (
                        m[1],
                        m[2],
                        m[3],
                        repr(float(v)).encode(),
                    )

                body = _FORMULA_CELL.sub(fill, body)
            dst.writestr(item, body)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# public API


def render_workbook(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
    profile: CostProfile | None = None,
) -> bytes:
    """The buyer's workbook for an evaluated scenario, as .xlsx bytes.

    ``result`` must be ``evaluate(scenario)``; its numbers and those of its cost profile
    (``profile``, computed where not given) are the cached values of the formulas.
    ``locale`` ``de``/``de_DE`` gives German labels; anything else English.
    """
    profile = profile or cost_profile(scenario, result)
    builder = _Builder(scenario, result, language(locale), info, profile)
    wb = builder.build()
    buf = io.BytesIO()
    wb.save(buf)
    paths = {ws.title: ws.path.lstrip("/") for ws in wb.worksheets}
    cache = {paths[title]: values for title, values in builder.cache.items()}
    return _with_cached_values(buf.getvalue(), cache)


def write_workbook(
    path: str | Path,
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
) -> None:
    """Write the buyer's workbook to ``path`` (through a temporary file: never half-written)."""
    data = render_workbook(scenario, result, locale=locale, info=info)
    write_atomic(path, data)
