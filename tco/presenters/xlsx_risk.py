"""The Risk sheet of the buyer's workbook (:mod:`tco.presenters.xlsx`), for a result with an
uncertainty block, and the cells through which the uncertain inputs act on the other sheets.

:class:`RiskCells` says, for every value an uncertain input acts on (a cost line's amount, a
failure model's MTBF, shape, repair cost or downtime hours, the discount rate, the operating
hours, the downtime cost, an escalation driver's rates), what the formulas read in place of its
input cell: the cell times the input's factor cell (1 by default; two factor inputs on one value
multiply), or, for a value input, its value cell where that holds a number (by default the
targets' common value; blank, each target keeping its own, where they differ). A value input on
one existing input cell (the discount rate, the operating hours, the downtime cost, a driver
given one rate, one line's amount, one failure model's MTBF, shape or repair cost) has no cell
of its own: the Risk sheet points at that cell. Downtime hours act in the years that take the
failure model's own (not in those of a period that names its own), as in the engine. With the
cells at their defaults every formula gives what it gives without them (x * 1 is x). Each
input's cell, its own or the one pointed at, is named ``risk_<name>``.

:class:`RiskSheet` writes the sheet: the simulation's draws, seed and sampling; the inputs
(P10/P50/P90, the value in this workbook and the cell to type it into, kind, distribution, what
they apply to) and the live net savings of the key offer; the lifetime cost and net savings over
the draws with the chances of the lowest cost and of saving; the switching values per input and
offer; the sensitivity sorted by swing with a tornado chart (bars from the base case to the key
offer's net savings at each input's P10 and P90). The simulation's figures are values, not
formulas, and the sheet says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from babel.numbers import format_decimal
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrData, StrRef, StrVal
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from tco.core.results import key_offer
from tco.core.scenario import Scenario
from tco.core.uncertainty import (
    ESCALATION,
    LINE_FIELD,
    Lognormal,
    Normal,
    Target,
    UncertainInput,
    Uniform,
    base_values,
    resolve,
)
from tco.presenters.i18n import fill
from tco.presenters.svg import TORNADO_HIGH, TORNADO_LOW
from tco.presenters.xlsx_labels import driver_label, number_locale, risk_caption, risk_labels

if TYPE_CHECKING:
    from tco.core.simulation import UncertaintyResult
    from tco.presenters.locale import DocLocale
    from tco.presenters.xlsx import _Builder, _Offer

#: Prefix of the defined names of the inputs' cells.
NAME_PREFIX = "risk_"
DOWNTIME_HOURS = "failures.downtime_hours"
_RATE_FIELDS = ("assumptions.discount_rate", ESCALATION)
_MONEY_FIELDS = (LINE_FIELD, "failures.repair_cost", "assumptions.downtime_cost_per_hour")
_POSITIVE = ("failures.mtbf_hours", "failures.shape")
_NON_NEGATIVE = (
    "failures.repair_cost",
    DOWNTIME_HOURS,
    "assumptions.operating_hours_per_year",
    "assumptions.downtime_cost_per_hour",
)
#: The limits (kinds of the workbook's data validation) of a value input's own cell.
_VALUE_LIMITS = {
    LINE_FIELD: "amount",
    "failures.mtbf_hours": "mtbf",
    "failures.shape": "shape",
    "failures.repair_cost": "money",
    DOWNTIME_HOURS: "hours",
    "assumptions.discount_rate": "rate",
    "assumptions.operating_hours_per_year": "hours_year",
    "assumptions.downtime_cost_per_hour": "money",
    ESCALATION: "rate",
}
#: The workbook's labels of the fields an input can act on.
_FIELD_LABELS = {
    LINE_FIELD: "amount",
    "failures.mtbf_hours": "mtbf",
    "failures.shape": "shape",
    "failures.repair_cost": "repair_cost",
    DOWNTIME_HOURS: "cov_downtime",
    "assumptions.discount_rate": "discount_rate",
    "assumptions.operating_hours_per_year": "operating_hours",
    "assumptions.downtime_cost_per_hour": "downtime_cost",
}
#: Styles of an input's values by its unit: shown, and in its own (input) cell.
_SHOWN = {"factor": "count", "rate": "pct", "money": "money", "number": "hours"}
_INPUT = {"factor": "factor_in", "rate": "pct_in", "money": "money_in", "number": "hours_in"}
#: Columns of the inputs table: input, P10, P50, P90, value in this workbook, type into, kind,
#: distribution, applies to. The other tables use the first six.
_INPUT_HEADS = (
    "input",
    "p10",
    "p50",
    "p90",
    "in_workbook",
    "type_into",
    "kind",
    "distribution",
    "applies_to",
)
_WIDTHS = {"A": 36, "B": 18, "C": 18, "D": 18, "E": 22, "F": 18, "G": 10, "H": 46, "I": 50}
_LAST_COL = len(_INPUT_HEADS)
#: Columns of the sensitivity table whose values the tornado shows, and where the chart goes.
_LOW_COL, _HIGH_COL, _CHART_COL = 4, 5, 7
#: The tornado's height at most (cm); a column's pixels in cm.
_MAX_CHART_CM = 24.0
_CM_PER_PX = 2.54 / 96
#: The printable area of an A4 landscape page within the sheets' half-inch margins (points; the
#: footer prints in the margin), the part of its height counted on (rounding), and a row's
#: default height (Excel's; LibreOffice's rows are lower, so the estimate errs towards a break).
_PAGE_WIDTH_PT = 842.0 - 72.0
_PAGE_HEIGHT_PT = 595.0 - 72.0
_PAGE_SAFETY = 0.97
_ROW_PT = 15.0


class _Tornado(NamedTuple):
    """The sensitivity section: its title row, the table's header and last rows, the base
    case and the chart's title."""

    top: int
    head: int
    last: int
    base: float
    title: str


@dataclass(frozen=True, slots=True)
class RiskInput:
    """An uncertain input in the workbook: its defined name, its targets, whether it points at
    an existing input cell, and its own cell's default (None: blank)."""

    input: UncertainInput
    name: str
    targets: tuple[Target, ...]
    pointed: bool
    default: float | None
    unit: str

    def limits(self) -> str:
        """The data validation kind of its own cell."""
        fields = {t.field for t in self.targets}
        if self.input.kind == "value":
            return _VALUE_LIMITS[self.targets[0].field]
        if fields & set(_POSITIVE):
            return "factor_positive"
        return "factor_non_negative" if fields & set(_NON_NEGATIVE) else "factor"


def _unit(inp: UncertainInput, targets: tuple[Target, ...]) -> str:
    """``factor``, or the unit of a value input's targets (``rate``, ``money``, ``number``)."""
    if inp.kind == "factor":
        return "factor"
    units = {
        "rate" if t.field in _RATE_FIELDS else "money" if t.field in _MONEY_FIELDS else "number"
        for t in targets
    }
    return units.pop() if len(units) == 1 else "number"


class RiskCells:
    """The uncertain inputs' cells and what the formulas read for the values they act on.

    ``names``: the defined name of each input of the scenario's uncertainty section (none:
    the workbook has no Risk sheet and every method returns the reference it is given)."""

    def __init__(self, scenario: Scenario, names: Sequence[str] = ()) -> None:
        self.sc = scenario
        self.inputs: list[RiskInput] = []
        self._factors: dict[Target, list[str]] = {}
        self._values: dict[Target, str] = {}
        unc = scenario.uncertainty
        if unc is None or not names:
            return
        targets, _ = resolve(unc, scenario)
        for inp, found, name in zip(unc.inputs, targets, names, strict=True):
            self.inputs.append(self._add(inp, found, name))

    def _add(self, inp: UncertainInput, found: tuple[Target, ...], name: str) -> RiskInput:
        unit = _unit(inp, found)
        if inp.kind == "factor":
            for t in found:
                self._factors.setdefault(t, []).append(name)
            return RiskInput(inp, name, found, False, 1.0, unit)
        values = {v for t in found for v in base_values(t, self.sc)}
        common = values.pop() if len(values) == 1 else None
        if len(found) == 1 and self._one_cell(found[0]):
            return RiskInput(inp, name, found, True, common, unit)
        for t in found:
            self._values[t] = name
        return RiskInput(inp, name, found, False, common, unit)

    def _one_cell(self, t: Target) -> bool:
        """Whether the workbook holds the target in one input cell."""
        if t.field == ESCALATION:
            a = self.sc.assumptions
            return min(len(a.escalation[t.driver]), a.study_period_years) == 1
        return t.field != DOWNTIME_HOURS

    def expr(self, t: Target, ref: str) -> str:
        """What a formula reads for the target held in ``ref``."""
        value = self._values.get(t)
        if value is not None:
            return f"IF(ISNUMBER({value}),{value},{ref})"
        factors = self._factors.get(t)
        return "(" + "*".join([ref, *factors]) + ")" if factors else ref

    def amount(self, offer: int, line: int, ref: str) -> str:
        return self.expr(Target(LINE_FIELD, offer=offer, line=line), ref)

    def failure(self, offer: int, field: str, ref: str) -> str:
        """``field`` (``failures.mtbf_hours``, ...) of offer ``offer``'s failure model."""
        return self.expr(Target(field, offer=offer), ref)

    def downtime_hours(self, offer: int, year: int, ref: str) -> str:
        """Year ``year``'s downtime hours per failure: the inputs act where the year takes the
        failure model's own (not in a period that names its own)."""
        f = self.sc.offers[offer].failures
        own = next((p for p in f.periods if p.covers(year)), None) if f else None
        if own is not None and own.downtime_hours is not None:
            return ref
        return self.expr(Target(DOWNTIME_HOURS, offer=offer), ref)

    def assumption(self, field: str, ref: str) -> str:
        """``assumptions.discount_rate``, ``...operating_hours_per_year`` or
        ``...downtime_cost_per_hour``."""
        return self.expr(Target(field), ref)

    def rate(self, driver: str, ref: str) -> str:
        """A year's rate of escalation driver ``driver``."""
        return self.expr(Target(ESCALATION, driver=driver), ref)


def _number(loc: DocLocale, x: float, unit: str) -> str:
    """A distribution's parameter as text: a rate in per cent, else up to six decimals."""
    if unit == "rate":
        return f"{format_decimal(x * 100, format='#,##0.####', locale=loc.babel)}\u00a0%"
    return str(format_decimal(x, format="#,##0.######", locale=loc.babel))


class RiskSheet:
    """Writes the Risk sheet with the builder ``b`` (after the Comparison sheet), and its
    tornado chart once the columns have their widths (:meth:`chart`)."""

    def __init__(self, b: _Builder, cells: RiskCells, u: UncertaintyResult) -> None:
        self.b, self.cells, self.u = b, cells, u
        self.lab = risk_labels(b.lang)
        self.key = key_offer(b.res)
        self.ws: Worksheet = b.sheet(self.lab["sheet_risk"], "width")
        self.sens = _Tornado(0, 0, 0, 0.0, "")

    def write(self) -> None:
        b, ws, lab, u = self.b, self.ws, self.lab, self.u
        b.text(ws, 1, 1, lab["risk_title"], "title")
        sampling = lab[f"sampling_{u.sampling}"]
        self._note(2, risk_caption(b.lang, u.draws, sampling, u.seed))
        r = self._inputs(4)
        r = self._live(r + 2)
        r = self._costs(r + 2)
        if u.comparison:
            r = self._savings(r + 2)
        self._note(r + 1, lab["percentile_note"])
        r += 1
        if u.comparison:
            r = self._switching(r + 2)
        self._sensitivity(r + 2)
        b.widths(ws, _WIDTHS)

    def _note(self, r: int, text: str) -> None:
        """A note over the width of the inputs table (it wraps; its row grows to fit)."""
        self.b.text(self.ws, r, 1, text, "note_wrap")
        self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=_LAST_COL)

    def _head(self, r: int, heads: Sequence[str], numbers: int = 5) -> None:
        """A table's header at row r: the first column labels, the next ``numbers`` columns
        hold numbers (right-aligned heads), any further ones text."""
        for c, text in enumerate(heads, start=1):
            right = 2 <= c <= 1 + numbers
            self.b.text(self.ws, r, c, text, "header_right" if right else "header")

    # ---- the inputs

    def _inputs(self, r: int) -> int:
        """The inputs table under its title at row r, and its note; returns the note's row."""
        b, ws, lab = self.b, self.ws, self.lab
        b.text(ws, r, 1, lab["inputs"], "section")
        r += 1
        self._head(r, [lab[key] for key in _INPUT_HEADS], 4)
        for ri in self.cells.inputs:
            r += 1
            dist = ri.input.distribution
            b.text(ws, r, 1, ri.input.name)
            for c, p in ((2, 0.1), (3, 0.5), (4, 0.9)):
                b.num(ws, r, c, dist.quantile(p), _SHOWN[ri.unit])
            b.text(ws, r, 6, self._input_cell(r, ri))
            b.text(ws, r, 7, lab[f"kind_{ri.input.kind}"])
            b.text(ws, r, 8, self._distribution(ri), "text_wrap")
            b.text(ws, r, 9, self._applies_to(ri), "text_wrap")
        r += 1
        self._note(r, lab["inputs_note"])
        return r

    def _input_cell(self, r: int, ri: RiskInput) -> str:
        """Column E of the input's row: its own input cell, or a formula showing the existing
        input cell it points at; names the cell to type into and returns its reference."""
        b, ws = self.b, self.ws
        if ri.pointed:
            sheet, ref = b.input_cells[ri.targets[0]]
            formula = f"{_quoted(sheet)}!{ref}"
            b.f(ws, r, 5, formula, ri.default, _SHOWN[ri.unit])
            b.name(ri.name, b.wb[sheet], ref)
        else:
            sheet, ref = ws.title, f"$E${r}"
            b.num(ws, r, 5, ri.default, _INPUT[ri.unit], ri.limits())
            if ri.default is None:
                b.blank_ok.add((sheet, f"E{r}"))
            b.name(ri.name, ws, ref)
        return f"{sheet}!{ref.replace('$', '')}"

    def _distribution(self, ri: RiskInput) -> str:
        """The input's distribution in words, its parameters in the input's unit."""
        d = ri.input.distribution
        loc = number_locale(self.b.lang)

        def x(value: float, unit: str = ri.unit) -> str:
            return _number(loc, value, unit)

        if isinstance(d, Normal):
            low = "\u2212\u221e" if d.low is None else x(d.low)
            high = "\u221e" if d.high is None else x(d.high)
            key = "dist_normal" if d.low is None and d.high is None else "dist_normal_bounded"
            return fill(self.lab[key], {"mean": x(d.mean), "sd": x(d.sd), "low": low, "high": high})
        if isinstance(d, Lognormal):
            values = {"median": x(d.median), "sigma": x(d.sigma, "number")}
            return fill(self.lab["dist_lognormal"], values)
        values = {"low": x(d.low), "high": x(d.high)}
        if not isinstance(d, Uniform):
            values["mode"] = x(d.mode)
        return fill(self.lab[f"dist_{d.distribution}"], values)

    def _applies_to(self, ri: RiskInput) -> str:
        """What the input acts on, by field: ``Base amount: Electricity (ours), Electricity
        (competitor); MTBF (scale): ours``."""
        groups: dict[str, list[str]] = {}
        for t in ri.targets:
            label, item = self._target_words(t)
            items = groups.setdefault(label, [])
            if item:
                items.append(item)
        return "; ".join(
            f"{label}: {', '.join(items)}" if items else label for label, items in groups.items()
        )

    def _target_words(self, t: Target) -> tuple[str, str]:
        sc, bl = self.b.sc, self.b.lab
        if t.field == ESCALATION:
            driver = driver_label(self.b.lang, t.driver)
            return fill(self.lab["escalation_of"], {"driver": driver}), ""
        label = bl[_FIELD_LABELS[t.field]]
        if t.offer < 0:
            return label, ""
        offer = sc.offers[t.offer]
        if t.line >= 0:
            return label, f"{offer.costs[t.line].name} ({offer.id})"
        return label, offer.id

    def _live(self, r: int) -> int:
        """The key offer's net savings as the workbook computes them now (the baseline's
        lifetime cost where there is no other offer): a formula."""
        b, ws = self.b, self.ws
        if self.key is not None:
            od = self._offer(self.key)
            text = fill(self.lab["live_savings"], {"offer": od.offer.title})
            value = b.res.comparison.offers[self.key].net_savings
            formula = f"net_savings_{od.name}"
        else:
            od = b.offers[b.base]
            text = fill(self.lab["live_cost"], {"offer": od.offer.title})
            value = b.results[od.offer.id].lifetime_cost
            formula = f"lifetime_cost_{od.name}"
        b.text(ws, r, 1, text, "bold")
        b.f(ws, r, 2, formula, value, "money")
        return r

    def _offer(self, oid: str) -> _Offer:
        return next(od for od in self.b.offers if od.offer.id == oid)

    # ---- the ranges over the draws, the switching values

    def _costs(self, r: int) -> int:
        """Each offer's lifetime cost P10, P50, P90 and chance of the lowest cost."""
        b, ws, lab = self.b, self.ws, self.lab
        b.text(ws, r, 1, lab["lcc"], "section")
        r += 1
        self._head(r, [b.lab["offer"], lab["p10"], lab["p50"], lab["p90"], lab["chance_lowest"]])
        for od in b.offers:
            r += 1
            risk = self.u.offers[od.offer.id]
            b.text(ws, r, 1, od.offer.title)
            for c, x in enumerate((risk.lifetime_cost.p10, risk.lifetime_cost.p50), start=2):
                b.num(ws, r, c, x, "money")
            b.num(ws, r, 4, risk.lifetime_cost.p90, "money")
            b.num(ws, r, 5, risk.probability_lowest_cost, "pct")
        return r

    def _savings(self, r: int) -> int:
        """Each other offer's net savings P10, P50, P90 and chance of saving."""
        b, ws, lab = self.b, self.ws, self.lab
        b.text(ws, r, 1, lab["savings"], "section")
        r += 1
        self._head(r, [b.lab["offer"], lab["p10"], lab["p50"], lab["p90"], lab["chance_saving"]])
        for od in b.offers:
            comp = self.u.comparison.get(od.offer.id)
            if comp is None:
                continue
            r += 1
            b.text(ws, r, 1, od.offer.title)
            spread = comp.net_savings
            for c, x in enumerate((spread.p10, spread.p50, spread.p90), start=2):
                b.num(ws, r, c, x, "money")
            b.num(ws, r, 5, comp.probability_saves, "pct")
        return r

    def _switching(self, r: int) -> int:
        """Per input (rows) and offer other than the baseline (columns): the switching value,
        or "none in range"; returns the note's row."""
        b, ws, lab = self.b, self.ws, self.lab
        b.text(ws, r, 1, lab["switching"], "section")
        r += 1
        others = [od for od in b.offers if od.offer.id in self.u.comparison]
        self._head(r, [lab["input"], *(od.offer.title for od in others)], len(others))
        values = {(s.input, s.offer): s.value for s in self.u.switching_values}
        for ri in self.cells.inputs:
            r += 1
            b.text(ws, r, 1, ri.input.name)
            for c, od in enumerate(others, start=2):
                value = values.get((ri.input.name, od.offer.id))
                if value is None:
                    b.text(ws, r, c, lab["none_in_range"], "text_right")
                else:
                    b.num(ws, r, c, value, _SHOWN[ri.unit])
        r += 1
        self._note(r, lab["switching_note"])
        return r

    # ---- the sensitivity and its tornado

    def _sensitivity(self, r: int) -> None:
        """The inputs sorted by swing (the block's order): each at its P10 and P90, the key
        offer's net savings there (the baseline's lifetime cost where there is no other
        offer) and the swing, under the title at row r and the base case."""
        b, ws, lab, u = self.b, self.ws, self.lab, self.u
        base_od = b.offers[b.base]
        if self.key is not None:
            title = fill(lab["sensitivity"], {"offer": self._offer(self.key).offer.title})
            base = b.res.comparison.offers[self.key].net_savings
            heads = [lab["savings_p10"], lab["savings_p90"]]
        else:
            title = fill(lab["sensitivity_cost"], {"offer": base_od.offer.title})
            base = b.results[base_od.offer.id].lifetime_cost
            heads = [lab["cost_p10"], lab["cost_p90"]]
        b.text(ws, r, 1, title, "section")
        self._note(r + 1, lab["sensitivity_note"])
        r += 2
        b.text(ws, r, 1, lab["base_case"], "bold")
        b.num(ws, r, 2, base, "money")
        r += 1
        hr = r
        self._head(r, [lab["input"], lab["input_p10"], lab["input_p90"], *heads, lab["swing"]])
        units = {ri.input.name: ri.unit for ri in self.cells.inputs}
        for s in u.sensitivity:
            r += 1
            lo, hi = s.net_savings[self.key] if self.key else s.lifetime_cost[base_od.offer.id]
            unit = units.get(s.input, "number")
            b.text(ws, r, 1, s.input)
            b.num(ws, r, 2, s.low, _SHOWN[unit])
            b.num(ws, r, 3, s.high, _SHOWN[unit])
            b.num(ws, r, _LOW_COL, lo, "money")
            b.num(ws, r, _HIGH_COL, hi, "money")
            b.num(ws, r, 6, abs(hi - lo), "money")
        self.sens = _Tornado(hr - 3, hr, r, base, title)

    def chart(self) -> None:
        """The tornado: one horizontal bar pair per input, from the base case to the outcome at
        the input's P10 and at its P90, the largest swing on top; right of the table."""
        top, hr, last, base, title = self.sens
        if last <= hr:
            return
        ws, b = self.ws, self.b
        bar = BarChart()
        bar.type, bar.grouping, bar.overlap, bar.gapWidth = "bar", "clustered", 100, 50
        bar.title = title
        what = self.lab["net_savings" if self.key else "lifetime_cost"]
        bar.y_axis.title = f"{what} ({b.a.currency})"
        bar.y_axis.number_format = "#,##0"
        bar.x_axis.scaling.orientation = "maxMin"  # the largest swing on top, as in the table
        bar.x_axis.tickLblPos = "low"  # names left of the plot, clear of the bars
        bar.x_axis.crossesAt = base  # the bars start at the base case
        bar.y_axis.crosses = "max"  # the value axis below the bars
        bar.x_axis.delete = bar.y_axis.delete = False
        names = self._texts([(row, 1) for row in range(hr + 1, last + 1)])
        for c, color in ((_LOW_COL, TORNADO_LOW), (_HIGH_COL, TORNADO_HIGH)):
            s = Series(Reference(ws, min_col=c, min_row=hr + 1, max_row=last))
            s.tx = SeriesLabel(strRef=self._texts([(hr, c)]))
            s.cat = AxDataSource(strRef=names)
            s.graphicalProperties.solidFill = color.lstrip("#").upper()
            s.graphicalProperties.line.solidFill = color.lstrip("#").upper()
            bar.series.append(s)
        bar.legend = Legend(legendPos="b")
        bar.width = max(
            12.0, _CM_PER_PX * sum(self._px(c) for c in range(_CHART_COL, _LAST_COL + 1)) - 0.5
        )
        bar.height = min(_MAX_CHART_CM, 4.5 + 0.8 * (last - hr))
        ws.add_chart(bar, f"{get_column_letter(_CHART_COL)}{hr}")
        self._keep_together(top, hr, last, bar.height)

    def _px(self, c: int) -> float:
        """Column c's width in pixels (Excel's rule: 7 a character and 5 of padding)."""
        return self.b._width(self.ws, c) * 7 + 5

    def _keep_together(self, top: int, hr: int, last: int, chart_cm: float) -> None:
        """A page break before the sensitivity (title at row ``top``) where the sheet with the
        chart does not fit one printed page: the section and its chart start a page rather
        than straddle two. The page holds the sheet at the scale that fits its width, rows as
        tall as set (else 15 points), less a margin for the estimate."""
        ws = self.ws
        width_pt = 0.75 * sum(self._px(c) for c in range(1, ws.max_column + 1))
        scale = min(1.0, _PAGE_WIDTH_PT / width_pt)

        def y(row: int) -> float:  # the top of a row, in points at the scale of the page
            heights = (ws.row_dimensions[r].height or _ROW_PT for r in range(1, row))
            return scale * sum(heights)

        end = max(y(last + 1), y(hr) + scale * chart_cm / 2.54 * 72)
        if end > _PAGE_HEIGHT_PT * _PAGE_SAFETY and top > 1:
            ws.row_breaks.append(Break(id=top - 1))

    def _texts(self, cells: Sequence[tuple[int, int]]) -> StrRef:
        """A reference to text cells of this sheet (one row or one column), their text cached:
        a chart shows names as written, whatever they look like."""
        (r0, c0), (r1, c1) = cells[0], cells[-1]
        first = f"${get_column_letter(c0)}${r0}"
        last = f"${get_column_letter(c1)}${r1}"
        ref = f"{_quoted(self.ws.title)}!{first}" + (f":{last}" if len(cells) > 1 else "")
        values = [str(self.ws.cell(r, c).value or "") for r, c in cells]
        pts = [StrVal(idx=i, v=v) for i, v in enumerate(values)]
        return StrRef(f=ref, strCache=StrData(ptCount=len(pts), pt=pts))


def _quoted(title: str) -> str:
    """A sheet title quoted for a formula."""
    return "'" + title.replace("'", "''") + "'"
