"""The quote document: one HTML page (and the same content as an A4 PDF) that makes the
lifetime-cost argument, then shows every line and assumption behind it.

A view model (:func:`build_view`) turns a scenario and its result into rounded, formatted strings
in the chosen locale; the Jinja2 templates in ``templates/`` only place them (autoescape on,
StrictUndefined, no arithmetic). Numbers are the engine's, rounded by :mod:`tco.core.money`:

- every figure is rounded once from the engine's unrounded value
(:func:`~tco.core.money.round_money`)
  and shows the same digits wherever it appears (tables, headline, workbook, web page, command
  line); a table whose rounded lines do not add up to its rounded total says so in a note;
- net savings shown are the engine's net savings rounded, not a difference of rounded figures;
- the *price* of an offer is the present value of its year-0 lines in the acquisition category
  (installation, services and later replacements are not part of the price).

The headline compares the recommended offer (lowest lifetime cost) with the baseline; when the
baseline is itself recommended, with the next-best offer, using the engine's comparison of the
two (the scenario evaluated again with that offer as baseline).

Paybacks follow contract version 2: an offer that adds no investment has nothing to pay back
("–¹", and no payback claimed), and wherever a payback is shown, its reversal is shown too (the
years the offer is dearer again and cheaper again; in the headline, with the cost line that
causes it when one does). Sentences come from :data:`tco.presenters.locale.SENTENCES`.

The document is laid out for print: the header says who the quote is prepared for and by, on
which day and until when it is valid (saying so where one is not given); tables of many offers
are split into tables that fit A4 (:func:`split_table`); the charts' texts never overprint
(:mod:`tco.presenters.svg`); page one's chart height is estimated from what else it carries
(:func:`_chart_height`). See docs/document.md.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from tco.core.money import round_money, round_table
from tco.core.results import OfferComparison, OfferResult, ScenarioResult, evaluate, evaluate_many
from tco.core.scenario import CATEGORIES, Category, CostLine, FailureModel, Offer, Scenario
from tco.presenters.files import write_atomic
from tco.presenters.info import QuoteInfo
from tco.presenters.locale import DocLocale, doc_locale
from tco.presenters.svg import OFFER_COLORS as OFFER_COLORS
from tco.presenters.svg import (
    Bar,
    Marker,
    Segment,
    Series,
    bar_labels_fit,
    cumulative_lines,
    stacked_bars,
    text_width,
)
from tco.quoting.builder import CoverageTerm

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

#: One colour per cost category, in CATEGORIES order (colour-blind friendly where possible).
CATEGORY_COLORS: dict[Category, str] = dict(
    zip(
        CATEGORIES,
        (
            "#1f4e79",
            "#5b9bd5",
            "#8faadc",
            "#f4b183",
            "#c55a11",
            "#70ad47",
            "#a9d18e",
            "#c00000",
            "#7030a0",
            "#bf9000",
            "#7f7f7f",
            "#404040",
        ),
        strict=True,
    )
)


#: The printed width of the document body (A4 less the margins) and of the label column of the
#: tables of offers (mm); the font size of those tables (mm, 9 pt) and a cell's padding (mm).
BODY_MM = 182.0
LABEL_SHARE = 0.34
TABLE_FONT_MM = 9 * 25.4 / 72
CELL_PADDING_MM = 3.0
#: The least width of an offer's column (mm): room for its name in a few lines; the longest
#: word of a name that widens a column (a longer one breaks).
MIN_OFFER_COLUMN_MM = 22.0
MAX_WORD_MM = 40.0


# ------------------------------------------------------------------------------------------
# View model: everything the template shows, as strings


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the headline sentence; ``strong`` pieces are names and amounts."""

    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    id: str
    badge: str
    #: Whether the document shows the offer's id under its name (only where names repeat).
    show_id: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    cells: tuple[str, ...]
    strong: bool = False
    swatch: str = ""


@dataclass(frozen=True, slots=True)
class LineRow:
    name: str
    category: str
    schedule: str
    amount: str
    escalation: str
    present_value: str
    #: Kept on the page of the row before it (the second row and the last two), so that a page
    #: break never leaves a row alone under its table's head or above its total.
    keep: bool = False


@dataclass(frozen=True, slots=True)
class Legend:
    label: str
    color: str
    dashed: bool = False
    #: The key that stands for the offer under the bars ("1", "2", ...), where names do not fit.
    key: str = ""
    dotted: bool = False


@dataclass(frozen=True, slots=True)
class TablePart:
    """One table of a table of offers split by columns so that it stays readable on A4: the
    offers it shows, its rows (cells of those offers only) and its widths (the parts of one
    table have columns of the same width; a part with fewer offers is narrower)."""

    id: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    width: str
    label_width: str
    column_width: str


@dataclass(frozen=True, slots=True)
class OfferSection:
    column: Column
    lines: tuple[LineRow, ...]
    total: str
    #: Said where the rounded lines do not add up to the rounded total.
    rounding_note: str
    failures: tuple[tuple[str, str], ...]
    service: tuple[str, ...]
    financing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoverRow:
    """One term of a warranty or service plan: its key in the strip, name, kind and figures."""

    key: str
    color: str
    name: str
    kind: str
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StripCell:
    """One year of the coverage strip: the keys of the terms covering it ("–" for none)."""

    year: str
    key: str
    color: str
    label: str


@dataclass(frozen=True, slots=True)
class CoverageSection:
    """The warranties and service-plan terms of one offer, and which years they cover."""

    column: Column
    heads: tuple[str, ...]
    widths: tuple[str, ...]
    rows: tuple[CoverRow, ...]
    strip: tuple[tuple[StripCell, ...], ...]
    years: str
    outside: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    lang: str
    title: str
    subtitle: str
    header: tuple[tuple[str, str], ...]
    footer: str
    headline: tuple[Part, ...]
    headline_text: str
    currency: str
    columns: tuple[Column, ...]
    summary: tuple[Row, ...]
    categories: tuple[Row, ...]
    category_total: Row
    #: Said where a column's rounded categories do not add up to its rounded lifetime cost.
    category_notes: tuple[str, ...]
    summary_notes: tuple[str, ...]
    comparison_columns: tuple[Column, ...]
    comparison: tuple[Row, ...]
    comparison_notes: tuple[str, ...]
    bar_chart: Markup
    bar_legend: tuple[Legend, ...]
    line_chart: Markup
    line_legend: tuple[Legend, ...]
    crossover: str
    offers: tuple[OfferSection, ...]
    coverage: tuple[CoverageSection, ...]
    effort_note: str
    assumptions: tuple[tuple[str, str], ...]
    method: tuple[str, ...]
    notes: tuple[str, ...]
    validity: tuple[str, ...]
    terms: str
    #: The tables of offers as they are printed: split by columns where there are many offers.
    summary_parts: tuple[TablePart, ...]
    category_parts: tuple[TablePart, ...]
    comparison_parts: tuple[TablePart, ...]
    #: What the keys under the bars stand for (empty where the names fit under the bars).
    chart_keys: tuple[Legend, ...]
    #: Whether both charts fit on page one; where not, the details follow the charts on the
    #: next page instead of starting a page of their own.
    charts_fit: bool


def acquisition_price(scenario: Scenario, offer_index: int, result: ScenarioResult) -> float:
    """Present value of the offer's year-0 acquisition lines (the engine's line values)."""
    offer = scenario.offers[offer_index]
    pv = {line.source: line.present_value for line in result.offers[offer_index].lines}
    return sum(
        (
            pv[f"costs[{j}]"]
            for j, line in enumerate(offer.costs)
            if line.category is Category.acquisition and line.year == 0
        ),
        0.0,
    )


def _runner_up(result: ScenarioResult, totals: dict[str, Decimal], best: str) -> str:
    others = [o.id for o in result.offers if o.id != best]
    return min(others, key=lambda oid: (totals[oid], others.index(oid)))


def _pieces(pieces: Sequence[tuple[str, bool]]) -> list[Part]:
    return [Part(text, strong) for text, strong in pieces]


# ------------------------------------------------------------------------------------------
# Paybacks and their reversal

#: Marks of a payback cell that shows no year, explained in a note below the table.
NO_INVESTMENT_MARK = "¹"
NEVER_MARK = "²"


def adds_no_investment(comparison: OfferComparison) -> bool:
    """True where the offer adds no investment over the baseline, so there is nothing to pay
    back (its paybacks are null). The contract's SIR is null exactly there: its denominator, the
    added investment (installation, replacements and residual values counted), is not positive."""
    return comparison.sir is None


def payback_cell(loc: DocLocale, comparison: OfferComparison, year: int | None) -> str:
    """A payback year, or "–" marked as "no added investment" or "does not pay back"."""
    if year is not None:
        return loc.number(year)
    return "–" + (NO_INVESTMENT_MARK if adds_no_investment(comparison) else NEVER_MARK)


def dearer_again_cell(loc: DocLocale, comparison: OfferComparison) -> str:
    """The first year after the payback in which the offer is dearer again, or "–"."""
    year = comparison.savings_negative_again_year
    return "–" if year is None else loc.number(year)


def cheaper_again_cell(loc: DocLocale, comparison: OfferComparison, n: int) -> str:
    """The year it is cheaper again after a reversal; "not by year N" where it is not; "–"
    where there is no reversal."""
    if comparison.savings_negative_again_year is None:
        return "–"
    year = comparison.savings_recovered_year
    if year is None:
        return loc.say("cell.not_recovered", n=loc.number(n))
    return loc.number(year)


def any_reversal(comparisons: Sequence[OfferComparison]) -> bool:
    """Whether any offer is dearer again after its payback (the rows that show it are then
    shown beside every payback row)."""
    return any(c.savings_negative_again_year is not None for c in comparisons)


def payback_notes(loc: DocLocale, cells: Sequence[str], n: int, reversal: bool) -> tuple[str, ...]:
    """The notes that explain the marks used in ``cells`` and the reversal rows."""
    notes: list[str] = []
    if any(NO_INVESTMENT_MARK in c for c in cells):
        notes.append(loc.say("note.no_investment", mark=f"–{NO_INVESTMENT_MARK}"))
    if any(NEVER_MARK in c for c in cells):
        notes.append(loc.say("note.never", mark=f"–{NEVER_MARK}", n=loc.number(n)))
    if reversal:
        notes.append(loc.say("note.reversal"))
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class ReversalCause:
    """The cost line that makes an offer dearer again: the offer's own (``owner`` is the
    offer), or a credit of the offer it is compared with (``owner`` is that offer)."""

    line: str
    owner: str


def reversal_cause(
    scenario: Scenario, result: ScenarioResult, offer_id: str, other_id: str, year: int
) -> ReversalCause | None:
    """The one cost line that explains why ``offer_id`` is dearer again than ``other_id`` in
    ``year``, if there is one.

    Candidates are the lines falling in that year that are not yearly (one-time, or every k > 1
    years): costs of the offer, credits (negative amounts) of the other offer. The largest of
    them in present value in that year explains the reversal if it alone is at least the
    shortfall of the cumulative discounted savings in that year (without it they would not be
    negative); otherwise no line is named.
    """
    n = result.study_period_years
    offers = {o.id: o for o in scenario.offers}
    curves = {o.id: o.cash_flows.cumulative_present_value for o in result.offers}
    shortfall = curves[offer_id][year] - curves[other_id][year]
    if shortfall <= 0:
        return None
    candidates: list[tuple[str, CostLine]] = []
    for owner, sign in ((offer_id, 1), (other_id, -1)):
        for line in offers[owner].costs:
            if line.every_years == 1 or sign * line.amount <= 0:
                continue
            if year in line.occurrence_years(n):
                candidates.append((owner, line))
    if not candidates:
        return None
    alone = [
        Scenario(
            assumptions=scenario.assumptions,
            offers=(
                Offer(
                    id="line",
                    costs=(
                        line.model_copy(update={"life_years": None, "residual_fraction": None}),
                    ),
                ),
            ),
        )
        for _, line in candidates
    ]
    in_year = [abs(r.offers[0].cash_flows.present_value[year]) for r in evaluate_many(alone)]
    k = max(range(len(in_year)), key=in_year.__getitem__)
    if in_year[k] < shortfall:
        return None
    owner, line = candidates[k]
    return ReversalCause(line.name, owner)


def reversal_pieces(
    loc: DocLocale,
    scenario: Scenario,
    result: ScenarioResult,
    offer_id: str,
    other_id: str,
    comparison: OfferComparison,
) -> list[Part]:
    """The clause of the headline that states a reversal ("; after the Spindle replacement in
    year 10 it is dearer again until year 13"); empty where there is none."""
    year = comparison.savings_negative_again_year
    if year is None:
        return []
    until = comparison.savings_recovered_year
    end = "end" if until is None else "until"
    values = {"year": loc.number(year), "until": "" if until is None else loc.number(until)}
    cause = reversal_cause(scenario, result, offer_id, other_id, year)
    names = {o.id: o.name for o in result.offers}
    if cause is None:
        return _pieces(loc.sentence(f"reversal.{end}", **values))
    if cause.owner == offer_id:
        return _pieces(loc.sentence(f"reversal.line.{end}", line=cause.line, **values))
    return _pieces(
        loc.sentence(
            f"reversal.base_line.{end}", line=cause.line, owner=names[cause.owner], **values
        )
    )


def _headline(
    loc: DocLocale,
    scenario: Scenario,
    result: ScenarioResult,
    totals: dict[str, Decimal],
    prices: dict[str, Decimal],
) -> tuple[tuple[Part, ...], str | None, OfferComparison | None]:
    """The recommendation in one sentence, the offer it is measured against and the comparison."""
    cur = result.currency
    n = result.study_period_years
    years = loc.years(n)
    names = {o.id: o.name for o in result.offers}
    best = result.comparison.recommended
    if len(result.offers) == 1:
        offer = result.offers[0]
        eac = loc.money(round_money(offer.equivalent_annual_cost, cur), cur)
        single = loc.sentence(
            "headline.single",
            years=years,
            offer=names[best],
            total=loc.money(totals[best], cur),
            eac=eac,
        )
        return tuple(_pieces(single)), None, None
    again = result
    if best != result.comparison.baseline:
        other = result.comparison.baseline
        comp = result.comparison.offers[best]
    else:
        other = _runner_up(result, totals, best)
        again = evaluate(scenario.model_copy(update={"baseline": other}))
        comp = again.comparison.offers[best]
    saving = round_money(comp.net_savings, cur)  # the engine's figure, rounded once
    dprice = prices[best] - prices[other]
    payback = comp.discounted_payback_year
    if saving > 0:
        parts = _pieces(
            loc.sentence(
                "headline.less",
                years=years,
                best=names[best],
                saving=loc.money(saving, cur),
                other=names[other],
            )
        )
    else:
        parts = _pieces(
            loc.sentence("headline.same", years=years, best=names[best], other=names[other])
        )
    if best == result.comparison.baseline:
        parts += _pieces(loc.sentence("headline.next_best"))
    if dprice > 0:
        parts += _pieces(loc.sentence("headline.dearer_to_buy", difference=loc.money(dprice, cur)))
        if payback is None and adds_no_investment(comp):
            parts += _pieces(loc.sentence("headline.no_investment"))
        elif payback is None:
            parts += _pieces(loc.sentence("headline.never_pays_back", n=loc.number(n)))
        elif payback == 0:
            parts += _pieces(loc.sentence("headline.pays_back_at_once"))
        else:
            parts += _pieces(loc.sentence("headline.pays_back", year=loc.number(payback)))
    elif dprice < 0:
        parts += _pieces(
            loc.sentence("headline.cheaper_to_buy", difference=loc.money(-dprice, cur))
        )
    else:
        parts += _pieces(loc.sentence("headline.same_price"))
    parts += reversal_pieces(loc, scenario, again, best, other, comp)
    parts += _pieces(loc.sentence("headline.end"))
    return tuple(parts), other, comp


def _schedule(loc: DocLocale, line: CostLine, n: int) -> str:
    years = line.occurrence_years(n)
    if not years:
        return loc.say("schedule.none")
    if line.year is not None or len(years) == 1:
        return loc.say("schedule.once", year=loc.number(years[0]))
    k = line.every_years or 1
    span = loc.span(years[0], years[-1])
    if k == 1:
        return loc.say("schedule.yearly", span=span)
    return loc.say("schedule.every", k=loc.number(k), span=span)


def _rates(loc: DocLocale, rates: Sequence[float]) -> str:
    shown = [loc.percent(r) for r in rates]
    if len(shown) == 1:
        return loc.say("rates.one", rate=shown[0])
    return loc.say(
        "rates.then", rates=", ".join(shown[:-1]), rate=shown[-1], year=loc.number(len(shown))
    )


def _offer_section(
    loc: DocLocale,
    scenario: Scenario,
    index: int,
    offer: OfferResult,
    column: Column,
) -> OfferSection:
    cur = scenario.assumptions.currency
    n = scenario.assumptions.study_period_years
    src = scenario.offers[index]
    table = round_table([line.present_value for line in offer.lines], offer.lifetime_cost, cur)
    parts, total = table.parts, table.total
    rows: list[LineRow] = []
    for line, pv in zip(offer.lines, parts, strict=True):
        name, schedule, amount, esc = line.name, "", "", "–"
        if line.source.startswith("costs["):
            j = int(line.source[len("costs[") : line.source.index("]")])
            cost = src.costs[j]
            if line.source.endswith(".residual"):
                name = f"{cost.name}: {loc.t('residual value')}"
                schedule = loc.say("schedule.credit", year=loc.number(n))
            else:
                schedule = _schedule(loc, cost, n)
                amount = loc.amount(round_money(cost.amount, cur), cur)
                esc = cost.escalation or "–"
        elif line.source == "failures.repair":
            name = loc.t("Expected repairs")
            schedule = loc.say("schedule.expected", n=loc.number(n))
        elif line.source == "failures.downtime":
            name = loc.t("Expected downtime")
            schedule = loc.say("schedule.expected", n=loc.number(n))
        elif line.source == "failures.orders":
            name = loc.t("Expected repair orders")
            schedule = loc.say("schedule.expected", n=loc.number(n))
        rows.append(
            LineRow(
                name=name,
                category=loc.t(line.category.value),
                schedule=schedule,
                amount=amount,
                escalation=esc,
                present_value=loc.amount(pv, cur),
            )
        )
    rows = [
        replace(r, keep=k == 1 or k >= len(rows) - 2) if len(rows) > 3 else r
        for k, r in enumerate(rows)
    ]
    failures: list[tuple[str, str]] = []
    fm = src.failures
    if fm is not None:
        wear = fm.shape != 1.0
        failures.append(
            (
                loc.t(
                    "Characteristic life (hours)"
                    if wear
                    else "Mean operating hours between failures"
                ),
                loc.number(Decimal(repr(fm.mtbf_hours)).quantize(Decimal(1))),
            )
        )
        shape = loc.number(Decimal(repr(fm.shape)).quantize(Decimal("0.01")), 2)
        kind = loc.t("wear-out" if wear else "constant rate")
        failures.append((loc.t("Failure shape"), f"{shape} ({kind})"))
        failures.append(
            (
                loc.t("Repair cost per failure (base year)"),
                loc.money(round_money(fm.repair_cost, cur), cur),
            )
        )
        periods = bool(fm.periods)  # then the model's own terms hold outside the periods
        failures.append(
            (
                loc.t(
                    "Share covered outside the coverage terms"
                    if periods
                    else "Share covered by the service plan"
                ),
                loc.percent(fm.covered_fraction, 0),
            )
        )
        failures.append(
            (
                loc.t(
                    "Downtime per failure outside the coverage terms (hours)"
                    if periods
                    else "Downtime per failure (hours)"
                ),
                loc.number(Decimal(repr(fm.downtime_hours)).quantize(Decimal("0.1")), 1),
            )
        )
        if fm.order_cost > 0:
            failures.append(
                (
                    loc.t(
                        "Buyer's cost per repair order outside the coverage terms (base year)"
                        if periods
                        else "Buyer's cost per repair order (base year)"
                    ),
                    loc.money(round_money(fm.order_cost, cur), cur),
                )
            )

    def described(cat: Category) -> tuple[str, ...]:
        out = []
        for cost in src.costs:
            if cost.category is cat:
                money = loc.money(round_money(cost.amount, cur), cur)
                out.append(f"{cost.name}: {money} ({_schedule(loc, cost, n)})")
        return tuple(out)

    return OfferSection(
        column=column,
        lines=tuple(rows),
        total=loc.amount(total, cur),
        rounding_note="" if table.adds_up else loc.say("rounding"),
        failures=tuple(failures),
        service=described(Category.service),
        financing=described(Category.financing),
    )


#: Background colours of the terms in the coverage strip, in order.
COVER_COLORS = ("#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc", "#d9d2e9", "#fce5cd", "#d0e0e3")
#: Years per row of the coverage strip.
STRIP_YEARS = 20


def _key(i: int) -> str:
    """A, B, ..., Z, A2, B2, ..."""
    return chr(ord("A") + i % 26) + (str(i // 26 + 1) if i >= 26 else "")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(loc: DocLocale, fraction: float) -> str:
    """A share as a percentage, one decimal only where it is not a whole percent."""
    whole = Decimal(repr(fraction * 100)).quantize(Decimal("0.1")) % 1 == 0
    return loc.percent(fraction, 0 if whole else 1)


def _hours(loc: DocLocale, hours: float | None) -> str:
    if hours is None:
        return "–"
    q = Decimal(repr(hours)).quantize(Decimal("0.1"))
    shown = loc.number(q, 0 if q % 1 == 0 else 1)
    return loc.say("cover.hours", h=shown)


@dataclass(frozen=True, slots=True)
class _Term:
    name: str
    kind: str
    first: int
    last: int
    cells: tuple[str, ...]


#: Column widths (per cent) of the term tables: the term's name, then the figures.
QUOTE_TERM_WIDTHS: tuple[str, ...] = ("16%", "6%", "12%", "12%", "13.5%", "11%", "14%", "15.5%")
PERIOD_WIDTHS: tuple[str, ...] = ("34%", "12%", "16%", "18%", "20%")
PERIOD_WIDTHS_NO_ORDERS: tuple[str, ...] = ("40%", "16%", "22%", "22%")


def _quote_terms(
    loc: DocLocale, cur: str, terms: Sequence[CoverageTerm]
) -> tuple[tuple[str, ...], list[_Term]]:
    heads = (
        loc.t("Years"),
        loc.t("Repairs covered"),
        loc.t("Maintenance covered"),
        loc.t("Response time"),
        loc.t("Downtime per failure"),
        loc.t("Uptime promise"),
        loc.t("Annual fee (base year)"),
    )
    out = []
    for t in sorted(terms, key=lambda t: (t.from_year, t.until_year, t.kind != "warranty")):
        name = t.name
        if t.renewal > 0:
            name = loc.say("cover.renewal", name=t.name, k=loc.number(t.renewal))
        cells = (
            loc.span(t.from_year, t.until_year),
            _share(loc, t.repair_covered),
            _share(loc, t.maintenance_covered),
            _hours(loc, t.response_hours),
            _hours(loc, t.downtime_hours),
            "–" if t.uptime_promise is None else _share(loc, t.uptime_promise),
            "–" if t.annual_fee is None else loc.money(round_money(t.annual_fee, cur), cur),
        )
        kind = _capital(loc.t(t.kind.replace("_", " ")))
        if kind.casefold() == t.name.casefold():
            kind = ""  # a warranty called "Warranty": said once
        out.append(_Term(name, kind, t.from_year, t.until_year, cells))
    return heads, out


def _period_terms(
    loc: DocLocale, cur: str, fm: FailureModel
) -> tuple[tuple[str, ...], list[_Term]]:
    orders = fm.order_cost > 0 or any(p.order_cost is not None for p in fm.periods)
    heads: tuple[str, ...] = (
        loc.t("Years"),
        loc.t("Repairs covered"),
        loc.t("Downtime per failure"),
    )
    if orders:
        heads += (loc.t("Buyer's cost per repair order"),)
    out = []
    for i, p in enumerate(sorted(fm.periods, key=lambda p: p.from_year)):
        covered, down, order = fm.terms_in(p.from_year)
        cells: tuple[str, ...] = (
            loc.span(p.from_year, p.until_year),
            _share(loc, covered),
            _hours(loc, down),
        )
        if orders:
            cells += (loc.money(round_money(order, cur), cur),)
        name = p.name or f"{_capital(loc.t('coverage term'))} {i + 1}"
        out.append(_Term(name, "", p.from_year, p.until_year, cells))
    return heads, out


def _coverage_section(
    loc: DocLocale,
    n: int,
    column: Column,
    heads: tuple[str, ...],
    terms: list[_Term],
    outside: str,
    widths: tuple[str, ...],
) -> CoverageSection:
    rows = tuple(
        CoverRow(_key(i), COVER_COLORS[i % len(COVER_COLORS)], t.name, t.kind, t.cells)
        for i, t in enumerate(terms)
    )
    cells: list[StripCell] = []
    covered: list[int] = []
    for year in range(1, n + 1):
        hits = [k for k, t in enumerate(terms) if t.first <= year <= t.last]
        if hits:
            covered.append(year)
            cells.append(
                StripCell(
                    loc.number(year),
                    "+".join(rows[k].key for k in hits),
                    rows[hits[0]].color,
                    " + ".join(rows[k].name for k in hits),
                )
            )
        else:
            cells.append(StripCell(loc.number(year), "–", "", loc.t("not covered")))
    width = min(n, STRIP_YEARS)
    cells += [StripCell("", "", "", "")] * (-len(cells) % width)
    strip = tuple(tuple(cells[k : k + width]) for k in range(0, len(cells), width))
    uncovered = [y for y in range(1, n + 1) if y not in covered]
    if not uncovered:
        years = loc.say("cover.years_all", n=loc.number(n))
    elif covered:
        years = loc.say(
            "cover.years_some",
            n=loc.number(n),
            covered=loc.year_ranges(covered, preposition=True),
            uncovered=loc.year_ranges(uncovered, preposition=True),
        )
    else:
        years = ""
    return CoverageSection(column, heads, widths[: len(heads) + 1], rows, strip, years, outside)


def coverage_sections(
    loc: DocLocale, scenario: Scenario, columns: Sequence[Column], info: QuoteInfo
) -> tuple[CoverageSection, ...]:
    """The cover of every offer that has some: the quote's warranty and service-plan terms
    (``info.coverage``), or for a bare scenario the coverage periods of its failure models."""
    cur = scenario.assumptions.currency
    n = scenario.assumptions.study_period_years
    out: list[CoverageSection] = []
    for offer, column in zip(scenario.offers, columns, strict=True):
        if info.coverage:
            terms = [t for t in info.coverage if t.offer_id == offer.id]
            if not terms:
                continue
            heads, rows = _quote_terms(loc, cur, terms)
            outside = loc.say("cover.outside_quote")
            widths = QUOTE_TERM_WIDTHS
        else:
            fm = offer.failures
            if fm is None or not fm.periods:
                continue
            heads, rows = _period_terms(loc, cur, fm)
            outside = loc.say(
                "cover.outside_model",
                covered=_share(loc, fm.covered_fraction),
                downtime=_hours(loc, fm.downtime_hours),
                order=loc.money(round_money(fm.order_cost, cur), cur),
            )
            widths = PERIOD_WIDTHS if len(heads) == 4 else PERIOD_WIDTHS_NO_ORDERS
        out.append(_coverage_section(loc, n, column, heads, rows, outside, widths))
    return tuple(out)


def _method(loc: DocLocale, result: ScenarioResult) -> tuple[str, ...]:
    """The method in plain words, in the document's language."""
    m = result.method
    n = loc.number(result.study_period_years)
    timing = loc.say(f"method.timing.{m.timing}", n=n)
    basis = loc.say(f"method.basis.{m.rate_basis}")
    return (
        loc.say("method.1", currency=result.currency, timing=timing),
        loc.say("method.2", basis=basis, rate=loc.percent(m.discount_rate)),
        loc.say("method.3", n=n),
        loc.say("method.4"),
        loc.say("method.5"),
        loc.say("method.6", engine=m.engine_version),
    )


def _assumptions(
    loc: DocLocale, scenario: Scenario, result: ScenarioResult
) -> tuple[tuple[str, str], ...]:
    a = scenario.assumptions
    cur = a.currency
    names = {o.id: o.name for o in result.offers}
    rows: list[tuple[str, str]] = [
        (loc.t("Currency"), cur),
        (loc.t("Study period"), f"{a.study_period_years} {loc.t('years')}"),
        (loc.t("Discount rate"), f"{loc.percent(a.discount_rate)} ({loc.t(a.rate_basis)})"),
        (loc.t("General inflation"), loc.percent(a.inflation)),
        (
            loc.t("Timing of recurring costs"),
            loc.t("mid-year" if a.timing == "mid_year" else "end of year"),
        ),
    ]
    for driver, rates in a.escalation.items():
        rows.append((f"{loc.t('Escalation of')} {driver}", _rates(loc, rates)))
    if a.operating_hours_per_year is not None:
        hours = Decimal(repr(a.operating_hours_per_year)).quantize(Decimal(1))
        rows.append((loc.t("Operating hours per year"), loc.number(hours)))
    rows.append(
        (
            loc.t("Downtime cost per hour"),
            loc.money(round_money(a.downtime_cost_per_hour, cur), cur),
        )
    )
    if len(result.offers) > 1:
        rows.append((loc.t("Baseline offer"), names[result.comparison.baseline]))
    return tuple(rows)


def _has_header(info: QuoteInfo) -> bool:
    return any(
        x is not None and x != ""
        for x in (info.number, info.customer, info.seller, info.issued, info.valid_until)
    )


#: The height of page one's content (A4 less the margins) and the chart sizes (mm): the width
#: of a chart's 680 units, the least and the usual chart height (SVG units).
PAGE_MM = 265.0
CHART_MM_PER_UNIT = BODY_MM / 680
MIN_CHART = 140
MAX_CHART = 200
PT_MM = 25.4 / 72


def _lines(
    items: Sequence[str], width_mm: float, size_pt: float, item_mm: float, *, bold: bool = False
) -> int:
    """How many lines legend entries (``item_mm`` wider than their text) take side by side in
    a line ``width_mm`` wide."""
    if not items:
        return 0
    lines, used = 1, 0.0
    for item in items:
        w = text_width(item, size_pt * PT_MM, bold=bold) + item_mm
        if used and used + w > width_mm:
            lines, used = lines + 1, 0.0
        used += w
        while used > width_mm:  # an item wider than the line wraps within itself
            lines, used = lines + 1, used - width_mm
    return lines


def _text_lines(parts: Sequence[tuple[str, bool]], width_mm: float, size_pt: float) -> int:
    """How many lines a paragraph of ``parts`` (text, bold) takes, wrapped at its spaces."""
    size = size_pt * PT_MM
    words = [(w, bold) for text, bold in parts for w in text.split()]
    if not words:
        return 0
    lines, used = 1, 0.0
    for word, bold in words:
        w = text_width(word, size, bold=bold)
        gap = text_width(" ", size) if used else 0.0
        if used and used + gap + w > width_mm:
            lines, used, gap = lines + 1, 0.0, 0.0
        used += gap + w
        while used > width_mm:
            lines, used = lines + 1, used - width_mm
    return lines


def _legend_lines(items: Sequence[str], item_mm: float, columns: bool) -> int:
    """The lines a chart legend takes: its entries side by side, or in two columns."""
    if not columns:
        return _lines(items, BODY_MM, 7.5, item_mm)
    column_mm = (BODY_MM - 6) / 2
    each = [_text_lines([(item, False)], column_mm - item_mm, 7.5) for item in items]
    return math.ceil(sum(each) / 2)


#: Heights on page one (mm), measured on rendered pages: the title and subtitle (and a further
#: line of the title), a line of the header, a line of the headline and its box, a heading, a
#: line of a table head (and of its badge), a table row, a note, a figure's caption and a line
#: of a legend.
TITLE_MM = 17.5
TITLE_LINE_MM = 7.6
HEADER_LINE_MM = 4.3
HEADLINE_LINE_MM = 5.7
HEADLINE_BOX_MM = 11.0
HEADING_MM = 11.0
HEAD_LINE_MM = 4.2
HEAD_BADGE_MM = 3.3
ROW_MM = 6.1
NOTE_MM = 4.2
CAPTION_MM = 5.0
LEGEND_LINE_MM = 3.9


def _chart_height(
    *,
    title: str,
    header: Sequence[tuple[str, str]],
    headline: Sequence[Part],
    parts: Sequence[TablePart],
    notes: int,
    legends: Sequence[tuple[Sequence[str], float, bool]],
    caption: str,
) -> tuple[int, bool]:
    """The height of both charts (SVG units, width 680): as high as page one leaves room for
    after the title, the header (its fields, two to a line), the headline, the summary tables
    and their notes, between :data:`MIN_CHART` and :data:`MAX_CHART`; and whether both fit on
    page one. The page is estimated from the texts' widths (DejaVu Sans); where the charts do
    not fit even at their least height, they are drawn at their usual height and what does not
    fit follows on the next page, whole."""
    used = TITLE_MM + TITLE_LINE_MM * (_text_lines([(title, True)], BODY_MM, 16) - 1)
    if header:
        value_mm = BODY_MM * 0.49 * 0.74
        for k in range(0, len(header), 2):
            lines = max(_text_lines([(v, False)], value_mm, 9) for _, v in header[k : k + 2])
            used += HEADER_LINE_MM * lines + 0.6
        used += 3.0
    pieces = [(p.text, p.strong) for p in headline]
    used += HEADLINE_BOX_MM + HEADLINE_LINE_MM * _text_lines(pieces, BODY_MM - 9, 12)
    used += HEADING_MM
    for part in parts:
        share = float(part.column_width[:-1]) * float(part.width[:-1]) / 1e4
        column_mm = BODY_MM * share - CELL_PADDING_MM
        name_lines = max(
            (_text_lines([(c.name, True)], column_mm, 9) for c in part.columns), default=1
        )
        extra = max((bool(c.badge) + c.show_id for c in part.columns), default=0)
        used += HEAD_LINE_MM * name_lines + HEAD_BADGE_MM * extra + 1.6
        used += ROW_MM * len(part.rows) + 2.0
    used += NOTE_MM * notes
    for items, item_mm, columns in legends:
        if items:
            used += LEGEND_LINE_MM * _legend_lines(items, item_mm, columns) + 0.8
    used += 2 * (CAPTION_MM + 0.7)
    used += LEGEND_LINE_MM * _text_lines([(caption, False)], BODY_MM, 8)
    room = (PAGE_MM - used - 4.0) / 2 / CHART_MM_PER_UNIT
    if room < MIN_CHART:  # the charts follow on the next page, at their usual height
        return MAX_CHART, False
    return int(min(room, MAX_CHART)), True


def _tick_label(loc: DocLocale) -> Any:
    def label(v: float) -> str:
        return loc.number(Decimal(round(v)))

    return label


def build_view(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
) -> DocumentView:
    """Everything the document shows, rounded and formatted in ``locale``."""
    loc = doc_locale(locale)
    info = info or QuoteInfo()
    cur = result.currency
    n = result.study_period_years
    base = result.comparison.baseline
    best = result.comparison.recommended
    single = len(result.offers) == 1

    def badge(oid: str) -> str:
        marks = []
        if oid == best and not single:
            marks.append(loc.t("recommended"))
        if oid == base and not single:
            marks.append(loc.t("baseline"))
        return ", ".join(marks)

    repeated = len({o.name for o in result.offers}) < len(result.offers)
    columns = tuple(Column(o.name, o.id, badge(o.id), show_id=repeated) for o in result.offers)
    rounded = {
        o.id: round_table([o.by_category[c.value] for c in CATEGORIES], o.lifetime_cost, cur)
        for o in result.offers
    }
    totals = {oid: table.total for oid, table in rounded.items()}
    prices = {
        o.id: round_money(acquisition_price(scenario, i, result), cur)
        for i, o in enumerate(result.offers)
    }
    headline, other, comp = _headline(loc, scenario, result, totals, prices)
    ids = [o.id for o in result.offers]

    def money_row(label: str, values: Sequence[Decimal], strong: bool = False) -> Row:
        return Row(loc.t(label), tuple(loc.amount(v, cur) for v in values), strong)

    summary: list[Row] = [
        money_row("Price (year-0 acquisition)", [prices[i] for i in ids]),
        money_row("Lifetime cost (present value)", [totals[i] for i in ids], strong=True),
        money_row(
            "Equivalent annual cost",
            [round_money(o.equivalent_annual_cost, cur) for o in result.offers],
        ),
    ]
    if any(o.cost_per_operating_hour is not None for o in result.offers):
        summary.append(
            Row(
                loc.t("Cost per operating hour"),
                tuple(
                    "–"
                    if o.cost_per_operating_hour is None
                    else loc.amount(round_money(o.cost_per_operating_hour, cur), cur)
                    for o in result.offers
                ),
            )
        )
    comps = result.comparison.offers
    reversal = any_reversal(list(comps.values()))
    if not single:
        summary.append(
            Row(
                loc.t("Net savings"),
                tuple(
                    loc.t("baseline")
                    if i == base
                    else loc.amount(round_money(comps[i].net_savings, cur), cur)
                    for i in ids
                ),
            )
        )
        summary.append(
            Row(
                loc.t("Discounted payback year"),
                tuple(
                    loc.t("baseline")
                    if i == base
                    else payback_cell(loc, comps[i], comps[i].discounted_payback_year)
                    for i in ids
                ),
            )
        )
        if reversal:
            summary.append(
                Row(
                    loc.t("Dearer again from year"),
                    tuple(
                        loc.t("baseline") if i == base else dearer_again_cell(loc, comps[i])
                        for i in ids
                    ),
                )
            )
            summary.append(
                Row(
                    loc.t("Cheaper again from year"),
                    tuple(
                        loc.t("baseline") if i == base else cheaper_again_cell(loc, comps[i], n)
                        for i in ids
                    ),
                )
            )

    categories: list[Row] = []
    for k, cat in enumerate(CATEGORIES):
        cells = [rounded[i].parts[k] for i in ids]
        if all(c == 0 for c in cells):
            continue
        categories.append(
            Row(
                loc.t(cat.value),
                tuple(loc.amount(c, cur) for c in cells),
                swatch=CATEGORY_COLORS[cat],
            )
        )
    category_total = money_row("Lifetime cost", [totals[i] for i in ids], strong=True)
    category_notes = () if all(t.adds_up for t in rounded.values()) else (loc.say("rounding"),)

    comparison_columns = tuple(c for c in columns if c.id != base)
    comparison: list[Row] = []
    if not single:
        others = [i for i in ids if i != base]

        def crow(label: str, fn: Any) -> None:
            comparison.append(Row(loc.t(label), tuple(fn(comps[i], i) for i in others)))

        na = loc.t("not applicable")
        crow("Net savings", lambda c, i: loc.amount(round_money(c.net_savings, cur), cur))
        crow(
            "Savings-to-investment ratio", lambda c, i: na if c.sir is None else _ratio(loc, c.sir)
        )
        crow(
            "Adjusted internal rate of return",
            lambda c, i: na if c.airr is None else loc.percent(c.airr),
        )
        crow(
            "Internal rate of return of the added investment",
            lambda c, i: na if c.irr is None else loc.percent(c.irr),
        )
        crow("Simple payback year", lambda c, i: payback_cell(loc, c, c.simple_payback_year))
        crow(
            "Discounted payback year",
            lambda c, i: payback_cell(loc, c, c.discounted_payback_year),
        )
        if reversal:
            crow("Dearer again from year", lambda c, i: dearer_again_cell(loc, c))
            crow("Cheaper again from year", lambda c, i: cheaper_again_cell(loc, c, n))
        crow(
            "Breakeven year (curves cross)",
            lambda c, i: loc.t("never") if c.breakeven_year is None else loc.year(c.breakeven_year),
        )
        crow(
            "Price headroom",
            lambda c, i: (
                na
                if c.price_headroom is None
                else loc.amount(round_money(c.price_headroom, cur), cur)
            ),
        )

    payback_labels = {loc.t("Simple payback year"), loc.t("Discounted payback year")}

    def notes_of(rows: Sequence[Row], explain_reversal: bool) -> tuple[str, ...]:
        cells = [c for r in rows if r.label in payback_labels for c in r.cells]
        return payback_notes(loc, cells, n, reversal and explain_reversal) if cells else ()

    # page one keeps the notes short (the reversal rows are explained on the detail pages)
    summary_notes = notes_of(summary, explain_reversal=False)
    comparison_notes = notes_of(comparison, explain_reversal=True)
    effort_note = "" if info.buyer_effort_counted else loc.say("buyer_effort")
    summary_parts = split_table("summary", columns, summary)
    category_parts = split_table("categories", columns, [*categories, category_total])
    comparison_parts = split_table("comparison", comparison_columns, comparison)

    # the charts: names under the bars where they fit, else keys explained below the chart
    names = {o.id: o.name for o in result.offers}
    keyed = not bar_labels_fit([o.name for o in result.offers])
    keys = {o.id: loc.number(i + 1) if keyed else "" for i, o in enumerate(result.offers)}
    chart_keys = tuple(Legend(o.name, "", key=keys[o.id]) for o in result.offers) if keyed else ()
    header = _header(loc, info)

    tick = _tick_label(loc)
    bars = [
        Bar(
            label=keys[o.id] or o.name,
            total_label=loc.amount(totals[o.id], cur),
            segments=tuple(
                Segment(float(rounded[o.id].parts[k]), CATEGORY_COLORS[c])
                for k, c in enumerate(CATEGORIES)
            ),
        )
        for o in result.offers
    ]
    present = {
        c
        for c in CATEGORIES
        for o in result.offers
        if rounded[o.id].parts[CATEGORIES.index(c)] != 0
    }
    bar_legend = tuple(
        Legend(loc.t(c.value), CATEGORY_COLORS[c]) for c in CATEGORIES if c in present
    )

    colors = {o.id: OFFER_COLORS[i % len(OFFER_COLORS)] for i, o in enumerate(result.offers)}
    dotted = {o.id: (i // len(OFFER_COLORS)) % 2 == 1 for i, o in enumerate(result.offers)}
    series = [
        Series(
            values=o.cash_flows.cumulative_present_value,
            color=colors[o.id],
            dashed=o.id == base and not single,
            bold=o.id == best,
            dotted=dotted[o.id],
        )
        for o in result.offers
    ]
    marker = None
    crossover = ""
    if other is not None and comp is not None and comp.breakeven_year is not None:
        x = comp.breakeven_year
        curve = next(o for o in result.offers if o.id == best).cash_flows.cumulative_present_value
        k0 = min(math.floor(x), n - 1) if n > 0 else 0
        frac = x - k0
        y = curve[k0] + frac * (curve[min(k0 + 1, n)] - curve[k0])
        marker = Marker(x, y, f"{loc.t('Crossover')}: {loc.t('Year')} {loc.year(x)}")
        crossover = loc.say("crossover", best=names[best], other=names[other], year=loc.year(x))
    line_legend = tuple(
        Legend(
            o.name,
            colors[o.id],
            dashed=o.id == base and not single,
            key=keys[o.id],
            dotted=dotted[o.id],
        )
        for o in result.offers
    )
    title = info.title or loc.t("Lifetime cost comparison")
    chart_height, charts_fit = _chart_height(
        title=title,
        header=header,
        headline=headline,
        parts=summary_parts,
        notes=len(summary_notes) + bool(effort_note),
        legends=[
            ([item.label for item in bar_legend], 8.1, False),
            ([f"{item.key} {item.label}" for item in chart_keys], 3.0, True),
            ([f"{item.key} {item.label}" for item in line_legend], 12.5, keyed),
        ],
        caption=crossover,
    )
    title_bars = f"{loc.t('Lifetime cost by category')} ({cur}, {loc.t('present value')})"
    bar_chart = stacked_bars(bars, title=title_bars, tick_label=tick, height=chart_height)
    title_lines = f"{loc.t('Cumulative discounted cost')} ({cur})"
    line_chart = cumulative_lines(
        series,
        years=n,
        title=title_lines,
        tick_label=tick,
        year_label=loc.t("Year"),
        marker=marker,
        height=chart_height,
    )

    offers = tuple(
        _offer_section(loc, scenario, i, o, columns[i]) for i, o in enumerate(result.offers)
    )

    validity: list[str] = []
    if info.valid_until is not None:
        validity.append(loc.say("validity.until", date=loc.date(info.valid_until)))
    validity.append(loc.say("validity.projection"))
    subtitle = loc.say(
        f"subtitle.{result.method.rate_basis}",
        currency=cur,
        years=loc.years(n),
        rate=loc.percent(result.method.discount_rate),
    )
    footer_bits = [title]
    if info.number is not None:
        footer_bits.append(f"{loc.t('Quote')} {info.number}")
    return DocumentView(
        lang=loc.language,
        title=title,
        subtitle=subtitle,
        header=header,
        footer=" · ".join(footer_bits),
        headline=headline,
        headline_text="".join(p.text for p in headline),
        currency=cur,
        columns=columns,
        summary=tuple(summary),
        category_notes=category_notes,
        summary_notes=summary_notes,
        categories=tuple(categories),
        category_total=category_total,
        comparison_columns=comparison_columns,
        comparison=tuple(comparison),
        comparison_notes=comparison_notes,
        bar_chart=bar_chart,
        bar_legend=bar_legend,
        line_chart=line_chart,
        line_legend=line_legend,
        crossover=crossover,
        offers=offers,
        coverage=coverage_sections(loc, scenario, columns, info),
        effort_note=effort_note,
        assumptions=_assumptions(loc, scenario, result),
        method=_method(loc, result),
        notes=_notes(loc, scenario, result),
        validity=tuple(validity),
        terms=info.terms or "",
        summary_parts=summary_parts,
        category_parts=category_parts,
        comparison_parts=comparison_parts,
        chart_keys=chart_keys,
        charts_fit=charts_fit,
    )


def _header(loc: DocLocale, info: QuoteInfo) -> tuple[tuple[str, str], ...]:
    """The header of a quote: its number, who it is prepared for and by, when, and how long it
    is valid, in the order it is printed (two fields to a line: the quote and the people on the
    left, the dates on the right). Shown where the document belongs to a quote (any of these
    is given); a field that is not given is said so rather than left blank."""
    if not _has_header(info):
        return ()
    who: list[tuple[str, str]] = []
    if info.number:
        number = info.number
        if info.version is not None:
            number = loc.say("header.number", number=number, version=loc.number(info.version))
        who.append((loc.t("Quote"), number))
    who += [
        (loc.t("Prepared for"), info.customer or loc.say("header.no_customer")),
        (loc.t("Prepared by"), info.seller or loc.say("header.no_seller")),
    ]
    not_stated = loc.t("not stated")
    when = [
        (loc.t("Prepared on"), not_stated if info.issued is None else loc.date(info.issued)),
        (
            loc.t("Valid until"),
            not_stated if info.valid_until is None else loc.date(info.valid_until),
        ),
    ]
    # printed two to a line: who and what on the left, the dates on the right
    pairs = itertools.zip_longest(who, when)
    return tuple(field for pair in pairs for field in pair if field is not None)


def offers_per_table(rows: Sequence[Row], columns: Sequence[Column] = ()) -> int:
    """How many offer columns a table of ``rows`` takes on A4 before its cells would overprint
    or its offers' names break within a word: every column as wide as its widest cell (bold in
    strong rows) and as the longest word of any name (up to :data:`MAX_WORD_MM`), and at
    least :data:`MIN_OFFER_COLUMN_MM`."""
    widest = max(
        (text_width(cell, TABLE_FONT_MM, bold=row.strong) for row in rows for cell in row.cells),
        default=0.0,
    )
    word = max(
        (text_width(w, TABLE_FONT_MM, bold=True) for c in columns for w in c.name.split()),
        default=0.0,
    )
    column = max(widest + 1.0, min(word, MAX_WORD_MM)) + CELL_PADDING_MM
    return max(int(BODY_MM * (1 - LABEL_SHARE) // max(column, MIN_OFFER_COLUMN_MM)), 1)


def split_table(name: str, columns: Sequence[Column], rows: Sequence[Row]) -> tuple[TablePart, ...]:
    """A table of offers (``columns``, ``rows`` with one cell per offer) as one or more tables of
    at most :func:`offers_per_table` offers each, as evenly filled as may be. Every part has
    columns of the same width; the first keeps the table's name as its id."""
    if not columns:
        return ()
    most = offers_per_table(rows, columns)
    count = math.ceil(len(columns) / most)
    size = math.ceil(len(columns) / count)
    parts: list[TablePart] = []
    for k in range(count):
        cols = slice(k * size, (k + 1) * size)
        shown = len(columns[cols])
        offer_share = (1 - LABEL_SHARE) / size
        width = LABEL_SHARE + offer_share * shown
        parts.append(
            TablePart(
                id=name if k == 0 else f"{name}-{k + 1}",
                columns=tuple(columns[cols]),
                rows=tuple(Row(r.label, tuple(r.cells[cols]), r.strong, r.swatch) for r in rows),
                width=_percent(width),
                label_width=_percent(LABEL_SHARE / width),
                column_width=_percent(offer_share / width),
            )
        )
    return tuple(parts)


def _percent(share: float) -> str:
    return f"{share * 100:.2f}%"


_ESCALATION_PATH = re.compile(r"assumptions\.escalation\.(?P<driver>.+)")
_LINE_PATH = re.compile(r"offers\[(?P<offer>\d+)\]\.costs\[(?P<line>\d+)\]")


def _notes(loc: DocLocale, scenario: Scenario, result: ScenarioResult) -> tuple[str, ...]:
    """The engine's notes on the scenario, in the document's language and naming offers and
    lines by their names; a note of another kind as the engine gives it."""
    n = result.study_period_years
    names = {o.id: o.name for o in result.offers}
    out: list[str] = []
    for issue in result.issues:
        escalation = _ESCALATION_PATH.fullmatch(issue.path)
        line = _LINE_PATH.fullmatch(issue.path)
        if issue.path == "baseline" and result.comparison.baseline in names:
            out.append(loc.say("issue.baseline", offer=names[result.comparison.baseline]))
        elif escalation and escalation["driver"] in scenario.assumptions.escalation:
            driver = escalation["driver"]
            rates = scenario.assumptions.escalation[driver]
            out.append(
                loc.say(
                    "issue.escalation", driver=driver, k=loc.number(len(rates)), n=loc.number(n)
                )
            )
        elif (
            line
            and issue.message.startswith("falls in no year")
            and int(line["offer"]) < len(scenario.offers)
            and int(line["line"]) < len(scenario.offers[int(line["offer"])].costs)
        ):
            offer = scenario.offers[int(line["offer"])]
            cost = offer.costs[int(line["line"])]
            out.append(loc.say("issue.no_year", line=cost.name, offer=offer.title))
        else:
            out.append(f"{issue.path}: {issue.message}")
    return tuple(out)


def _ratio(loc: DocLocale, value: float) -> str:
    return loc.number(Decimal(repr(value)).quantize(Decimal("0.01")), 2)


# ------------------------------------------------------------------------------------------
# Rendering


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of ``templates/`` (autoescape, StrictUndefined), shared by the
    quote document and the web page."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
) -> str:
    """The quote document as one self-contained HTML page (inline CSS and SVG, no JavaScript)."""
    view = build_view(scenario, result, locale=locale, info=info)
    loc = doc_locale(locale)
    return template_environment().get_template("document.html.j2").render(v=view, t=loc.t)


def html_to_pdf(html: str) -> bytes:
    """An A4 PDF of a rendered document (WeasyPrint)."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
) -> bytes:
    """The quote document as an A4 PDF, the same content as :func:`render_html`."""
    return html_to_pdf(render_html(scenario, result, locale=locale, info=info))


def _write_atomic(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def write_document(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    html: str | os.PathLike[str] | None = None,
    pdf: str | os.PathLike[str] | None = None,
    locale: str = "en",
    info: QuoteInfo | None = None,
) -> None:
    """Render the document and write it as HTML and/or PDF.

    Both are rendered before either is written, and each file is replaced atomically, so a
    failure leaves no half-written file behind.
    """
    page = render_html(scenario, result, locale=locale, info=info)
    pdf_bytes = html_to_pdf(page) if pdf is not None else None
    if html is not None:
        _write_atomic(Path(html), page.encode("utf-8"))
    if pdf is not None and pdf_bytes is not None:
        _write_atomic(Path(pdf), pdf_bytes)
