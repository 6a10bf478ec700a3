"""The quote document: one HTML page (and the same content as an A4 PDF) that makes the
lifetime-cost argument, then shows every line and assumption behind it.

A view model (:func:`build_view`) turns a scenario, its result and its cost profile
(:func:`tco.core.profile.cost_profile`: figures by year, prices, coverage terms, what the headline
measures against and what causes a reversal) into rounded, formatted strings in the chosen
locale; the Jinja2 templates in ``templates/`` only place them (autoescape on, StrictUndefined,
no arithmetic). Numbers are the engine's and the profile's, rounded by :mod:`tco.core.money`:

- every figure is rounded once from the engine's unrounded value
(:func:`~tco.core.money.round_money`)
  and shows the same digits wherever it appears (tables, headline, workbook, web page, command
  line); a table whose rounded lines do not add up to its rounded total says so in a note;
- net savings shown are the engine's net savings rounded, not a difference of rounded figures;
- the *price* of an offer is the profile's: its year-0 lines in the acquisition category
  (installation, services and later replacements are not part of the price).

The headline compares the recommended offer (lowest lifetime cost) with the baseline; when the
baseline is itself recommended, with the next-best offer, using the engine's comparison of the
two (the profile's :attr:`~tco.core.profile.CostProfile.headline`).

Paybacks follow contract version 2: an offer that adds no investment has nothing to pay back
("–¹", and no payback claimed), and wherever a payback is shown, its reversal is shown too (the
years the offer is dearer again and cheaper again; in the headline, with the cost line that
causes it when one does). Labels and sentences come from the catalogs (:mod:`tco.presenters.i18n`,
:data:`tco.presenters.locale.SENTENCES`); escalation drivers are named in the document's language.

The document is laid out for print: the header says who the quote is prepared for and by, on
which day and until when it is valid (saying so where one is not given); tables of many offers
are split into tables that fit A4 (:func:`split_table`); the charts' texts never overprint
(:mod:`tco.presenters.svg`); page one's chart height is estimated from what else it carries
(:func:`_chart_height`).

Where the result has an uncertainty block, :func:`risk_view` adds a sentence under the
headline, each offer's P10-P90 range over its bar, and a section with the ranges, a tornado of
the inputs that move the key offer's net savings most and their switching values; without one
the document is unchanged, byte for byte. See docs/document.md.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from tco.core.money import RoundedTable, round_money, round_table
from tco.core.profile import CostProfile, Headline, OfferProfile, Reversal, cost_profile
from tco.core.results import (
    LineResult,
    OfferComparison,
    OfferResult,
    ScenarioResult,
    key_offer,
)
from tco.core.scenario import CATEGORIES, Category, CostLine, FailureModel, Offer, Scenario
from tco.core.simulation import Sensitivity, UncertaintyResult
from tco.core.uncertainty import ESCALATION, LINE_FIELD, base_values, resolve
from tco.presenters.files import write_atomic
from tco.presenters.i18n import gettext, ngettext
from tco.presenters.info import QuoteInfo
from tco.presenters.locale import DocLocale, doc_locale
from tco.presenters.svg import OFFER_COLORS as OFFER_COLORS
from tco.presenters.svg import (
    TORNADO_HIGH,
    TORNADO_LOW,
    Bar,
    Marker,
    Range,
    Segment,
    Series,
    TornadoRow,
    bar_labels_fit,
    cumulative_lines,
    range_glyph,
    stacked_bars,
    text_width,
    tornado,
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
    #: The seller's company above the title (None: the tenant has no company profile).
    letterhead: Letterhead | None
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
    #: The uncertainty block as the document shows it (None: the result has none).
    risk: RiskView | None = None


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The seller's company as the document's letterhead: its name, at most three address
    lines, one contact line and the logo (a ``data:`` URI, or None)."""

    name: str
    lines: tuple[str, ...]
    contact: str
    logo: str | None


#: The letterhead's height on page one, with its margin (its lines are cut to fit).
LETTERHEAD_MM = 22.0


def letterhead(info: QuoteInfo) -> Letterhead | None:
    company = info.company
    if company is None:
        return None
    lines = tuple(line.strip() for line in company.address.splitlines() if line.strip())
    contact = " · ".join(x for x in (company.phone, company.email, company.website) if x)
    return Letterhead(company.name, lines[:3], contact, company.logo_data_uri)


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


def reversal_pieces(
    loc: DocLocale, names: dict[str, str], offer_id: str, reversal: Reversal | None
) -> list[Part]:
    """The clause of the headline that states a reversal of ``offer_id``'s payback ("; after the
    Spindle replacement in year 10 it is dearer again until year 13"); empty where there is
    none. The cost line that causes it is the profile's (:class:`tco.core.profile.Reversal`)."""
    if reversal is None:
        return []
    end = "end" if reversal.until is None else "until"
    until = "" if reversal.until is None else loc.number(reversal.until)
    values = {"year": loc.number(reversal.year), "until": until}
    if reversal.line is None or reversal.owner is None:
        return _pieces(loc.sentence(f"reversal.{end}", **values))
    if reversal.owner == offer_id:
        return _pieces(loc.sentence(f"reversal.line.{end}", line=reversal.line, **values))
    return _pieces(
        loc.sentence(
            f"reversal.base_line.{end}", line=reversal.line, owner=names[reversal.owner], **values
        )
    )


def _headline(f: _Figures, result: ScenarioResult, headline: Headline | None) -> tuple[Part, ...]:
    """The recommendation in one sentence: the recommended offer against the one the profile
    measures it against (:attr:`tco.core.profile.CostProfile.headline`)."""
    loc, cur, names, best = f.loc, f.cur, f.names, f.best
    years = loc.years(f.n)
    if headline is None:
        eac = loc.money(round_money(result.offers[0].equivalent_annual_cost, cur), cur)
        total = loc.money(f.totals[best], cur)
        single = loc.sentence(
            "headline.single", years=years, offer=names[best], total=total, eac=eac
        )
        return tuple(_pieces(single))
    other, comp = headline.other, headline.comparison
    saving = round_money(comp.net_savings, cur)  # the engine's figure, rounded once
    if saving > 0:
        money = loc.money(saving, cur)
        sentence = loc.sentence(
            "headline.less", years=years, best=names[best], saving=money, other=names[other]
        )
    else:
        sentence = loc.sentence("headline.same", years=years, best=names[best], other=names[other])
    parts = _pieces(sentence)
    if best == f.base:
        parts += _pieces(loc.sentence("headline.next_best"))
    parts += _price_pieces(f, comp, f.prices[best] - f.prices[other])
    parts += reversal_pieces(loc, names, best, headline.reversal)
    parts += _pieces(loc.sentence("headline.end"))
    return tuple(parts)


def _price_pieces(f: _Figures, comp: OfferComparison, dprice: Decimal) -> list[Part]:
    """The clause on the price difference and, for a dearer offer, on its payback."""
    loc = f.loc
    if dprice < 0:
        return _pieces(
            loc.sentence("headline.cheaper_to_buy", difference=loc.money(-dprice, f.cur))
        )
    if dprice == 0:
        return _pieces(loc.sentence("headline.same_price"))
    parts = _pieces(loc.sentence("headline.dearer_to_buy", difference=loc.money(dprice, f.cur)))
    payback = comp.discounted_payback_year
    if payback is None and adds_no_investment(comp):
        parts += _pieces(loc.sentence("headline.no_investment"))
    elif payback is None:
        parts += _pieces(loc.sentence("headline.never_pays_back", n=loc.number(f.n)))
    elif payback == 0:
        parts += _pieces(loc.sentence("headline.pays_back_at_once"))
    else:
        parts += _pieces(loc.sentence("headline.pays_back", year=loc.number(payback)))
    return parts


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
    rows = [
        _line_row(loc, src, line, loc.amount(pv, cur), n, cur)
        for line, pv in zip(offer.lines, table.parts, strict=True)
    ]
    rows = [
        replace(r, keep=k == 1 or k >= len(rows) - 2) if len(rows) > 3 else r
        for k, r in enumerate(rows)
    ]
    return OfferSection(
        column=column,
        lines=tuple(rows),
        total=loc.amount(table.total, cur),
        rounding_note="" if table.adds_up else loc.say("rounding"),
        failures=_failure_terms(loc, src.failures, cur),
        service=_described(loc, src, Category.service, n, cur),
        financing=_described(loc, src, Category.financing, n, cur),
    )


def _line_row(
    loc: DocLocale, src: Offer, line: LineResult, present_value: str, n: int, cur: str
) -> LineRow:
    """A row of an offer's line table: a cost line with its schedule, amount and driver, its
    residual credit, or an expected failure stream."""
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
            esc = loc.driver(cost.escalation) if cost.escalation else "–"
    elif line.source.startswith("failures."):
        schedule = loc.say("schedule.expected", n=loc.number(n))
        if line.source == "failures.repair":
            name = loc.t("Expected repairs")
        elif line.source == "failures.downtime":
            name = loc.t("Expected downtime")
        elif line.source == "failures.orders":
            name = loc.t("Expected repair orders")
    return LineRow(
        name=name,
        category=loc.t(line.category.value),
        schedule=schedule,
        amount=amount,
        escalation=esc,
        present_value=present_value,
    )


def _failure_terms(
    loc: DocLocale, fm: FailureModel | None, cur: str
) -> tuple[tuple[str, str], ...]:
    """The failure model as label and value pairs (its own terms: those that hold outside the
    coverage terms where it has any)."""
    if fm is None:
        return ()
    wear = fm.shape != 1.0
    periods = bool(fm.periods)  # then the model's own terms hold outside the periods
    shape = loc.number(Decimal(repr(fm.shape)).quantize(Decimal("0.01")), 2)
    kind = loc.t("wear-out" if wear else "constant rate")
    out = [
        (
            loc.t(
                "Characteristic life (hours)" if wear else "Mean operating hours between failures"
            ),
            loc.number(Decimal(repr(fm.mtbf_hours)).quantize(Decimal(1))),
        ),
        (loc.t("Failure shape"), f"{shape} ({kind})"),
        (
            loc.t("Repair cost per failure (base year)"),
            loc.money(round_money(fm.repair_cost, cur), cur),
        ),
        (
            loc.t(
                "Share covered outside the coverage terms"
                if periods
                else "Share covered by the service plan"
            ),
            loc.percent(fm.covered_fraction, 0),
        ),
        (
            loc.t(
                "Downtime per failure outside the coverage terms (hours)"
                if periods
                else "Downtime per failure (hours)"
            ),
            loc.number(Decimal(repr(fm.downtime_hours)).quantize(Decimal("0.1")), 1),
        ),
    ]
    if fm.order_cost > 0:
        out.append(
            (
                loc.t(
                    "Buyer's cost per repair order outside the coverage terms (base year)"
                    if periods
                    else "Buyer's cost per repair order (base year)"
                ),
                loc.money(round_money(fm.order_cost, cur), cur),
            )
        )
    return tuple(out)


def _described(loc: DocLocale, src: Offer, category: Category, n: int, cur: str) -> tuple[str, ...]:
    """The offer's cost lines of one category in words: name, amount and schedule."""
    out = []
    for cost in src.costs:
        if cost.category is category:
            money = loc.money(round_money(cost.amount, cur), cur)
            out.append(f"{cost.name}: {money} ({_schedule(loc, cost, n)})")
    return tuple(out)


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
    loc: DocLocale, cur: str, op: OfferProfile
) -> tuple[tuple[str, ...], list[_Term]]:
    """The coverage periods of a failure model with their terms (the profile's); the cost of a
    repair order only where the buyer raises repair orders."""
    orders = op.has_orders
    heads: tuple[str, ...] = (
        loc.t("Years"),
        loc.t("Repairs covered"),
        loc.t("Downtime per failure"),
    )
    if orders:
        heads += (loc.t("Buyer's cost per repair order"),)
    out = []
    for i, p in enumerate(op.periods):
        cells: tuple[str, ...] = (
            loc.span(p.from_year, p.until_year),
            _share(loc, p.covered_fraction),
            _hours(loc, p.downtime_hours),
        )
        if orders:
            cells += (loc.money(round_money(p.order_cost, cur), cur),)
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
    loc: DocLocale,
    scenario: Scenario,
    profile: CostProfile,
    columns: Sequence[Column],
    info: QuoteInfo,
) -> tuple[CoverageSection, ...]:
    """The cover of every offer that has some: the quote's warranty and service-plan terms
    (``info.coverage``), or for a bare scenario the coverage periods of its failure models."""
    cur = scenario.assumptions.currency
    n = scenario.assumptions.study_period_years
    out: list[CoverageSection] = []
    for offer, op, column in zip(scenario.offers, profile.offers, columns, strict=True):
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
            heads, rows = _period_terms(loc, cur, op)
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
        rows.append((f"{loc.t('Escalation of')} {loc.driver(driver)}", _rates(loc, rates)))
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
#: The uncertainty sentence under the headline: a line of it, and its margins.
RISK_LINE_MM = 4.3
RISK_BOX_MM = 3.2


def _chart_height(
    *,
    title: str,
    header: Sequence[tuple[str, str]],
    headline: Sequence[Part],
    parts: Sequence[TablePart],
    notes: int,
    legends: Sequence[tuple[Sequence[str], float, bool]],
    caption: str,
    letterhead_mm: float = 0.0,
    risk: Sequence[Part] = (),
) -> tuple[int, bool]:
    """The height of both charts (SVG units, width 680): as high as page one leaves room for
    after the title, the header (its fields, two to a line), the headline, the summary tables
    and their notes, between :data:`MIN_CHART` and :data:`MAX_CHART`; and whether both fit on
    page one. The page is estimated from the texts' widths (DejaVu Sans); where the charts do
    not fit even at their least height, they are drawn at their usual height and what does not
    fit follows on the next page, whole."""
    used = (
        letterhead_mm + TITLE_MM + TITLE_LINE_MM * (_text_lines([(title, True)], BODY_MM, 16) - 1)
    )
    if header:
        value_mm = BODY_MM * 0.49 * 0.74
        for k in range(0, len(header), 2):
            lines = max(_text_lines([(v, False)], value_mm, 9) for _, v in header[k : k + 2])
            used += HEADER_LINE_MM * lines + 0.6
        used += 3.0
    pieces = [(p.text, p.strong) for p in headline]
    used += HEADLINE_BOX_MM + HEADLINE_LINE_MM * _text_lines(pieces, BODY_MM - 9, 12)
    if risk:
        lines = _text_lines([(p.text, p.strong) for p in risk], BODY_MM - 9, 9)
        used += RISK_BOX_MM + RISK_LINE_MM * lines
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


@dataclass(frozen=True, slots=True)
class _Figures:
    """What the document's tables and charts are made of: the offers' columns, their figures
    rounded once, and their comparisons with the baseline."""

    loc: DocLocale
    cur: str
    n: int
    base: str
    best: str
    single: bool
    ids: tuple[str, ...]
    names: dict[str, str]
    columns: tuple[Column, ...]
    #: Lifetime cost by category and in total, rounded once (by offer id).
    rounded: dict[str, RoundedTable]
    totals: dict[str, Decimal]
    prices: dict[str, Decimal]
    comps: dict[str, OfferComparison]
    #: Whether any offer is dearer again after its payback.
    reversal: bool


def _figures(loc: DocLocale, result: ScenarioResult, profile: CostProfile) -> _Figures:
    cur = result.currency
    base, best = result.comparison.baseline, result.comparison.recommended
    single = len(result.offers) == 1

    def badge(oid: str) -> str:
        marks = []
        if oid == best and not single:
            marks.append(loc.t("recommended"))
        if oid == base and not single:
            marks.append(loc.t("baseline"))
        return ", ".join(marks)

    repeated = len({o.name for o in result.offers}) < len(result.offers)
    rounded = {
        o.id: round_table([o.by_category[c.value] for c in CATEGORIES], o.lifetime_cost, cur)
        for o in result.offers
    }
    comps = dict(result.comparison.offers)
    return _Figures(
        loc=loc,
        cur=cur,
        n=result.study_period_years,
        base=base,
        best=best,
        single=single,
        ids=tuple(o.id for o in result.offers),
        names={o.id: o.name for o in result.offers},
        columns=tuple(Column(o.name, o.id, badge(o.id), show_id=repeated) for o in result.offers),
        rounded=rounded,
        totals={oid: table.total for oid, table in rounded.items()},
        prices={o.id: round_money(o.price, cur) for o in profile.offers},
        comps=comps,
        reversal=any_reversal(list(comps.values())),
    )


def _money_row(f: _Figures, label: str, values: Sequence[Decimal], strong: bool = False) -> Row:
    return Row(label, tuple(f.loc.amount(v, f.cur) for v in values), strong)


def _against_baseline(f: _Figures, label: str, cell: Callable[[OfferComparison], str]) -> Row:
    """A row of the offers side by side: "baseline" in the baseline's column, else ``cell`` of
    the offer's comparison with it."""
    baseline = f.loc.t("baseline")
    return Row(label, tuple(baseline if i == f.base else cell(f.comps[i]) for i in f.ids))


def _summary_rows(f: _Figures, result: ScenarioResult) -> list[Row]:
    """The offers side by side on page one: price, lifetime cost, equivalent annual cost, cost
    per operating hour and, against the baseline, net savings and the discounted payback (with
    its reversal where any offer has one)."""
    loc, cur, ids = f.loc, f.cur, f.ids
    eac = [round_money(o.equivalent_annual_cost, cur) for o in result.offers]
    rows = [
        _money_row(f, loc.t("Price (year-0 acquisition)"), [f.prices[i] for i in ids]),
        _money_row(
            f, loc.t("Lifetime cost (present value)"), [f.totals[i] for i in ids], strong=True
        ),
        _money_row(f, loc.t("Equivalent annual cost"), eac),
    ]
    if any(o.cost_per_operating_hour is not None for o in result.offers):
        per_hour = tuple(
            "–"
            if o.cost_per_operating_hour is None
            else loc.amount(round_money(o.cost_per_operating_hour, cur), cur)
            for o in result.offers
        )
        rows.append(Row(loc.t("Cost per operating hour"), per_hour))
    if f.single:
        return rows
    rows += [
        _against_baseline(
            f, loc.t("Net savings"), lambda c: loc.amount(round_money(c.net_savings, cur), cur)
        ),
        _against_baseline(
            f,
            loc.t("Discounted payback year"),
            lambda c: payback_cell(loc, c, c.discounted_payback_year),
        ),
    ]
    if f.reversal:
        rows += [
            _against_baseline(
                f, loc.t("Dearer again from year"), lambda c: dearer_again_cell(loc, c)
            ),
            _against_baseline(
                f, loc.t("Cheaper again from year"), lambda c: cheaper_again_cell(loc, c, f.n)
            ),
        ]
    return rows


def _category_rows(f: _Figures) -> tuple[list[Row], Row, tuple[str, ...]]:
    """Lifetime cost by category (categories without any cost left out), the total, and the
    note said where a column's rounded categories do not add up to its rounded total."""
    loc = f.loc
    rows: list[Row] = []
    for k, cat in enumerate(CATEGORIES):
        cells = [f.rounded[i].parts[k] for i in f.ids]
        if all(c == 0 for c in cells):
            continue
        amounts = tuple(loc.amount(c, f.cur) for c in cells)
        rows.append(Row(loc.t(cat.value), amounts, swatch=CATEGORY_COLORS[cat]))
    total = _money_row(f, loc.t("Lifetime cost"), [f.totals[i] for i in f.ids], strong=True)
    notes = () if all(t.adds_up for t in f.rounded.values()) else (loc.say("rounding"),)
    return rows, total, notes


def _comparison_rows(f: _Figures) -> list[Row]:
    """The measures of every offer other than the baseline against it."""
    if f.single:
        return []
    loc = f.loc
    others = [i for i in f.ids if i != f.base]
    na = loc.t("not applicable")

    def row(label: str, cell: Callable[[OfferComparison], str]) -> Row:
        return Row(label, tuple(cell(f.comps[i]) for i in others))

    def amount(x: float | None) -> str:
        return na if x is None else loc.amount(round_money(x, f.cur), f.cur)

    rows = [
        row(loc.t("Net savings"), lambda c: amount(c.net_savings)),
        row(
            loc.t("Savings-to-investment ratio"),
            lambda c: na if c.sir is None else _ratio(loc, c.sir),
        ),
        row(
            loc.t("Adjusted internal rate of return"),
            lambda c: na if c.airr is None else loc.percent(c.airr),
        ),
        row(
            loc.t("Internal rate of return of the added investment"),
            lambda c: na if c.irr is None else loc.percent(c.irr),
        ),
        row(loc.t("Simple payback year"), lambda c: payback_cell(loc, c, c.simple_payback_year)),
        row(
            loc.t("Discounted payback year"),
            lambda c: payback_cell(loc, c, c.discounted_payback_year),
        ),
    ]
    if f.reversal:
        rows.append(row(loc.t("Dearer again from year"), lambda c: dearer_again_cell(loc, c)))
        rows.append(
            row(loc.t("Cheaper again from year"), lambda c: cheaper_again_cell(loc, c, f.n))
        )
    rows.append(
        row(
            loc.t("Breakeven year (curves cross)"),
            lambda c: loc.t("never") if c.breakeven_year is None else loc.year(c.breakeven_year),
        )
    )
    rows.append(row(loc.t("Price headroom"), lambda c: amount(c.price_headroom)))
    return rows


def _notes_of(f: _Figures, rows: Sequence[Row], explain_reversal: bool) -> tuple[str, ...]:
    """The notes that explain the marks of the payback cells of ``rows`` and, where asked, the
    reversal rows."""
    labels = {f.loc.t("Simple payback year"), f.loc.t("Discounted payback year")}
    cells = [c for r in rows if r.label in labels for c in r.cells]
    return payback_notes(f.loc, cells, f.n, f.reversal and explain_reversal) if cells else ()


@dataclass(frozen=True, slots=True)
class _Charts:
    bar_chart: Markup
    bar_legend: tuple[Legend, ...]
    line_chart: Markup
    line_legend: tuple[Legend, ...]
    crossover: str
    chart_keys: tuple[Legend, ...]
    charts_fit: bool


def _charts(
    f: _Figures,
    profile: CostProfile,
    *,
    title: str,
    header: Sequence[tuple[str, str]],
    headline: Sequence[Part],
    summary_parts: Sequence[TablePart],
    notes: int,
    letterhead_mm: float = 0.0,
    risk: RiskView | None = None,
    ranges: Sequence[Range | None] = (),
) -> _Charts:
    """The two charts of page one with their legends and the crossover caption, as high as
    page one leaves room for (:func:`_chart_height`); where there is an uncertainty block,
    each bar with its range (``ranges``) and page one with its sentence and legend."""
    loc = f.loc
    # names under the bars where they fit, else keys explained below the chart
    keyed = not bar_labels_fit([f.names[i] for i in f.ids])
    keys = {oid: loc.number(k + 1) if keyed else "" for k, oid in enumerate(f.ids)}
    chart_keys = tuple(Legend(f.names[i], "", key=keys[i]) for i in f.ids) if keyed else ()
    bars, bar_legend = _bars(f, keys)
    series, line_legend = _curves(f, profile, keys)
    marker, crossover = _crossover(f, profile.headline)
    height, fit = _chart_height(
        title=title,
        header=header,
        headline=headline,
        parts=summary_parts,
        notes=notes,
        legends=[
            (
                [item.label for item in bar_legend] + ([risk.range_legend] if risk else []),
                8.1,
                False,
            ),
            ([f"{item.key} {item.label}" for item in chart_keys], 3.0, True),
            ([f"{item.key} {item.label}" for item in line_legend], 12.5, keyed),
        ],
        caption=crossover,
        letterhead_mm=letterhead_mm,
        risk=risk.sentence if risk else (),
    )
    tick = _tick_label(loc)
    title_bars = f"{loc.t('Lifetime cost by category')} ({f.cur}, {loc.t('present value')})"
    title_lines = f"{loc.t('Cumulative discounted cost')} ({f.cur})"
    line_chart = cumulative_lines(
        series,
        years=f.n,
        title=title_lines,
        tick_label=tick,
        year_label=loc.t("Year"),
        marker=marker,
        height=height,
    )
    return _Charts(
        bar_chart=stacked_bars(
            bars, title=title_bars, tick_label=tick, height=height, ranges=ranges
        ),
        bar_legend=bar_legend,
        line_chart=line_chart,
        line_legend=line_legend,
        crossover=crossover,
        chart_keys=chart_keys,
        charts_fit=fit,
    )


def _bars(f: _Figures, keys: dict[str, str]) -> tuple[list[Bar], tuple[Legend, ...]]:
    """A bar per offer stacked from its rounded categories, and the legend of the categories
    that show."""
    bars = [
        Bar(
            label=keys[i] or f.names[i],
            total_label=f.loc.amount(f.totals[i], f.cur),
            segments=tuple(
                Segment(float(f.rounded[i].parts[k]), CATEGORY_COLORS[c])
                for k, c in enumerate(CATEGORIES)
            ),
        )
        for i in f.ids
    ]
    shown = {c for k, c in enumerate(CATEGORIES) for i in f.ids if f.rounded[i].parts[k] != 0}
    legend = tuple(Legend(f.loc.t(c.value), CATEGORY_COLORS[c]) for c in CATEGORIES if c in shown)
    return bars, legend


def _curves(
    f: _Figures, profile: CostProfile, keys: dict[str, str]
) -> tuple[list[Series], tuple[Legend, ...]]:
    """A curve of cumulative discounted cost per offer (the profile's) and its legend: the
    baseline dashed, the recommended offer bold, dotted once the colours repeat."""
    series: list[Series] = []
    legend: list[Legend] = []
    for k, op in enumerate(profile.offers):
        color = OFFER_COLORS[k % len(OFFER_COLORS)]
        dashed = op.id == f.base and not f.single
        dotted = (k // len(OFFER_COLORS)) % 2 == 1
        bold = op.id == f.best
        values = op.cumulative_present_value
        series.append(Series(values, color, dashed=dashed, bold=bold, dotted=dotted))
        legend.append(Legend(op.name, color, dashed=dashed, key=keys[op.id], dotted=dotted))
    return series, tuple(legend)


def _crossover(f: _Figures, headline: Headline | None) -> tuple[Marker | None, str]:
    """The point where the recommended offer's curve crosses the one it is measured against
    (the profile's), and the caption that says so."""
    if headline is None or headline.crossover is None:
        return None, ""
    loc = f.loc
    x, y = headline.crossover
    marker = Marker(x, y, f"{loc.t('Crossover')}: {loc.t('Year')} {loc.year(x)}")
    other = f.names[headline.other]
    return marker, loc.say("crossover", best=f.names[f.best], other=other, year=loc.year(x))


# ------------------------------------------------------------------------------------------
# Uncertainty: the ranges over the bars, the sentence, the tables and the tornado
#
# Only where the result has an uncertainty block (docs/scenario.md, "Uncertainty and
# sensitivity"); a document without one is unchanged. Amounts are the block's, rounded once.

#: Inputs shown in the tornado and in its table, the largest swings first.
TORNADO_INPUTS = 8
#: A chance is said as "k of 10" where it lies within this of k/10 (k from 1 to 9).
TENTHS_WITHIN = 0.005
#: The fields of a ``value`` input that are rates (shown in per cent) and amounts of money.
_RATE_FIELDS = ("assumptions.discount_rate",)
_MONEY_FIELDS = (LINE_FIELD, "failures.repair_cost", "assumptions.downtime_cost_per_hour")
_HOUR_FIELDS = (
    "failures.mtbf_hours",
    "failures.downtime_hours",
    "assumptions.operating_hours_per_year",
)


@dataclass(frozen=True, slots=True)
class InputRow:
    """An uncertain input in the table under the tornado: its full name, its values at its P10
    and P90, the outcome there, and its switching value ("" where the table has none)."""

    name: str
    low: str
    high: str
    at_low: str
    at_high: str
    switching: str


@dataclass(frozen=True, slots=True)
class RiskView:
    """What the document shows of the uncertainty block."""

    #: Page one, under the headline: how often the key offer saves, and what would turn it.
    sentence: tuple[Part, ...]
    sentence_text: str
    #: What was simulated (the uncertainty section's first paragraphs).
    intro: tuple[str, ...]
    #: Under the bars: what the range over each bar is.
    range_legend: str
    range_glyph: Markup
    #: The offers side by side: lifetime cost P10/P50/P90, chances, net savings P10/P90.
    parts: tuple[TablePart, ...]
    tornado: Markup
    tornado_title: str
    tornado_legend: tuple[Legend, ...]
    tornado_caption: str
    input_heads: tuple[str, ...]
    inputs: tuple[InputRow, ...]
    input_notes: tuple[str, ...]
    #: Every non-baseline offer's switching values (where there is more than one such offer).
    switching_parts: tuple[TablePart, ...]


@dataclass(frozen=True, slots=True)
class _Input:
    """An uncertain input as the document words it: ``unit`` is ``factor`` (a factor of
    today's value), ``rate``, ``money``, ``hours`` or ``number``; ``base`` its value as the
    quote assumes it (1 for a factor; a value input's targets' common value, else its median)."""

    unit: str
    base: float


def _field_unit(field: str) -> str:
    if field in _RATE_FIELDS or field.startswith(f"{ESCALATION}."):
        return "rate"
    if field in _MONEY_FIELDS:
        return "money"
    return "hours" if field in _HOUR_FIELDS else "number"


def _risk_inputs(scenario: Scenario) -> dict[str, _Input]:
    """The scenario's uncertain inputs by name, with their units and base values."""
    unc = scenario.uncertainty
    if unc is None:
        return {}
    targets, _ = resolve(unc, scenario)
    out: dict[str, _Input] = {}
    for inp, found in zip(unc.inputs, targets, strict=True):
        if inp.kind == "factor":
            out[inp.name] = _Input("factor", 1.0)
            continue
        units = {_field_unit(sel.field or LINE_FIELD) for sel in inp.applies_to}
        values = {v for t in found for v in base_values(t, scenario)}
        base = values.pop() if len(values) == 1 else inp.distribution.quantile(0.5)
        out[inp.name] = _Input(units.pop() if len(units) == 1 else "number", base)
    return out


def _input_of(inputs: dict[str, _Input], s: Sensitivity) -> _Input:
    """An input of the block (its middle as its base where the scenario does not name it)."""
    return inputs.get(s.input) or _Input("number", (s.low + s.high) / 2)


def _digits(loc: DocLocale, x: float, places: int) -> str:
    """``x`` to ``places`` decimals (half away from zero), more (up to 4) where it would show
    as 1 but is not 1."""
    for shown in range(places, 5):
        q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
        if q != 1 or x == 1:
            break
    return loc.number(q, shown)


def input_value(loc: DocLocale, unit: str, x: float, cur: str) -> str:
    """A value of an uncertain input in its unit: a factor as ``×0.86``, a rate in per cent,
    money rounded to its minor unit, hours, or a number."""
    if unit == "factor":
        return f"×{_digits(loc, x, 2)}"
    if unit == "rate":
        return loc.percent(x)
    if unit == "money":
        return loc.money(round_money(x, cur), cur)
    if unit == "hours":
        step = Decimal(1) if abs(x) >= 100 else Decimal("0.1")
        q = Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP)
        return loc.say("cover.hours", h=loc.number(q, 0 if abs(x) >= 100 else 1))
    return _digits(loc, x, 2)


def chance(loc: DocLocale, p: float) -> str:
    """A chance in per cent to one decimal, half away from zero (a share of draws can be a
    tie); more decimals (up to 4) where it is neither 0 nor 1 but would show as 0 or 100."""
    for places in range(1, 5):
        q = (Decimal(repr(float(p))) * 100).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
        if 0 < q < 100 or p in (0.0, 1.0):
            break
    return f"{loc.number(q, places)}\u00a0%"


def _strong(text: str, **values: str) -> list[Part]:
    """A translated sentence with ``values`` filled in, in pieces: the pieces between
    asterisks are strong. Values are inserted as they are (never parsed again)."""
    return [
        Part(piece.format(**values), k % 2 == 1) for k, piece in enumerate(text.split("*")) if piece
    ]


def _chance_pieces(loc: DocLocale, p: float, offer: str, other: str) -> list[Part]:
    """How often ``offer`` costs less than ``other``: "in 9 of 10 simulated futures" where the
    chance is within :data:`TENTHS_WITHIN` of 9/10, else in per cent."""
    lang = loc.language
    k = round(p * 10)
    if p == 1.0:
        text = gettext(lang, "In every simulated future *{offer}* costs less than *{other}*.")
    elif p == 0.0:
        text = gettext(lang, "In no simulated future does *{offer}* cost less than *{other}*.")
    elif 1 <= k <= 9 and abs(p - k / 10) <= TENTHS_WITHIN:
        text = ngettext(
            lang,
            "In *{k} of 10* simulated futures *{offer}* costs less than *{other}*.",
            "In *{k} of 10* simulated futures *{offer}* costs less than *{other}*.",
            k,
        )
    else:
        text = gettext(
            lang, "In *{share}* of the simulated futures *{offer}* costs less than *{other}*."
        )
    return _strong(text, k=loc.number(k), share=chance(loc, p), offer=offer, other=other)


def turning_input(
    u: UncertaintyResult, key: str, inputs: dict[str, _Input]
) -> tuple[Sensitivity, float] | None:
    """The input whose switching value for ``key`` is nearest its base value, measured in the
    input's P10-P90 width (so that a factor and a rate compare), with that value; the first
    in input order on a tie; None where no input has one."""
    spread = {s.input: s for s in u.sensitivity}
    found: list[tuple[float, Sensitivity, float]] = []
    for sv in u.switching_values:
        if sv.offer != key or sv.value is None or sv.input not in spread:
            continue
        s = spread[sv.input]
        width = abs(s.high - s.low) or math.ulp(1.0)
        found.append((abs(sv.value - _input_of(inputs, s).base) / width, s, sv.value))
    if not found:
        return None
    _, s, value = min(found, key=lambda x: x[0])
    return s, value


def _turn_pieces(
    f: _Figures, u: UncertaintyResult, key: str, inputs: dict[str, _Input]
) -> list[Part]:
    """What would have to be true for the comparison to turn: the input with the switching
    value nearest its base, alone, below or above that value."""
    lang = f.loc.language
    turn = turning_input(u, key, inputs)
    if turn is None:
        return _strong(
            gettext(
                lang,
                "Taken one at a time, with the other inputs as assumed, no input turns the "
                "comparison at any value from its P0.1 to its P99.9.",
            )
        )
    s, value = turn
    inp = _input_of(inputs, s)
    if inp.unit == "factor":
        shown = gettext(lang, "{factor} times today's value", factor=_digits(f.loc, value, 2))
    else:
        shown = input_value(f.loc, inp.unit, value, f.cur)
    cheaper = f.names[f.base] if f.comps[key].net_savings > 0 else f.names[key]
    if value < inp.base:
        text = gettext(
            lang,
            "Taken one at a time, with the other inputs as assumed, *{other}* would be cheaper "
            "only if *{input}* were below *{value}*.",
        )
    else:
        text = gettext(
            lang,
            "Taken one at a time, with the other inputs as assumed, *{other}* would be cheaper "
            "only if *{input}* were above *{value}*.",
        )
    return _strong(text, other=cheaper, input=s.input, value=shown)


def _risk_sentence(
    f: _Figures, u: UncertaintyResult, key: str | None, inputs: dict[str, _Input]
) -> tuple[Part, ...]:
    """Page one's sentence on the uncertainty: how often the key offer saves against the
    baseline and what would turn the comparison; for a single offer, its P10-P90 range."""
    if key is None:
        spread = u.offers[f.base].lifetime_cost
        text = gettext(
            f.loc.language,
            "In 8 of 10 simulated futures the lifetime cost of *{offer}* lies between *{low}* "
            "and *{high}*.",
        )
        low, high = (f.loc.money(round_money(x, f.cur), f.cur) for x in (spread.p10, spread.p90))
        return tuple(_strong(text, offer=f.names[f.base], low=low, high=high))
    p = u.comparison[key].probability_saves
    parts = _chance_pieces(f.loc, p, f.names[key], f.names[f.base])
    return (*parts, Part(" "), *_turn_pieces(f, u, key, inputs))


def bar_ranges(f: _Figures, u: UncertaintyResult) -> list[Range | None]:
    """Each offer's lifetime cost P10-P90 with its P50, rounded once, for the bars."""
    out: list[Range | None] = []
    for oid in f.ids:
        s = u.offers[oid].lifetime_cost
        low, mid, high = (float(round_money(x, f.cur)) for x in (s.p10, s.p50, s.p90))
        out.append(Range(low, mid, high, key=oid))
    return out


def _range_legend(loc: DocLocale, u: UncertaintyResult) -> str:
    return ngettext(
        loc.language,
        "Line: lifetime cost P10 to P90 over {n} simulated future (seed {seed}); circle: P50; "
        "bars: base case",
        "Line: lifetime cost P10 to P90 over {n} simulated futures (seed {seed}); circle: P50; "
        "bars: base case",
        u.draws,
        n=loc.number(u.draws),
        seed=str(u.seed),
    )


def _risk_intro(loc: DocLocale, u: UncertaintyResult) -> tuple[str, ...]:
    lang = loc.language
    sampling = (
        gettext(lang, "Latin hypercube sampling")
        if u.sampling == "latin_hypercube"
        else gettext(lang, "random sampling")
    )
    k = len(u.sensitivity)
    return (
        ngettext(
            lang,
            "The lifetime costs were evaluated in {n} simulated future ({sampling}, seed {seed}).",
            "The lifetime costs were evaluated in {n} simulated futures ({sampling}, seed {seed}).",
            u.draws,
            n=loc.number(u.draws),
            sampling=sampling,
            seed=str(u.seed),
        )
        + " "
        + ngettext(
            lang,
            "In each, {n} uncertain input takes a value from its range, the same for every offer.",
            "In each, {n} uncertain inputs take a value from their ranges, the same for every "
            "offer.",
            k,
            n=loc.number(k),
        ),
        gettext(
            lang,
            "P10 and P90: one simulated future in ten lies below the P10, one in ten above the "
            "P90; P50 is the median. The base case is the quote as assumed, as in the tables "
            "above.",
        ),
    )


def _risk_rows(f: _Figures, u: UncertaintyResult) -> list[Row]:
    """The offers side by side over the draws: lifetime cost P10, P50 and P90, the chance of
    the lowest cost; against the baseline, net savings P10 and P90 and the chance of saving."""
    loc, cur, lang = f.loc, f.cur, f.loc.language

    def money(x: float) -> str:
        return loc.amount(round_money(x, cur), cur)

    costs = [u.offers[i].lifetime_cost for i in f.ids]
    rows = [
        Row(gettext(lang, "Lifetime cost P10"), tuple(money(s.p10) for s in costs)),
        Row(gettext(lang, "Lifetime cost P50"), tuple(money(s.p50) for s in costs), strong=True),
        Row(gettext(lang, "Lifetime cost P90"), tuple(money(s.p90) for s in costs)),
    ]
    if f.single:
        return rows
    baseline = loc.t("baseline")
    chances = tuple(chance(loc, u.offers[i].probability_lowest_cost) for i in f.ids)
    rows.append(Row(gettext(lang, "Chance of the lowest cost"), chances))
    comps = {i: u.comparison[i] for i in f.ids if i != f.base}
    for label, cells in (
        (gettext(lang, "Net savings P10"), {i: money(c.net_savings.p10) for i, c in comps.items()}),
        (gettext(lang, "Net savings P90"), {i: money(c.net_savings.p90) for i, c in comps.items()}),
        (
            gettext(lang, "Chance of saving"),
            {i: chance(loc, c.probability_saves) for i, c in comps.items()},
        ),
    ):
        rows.append(Row(label, tuple(cells.get(i, baseline) for i in f.ids)))
    return rows


def _outcome(f: _Figures, s: Sensitivity, key: str | None) -> tuple[float, float]:
    """The tornado's outcome at the input's P10 and P90: the key offer's net savings, or the
    baseline's lifetime cost where there is no other offer."""
    return s.net_savings[key] if key else s.lifetime_cost[f.base]


def _tornado_chart(
    f: _Figures,
    result: ScenarioResult,
    key: str | None,
    inputs: dict[str, _Input],
) -> tuple[Markup, str, str]:
    """The tornado of the inputs with the largest swings, its title and its caption."""
    u = result.uncertainty
    assert u is not None
    loc, cur, lang = f.loc, f.cur, f.loc.language
    rows = []
    for s in u.sensitivity[:TORNADO_INPUTS]:
        unit = _input_of(inputs, s).unit
        lo, hi = (float(round_money(x, cur)) for x in _outcome(f, s, key))
        low_label = f"P10 {input_value(loc, unit, s.low, cur)}"
        rows.append(
            TornadoRow(s.input, low_label, f"P90 {input_value(loc, unit, s.high, cur)}", lo, hi)
        )
    if key:
        base = round_money(f.comps[key].net_savings, cur)
        title = gettext(lang, "What moves the net savings of {offer} most", offer=f.names[key])
    else:
        base = f.totals[f.base]
        title = gettext(lang, "What moves the lifetime cost of {offer} most", offer=f.names[f.base])
    base_text = loc.money(base, cur)
    chart = tornado(
        rows,
        base=float(base),
        base_label=gettext(lang, "Base case: {amount}", amount=base_text),
        title=title,
        tick_label=_tick_label(loc),
        zero=key is not None,
    )
    caption = gettext(
        lang,
        "Each input alone at its P10 and at its P90, every other input as assumed; the dashed "
        "line is the base case ({amount}). Names cut short are given in full in the table.",
        amount=base_text,
    )
    return chart, f"{title} ({cur})", caption


def _input_table(
    f: _Figures, u: UncertaintyResult, key: str | None, inputs: dict[str, _Input]
) -> tuple[tuple[str, ...], tuple[InputRow, ...], tuple[str, ...]]:
    """The table under the tornado: each shown input in full, its values at P10 and P90, the
    outcome there and (against a baseline) its switching value for the key offer; its notes."""
    loc, cur, lang = f.loc, f.cur, f.loc.language
    shown = u.sensitivity[:TORNADO_INPUTS]
    switching = {(s.input, s.offer): s.value for s in u.switching_values}
    rows = []
    for s in shown:
        unit = _input_of(inputs, s).unit
        lo, hi = (loc.amount(round_money(x, cur), cur) for x in _outcome(f, s, key))
        value = switching.get((s.input, key)) if key else None
        turn = "" if not key else "–" if value is None else input_value(loc, unit, value, cur)
        low, high = input_value(loc, unit, s.low, cur), input_value(loc, unit, s.high, cur)
        rows.append(InputRow(s.input, low, high, lo, hi, turn))
    heads: tuple[str, ...] = (
        gettext(lang, "Input"),
        gettext(lang, "Input at P10"),
        gettext(lang, "Input at P90"),
    )
    if key:
        heads += (
            gettext(lang, "Net savings at P10"),
            gettext(lang, "Net savings at P90"),
            gettext(lang, "Switching value"),
        )
    else:
        heads += (gettext(lang, "Lifetime cost at P10"), gettext(lang, "Lifetime cost at P90"))
    notes: list[str] = []
    if any(_input_of(inputs, s).unit == "factor" for s in shown):
        notes.append(gettext(lang, "×: a factor of today's value, the value this quote assumes."))
    if not f.single:
        notes.append(_switching_note(loc))
    more = len(u.sensitivity) - len(shown)
    if more > 0:
        notes.append(
            ngettext(
                lang,
                "{n} more input moves it less and is not shown.",
                "{n} more inputs move it less and are not shown.",
                more,
                n=loc.number(more),
            )
        )
    return heads, tuple(rows), tuple(notes)


def _switching_note(loc: DocLocale) -> str:
    return gettext(
        loc.language,
        "Switching value: the value of the input, alone, at which the offer's net savings "
        "against the baseline would be 0; –: none from the input's P0.1 to its P99.9.",
    )


def _switching_parts(
    f: _Figures, u: UncertaintyResult, inputs: dict[str, _Input]
) -> tuple[TablePart, ...]:
    """Every non-baseline offer's switching values of the shown inputs, where there is more
    than one such offer (with one, the input table has them)."""
    columns = [c for c in f.columns if c.id != f.base]
    if len(columns) < 2:
        return ()
    switching = {(s.input, s.offer): s.value for s in u.switching_values}
    rows = []
    for s in u.sensitivity[:TORNADO_INPUTS]:
        unit = _input_of(inputs, s).unit
        values = [switching.get((s.input, c.id)) for c in columns]
        cells = tuple("–" if v is None else input_value(f.loc, unit, v, f.cur) for v in values)
        rows.append(Row(s.input, cells))
    return split_table("switching", columns, rows)


def risk_view(f: _Figures, scenario: Scenario, result: ScenarioResult) -> RiskView | None:
    """What the document shows of the result's uncertainty block (None without one)."""
    u = result.uncertainty
    if u is None:
        return None
    loc, lang = f.loc, f.loc.language
    key = key_offer(result)
    inputs = _risk_inputs(scenario)
    sentence = _risk_sentence(f, u, key, inputs)
    chart, title, caption = _tornado_chart(f, result, key, inputs)
    heads, rows, notes = _input_table(f, u, key, inputs)
    return RiskView(
        sentence=sentence,
        sentence_text="".join(p.text for p in sentence),
        intro=_risk_intro(loc, u),
        range_legend=_range_legend(loc, u),
        range_glyph=range_glyph(),
        parts=split_table("risk", f.columns, _risk_rows(f, u)),
        tornado=chart,
        tornado_title=title,
        tornado_legend=(
            Legend(gettext(lang, "Input at its P10"), TORNADO_LOW),
            Legend(gettext(lang, "Input at its P90"), TORNADO_HIGH),
        ),
        tornado_caption=caption,
        input_heads=heads,
        inputs=rows,
        input_notes=notes,
        switching_parts=_switching_parts(f, u, inputs),
    )


def build_view(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    locale: str = "en",
    info: QuoteInfo | None = None,
    profile: CostProfile | None = None,
) -> DocumentView:
    """Everything the document shows, rounded and formatted in ``locale``. Figures by year,
    prices, coverage and what the headline measures against are the cost profile's
    (``profile``, computed where not given)."""
    loc = doc_locale(locale)
    info = info or QuoteInfo()
    profile = profile or cost_profile(scenario, result)
    f = _figures(loc, result, profile)
    headline = _headline(f, result, profile.headline)
    summary = _summary_rows(f, result)
    categories, category_total, category_notes = _category_rows(f)
    comparison = _comparison_rows(f)
    comparison_columns = tuple(c for c in f.columns if c.id != f.base)
    # page one keeps the notes short (the reversal rows are explained on the detail pages)
    summary_notes = _notes_of(f, summary, explain_reversal=False)
    effort_note = "" if info.buyer_effort_counted else loc.say("buyer_effort")
    summary_parts = split_table("summary", f.columns, summary)
    header = _header(loc, info)
    title = info.title or loc.t("Lifetime cost comparison")
    head = letterhead(info)
    risk = risk_view(f, scenario, result)
    charts = _charts(
        f,
        profile,
        title=title,
        header=header,
        headline=headline,
        summary_parts=summary_parts,
        notes=len(summary_notes) + bool(effort_note),
        letterhead_mm=LETTERHEAD_MM if head is not None else 0.0,
        risk=risk,
        ranges=bar_ranges(f, result.uncertainty) if result.uncertainty else (),
    )
    return DocumentView(
        lang=loc.language,
        title=title,
        subtitle=_subtitle(loc, result),
        header=header,
        letterhead=head,
        footer=_footer(loc, title, info),
        headline=headline,
        headline_text="".join(p.text for p in headline),
        currency=f.cur,
        columns=f.columns,
        summary=tuple(summary),
        category_notes=category_notes,
        summary_notes=summary_notes,
        categories=tuple(categories),
        category_total=category_total,
        comparison_columns=comparison_columns,
        comparison=tuple(comparison),
        comparison_notes=_notes_of(f, comparison, explain_reversal=True),
        bar_chart=charts.bar_chart,
        bar_legend=charts.bar_legend,
        line_chart=charts.line_chart,
        line_legend=charts.line_legend,
        crossover=charts.crossover,
        offers=_offer_sections(loc, scenario, result, f),
        coverage=coverage_sections(loc, scenario, profile, f.columns, info),
        effort_note=effort_note,
        assumptions=_assumptions(loc, scenario, result),
        method=_method(loc, result),
        notes=_notes(loc, scenario, result),
        validity=_validity(loc, info),
        terms=info.terms or "",
        summary_parts=summary_parts,
        category_parts=split_table("categories", f.columns, [*categories, category_total]),
        comparison_parts=split_table("comparison", comparison_columns, comparison),
        chart_keys=charts.chart_keys,
        charts_fit=charts.charts_fit,
        risk=risk,
    )


def _offer_sections(
    loc: DocLocale, scenario: Scenario, result: ScenarioResult, f: _Figures
) -> tuple[OfferSection, ...]:
    return tuple(
        _offer_section(loc, scenario, i, o, f.columns[i]) for i, o in enumerate(result.offers)
    )


def _subtitle(loc: DocLocale, result: ScenarioResult) -> str:
    return loc.say(
        f"subtitle.{result.method.rate_basis}",
        currency=result.currency,
        years=loc.years(result.study_period_years),
        rate=loc.percent(result.method.discount_rate),
    )


def _footer(loc: DocLocale, title: str, info: QuoteInfo) -> str:
    bits = [title]
    if info.number is not None:
        bits.append(f"{loc.t('Quote')} {info.number}")
    return " · ".join(bits)


def _validity(loc: DocLocale, info: QuoteInfo) -> tuple[str, ...]:
    out: list[str] = []
    if info.valid_until is not None:
        out.append(loc.say("validity.until", date=loc.date(info.valid_until)))
    out.append(loc.say("validity.projection"))
    return tuple(out)


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
                    "issue.escalation",
                    driver=loc.driver(driver),
                    k=loc.number(len(rates)),
                    n=loc.number(n),
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
