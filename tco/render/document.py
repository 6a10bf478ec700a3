"""The quote document: one HTML page (and the same content as an A4 PDF) that makes the
lifetime-cost argument, then shows every line and assumption behind it.

A view model (:func:`build_view`) turns a scenario and its result into rounded, formatted strings
in the chosen locale; the Jinja2 templates in ``templates/`` only place them (autoescape on,
StrictUndefined, no arithmetic). Numbers are the engine's, rounded by :mod:`tco.money`:

- every money table is rounded with :func:`~tco.money.round_parts`, so its lines add up to the
  total shown, and the lifetime cost shown is the same in every table;
- net savings shown are the difference of the lifetime costs shown (within one minor unit of the
  rounded engine figure), so a reader who subtracts gets the same number;
- the *price* of an offer is the present value of its year-0 lines in the acquisition category
  (installation, services and later replacements are not part of the price).

The headline compares the recommended offer (lowest lifetime cost) with the baseline; when the
baseline is itself recommended, with the next-best offer, using the engine's comparison of the
two (the scenario evaluated again with that offer as baseline).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from tco.money import round_money, round_parts
from tco.render.files import write_atomic
from tco.render.info import QuoteInfo
from tco.render.locale import DocLocale, doc_locale
from tco.render.svg import Bar, Marker, Segment, Series, cumulative_lines, stacked_bars
from tco.results import OfferComparison, OfferResult, ScenarioResult, evaluate
from tco.scenario import CATEGORIES, Category, CostLine, Scenario

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
OFFER_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


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


@dataclass(frozen=True, slots=True)
class Legend:
    label: str
    color: str
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class OfferSection:
    column: Column
    lines: tuple[LineRow, ...]
    total: str
    failures: tuple[tuple[str, str], ...]
    service: tuple[str, ...]
    financing: tuple[str, ...]


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
    comparison_columns: tuple[Column, ...]
    comparison: tuple[Row, ...]
    bar_chart: Markup
    bar_legend: tuple[Legend, ...]
    line_chart: Markup
    line_legend: tuple[Legend, ...]
    crossover: str
    offers: tuple[OfferSection, ...]
    assumptions: tuple[tuple[str, str], ...]
    method: tuple[str, ...]
    notes: tuple[str, ...]
    validity: tuple[str, ...]
    terms: str


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
    de = loc.language == "de"
    names = {o.id: o.name for o in result.offers}
    best = result.comparison.recommended
    if len(result.offers) == 1:
        offer = result.offers[0]
        eac = loc.money(round_money(offer.equivalent_annual_cost, cur), cur)
        if de:
            years = "1 Jahr" if n == 1 else f"{n} Jahre"
            parts = [
                Part(f"Über {years} kostet "),
                Part(names[best], True),
                Part(" insgesamt "),
                Part(loc.money(totals[best], cur), True),
                Part(" (Barwert), das sind "),
                Part(eac, True),
                Part(" pro Jahr."),
            ]
        else:
            years = "1 year" if n == 1 else f"{n} years"
            parts = [
                Part(f"Over {years} "),
                Part(names[best], True),
                Part(" costs "),
                Part(loc.money(totals[best], cur), True),
                Part(" in total (present value), "),
                Part(eac, True),
                Part(" a year."),
            ]
        return tuple(parts), None, None
    if best != result.comparison.baseline:
        other = result.comparison.baseline
        comp = result.comparison.offers[best]
    else:
        other = _runner_up(result, totals, best)
        again = evaluate(scenario.model_copy(update={"baseline": other}))
        comp = again.comparison.offers[best]
    saving = totals[other] - totals[best]
    dprice = prices[best] - prices[other]
    payback = comp.discounted_payback_year
    if de:
        years = "1 Jahr" if n == 1 else f"{n} Jahre"
        parts = [Part(f"Über {years} kostet "), Part(names[best], True), Part(" ")]
        if saving > 0:
            parts += [Part(loc.money(saving, cur), True), Part(" weniger als ")]
        else:
            parts += [Part("genauso viel wie ")]
        parts.append(Part(names[other], True))
        if best == result.comparison.baseline:
            parts.append(Part(", das nächstbeste Angebot"))
        if dprice > 0:
            parts += [Part(", trotz eines um "), Part(loc.money(dprice, cur), True)]
            parts.append(Part(" höheren Preises; "))
            if payback is None:
                parts.append(
                    Part(f"es amortisiert sich nicht innerhalb der {n} Jahre des Vergleichs.")
                )
            elif payback == 0:
                parts.append(Part("es amortisiert sich sofort (im Jahr 0)."))
            else:
                parts += [Part("es amortisiert sich im "), Part(f"Jahr {payback}", True)]
                parts.append(Part("."))
        elif dprice < 0:
            parts += [Part(" und ist in der Anschaffung "), Part(loc.money(-dprice, cur), True)]
            parts.append(Part(" günstiger."))
        else:
            parts.append(Part(" bei gleichem Preis."))
    else:
        years = "1 year" if n == 1 else f"{n} years"
        parts = [Part(f"Over {years} "), Part(names[best], True)]
        if saving > 0:
            parts += [Part(" costs "), Part(loc.money(saving, cur), True), Part(" less than ")]
        else:
            parts += [Part(" costs the same as ")]
        parts.append(Part(names[other], True))
        if best == result.comparison.baseline:
            parts.append(Part(", the next-best offer,"))
        if dprice > 0:
            parts += [Part(" despite a "), Part(loc.money(dprice, cur), True)]
            parts.append(Part(" higher price; "))
            if payback is None:
                parts.append(Part(f"it does not pay back within the {n}-year study period."))
            elif payback == 0:
                parts.append(Part("it pays back at once, in year 0."))
            else:
                parts += [Part("it pays back in "), Part(f"year {payback}", True), Part(".")]
        elif dprice < 0:
            parts += [Part(" and is "), Part(loc.money(-dprice, cur), True)]
            parts.append(Part(" cheaper to buy."))
        else:
            parts.append(Part(" at the same price."))
    return tuple(parts), other, comp


def _schedule(loc: DocLocale, line: CostLine, n: int) -> str:
    de = loc.language == "de"
    years = line.occurrence_years(n)
    if not years:
        return "in keinem Jahr des Vergleichs" if de else "in no year of the study period"
    if line.year is not None or len(years) == 1:
        return f"einmalig, Jahr {years[0]}" if de else f"once, year {years[0]}"
    k = line.every_years
    span = f"{years[0]}–{years[-1]}"
    if de:
        return f"jährlich, Jahre {span}" if k == 1 else f"alle {k} Jahre, Jahre {span}"
    return f"every year, years {span}" if k == 1 else f"every {k} years, years {span}"


def _rates(loc: DocLocale, rates: Sequence[float]) -> str:
    shown = [loc.percent(r) for r in rates]
    if len(shown) == 1:
        return f"{shown[0]} {loc.t('a year')}"
    if loc.language == "de":
        return ", ".join(shown[:-1]) + f", ab Jahr {len(shown)} {shown[-1]}"
    return ", ".join(shown[:-1]) + f", then {shown[-1]} from year {len(shown)}"


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
    parts, total = round_parts([line.present_value for line in offer.lines], cur)
    rows: list[LineRow] = []
    for line, pv in zip(offer.lines, parts, strict=True):
        name, schedule, amount, esc = line.name, "", "", "–"
        if line.source.startswith("costs["):
            j = int(line.source[len("costs[") : line.source.index("]")])
            cost = src.costs[j]
            if line.source.endswith(".residual"):
                name = f"{cost.name}: {loc.t('residual value')}"
                schedule = (
                    f"Gutschrift im Jahr {n}" if loc.language == "de" else f"credit in year {n}"
                )
            else:
                schedule = _schedule(loc, cost, n)
                amount = loc.amount(round_money(cost.amount, cur), cur)
                esc = cost.escalation or "–"
        elif line.source == "failures.repair":
            name = loc.t("Expected repairs")
            schedule = (
                f"erwartet, Jahre 1–{n}" if loc.language == "de" else f"expected, years 1–{n}"
            )
        elif line.source == "failures.downtime":
            name = loc.t("Expected downtime")
            schedule = (
                f"erwartet, Jahre 1–{n}" if loc.language == "de" else f"expected, years 1–{n}"
            )
        elif line.source == "failures.orders":
            name = loc.t("Expected repair orders")
            schedule = (
                f"erwartet, Jahre 1–{n}" if loc.language == "de" else f"expected, years 1–{n}"
            )
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
        failures.append(
            (loc.t("Share covered by the service plan"), loc.percent(fm.covered_fraction, 0))
        )
        failures.append(
            (
                loc.t("Downtime per failure (hours)"),
                loc.number(Decimal(repr(fm.downtime_hours)).quantize(Decimal("0.1")), 1),
            )
        )
        if fm.order_cost > 0:
            failures.append(
                (
                    loc.t("Buyer's cost per repair order (base year)"),
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
        failures=tuple(failures),
        service=described(Category.service),
        financing=described(Category.financing),
    )


def _method(loc: DocLocale, result: ScenarioResult) -> tuple[str, ...]:
    m = result.method
    n = result.study_period_years
    rate = loc.percent(m.discount_rate)
    basis = loc.t(m.rate_basis)
    if loc.language == "de":
        timing = (
            "wiederkehrende Kosten und erwartete Ausfälle werden zur Jahresmitte (t − 0,5) "
            "diskontiert"
            if m.timing == "mid_year"
            else f"wiederkehrende Kosten fallen jeweils am Ende der Jahre 1 bis {n} an"
        )
        return (
            f"Alle Beträge in {result.currency}. Jahr 0 ist der Kauf; {timing}.",
            "Beträge sind in Preisen des Basisjahres (Jahr 0) angegeben und steigen mit ihrem "
            "Preistreiber, ab Jahr 0 aufgezinst: A × (1+e)^t. Der Barwert eines Betrags A im "
            f"Jahr t ist A / (1+d)^t mit dem {basis}en Kalkulationszins d = {rate}.",
            "Die Lebenszykluskosten eines Angebots sind die Summe der Barwerte all seiner Kosten "
            f"über den Betrachtungszeitraum von {n} Jahren, abzüglich des Restwerts von Anlagen, "
            "die länger halten (linear über ihre Nutzungsdauer). Die äquivalenten jährlichen "
            "Kosten verteilen die Lebenszykluskosten zum Kalkulationszins gleichmäßig auf die "
            "Jahre; die Kosten je Betriebsstunde teilen sie durch die Betriebsstunden pro Jahr.",
            "Erwartete Ausfälle folgen aus den mittleren Betriebsstunden zwischen Ausfällen (bei "
            "Verschleiß aus einem Potenzgesetz-Prozess). Jeder Ausfall kostet die "
            "Reparaturkosten abzüglich des vom Serviceplan getragenen Anteils sowie die "
            "Stillstandsstunden mal die Stillstandskosten je Stunde des Kunden.",
            "Die Nettoeinsparung ist die Differenz der Lebenszykluskosten von Referenz und "
            "Angebot. Ein Angebot amortisiert sich im ersten Jahr, in dem seine kumulierten "
            "diskontierten Einsparungen nicht mehr negativ sind; das Break-even-Jahr ist der "
            "Schnittpunkt der kumulierten diskontierten Kostenkurven. Der Preis ist der Barwert "
            "der Anschaffungspositionen im Jahr 0.",
            "Die Beträge sind Prognosen und werden erst für die Anzeige auf den Cent gerundet; "
            "jede Tabelle wird so gerundet, dass ihre Positionen die gezeigte Summe ergeben "
            "(Methode der größten Reste), und die gezeigten Nettoeinsparungen sind die Differenz "
            f"der gezeigten Lebenszykluskosten. Rechenkern {m.engine_version}.",
        )
    timing = (
        "recurring costs and expected failures are discounted at mid-year (t − 0.5)"
        if m.timing == "mid_year"
        else f"recurring costs fall at the end of each year 1 to {n}"
    )
    return (
        f"All amounts are in {result.currency}. Year 0 is the purchase; {timing}.",
        "Amounts are given in base-year (year 0) prices and grow with their escalation driver, "
        "compounded from year 0: A × (1+e)^t. The present value of an amount A in year t is "
        f"A / (1+d)^t at the {basis} discount rate d = {rate}.",
        "The lifetime cost of an offer is the sum of the present values of all its costs over "
        f"the {n}-year study period, less the residual value of equipment that outlives it "
        "(linear over its life). The equivalent annual cost spreads the lifetime cost evenly "
        "over the years at the discount rate; the cost per operating hour divides it by the "
        "operating hours per year.",
        "Expected failures follow from the mean operating hours between failures (a power-law "
        "process where the equipment wears out). Each failure costs its repair cost less the "
        "share the service plan covers, plus its downtime hours times the buyer's downtime "
        "cost per hour.",
        "Net savings are the baseline's lifetime cost minus the offer's. An offer pays back in "
        "the first year in which its cumulative discounted savings are no longer negative; the "
        "breakeven year is where the cumulative discounted cost curves cross. The price is the "
        "present value of the year-0 acquisition lines.",
        "Amounts are projections, rounded to the cent only when shown; every table is rounded "
        "so that its lines add up to the total shown (largest remainder), and the net savings "
        f"shown are the difference of the lifetime costs shown. Engine {m.engine_version}.",
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

    columns = tuple(Column(o.name, o.id, badge(o.id)) for o in result.offers)
    rounded = {
        o.id: round_parts([o.by_category[c.value] for c in CATEGORIES], cur) for o in result.offers
    }
    totals = {oid: total for oid, (_, total) in rounded.items()}
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
    if not single:
        summary.append(
            Row(
                loc.t("Net savings"),
                tuple(
                    loc.t("baseline") if i == base else loc.amount(totals[base] - totals[i], cur)
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
                    else _year_or(loc, comps[i].discounted_payback_year)
                    for i in ids
                ),
            )
        )

    categories: list[Row] = []
    for k, cat in enumerate(CATEGORIES):
        cells = [rounded[i][0][k] for i in ids]
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

    comparison_columns = tuple(c for c in columns if c.id != base)
    comparison: list[Row] = []
    if not single:
        others = [i for i in ids if i != base]

        def crow(label: str, fn: Any) -> None:
            comparison.append(Row(loc.t(label), tuple(fn(comps[i], i) for i in others)))

        na = loc.t("not applicable")
        crow("Net savings", lambda c, i: loc.amount(totals[base] - totals[i], cur))
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
        crow("Simple payback year", lambda c, i: _year_or(loc, c.simple_payback_year))
        crow("Discounted payback year", lambda c, i: _year_or(loc, c.discounted_payback_year))
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

    tick = _tick_label(loc)
    bars = [
        Bar(
            label=o.name,
            total_label=loc.amount(totals[o.id], cur),
            segments=tuple(
                Segment(float(rounded[o.id][0][k]), CATEGORY_COLORS[c])
                for k, c in enumerate(CATEGORIES)
            ),
        )
        for o in result.offers
    ]
    title_bars = f"{loc.t('Lifetime cost by category')} ({cur}, {loc.t('present value')})"
    bar_chart = stacked_bars(bars, title=title_bars, tick_label=tick)
    present = {
        c for c in CATEGORIES for o in result.offers if rounded[o.id][0][CATEGORIES.index(c)] != 0
    }
    bar_legend = tuple(
        Legend(loc.t(c.value), CATEGORY_COLORS[c]) for c in CATEGORIES if c in present
    )

    colors = {o.id: OFFER_COLORS[i % len(OFFER_COLORS)] for i, o in enumerate(result.offers)}
    series = [
        Series(
            values=o.cash_flows.cumulative_present_value,
            color=colors[o.id],
            dashed=o.id == base and not single,
            bold=o.id == best,
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
        year_word = loc.t("Year")
        marker = Marker(x, y, f"{loc.t('Crossover')}: {year_word} {loc.year(x)}")
        names = {o.id: o.name for o in result.offers}
        if loc.language == "de":
            crossover = (
                f"Die Kurven von {names[best]} und {names[other]} schneiden sich im Jahr "
                f"{loc.year(x)} (Kreis)."
            )
        else:
            crossover = (
                f"The curves of {names[best]} and {names[other]} cross in year {loc.year(x)} "
                "(circle)."
            )
    title_lines = f"{loc.t('Cumulative discounted cost')} ({cur})"
    line_chart = cumulative_lines(
        series,
        years=n,
        title=title_lines,
        tick_label=tick,
        year_label=loc.t("Year"),
        marker=marker,
    )
    line_legend = tuple(
        Legend(o.name, colors[o.id], dashed=o.id == base and not single) for o in result.offers
    )

    offers = tuple(
        _offer_section(loc, scenario, i, o, columns[i]) for i, o in enumerate(result.offers)
    )

    header: list[tuple[str, str]] = []
    if info.number is not None:
        number = info.number
        if info.version is not None:
            number += f", {loc.t('version')} {info.version}"
        header.append((loc.t("Quote"), number))
    if info.customer:
        header.append((loc.t("Customer"), info.customer))
    if info.seller:
        header.append((loc.t("Seller"), info.seller))
    if info.issued is not None:
        header.append((loc.t("Issued"), loc.date(info.issued)))
    if info.valid_until is not None:
        header.append((loc.t("Valid until"), loc.date(info.valid_until)))

    validity: list[str] = []
    if loc.language == "de":
        if info.valid_until is not None:
            validity.append(f"Dieses Angebot ist gültig bis {loc.date(info.valid_until)}.")
        validity.append(
            "Die Lebenszykluskosten sind eine Prognose unter den genannten Annahmen; "
            "sie sind keine Rechnung."
        )
        subtitle = (
            f"Barwerte in {cur} über {n} Jahre, {basis_de(result.method.rate_basis)} "
            f"Kalkulationszins {loc.percent(result.method.discount_rate)}"
        )
    else:
        if info.valid_until is not None:
            validity.append(f"This quote is valid until {loc.date(info.valid_until)}.")
        validity.append(
            "Lifetime costs are a projection under the assumptions stated; they are not an invoice."
        )
        subtitle = (
            f"Present values in {cur} over {n} years, {result.method.rate_basis} discount rate "
            f"{loc.percent(result.method.discount_rate)}"
        )
    footer_bits = [info.title or loc.t("Lifetime cost comparison")]
    if info.number is not None:
        footer_bits.append(f"{loc.t('Quote')} {info.number}")
    return DocumentView(
        lang=loc.language,
        title=info.title or loc.t("Lifetime cost comparison"),
        subtitle=subtitle,
        header=tuple(header),
        footer=" · ".join(footer_bits),
        headline=headline,
        headline_text="".join(p.text for p in headline),
        currency=cur,
        columns=columns,
        summary=tuple(summary),
        categories=tuple(categories),
        category_total=category_total,
        comparison_columns=comparison_columns,
        comparison=tuple(comparison),
        bar_chart=bar_chart,
        bar_legend=bar_legend,
        line_chart=line_chart,
        line_legend=line_legend,
        crossover=crossover,
        offers=offers,
        assumptions=_assumptions(loc, scenario, result),
        method=_method(loc, result),
        notes=tuple(f"{i.path}: {i.message}" for i in result.issues),
        validity=tuple(validity),
        terms=info.terms or "",
    )


def basis_de(basis: str) -> str:
    return "realer" if basis == "real" else "nominaler"


def _ratio(loc: DocLocale, value: float) -> str:
    return loc.number(Decimal(repr(value)).quantize(Decimal("0.01")), 2)


def _year_or(loc: DocLocale, value: int | None) -> str:
    return loc.t("never") if value is None else loc.number(value)


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
