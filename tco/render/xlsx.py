"""The buyer's workbook: live formulas that reproduce the engine to the cent.

Sheets: Summary (offers side by side, two native charts), Assumptions (the inputs a buyer may
change, and the escalation and discount factors computed from them), one sheet per offer (the
quote's warranty and service-plan terms, the failure model, cost lines x years 0..N: cash flows,
present values, totals by category), Comparison (net savings, SIR, AIRR, paybacks, breakeven
against the baseline) and Method (the conventions in words).

Every number on the offer, comparison and summary sheets is a formula of the input cells. The
formulas follow the conventions of :mod:`tco.escalation` and :mod:`tco.discounting`; the engine's
results stay the reference. openpyxl writes formulas without cached values, so
:func:`render_workbook` stores, next to every formula, the value it evaluates to (the engine's
result where the engine reports one): readers that do not recalculate (pandas, openpyxl with
``data_only=True``, mail previews) see the numbers; Excel and LibreOffice recalculate on load.

A failure model's coverage terms (covered share, downtime hours, cost per repair order) are
input cells per year, filled with ``FailureModel.terms_in(year)``; year t's repairs, downtime
and repair orders read year t's cells. Paybacks are formulas of the same rule as the engine's
(a dash where the offer adds no investment), as are the years in which cumulative discounted
savings turn negative again and recover.

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
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from tco.discounting import discount_factors
from tco.engine import expected_failures
from tco.escalation import escalation_factors
from tco.money import minor_unit_exponent
from tco.render.files import write_atomic
from tco.render.info import QuoteInfo
from tco.render.xlsx_labels import Labels, category_labels, labels, language, method_text
from tco.results import ScenarioResult
from tco.scenario import (
    CATEGORIES,
    INVESTMENT_CATEGORIES,
    Category,
    FailureModel,
    Offer,
    Scenario,
)

FloatArray = npt.NDArray[np.float64]
Cached = float | str | None

#: Column of year 0 on the Assumptions and offer sheets (K); year t is in column YEAR0 + t.
YEAR0 = 11
#: Width of the year columns of the offer sheets (characters).
_YEAR_WIDTH = 15
#: Column of year 0 in the working rows of the Comparison sheet (C).
CMP_YEAR0 = 3
#: Cumulative savings within this many currency units of zero count as zero (as the engine).
ZERO = "0.000001"
_RISKY = ("=", "+", "-", "@")
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


def _wrapped_lines(text: str, width: int) -> int:
    """Lines a text wrapped at word boundaries takes in a column ``width`` characters wide."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, 0
        used += len(word) + (1 if used else 0)
        while used > width:  # a word longer than the column is broken
            lines, used = lines + 1, used - width
    return lines


def q(title: str) -> str:
    """A sheet title quoted for a formula."""
    return "'" + title.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------
# the builder


@dataclass
class _Offer:
    """Positions and values of one offer sheet, for the sheets that refer to it."""

    offer: Offer
    title: str
    name: str
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
    basis: FloatArray = field(default_factory=lambda: np.zeros(0))
    pv: FloatArray = field(default_factory=lambda: np.zeros(0))
    price: float = 0.0
    price_residual: float = 0.0


class _Flow(NamedTuple):
    """A cash-flow row of an offer sheet: its row, label, category, driver, timing (1 for
    recurring amounts and failures) and values per year."""

    row: int
    label: str
    category: str
    driver: str | None
    timing: int
    flows: FloatArray


@dataclass
class _Failures:
    """Rows and values of an offer's failure model: the expected failures, the repair-cost
    input, the per-year terms (row 0: no repair orders) and their values per year."""

    fails: FloatArray
    row_fails: int
    row_repair_cost: int
    row_covered: int
    row_down: int
    row_order: int
    covered: FloatArray
    down: FloatArray
    order: FloatArray


class _Builder:
    def __init__(
        self, scenario: Scenario, result: ScenarioResult, lang: str, info: QuoteInfo | None
    ) -> None:
        self.sc = scenario
        self.res = result
        self.a = scenario.assumptions
        self.n = self.a.study_period_years
        self.lang = lang
        self.lab: Labels = labels(lang)
        self.cats = category_labels(lang)
        self.info = info
        self.wb = Workbook()
        self.cache: dict[str, dict[str, Cached]] = {}
        self.na = self.lab["na"]
        self._protos: dict[str, Any] = {}
        self._styles()

    # ---- cells

    def _styles(self) -> None:
        places = minor_unit_exponent(self.a.currency)
        cur = self.a.currency
        digits = "#,##0" + ("." + "0" * places if places else "")
        money = f'{digits} "{cur}";-{digits} "{cur}"'
        unlocked = Protection(locked=False)
        blue = Font(color="1F4E79", bold=True)
        right = Alignment(horizontal="right")
        specs: dict[str, dict[str, Any]] = {
            "title": {"font": Font(bold=True, size=14)},
            "section": {"font": Font(bold=True, size=11, color="1F4E79")},
            "header": {
                "font": Font(bold=True),
                "fill": _HEAD_FILL,
                "alignment": Alignment(wrap_text=True, vertical="center"),
                "border": Border(bottom=_THIN),
            },
            "text": {},
            "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
            # measures that may be text (n/a) stay right-aligned beside the numbers
            "money": {"number_format": money, "alignment": right},
            "money_total": {
                "number_format": money,
                "font": Font(bold=True),
                "border": Border(top=_THIN),
            },
            "money_in": {
                "number_format": money,
                "fill": _INPUT_FILL,
                "font": blue,
                "protection": unlocked,
            },
            "pct": {"number_format": "0.00%", "alignment": right},
            "pct_in": {
                "number_format": "0.00%",
                "fill": _INPUT_FILL,
                "font": blue,
                "protection": unlocked,
            },
            "num_in": {
                "number_format": "#,##0.####",
                "fill": _INPUT_FILL,
                "font": blue,
                "protection": unlocked,
            },
            "factor": {"number_format": "0.000000"},
            "count": {"number_format": "0.0000"},
            "int": {"number_format": "0"},
            "year": {"number_format": "0", "alignment": right},
            "pct0": {"number_format": "0%"},
            "pct1": {"number_format": "0.0%"},
            "hours": {"number_format": "General"},
            "hours_in": {
                "number_format": "General",
                "fill": _INPUT_FILL,
                "font": blue,
                "protection": unlocked,
            },
            "text_right": {"alignment": right},
            "note": {"font": Font(italic=True)},
            "note_wrap": {
                "font": Font(italic=True),
                "alignment": Alignment(wrap_text=True, vertical="top"),
            },
            "ratio": {"number_format": "0.00", "alignment": right},
            "year1": {"number_format": "0.0", "alignment": right},
            "bold": {"font": Font(bold=True)},
            "legend": {"fill": _INPUT_FILL, "font": Font(italic=True)},
        }
        for key, kw in specs.items():
            style = NamedStyle(name=f"tco_{key}", **kw)
            self.wb.add_named_style(style)

    def _style(self, cell: Any, style: str) -> None:
        """Apply a named style; the first use resolves it, later uses copy its style array."""
        proto = self._protos.get(style)
        if proto is None:
            cell.style = f"tco_{style}"
            self._protos[style] = copy(cell._style)
        else:
            cell._style = copy(proto)

    def text(self, ws: Worksheet, r: int, c: int, value: str | None, style: str = "text") -> None:
        """A text cell; text that looks like a formula stays text."""
        if not value:
            return
        cell = ws.cell(row=r, column=c)
        cell.value = value
        cell.data_type = "s"
        self._style(cell, style)
        if value.startswith(_RISKY):
            cell.quotePrefix = True

    def num(self, ws: Worksheet, r: int, c: int, value: float | int | None, style: str) -> None:
        cell = ws.cell(row=r, column=c, value=value)
        self._style(cell, style)

    def f(self, ws: Worksheet, r: int, c: int, formula: str, value: Cached, style: str) -> None:
        """A formula cell with the value it evaluates to (stored as its cached value)."""
        cell = ws.cell(row=r, column=c)
        cell.value = "=" + formula
        self._style(cell, style)
        if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
            self.cache.setdefault(ws.title, {})[f"{col(c)}{r}"] = value

    def name(self, name: str, ws: Worksheet, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{q(ws.title)}!{ref}")

    def sheet(self, title: str) -> Worksheet:
        ws = self.wb.create_sheet(title)
        ws.protection.sheet = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        return ws

    def widths(self, ws: Worksheet, widths: Mapping[str, float]) -> None:
        for letter, w in widths.items():
            ws.column_dimensions[letter].width = w

    def year_header(self, ws: Worksheet, r: int, c0: int) -> None:
        for t in range(self.n + 1):
            self.num(ws, r, c0 + t, t, "header")

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
        ids = [o.id for o in self.sc.offers]
        titles = _sheet_titles(fixed, ids)
        parts = name_part(ids)
        self.ws_sum = self.sheet(lab["sheet_summary"])
        self.ws_a = self.sheet(lab["sheet_assumptions"])
        self.offers = [
            _Offer(offer=o, title=t, name=p)
            for o, t, p in zip(self.sc.offers, titles, parts, strict=True)
        ]
        self.base = self.sc.baseline_index
        self.results = {o.id: o for o in self.res.offers}
        self.assumptions()
        for k, od in enumerate(self.offers):
            self.offer_sheet(od, k == self.base)
        self.ws_cmp = self.sheet(lab["sheet_comparison"])
        self.comparison()
        self.summary()
        self.method()
        self.wb.calculation.fullCalcOnLoad = True
        self.wb.active = 0
        return self.wb

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
        ws.freeze_panes = f"B{self.row_years + 1}"

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
        self.text(ws, r, 3, lab["years"])
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
        self.num(ws, r, 2, a.discount_rate, "pct_in")
        self.text(ws, r, 3, lab["per_year"])
        self.text(ws, r, 4, a.rate_basis)
        self.name("discount_rate", ws, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["inflation"])
        self.num(ws, r, 2, a.inflation, "pct_in")
        self.text(ws, r, 3, lab["per_year"])
        self.name("inflation", ws, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["operating_hours"])
        self.num(ws, r, 2, a.operating_hours_per_year, "num_in")
        self.text(ws, r, 3, lab["hours"])
        self.name("operating_hours_per_year", ws, f"$B${r}")
        r += 1
        self.text(ws, r, 1, lab["downtime_cost"])
        self.num(ws, r, 2, float(a.downtime_cost_per_hour), "money_in")
        self.text(ws, r, 3, a.currency)
        self.name("downtime_cost_per_hour", ws, f"$B${r}")
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
        self.text(ws, r, YEAR0 - 1, lab["year"], "header")
        self.year_header(ws, r, YEAR0)
        drivers = sorted(a.escalation)
        driver_names = name_part(drivers)
        rate_row: dict[str, int] = {}
        for d, dname in zip(drivers, driver_names, strict=True):
            r += 1
            rate_row[d] = r
            given = a.escalation[d]
            rates = a.rates_for(d)
            self.text(ws, r, 1, d, "bold")
            self.text(ws, r, 2, lab["given_one"] if len(given) == 1 else lab["given_list"])
            k_in = min(len(given), n)
            for t in range(1, n + 1):
                if t <= k_in:
                    self.num(ws, r, YEAR0 + t, rates[t - 1], "pct_in")
                else:
                    self.f(ws, r, YEAR0 + t, f"{ycol(t - 1)}{r}", rates[t - 1], "pct")
            ref = f"${ycol(1)}${r}" if k_in == 1 else f"${ycol(1)}${r}:${ycol(k_in)}${r}"
            self.name(f"escalation_{dname}", ws, ref)
        return r, rate_row

    def _escalation_factors(self, ws: Worksheet, r: int, rate_row: dict[str, int]) -> int:
        """The escalation factors per driver and the nominal-equivalent factors, under the
        section title at row r; returns the last row."""
        lab, a, n = self.lab, self.a, self.n
        self.text(ws, r, 1, lab["escalation_factors"], "section")
        nominal = a.rate_basis == "nominal"
        self.esc_row: dict[str | None, int] = {}
        self.esc_val: dict[str | None, FloatArray] = {}
        infl = np.full(n, a.inflation)
        zero = np.zeros(n)
        r += 1
        self.esc_row[None] = r
        self.text(ws, r, 1, lab["no_driver"])
        self._factor_row(
            ws,
            r,
            None if not nominal else "inflation",
            escalation_factors(infl if nominal else zero),
        )
        self.esc_val[None] = escalation_factors(infl if nominal else zero)
        for d in rate_row:
            r += 1
            self.esc_row[d] = r
            self.text(ws, r, 1, d, "bold")
            vals = escalation_factors(np.asarray(a.rates_for(d), dtype=np.float64))
            self.esc_val[d] = vals
            self._factor_row(ws, r, rate_row[d], vals)
        r += 1
        self.row_nominal = r
        self.text(ws, r, 1, lab["nominal_factor"])
        self.nominal_val = escalation_factors(zero if nominal else infl)
        self._factor_row(ws, r, None if nominal else "inflation", self.nominal_val)
        return r

    def _discount_factors(self, ws: Worksheet, r: int) -> None:
        """Discount factors of one-time and of recurring amounts, under the title at row r."""
        lab, a, n = self.lab, self.a, self.n
        self.text(ws, r, 1, lab["discount_factors"], "section")
        d_arr = np.asarray(a.discount_rate, dtype=np.float64)
        self.df_val = {
            0: discount_factors(d_arr, n),
            1: discount_factors(d_arr, n, mid_year=a.timing == "mid_year"),
        }
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
                self.f(
                    ws,
                    r,
                    YEAR0 + t,
                    f"1/(1+discount_rate)^{when}",
                    float(self.df_val[timing][t]),
                    "factor",
                )

    def _factor_row(
        self, ws: Worksheet, r: int, rate: int | str | None, values: FloatArray
    ) -> None:
        """Year 0 = 1; year t = year t-1 x (1 + rate_t); rate None: constant 1."""
        self.num(ws, r, YEAR0, 1, "factor")
        for t in range(1, self.n + 1):
            if rate is None:
                self.num(ws, r, YEAR0 + t, 1, "factor")
                continue
            g = rate if isinstance(rate, str) else f"{ycol(t)}{rate}"
            self.f(ws, r, YEAR0 + t, f"{ycol(t - 1)}{r}*(1+{g})", float(values[t]), "factor")

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
        lines = self._line_rows(ws, offer, r + 1, hr)
        r += len(lines)
        residuals = self._residual_rows(ws, offer, lines, r + 1)
        r += len(residuals)
        flows = [*lines, *residuals.values()]
        if fm is not None and offer.failures is not None:
            failure_flows = self._failure_rows(ws, fm, offer.failures, r + 1)
            r += len(failure_flows)
            flows += failure_flows
        for x in flows:
            self._sum_j(ws, x.row, float(x.flows.sum()))
        r = self._totals(ws, od, flows, r + 1)
        pv_first, pv_last = self._present_values(
            ws, od, flows, {x.row for x in residuals.values()}, r + 2
        )
        r = self._lifetime_rows(ws, od, pv_first, pv_last)
        self._price_rows(ws, od, lines, residuals, r + 2)
        od.basis = np.sum([x.flows for x in flows], axis=0) if flows else np.zeros(self.n + 1)
        widths = {"A": 40, "B": 13, "C": 13, "D": 17, "J": 17}
        self.widths(ws, widths | dict.fromkeys("EFGHI", 15.0))
        for t in range(self.n + 1):
            ws.column_dimensions[ycol(t)].width = _YEAR_WIDTH
        ws.freeze_panes = f"B{hr + 1}"

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
            self.text(ws, hr, c, lab[key], "header")
        ws.row_dimensions[hr].height = 30
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
            self.text(ws, r, c, lab[key], "header")
        ws.row_dimensions[r].height = 45
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
        lab, n, a = self.lab, self.n, self.a
        r += 1
        self.text(ws, r, 1, lab["failure_model"], "section")
        hours = float(a.operating_hours_per_year or 0.0)
        fails = expected_failures(
            np.array([hours]), np.array([f.mtbf_hours]), np.array([f.shape]), np.array([n]), n + 1
        )[0]
        prm: dict[str, int] = {}
        entries = (
            ("mtbf", f.mtbf_hours, "num_in", lab["hours"]),
            ("shape", f.shape, "num_in", ""),
            ("repair_cost", float(f.repair_cost), "money_in", a.currency),
        )
        for key, value, style, unit in entries:
            r += 1
            prm[key] = r
            self.text(ws, r, 1, lab[key])
            self.num(ws, r, 4, value, style)
            self.text(ws, r, 5, unit)
        orders = f.has_orders(a.study_period_years)
        drivers = [("repair_driver", f.escalation), ("downtime_driver", f.downtime_escalation)]
        if orders:
            drivers.append(("order_driver", f.order_escalation))
        for key, drv in drivers:
            r += 1
            self.text(ws, r, 1, lab[key])
            self.text(ws, r, 4, drv if drv else lab["no_driver"])
        terms = [f.terms_in(t) for t in range(n + 1)]
        covered = np.array([x[0] for x in terms], dtype=np.float64)
        down = np.array([x[1] for x in terms], dtype=np.float64)
        order = np.array([float(x[2]) for x in terms], dtype=np.float64)
        if f.periods:
            r += 1
            self._period_names(ws, r, f)
        rows: dict[str, int] = {}
        per_year = [
            ("covered_fraction", "covered", "", covered, "pct_in"),
            ("downtime_hours", "downtime_hours", lab["hours"], down, "hours_in"),
        ]
        if orders:
            per_year.append(("order_cost", "order_cost", a.currency, order, "money_in"))
        for key, label, unit, values, style in per_year:
            r += 1
            rows[key] = r
            self.text(ws, r, 1, lab[label])
            self.text(ws, r, 5, unit)
            for t in range(1, n + 1):
                self.num(ws, r, YEAR0 + t, float(values[t]), style)
            self.name(f"{key}_{od.name}", ws, f"${ycol(1)}${r}:${ycol(n)}${r}")
        r += 1
        self.text(ws, r, 1, lab["expected_failures"], "bold")
        self.num(ws, r, YEAR0, 0, "count")
        m, s = f"$D${prm['mtbf']}", f"$D${prm['shape']}"
        for t in range(1, n + 1):
            y = f"{ycol(t)}${hr}"
            h = "operating_hours_per_year"
            formula = f"({y}*{h}/{m})^{s}-(({y}-1)*{h}/{m})^{s}"
            self.f(ws, r, YEAR0 + t, formula, float(fails[t]), "count")
        return _Failures(
            fails=fails,
            row_fails=r,
            row_repair_cost=prm["repair_cost"],
            row_covered=rows["covered_fraction"],
            row_down=rows["downtime_hours"],
            row_order=rows.get("order_cost", 0),
            covered=covered,
            down=down,
            order=order,
        )

    def _period_names(self, ws: Worksheet, r: int, f: FailureModel) -> None:
        """The name of the warranty or plan period each year falls in (blank outside them)."""
        self.text(ws, r, 1, self.lab["coverage_period"])
        longest = 1
        for p in f.periods:
            label = p.name or f"{self.lab['period']} {p.from_year}-{p.until_year}"
            for t in range(p.from_year, min(p.until_year, self.n) + 1):
                self.text(ws, r, YEAR0 + t, label, "wrap")
            longest = max(longest, _wrapped_lines(label, _YEAR_WIDTH - 2))
        ws.row_dimensions[r].height = 15 * min(longest, 6)

    def _line_rows(self, ws: Worksheet, offer: Offer, r: int, hr: int) -> list[_Flow]:
        """One row per cost line from row r: its inputs and its cash flow per year."""
        n = self.n
        out: list[_Flow] = []
        for line in offer.costs:
            amount = float(line.amount)
            if line.year is not None:
                first = last = line.year
                every: int | None = None
            else:
                assert line.every_years is not None
                every = line.every_years
                first = every if line.from_year is None else line.from_year
                last = n if line.until_year is None else min(line.until_year, n)
            ind = np.zeros(n + 1)
            ind[list(line.occurrence_years(n))] = 1.0
            flows = amount * ind * self.esc_val[line.escalation]
            self.text(ws, r, 1, line.name)
            self.text(ws, r, 2, line.category.value)
            self.text(ws, r, 3, line.escalation or "")
            self.num(ws, r, 4, amount, "money_in")
            self.num(ws, r, 5, first, "int")
            self.num(ws, r, 6, every, "int")
            self.num(ws, r, 7, last, "int")
            self.num(ws, r, 8, line.life_years, "int")
            self.num(ws, r, 9, line.residual_fraction, "ratio")
            erow = self.esc_row[line.escalation]
            for t in range(n + 1):
                y = f"{ycol(t)}${hr}"
                cond = f"AND({y}>=$E{r},{y}<=$G{r},MOD({y}-$E{r},MAX(1,$F{r}))=0)"
                formula = f"IF({cond},$D{r}*{self.a_ref(t, erow)},0)"
                self.f(ws, r, YEAR0 + t, formula, float(flows[t]), "money")
            timing = 1 if line.recurring else 0
            out.append(_Flow(r, line.name, line.category.value, line.escalation, timing, flows))
            r += 1
        return out

    def _residual_rows(
        self, ws: Worksheet, offer: Offer, lines: list[_Flow], r: int
    ) -> dict[int, _Flow]:
        """The residual credit in year N of each line with a life or a residual fraction, from
        row r; keyed by the line's row."""
        n, lab = self.n, self.lab
        out: dict[int, _Flow] = {}
        for line, lf in zip(offer.costs, lines, strict=True):
            occ = line.occurrence_years(n)
            if not occ or (line.life_years is None and line.residual_fraction is None):
                continue
            lr = lf.row
            amount = float(line.amount)
            erow = self.esc_row[line.escalation]
            if line.residual_fraction is not None:
                share_f = f"$I{lr}"
                share = line.residual_fraction
            else:
                assert line.life_years is not None
                step = f"MAX(1,$F{lr})"
                last_occ = f"$E{lr}+INT(($G{lr}-$E{lr})/{step})*{step}"
                share_f = f"MAX(0,{last_occ}+$H{lr}-study_period_years)/$H{lr}"
                share = max(0.0, occ[-1] + line.life_years - n) / line.life_years
            credit = -amount * share * float(self.esc_val[line.escalation][n])
            flows = np.zeros(n + 1)
            flows[n] = credit
            label = f"{line.name}: {lab['residual_value']}"
            self.text(ws, r, 1, label)
            self.text(ws, r, 2, Category.end_of_life.value)
            self.text(ws, r, 3, line.escalation or "")
            self.f(ws, r, 4, f"D{lr}", amount, "money")
            self.f(ws, r, YEAR0 + n, f"-$D{lr}*{share_f}*{self.a_ref(n, erow)}", credit, "money")
            out[lr] = _Flow(r, label, Category.end_of_life.value, line.escalation, 0, flows)
            r += 1
        return out

    def _failure_rows(self, ws: Worksheet, fm: _Failures, f: FailureModel, r: int) -> list[_Flow]:
        """Expected repairs, downtime and repair orders from row r: year t's expected failures x
        year t's terms (the per-year input rows) x the driver's escalation factor."""
        lab, n = self.lab, self.n
        fr = fm.row_fails
        specs = [
            (
                "expected_repairs",
                Category.repair,
                f.escalation,
                f"{{y}}${fr}*$D${fm.row_repair_cost}*(1-{{y}}${fm.row_covered})",
                float(f.repair_cost) * (1.0 - fm.covered),
            ),
            (
                "expected_downtime",
                Category.downtime,
                f.downtime_escalation,
                f"{{y}}${fr}*{{y}}${fm.row_down}*downtime_cost_per_hour",
                fm.down * float(self.a.downtime_cost_per_hour),
            ),
        ]
        if fm.row_order:
            specs.append(
                (
                    "expected_orders",
                    Category.transaction,
                    f.order_escalation,
                    f"{{y}}${fr}*{{y}}${fm.row_order}",
                    fm.order,
                )
            )
        out: list[_Flow] = []
        for key, cat, drv, per_year, values in specs:
            erow = self.esc_row[drv]
            flows = fm.fails * values * self.esc_val[drv]
            self.text(ws, r, 1, lab[key])
            self.text(ws, r, 2, cat.value)
            self.text(ws, r, 3, drv or "")
            for t in range(n + 1):
                formula = per_year.format(y=ycol(t)) + f"*{self.a_ref(t, erow)}"
                self.f(ws, r, YEAR0 + t, formula, float(flows[t]), "money")
            out.append(_Flow(r, lab[key], cat.value, drv, 1, flows))
            r += 1
        return out

    def _totals(self, ws: Worksheet, od: _Offer, flows: list[_Flow], r: int) -> int:
        """The analysis-basis and nominal totals per year at rows r, r + 1 (returns r + 1)."""
        lab, n, a = self.lab, self.n, self.a
        first_row = flows[0].row if flows else r
        basis = np.sum([x.flows for x in flows], axis=0) if flows else np.zeros(n + 1)
        od.row_total = r
        self.text(ws, r, 1, f"{lab['total_basis']} ({a.rate_basis})", "bold")
        for t in range(n + 1):
            total = self._colsum(t, first_row, r - 1)
            self.f(ws, r, YEAR0 + t, total, float(basis[t]), "money_total")
        self._sum_j(ws, r, float(basis.sum()), "money_total")
        r += 1
        od.row_nominal = r
        self.text(ws, r, 1, lab["total_nominal"], "bold")
        nominal = self.results[od.offer.id].cash_flows.nominal
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
        self.text(ws, r, YEAR0 - 1, lab["present_value"], "header")
        pv_first = r + 1
        for x in flows:
            r += 1
            od.pv_rows.append(r)
            pv = x.flows * self.df_val[x.timing]
            self.text(ws, r, 1, x.label)
            self.text(ws, r, 2, x.category)
            self.text(ws, r, 3, x.driver or "")
            for t in range(n + 1):
                if x.row in residual_rows and t != n:
                    continue
                formula = f"{ycol(t)}{x.row}*{self.a_ref(t, self.df_row[x.timing])}"
                self.f(ws, r, YEAR0 + t, formula, float(pv[t]), "money")
            self._sum_j(ws, r, float(pv.sum()))
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
        pv_res = res.cash_flows.present_value
        self.text(ws, r, 1, lab["total_pv"], "bold")
        for t in range(n + 1):
            self.f(ws, r, YEAR0 + t, self._colsum(t, pv_first, pv_last), pv_res[t], "money_total")
        self._sum_j(ws, r, res.lifetime_cost, "money_total")
        self.name(f"present_value_{od.name}", ws, f"${ycol(0)}${r}:${ycol(n)}${r}")
        r += 1
        od.row_cum = r
        self.text(ws, r, 1, lab["cumulative_pv"])
        cum = res.cash_flows.cumulative_present_value
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
        eac = f"-PMT(discount_rate,study_period_years,J{lcc_row})"
        self.f(ws, r, 10, eac, res.equivalent_annual_cost, "money_total")
        self.name(f"eac_{od.name}", ws, f"$J${r}")
        od.pv = np.asarray(pv_res, dtype=np.float64)
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
        self.text(ws, r, 3, lab["investment_flag"], "header")
        self.text(ws, r, 10, lab["present_value"], "header")
        ws.row_dimensions[r].height = 45
        od.row_cat0 = r + 1
        last = max(pv_last, pv_first)
        rng_b = f"$B${pv_first}:$B${last}"
        for cat in CATEGORIES:
            r += 1
            self.text(ws, r, 1, self.cats[cat.value])
            self.text(ws, r, 2, cat.value)
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
        for the price headroom."""
        n = self.n
        own = [*lines, *residuals.values()]
        pv_row = {x.row: pv for x, pv in zip(own, od.pv_rows[: len(own)], strict=True)}
        price_cells: list[str] = []
        residual_cells: list[str] = []
        for line, lf in zip(od.offer.costs, lines, strict=True):
            if line.category != Category.acquisition or line.year != 0:
                continue
            od.price += float(line.amount)
            price_cells.append(f"D{lf.row}")
            rf = residuals.get(lf.row)
            if rf is not None:
                residual_cells.append(f"J{pv_row[rf.row]}")
                od.price_residual += float(rf.flows[n]) * float(self.df_val[0][n])
        od.row_price = r
        self.text(ws, r, 1, self.lab["price"])
        self.f(ws, r, 10, "+".join(price_cells) or "0", od.price, "money")
        r += 1
        od.row_price_residual = r
        self.text(ws, r, 1, self.lab["price_residual"])
        self.f(ws, r, 10, "+".join(residual_cells) or "0", od.price_residual, "money")

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
            self.text(ws, hr, c, lab[key], "header")
        ws.row_dimensions[hr].height = 60
        self.cmp_rows: dict[int, int] = {k: hr + 1 + k for k in range(len(self.offers))}
        self.cmp_cached: dict[tuple[int, int], Cached] = {}
        note = hr + len(self.offers) + 1
        self.text(ws, note, 1, lab["payback_note"], "note_wrap")
        ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=len(_CMP_HEADS))
        ws.row_dimensions[note].height = 30
        helper0 = note + 2
        self.text(ws, helper0, 1, lab["helper_rows"], "section")
        self.text(ws, helper0 + 1, 1, lab["year"], "header")
        self.year_header(ws, helper0 + 1, CMP_YEAR0)
        wr = helper0 + 2
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
            rows = self._working_rows(ws, od, wr, helper0 + 1)
            self._measures(ws, k, od, rows)
            wr += len(rows) + 1
        self.widths(ws, {"A": 48, "B": 14})
        for c in range(3, max(len(_CMP_HEADS) + 1, CMP_YEAR0 + n + 1)):
            ws.column_dimensions[col(c)].width = 15
        ws.freeze_panes = f"C{hr + 1}"

    def _cmp(self, ws: Worksheet, k: int, c: int, formula: str, value: Cached, style: str) -> None:
        """A measure in offer k's row of the comparison table (the summary repeats its value)."""
        self.f(ws, self.cmp_rows[k], c, formula, value, style)
        self.cmp_cached[(k, c)] = value

    def _measures(self, ws: Worksheet, k: int, od: _Offer, wr: dict[str, int]) -> None:
        """Offer k's measures against the baseline, from the working rows ``wr``."""
        n, na = self.n, f'"{self.na}"'
        r, b = self.cmp_rows[k], self.cmp_rows[self.base]
        res, res_b = self.results[od.offer.id], self.results[self.offers[self.base].offer.id]
        oc = self.res.comparison.offers[od.offer.id]
        self._cmp(ws, k, 4, f"$C${b}-C{r}", oc.net_savings, "money")
        self.name(f"net_savings_{od.name}", ws, f"$D${r}")
        added = res.investment_cost - res_b.investment_cost
        self.f(ws, r, 7, f"E{r}-$E${b}", added, "money")
        self.f(ws, r, 8, f"$F${b}-F{r}", res_b.operating_cost - res.operating_cost, "money")
        self._cmp(ws, k, 9, f"IF(G{r}>{ZERO},H{r}/G{r},{na})", self._v(oc.sir), "ratio")
        airr = f"IF(I{r}>=0,(1+discount_rate)*I{r}^(1/study_period_years)-1,{na})"
        self._cmp(ws, k, 10, f"IF(ISNUMBER(I{r}),{airr},{na})", self._v(oc.airr), "pct")
        # paybacks: only where the offer adds investment (a dash: nothing to pay back)
        invests = added > 1e-6
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
        n, cmp_row = self.n, self.cmp_rows[self.offers.index(od)]
        base = self.offers[self.base]
        oc = self.res.comparison.offers[od.offer.id]
        wr = {key: row + i for i, key in enumerate(_WORKING_ROWS)}
        for key, r in wr.items():
            self.text(ws, r, 1, self.lab[key])
            self.text(ws, r, 2, od.offer.id)
        sav, sav_pv = base.basis - od.basis, base.pv - od.pv
        cum, cum_pv = np.cumsum(sav), np.cumsum(sav_pv)
        dpb, neg = oc.discounted_payback_year, oc.savings_negative_again_year
        first_cross: int | None = None
        for t in range(n + 1):
            c = CMP_YEAR0 + t
            x, xb, prev = col(c), ycol(t), col(c - 1)
            for key, row_b, row_o, vals in (
                ("savings_basis", base.row_total, od.row_total, sav),
                ("savings_pv", base.row_pv, od.row_pv, sav_pv),
            ):
                formula = self.o_ref(base, f"{xb}{row_b}") + "-" + self.o_ref(od, f"{xb}{row_o}")
                self.f(ws, wr[key], c, formula, float(vals[t]), "money")
            for src, dst, vals in (
                ("savings_basis", "cum_savings", cum),
                ("savings_pv", "cum_savings_pv", cum_pv),
            ):
                formula = f"{x}{wr[src]}" if t == 0 else f"{prev}{wr[dst]}+{x}{wr[src]}"
                self.f(ws, wr[dst], c, formula, float(vals[t]), "money")
            for src, dst, vals in (
                ("cum_savings", "payback_flag", cum),
                ("cum_savings_pv", "dpayback_flag", cum_pv),
            ):
                flag = 1.0 if vals[t] >= -1e-6 else 0.0
                self.f(ws, wr[dst], c, f"IF({x}{wr[src]}>=-{ZERO},1,0)", flag, "int")
            # after the discounted payback: negative again, then no longer negative
            year, ok = f"{x}${year_row}", f"{x}{wr['dpayback_flag']}"
            for dst, after, want, since in (
                ("neg_again_flag", 12, 0, dpb),
                ("recovered_flag", 13, 1, neg),
            ):
                at = f"${col(after)}${cmp_row}"
                hit = since is not None and t > since and (cum_pv[t] >= -1e-6) == bool(want)
                formula = f"IF(ISNUMBER({at}),IF(AND({year}>{at},{ok}={want}),1,0),0)"
                self.f(ws, wr[dst], c, formula, 1.0 if hit else 0.0, "int")
            if t >= 1:
                c0 = f"${col(CMP_YEAR0)}{wr['cum_savings_pv']}"
                cur = f"{x}{wr['cum_savings_pv']}"
                crossed = (cum_pv[t] >= -1e-6) if cum_pv[0] < -1e-6 else (cum_pv[t] < -1e-6)
                if crossed and first_cross is None:
                    first_cross = t
                formula = f"IF({c0}<-{ZERO},IF({cur}>=-{ZERO},1,0),IF({cur}<-{ZERO},1,0))"
                self.f(ws, wr["cross_flag"], c, formula, 1.0 if crossed else 0.0, "int")
        y1, yn = col(CMP_YEAR0 + 1), col(CMP_YEAR0 + n)
        self.f(
            ws,
            wr["cross_year"],
            CMP_YEAR0,
            f'IFERROR(MATCH(1,{y1}{wr["cross_flag"]}:{yn}{wr["cross_flag"]},0),"{self.na}")',
            float(first_cross) if first_cross is not None else self.na,
            "int",
        )
        return wr

    def _v(self, x: float | int | None) -> Cached:
        return self.na if x is None else float(x)

    # ---- Summary

    def summary(self) -> None:
        ws = self.ws_sum
        hr = self._summary_head(ws)
        r = self._summary_measures(ws, hr)
        self._summary_charts(ws, hr, self._summary_categories(ws, r + 2))
        self.widths(ws, {"A": 42})
        for k in range(len(self.offers)):
            ws.column_dimensions[col(2 + k)].width = 22
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
        self.f(ws, r, 2, "study_period_years", float(self.n), "int")
        r += 1
        self.text(ws, r, 1, f"{lab['discount_rate']} ({a.rate_basis})")
        self.f(ws, r, 2, "discount_rate", a.discount_rate, "pct")
        r += 1
        self.text(ws, r, 1, lab["baseline_label"])
        self.text(ws, r, 2, self.offers[self.base].offer.title, "bold")
        if info is not None and not info.buyer_effort_counted:
            r += 1
            self.text(ws, r, 1, lab["effort_not_counted"], "note")
        return r + 2

    def _summary_measures(self, ws: Worksheet, hr: int) -> int:
        """The offers side by side (header at row hr) and the recommended mark; returns the
        mark's row."""
        lab = self.lab
        self.text(ws, hr, 1, lab["measure"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, hr, 2 + k, od.offer.title, "header")
        ws.row_dimensions[hr].height = 45
        cmp_t = q(self.ws_cmp.title)
        for i, (key, ccol, style) in enumerate(_SUMMARY_ROWS):
            rr = hr + 1 + i
            self.text(ws, rr, 1, lab[key], "bold" if key in ("lifetime_cost", "eac") else "text")
            for k, od in enumerate(self.offers):
                c = 2 + k
                res = self.results[od.offer.id]
                if key == "offer_id":
                    self.text(ws, rr, c, od.offer.id)
                elif key == "price":
                    self.f(ws, rr, c, self.o_ref(od, f"$J${od.row_price}"), od.price, style)
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
            self.f(ws, rr, c, f'IF({lowest},"{mark}","")', value, "bold")
        return rr

    def _summary_categories(self, ws: Worksheet, r: int) -> BarChart:
        """Lifetime cost by category from row r (section title), and its stacked bar chart."""
        lab, n_off = self.lab, len(self.offers)
        self.text(ws, r, 1, lab["chart_categories"], "section")
        r += 1
        cat_hr = r
        self.text(ws, r, 1, lab["category"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, r, 2 + k, od.offer.title, "header")
        ws.row_dimensions[r].height = 45
        bar = BarChart()
        bar.type = "col"
        bar.grouping = "stacked"
        bar.overlap = 100
        bar.title = lab["chart_categories"]
        bar.y_axis.title = self.a.currency
        bar.height, bar.width = 9, 16
        for ci, cat in enumerate(CATEGORIES):
            r += 1
            self.text(ws, r, 1, self.cats[cat.value])
            values = []
            for k, od in enumerate(self.offers):
                pv = self.results[od.offer.id].by_category[cat.value]
                values.append(pv)
                self.f(ws, r, 2 + k, self.o_ref(od, f"$J${od.row_cat0 + ci}"), pv, "money")
            if any(abs(x) > 0 for x in values):
                s = Series(
                    Reference(ws, min_col=2, max_col=1 + n_off, min_row=r),
                    title=self.cats[cat.value],
                )
                bar.series.append(s)
        r += 1
        self.text(ws, r, 1, lab["total"], "bold")
        for k, od in enumerate(self.offers):
            x = col(2 + k)
            lcc = self.results[od.offer.id].lifetime_cost
            self.f(ws, r, 2 + k, f"SUM({x}{cat_hr + 1}:{x}{r - 1})", lcc, "money_total")
        bar.set_categories(Reference(ws, min_col=2, max_col=1 + n_off, min_row=cat_hr))
        return bar

    def _summary_charts(self, ws: Worksheet, hr: int, bar: BarChart) -> None:
        """The bar chart and the line chart of cumulative discounted cost, right of the table."""
        anchor_col = col(3 + len(self.offers))
        ws.add_chart(bar, f"{anchor_col}{hr}")
        line = LineChart()
        line.title = self.lab["chart_cumulative"]
        line.y_axis.title = self.a.currency
        line.x_axis.title = self.lab["year"]
        line.height, line.width = 9, 16
        for od in self.offers:
            ows = self.wb[od.title]
            s = Series(
                Reference(ows, min_col=YEAR0, max_col=YEAR0 + self.n, min_row=od.row_cum),
                title=od.offer.title,
            )
            line.series.append(s)
        first = self.offers[0]
        line.set_categories(
            Reference(self.wb[first.title], min_col=YEAR0, max_col=YEAR0 + self.n, min_row=5)
        )
        ws.add_chart(line, f"{anchor_col}{hr + 20}")
        ws.page_setup.fitToHeight = 1  # the summary prints on one page, its charts included

    # ---- Method

    def method(self) -> None:
        ws = self.sheet(self.lab["sheet_method"])
        self.text(ws, 1, 1, self.lab["sheet_method"], "title")
        r = 2
        for para in method_text(self.lang):
            r += 1
            self.text(ws, r, 1, para, "wrap")
            ws.row_dimensions[r].height = 15 * (1 + len(para) // 95)
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
    scenario: Scenario, result: ScenarioResult, *, locale: str = "en", info: QuoteInfo | None = None
) -> bytes:
    """The buyer's workbook for an evaluated scenario, as .xlsx bytes.

    ``result`` must be ``evaluate(scenario)``; its numbers are the cached values of the formulas.
    ``locale`` ``de``/``de_DE`` gives German labels; anything else English.
    """
    builder = _Builder(scenario, result, language(locale), info)
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
