"""The buyer's workbook: live formulas that reproduce the engine to the cent.

Sheets: Summary (offers side by side, two native charts), Assumptions (the inputs a buyer may
change, and the escalation and discount factors computed from them), one sheet per offer (cost
lines x years 0..N: cash flows, present values, totals by category), Comparison (net savings,
SIR, AIRR, paybacks, breakeven against the baseline) and Method (the conventions in words).

Every number on the offer, comparison and summary sheets is a formula of the input cells. The
formulas follow the conventions of :mod:`tco.escalation` and :mod:`tco.discounting`; the engine's
results stay the reference. openpyxl writes formulas without cached values, so
:func:`render_workbook` stores, next to every formula, the value it evaluates to (the engine's
result where the engine reports one): readers that do not recalculate (pandas, openpyxl with
``data_only=True``, mail previews) see the numbers; Excel and LibreOffice recalculate on load.

Defined names (workbook scope): ``discount_rate``, ``inflation``, ``study_period_years``,
``operating_hours_per_year``, ``downtime_cost_per_hour``, ``escalation_<driver>``, and per
offer ``lifetime_cost_<id>``, ``eac_<id>``, ``investment_cost_<id>``, ``operating_cost_<id>``,
``by_category_<id>`` (12 cells, category order), ``line_pv_<id>`` (the result's lines, in order),
``cash_flow_nominal_<id>``, ``present_value_<id>``, ``cumulative_pv_<id>`` (years 0..N) and, for
offers other than the baseline, ``net_savings_<id>``, ``sir_<id>``, ``airr_<id>``,
``simple_payback_<id>``, ``discounted_payback_<id>``, ``breakeven_<id>``, ``irr_<id>``,
``price_headroom_<id>``. ``<id>`` is the offer id with every character other than a letter, digit
or underscore replaced by ``_``; where two offers would get the same name (names are
case-insensitive), the later one gets ``_2``, ``_3``, ... appended.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
from tco.scenario import CATEGORIES, INVESTMENT_CATEGORIES, Category, Offer, Scenario

FloatArray = npt.NDArray[np.float64]
Cached = float | str | None

#: Column of year 0 on the Assumptions and offer sheets (K); year t is in column YEAR0 + t.
YEAR0 = 11
#: Column of year 0 in the working rows of the Comparison sheet (C).
CMP_YEAR0 = 3
#: Cumulative savings within this many currency units of zero count as zero (as the engine).
ZERO = "0.000001"
_RISKY = ("=", "+", "-", "@")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_THIN = Side(style="thin", color="808080")


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
            "money": {"number_format": money},
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
            "pct": {"number_format": "0.00%"},
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
            "ratio": {"number_format": "0.00"},
            "year1": {"number_format": "0.0"},
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

    def widths(self, ws: Worksheet, widths: dict[str, float]) -> None:
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
        ws, lab, a, n = self.ws_a, self.lab, self.a, self.n
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

        # escalation rates, one row per driver; held rates are formulas of the last given one
        r += 2
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

        # escalation factors
        r += 2
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
        for d in drivers:
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

        # discount factors
        r += 2
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

        self.widths(ws, {"A": 44, "B": 16, "C": 10, "D": 34})
        for c in range(5, YEAR0):
            ws.column_dimensions[col(c)].width = 3
        for t in range(n + 1):
            ws.column_dimensions[ycol(t)].width = 10
        ws.freeze_panes = f"B{self.row_years + 1}"

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
        lab, n, a = self.lab, self.n, self.a
        offer = od.offer
        ws = self.sheet(od.title)
        res = self.results[offer.id]
        yrs = np.arange(n + 1)
        self.text(ws, 1, 1, offer.title, "title")
        self.text(ws, 2, 1, lab["offer_id"])
        self.text(ws, 2, 2, offer.id, "bold")
        if is_base:
            self.text(ws, 2, 4, lab["baseline_label"], "bold")
        self.text(ws, 3, 1, lab["legend"], "legend")
        hr = 5  # the year header
        heads = (
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
        for c, key in enumerate(heads, start=1):
            self.text(ws, hr, c, lab[key], "header")
        self.year_header(ws, hr, YEAR0)
        r = hr + 1

        # the failure model
        fails = np.zeros(n + 1)
        f = offer.failures
        frow = 0
        prm: dict[str, int] = {}
        if f is not None:
            r += 1
            self.text(ws, r, 1, lab["failure_model"], "section")
            hours = float(a.operating_hours_per_year or 0.0)
            fails = expected_failures(
                np.array([hours]),
                np.array([f.mtbf_hours]),
                np.array([f.shape]),
                np.array([n]),
                n + 1,
            )[0]
            entries: list[tuple[str, float, str, str]] = [
                ("mtbf", f.mtbf_hours, "num_in", lab["hours"]),
                ("shape", f.shape, "num_in", ""),
                ("repair_cost", float(f.repair_cost), "money_in", a.currency),
                ("covered", f.covered_fraction, "pct_in", ""),
                ("downtime_hours", f.downtime_hours, "num_in", lab["hours"]),
            ]
            orders = f.order_cost > 0
            if orders:
                entries.append(("order_cost", float(f.order_cost), "money_in", a.currency))
            for key, value, style, unit in entries:
                r += 1
                prm[key] = r
                self.text(ws, r, 1, lab[key])
                self.num(ws, r, 4, value, style)
                self.text(ws, r, 5, unit)
            drivers = [
                ("repair_driver", f.escalation),
                ("downtime_driver", f.downtime_escalation),
            ]
            if orders:
                drivers.append(("order_driver", f.order_escalation))
            for key, drv in drivers:
                r += 1
                self.text(ws, r, 1, lab[key])
                self.text(ws, r, 4, drv if drv else lab["no_driver"])
            r += 1
            frow = r
            self.text(ws, r, 1, lab["expected_failures"], "bold")
            self.num(ws, r, YEAR0, 0, "count")
            m, s = f"$D${prm['mtbf']}", f"$D${prm['shape']}"
            for t in range(1, n + 1):
                y = f"{ycol(t)}${hr}"
                h = "operating_hours_per_year"
                formula = f"({y}*{h}/{m})^{s}-(({y}-1)*{h}/{m})^{s}"
                self.f(ws, r, YEAR0 + t, formula, float(fails[t]), "count")
            r += 1

        # cash flows: lines, residual values, failures
        r += 1
        self.text(ws, r, 1, f"{lab['cash_flows']} ({a.rate_basis}, {a.currency})", "section")
        rows: list[
            tuple[int, str, str, str | None, int, FloatArray]
        ] = []  # row, text, cat, driver, timing, flows
        line_rows: list[int] = []
        residual_rows: set[int] = set()
        for line in offer.costs:
            r += 1
            line_rows.append(r)
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
            esc = self.esc_val[line.escalation]
            flows = amount * ind * esc
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
                self.f(
                    ws,
                    r,
                    YEAR0 + t,
                    f"IF({cond},$D{r}*{self.a_ref(t, erow)},0)",
                    float(flows[t]),
                    "money",
                )
            rows.append(
                (
                    r,
                    line.name,
                    line.category.value,
                    line.escalation,
                    1 if line.recurring else 0,
                    flows,
                )
            )
        for line, lr in zip(offer.costs, line_rows, strict=True):
            occ = line.occurrence_years(n)
            if not occ or (line.life_years is None and line.residual_fraction is None):
                continue
            r += 1
            amount = float(line.amount)
            esc_n = float(self.esc_val[line.escalation][n])
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
            credit = -amount * share * esc_n
            flows = np.zeros(n + 1)
            flows[n] = credit
            label = f"{line.name}: {lab['residual_value']}"
            self.text(ws, r, 1, label)
            self.text(ws, r, 2, Category.end_of_life.value)
            self.text(ws, r, 3, line.escalation or "")
            self.f(ws, r, 4, f"D{lr}", amount, "money")
            self.f(ws, r, YEAR0 + n, f"-$D{lr}*{share_f}*{self.a_ref(n, erow)}", credit, "money")
            rows.append((r, label, Category.end_of_life.value, line.escalation, 0, flows))
            residual_rows.add(r)
        if f is not None:
            hours_down = f.downtime_hours * float(a.downtime_cost_per_hour)
            per_fail = float(f.repair_cost) * (1.0 - f.covered_fraction)
            specs = [
                (
                    "expected_repairs",
                    Category.repair,
                    f.escalation,
                    f"$D${prm['repair_cost']}*(1-$D${prm['covered']})",
                    per_fail,
                ),
                (
                    "expected_downtime",
                    Category.downtime,
                    f.downtime_escalation,
                    f"$D${prm['downtime_hours']}*downtime_cost_per_hour",
                    hours_down,
                ),
            ]
            if f.order_cost > 0:
                specs.append(
                    (
                        "expected_orders",
                        Category.transaction,
                        f.order_escalation,
                        f"$D${prm['order_cost']}",
                        float(f.order_cost),
                    )
                )
            for key, cat, drv, dformula, dvalue in specs:
                r += 1
                erow = self.esc_row[drv]
                flows = fails * dvalue * self.esc_val[drv]
                self.text(ws, r, 1, lab[key])
                self.text(ws, r, 2, cat.value)
                self.text(ws, r, 3, drv or "")
                self.f(ws, r, 4, dformula, dvalue, "money")
                for t in range(n + 1):
                    self.f(
                        ws,
                        r,
                        YEAR0 + t,
                        f"{ycol(t)}${frow}*$D{r}*{self.a_ref(t, erow)}",
                        float(flows[t]),
                        "money",
                    )
                rows.append((r, lab[key], cat.value, drv, 1, flows))
        first_row = rows[0][0] if rows else r + 1
        last_row = r
        for row, *_rest, flows in rows:
            self._sum_j(ws, row, float(flows.sum()))
        basis = np.sum([x[5] for x in rows], axis=0) if rows else np.zeros(n + 1)
        r += 1
        od.row_total = r
        self.text(ws, r, 1, f"{lab['total_basis']} ({a.rate_basis})", "bold")
        for t in range(n + 1):
            self.f(
                ws,
                r,
                YEAR0 + t,
                self._colsum(t, first_row, last_row),
                float(basis[t]),
                "money_total",
            )
        self._sum_j(ws, r, float(basis.sum()), "money_total")
        r += 1
        od.row_nominal = r
        self.text(ws, r, 1, lab["total_nominal"], "bold")
        nominal = res.cash_flows.nominal
        for t in range(n + 1):
            self.f(
                ws,
                r,
                YEAR0 + t,
                f"{ycol(t)}{od.row_total}*{self.a_ref(t, self.row_nominal)}",
                nominal[t],
                "money",
            )
        self._sum_j(ws, r, float(sum(nominal)))
        self.name(f"cash_flow_nominal_{od.name}", ws, f"${ycol(0)}${r}:${ycol(n)}${r}")

        # present values
        r += 2
        self.text(ws, r, 1, lab["present_values"], "section")
        self.text(ws, r, YEAR0 - 1, lab["present_value"], "header")
        pv_first = r + 1
        pv_total = np.zeros(n + 1)
        for row, label, cat_key, drv, timing, flows in rows:
            r += 1
            od.pv_rows.append(r)
            pv = flows * self.df_val[timing]
            pv_total += pv
            self.text(ws, r, 1, label)
            self.text(ws, r, 2, cat_key)
            self.text(ws, r, 3, drv or "")
            for t in range(n + 1):
                if row in residual_rows and t != n:
                    continue
                self.f(
                    ws,
                    r,
                    YEAR0 + t,
                    f"{ycol(t)}{row}*{self.a_ref(t, self.df_row[timing])}",
                    float(pv[t]),
                    "money",
                )
            self._sum_j(ws, r, float(pv.sum()))
        pv_last = r
        if od.pv_rows:
            self.name(f"line_pv_{od.name}", ws, f"$J${pv_first}:$J${pv_last}")
        r += 1
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
        self.f(
            ws,
            r,
            10,
            f"-PMT(discount_rate,study_period_years,J{lcc_row})",
            res.equivalent_annual_cost,
            "money_total",
        )
        self.name(f"eac_{od.name}", ws, f"$J${r}")

        # by category
        r += 2
        self.text(ws, r, 1, lab["by_category"], "section")
        self.text(ws, r, 2, lab["category"], "header")
        self.text(ws, r, 3, lab["investment_flag"], "header")
        self.text(ws, r, 10, lab["present_value"], "header")
        od.row_cat0 = r + 1
        rng_b = f"$B${pv_first}:$B${max(pv_last, pv_first)}"
        for cat in CATEGORIES:
            r += 1
            self.text(ws, r, 1, self.cats[cat.value])
            self.text(ws, r, 2, cat.value)
            self.num(ws, r, 3, 1 if cat in INVESTMENT_CATEGORIES else 0, "int")
            self.f(
                ws,
                r,
                10,
                f"SUMIF({rng_b},$B{r},$J${pv_first}:$J${max(pv_last, pv_first)})",
                res.by_category[cat.value],
                "money",
            )
        self.name(f"by_category_{od.name}", ws, f"$J${od.row_cat0}:$J${r}")
        r += 1
        od.row_inv = r
        self.text(ws, r, 1, lab["investment_cost"], "bold")
        c0, c1 = od.row_cat0, od.row_cat0 + len(CATEGORIES) - 1
        self.f(
            ws,
            r,
            10,
            f"SUMIF($C${c0}:$C${c1},1,$J${c0}:$J${c1})",
            res.investment_cost,
            "money_total",
        )
        self.name(f"investment_cost_{od.name}", ws, f"$J${r}")
        r += 1
        od.row_op = r
        self.text(ws, r, 1, lab["operating_cost"], "bold")
        self.f(ws, r, 10, f"J{lcc_row}-J{od.row_inv}", res.operating_cost, "money_total")
        self.name(f"operating_cost_{od.name}", ws, f"$J${r}")

        # the year-0 acquisition price and the residual credit it earns (price headroom)
        price_cells: list[str] = []
        residual_cells: list[str] = []
        flows_of = {x[0]: x[5] for x in rows}
        pv_of_row = dict(zip([x[0] for x in rows], od.pv_rows, strict=True))
        residual_of_line: dict[int, int] = {}
        res_iter = [x[0] for x in rows[len(line_rows) :]]
        k = 0
        for line, lr in zip(offer.costs, line_rows, strict=True):
            if line.occurrence_years(n) and (
                line.life_years is not None or line.residual_fraction is not None
            ):
                residual_of_line[lr] = res_iter[k]
                k += 1
        for line, lr in zip(offer.costs, line_rows, strict=True):
            if line.category == Category.acquisition and line.year == 0:
                od.price += float(line.amount)
                price_cells.append(f"D{lr}")
                if lr in residual_of_line:
                    rr = residual_of_line[lr]
                    residual_cells.append(f"J{pv_of_row[rr]}")
                    od.price_residual += float(flows_of[rr][n]) * float(self.df_val[0][n])
        r += 2
        od.row_price = r
        self.text(ws, r, 1, lab["price"])
        self.f(ws, r, 10, "+".join(price_cells) or "0", od.price, "money")
        r += 1
        od.row_price_residual = r
        self.text(ws, r, 1, lab["price_residual"])
        self.f(ws, r, 10, "+".join(residual_cells) or "0", od.price_residual, "money")

        od.basis = basis
        od.pv = np.asarray(pv_res, dtype=np.float64)
        self.widths(
            ws,
            {"A": 40, "B": 13, "C": 10, "D": 14, "E": 7, "F": 7, "G": 7, "H": 7, "I": 8, "J": 16},
        )
        for t in range(n + 1):
            ws.column_dimensions[ycol(t)].width = 13
        ws.freeze_panes = f"B{hr + 1}"
        del yrs

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
        comp = self.res.comparison.offers
        self.text(ws, 1, 1, lab["sheet_comparison"], "title")
        self.text(ws, 2, 1, lab["baseline_label"])
        self.text(ws, 2, 2, base.offer.title, "bold")
        heads = (
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
            "breakeven",
            "irr",
            "headroom",
        )
        hr = 4
        for c, key in enumerate(heads, start=1):
            self.text(ws, hr, c, lab[key], "header")
        ws.row_dimensions[hr].height = 45
        row_of: dict[int, int] = {}
        for k in range(len(self.offers)):
            row_of[k] = hr + 1 + k
        b = row_of[self.base]
        helper0 = hr + len(self.offers) + 3
        self.text(ws, helper0, 1, lab["helper_rows"], "section")
        self.text(ws, helper0 + 1, 1, lab["year"], "header")
        self.year_header(ws, helper0 + 1, CMP_YEAR0)
        hrow = helper0 + 2
        self.cmp_rows: dict[int, int] = row_of
        for k, od in enumerate(self.offers):
            r = row_of[k]
            res = self.results[od.offer.id]
            self.text(ws, r, 1, od.offer.title)
            self.text(ws, r, 2, od.offer.id)
            self.f(ws, r, 3, self.o_ref(od, f"$J${od.row_pv}"), res.lifetime_cost, "money")
            self.f(ws, r, 5, self.o_ref(od, f"$J${od.row_inv}"), res.investment_cost, "money")
            self.f(ws, r, 6, self.o_ref(od, f"$J${od.row_op}"), res.operating_cost, "money")
            if k == self.base:
                self.text(ws, r, 4, lab["baseline"])
                continue
            oc = comp[od.offer.id]
            inv_b = self.results[base.offer.id].investment_cost
            op_b = self.results[base.offer.id].operating_cost
            self.f(ws, r, 4, f"$C${b}-C{r}", oc.net_savings, "money")
            self.name(f"net_savings_{od.name}", ws, f"$D${r}")
            self.f(ws, r, 7, f"E{r}-$E${b}", res.investment_cost - inv_b, "money")
            self.f(ws, r, 8, f"$F${b}-F{r}", op_b - res.operating_cost, "money")
            na = f'"{self.na}"'
            self.f(ws, r, 9, f"IF(G{r}>{ZERO},H{r}/G{r},{na})", self._v(oc.sir), "ratio")
            self.f(
                ws,
                r,
                10,
                f"IF(ISNUMBER(I{r}),IF(I{r}>=0,(1+discount_rate)*I{r}^(1/study_period_years)-1,{na}),{na})",
                self._v(oc.airr),
                "pct",
            )
            # working rows
            sav = base.basis - od.basis
            sav_pv = base.pv - od.pv
            cum, cum_pv = np.cumsum(sav), np.cumsum(sav_pv)
            wr = {
                "savings_basis": hrow,
                "cum_savings": hrow + 1,
                "payback_flag": hrow + 2,
                "savings_pv": hrow + 3,
                "cum_savings_pv": hrow + 4,
                "dpayback_flag": hrow + 5,
                "cross_flag": hrow + 6,
                "cross_year": hrow + 7,
            }
            for key, row in wr.items():
                self.text(ws, row, 1, lab[key])
                self.text(ws, row, 2, od.offer.id)
            first_cross: int | None = None
            for t in range(n + 1):
                x, xb = col(CMP_YEAR0 + t), ycol(t)
                prev = col(CMP_YEAR0 + t - 1)
                self.f(
                    ws,
                    wr["savings_basis"],
                    CMP_YEAR0 + t,
                    self.o_ref(base, f"{xb}{base.row_total}")
                    + "-"
                    + self.o_ref(od, f"{xb}{od.row_total}"),
                    float(sav[t]),
                    "money",
                )
                self.f(
                    ws,
                    wr["savings_pv"],
                    CMP_YEAR0 + t,
                    self.o_ref(base, f"{xb}{base.row_pv}")
                    + "-"
                    + self.o_ref(od, f"{xb}{od.row_pv}"),
                    float(sav_pv[t]),
                    "money",
                )
                for src, dst, vals in (
                    ("savings_basis", "cum_savings", cum),
                    ("savings_pv", "cum_savings_pv", cum_pv),
                ):
                    formula = f"{x}{wr[src]}" if t == 0 else f"{prev}{wr[dst]}+{x}{wr[src]}"
                    self.f(ws, wr[dst], CMP_YEAR0 + t, formula, float(vals[t]), "money")
                for src, dst, vals in (
                    ("cum_savings", "payback_flag", cum),
                    ("cum_savings_pv", "dpayback_flag", cum_pv),
                ):
                    flag = 1.0 if vals[t] >= -1e-6 else 0.0
                    self.f(
                        ws, wr[dst], CMP_YEAR0 + t, f"IF({x}{wr[src]}>=-{ZERO},1,0)", flag, "int"
                    )
                if t >= 1:
                    c0 = f"${col(CMP_YEAR0)}{wr['cum_savings_pv']}"
                    cur = f"{x}{wr['cum_savings_pv']}"
                    crossed = (cum_pv[t] >= -1e-6) if cum_pv[0] < -1e-6 else (cum_pv[t] < -1e-6)
                    if crossed and first_cross is None:
                        first_cross = t
                    self.f(
                        ws,
                        wr["cross_flag"],
                        CMP_YEAR0 + t,
                        f"IF({c0}<-{ZERO},IF({cur}>=-{ZERO},1,0),IF({cur}<-{ZERO},1,0))",
                        1.0 if crossed else 0.0,
                        "int",
                    )
            y0, y1, yn = col(CMP_YEAR0), col(CMP_YEAR0 + 1), col(CMP_YEAR0 + n)
            self.f(
                ws,
                wr["cross_year"],
                CMP_YEAR0,
                f"IFERROR(MATCH(1,{y1}{wr['cross_flag']}:{yn}{wr['cross_flag']},0),{na})",
                float(first_cross) if first_cross is not None else self.na,
                "int",
            )
            self.f(
                ws,
                r,
                11,
                f"IFERROR(MATCH(1,{y0}{wr['payback_flag']}:{yn}{wr['payback_flag']},0)-1,{na})",
                self._v(oc.simple_payback_year),
                "int",
            )
            self.f(
                ws,
                r,
                12,
                f"IFERROR(MATCH(1,{y0}{wr['dpayback_flag']}:{yn}{wr['dpayback_flag']},0)-1,{na})",
                self._v(oc.discounted_payback_year),
                "int",
            )
            kc = f"${y0}${wr['cross_year']}"
            cum_rng = f"${y0}${wr['cum_savings_pv']}:${yn}${wr['cum_savings_pv']}"
            before = f"INDEX({cum_rng},{kc})"
            after = f"INDEX({cum_rng},{kc}+1)"
            self.f(
                ws,
                r,
                13,
                f"IF(ABS(${y0}${wr['cum_savings_pv']})<={ZERO},0,IF(ISNUMBER({kc}),{kc}-1+(-{before})/({after}-{before}),{na}))",
                self._v(oc.breakeven_year),
                "year1",
            )
            self.f(
                ws,
                r,
                14,
                f"IFERROR(IRR({y0}{wr['savings_basis']}:{yn}{wr['savings_basis']}),{na})",
                self._v(oc.irr),
                "pct",
            )
            price = self.o_ref(od, f"$J${od.row_price}")
            credit = self.o_ref(od, f"$J${od.row_price_residual}")
            share = f"IF({price}>0,-{credit}/{price},0)"
            self.f(
                ws,
                r,
                15,
                f"IF({share}<1,D{r}/(1-{share}),{na})",
                self._v(oc.price_headroom),
                "money",
            )
            for key, c_ in (
                ("sir", 9),
                ("airr", 10),
                ("simple_payback", 11),
                ("discounted_payback", 12),
                ("breakeven", 13),
                ("irr", 14),
                ("price_headroom", 15),
            ):
                self.name(f"{key}_{od.name}", ws, f"${col(c_)}${r}")
            hrow += 9
        self.widths(ws, {"A": 40, "B": 14})
        for c in range(3, max(16, CMP_YEAR0 + n + 1)):
            ws.column_dimensions[col(c)].width = 15
        ws.freeze_panes = f"C{hr + 1}"

    def _v(self, x: float | int | None) -> Cached:
        return self.na if x is None else float(x)

    # ---- Summary

    def summary(self) -> None:
        ws, lab, a = self.ws_sum, self.lab, self.a
        info = self.info
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
        r += 2
        hr = r
        self.text(ws, hr, 1, lab["measure"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, hr, 2 + k, od.offer.title, "header")
        ws.row_dimensions[hr].height = 45
        cmp_t = q(self.ws_cmp.title)
        comp = self.res.comparison.offers
        lcc_row = hr + 3
        rows: list[tuple[str, str, int | None, str]] = [
            ("offer_id", "", None, "text"),
            ("price", "price", None, "money"),
            ("lifetime_cost", "", 3, "money"),
            ("eac", "eac", None, "money"),
            ("net_savings", "net_savings", 4, "money"),
            ("sir", "sir", 9, "ratio"),
            ("airr", "airr", 10, "pct"),
            ("simple_payback", "simple_payback_year", 11, "int"),
            ("discounted_payback", "discounted_payback_year", 12, "int"),
            ("breakeven", "breakeven_year", 13, "year1"),
            ("headroom", "price_headroom", 15, "money"),
        ]
        n_off = len(self.offers)
        last_c = col(1 + n_off)
        for i, (key, attr, ccol, style) in enumerate(rows):
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
                    self.f(
                        ws,
                        rr,
                        c,
                        self.o_ref(od, f"$J${od.row_eac}"),
                        res.equivalent_annual_cost,
                        style,
                    )
                elif k == self.base:
                    self.text(ws, rr, c, lab["baseline"])
                else:
                    assert ccol is not None
                    value = getattr(comp[od.offer.id], attr)
                    self.f(
                        ws, rr, c, f"{cmp_t}!${col(ccol)}${self.cmp_rows[k]}", self._v(value), style
                    )
        rr = hr + 1 + len(rows)
        self.text(ws, rr, 1, lab["recommended"], "bold")
        for k, od in enumerate(self.offers):
            c = 2 + k
            mark = f"✔ {lab['recommended_mark']}"
            value = mark if od.offer.id == self.res.comparison.recommended else ""
            self.f(
                ws,
                rr,
                c,
                f'IF({col(c)}{lcc_row}=MIN($B${lcc_row}:${last_c}${lcc_row}),"{mark}","")',
                value,
                "bold",
            )

        # lifetime cost by category, for the stacked bar chart
        r = rr + 2
        self.text(ws, r, 1, lab["chart_categories"], "section")
        r += 1
        cat_hr = r
        self.text(ws, r, 1, lab["category"], "header")
        for k, od in enumerate(self.offers):
            self.text(ws, r, 2 + k, od.offer.title, "header")
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
            self.f(
                ws,
                r,
                2 + k,
                f"SUM({x}{cat_hr + 1}:{x}{r - 1})",
                self.results[od.offer.id].lifetime_cost,
                "money_total",
            )
        bar.set_categories(Reference(ws, min_col=2, max_col=1 + n_off, min_row=cat_hr))
        anchor_col = col(3 + n_off)
        ws.add_chart(bar, f"{anchor_col}{hr}")

        line = LineChart()
        line.title = lab["chart_cumulative"]
        line.y_axis.title = self.a.currency
        line.x_axis.title = lab["year"]
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

        self.widths(ws, {"A": 42})
        for k in range(n_off):
            ws.column_dimensions[col(2 + k)].width = 22
        ws.freeze_panes = f"B{hr + 1}"

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
