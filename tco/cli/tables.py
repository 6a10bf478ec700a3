"""Terminal tables: offers side by side, rounded once (:func:`tco.core.money.round_table`), in
English or German (words from the catalogs of :mod:`tco.presenters.i18n`, numbers in the
language's format)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from rich.markup import escape
from rich.table import Table

from tco.core.money import RoundedTable, round_money, round_table
from tco.core.results import OfferComparison, ScenarioResult
from tco.core.scenario import CATEGORIES
from tco.presenters.i18n import category_name, gettext, ngettext
from tco.presenters.locale import DocLocale, doc_locale

#: Marks of payback cells without a year, explained below the table.
NO_INVESTMENT = "–¹"
NEVER = "–²"


def _payback(c: OfferComparison, year: int | None) -> str:
    """The payback year; "–¹" where the offer adds no investment (nothing to pay back: the
    contract's SIR is null exactly there), "–²" where it does not pay back within the study."""
    if year is not None:
        return str(year)
    return NO_INVESTMENT if c.sir is None else NEVER


class TableWords:
    """The words and number formats of one language (``en`` or ``de``)."""

    def __init__(self, language: str, currency: str) -> None:
        self.language = "de" if language == "de" else "en"
        self.loc: DocLocale = doc_locale(self.language)
        self.currency = currency

    def _(self, msgid: str, **values: object) -> str:
        return gettext(self.language, msgid, **values)

    def money(self, value: Decimal | float) -> str:
        return self.loc.amount(round_money(value, self.currency), self.currency)

    def pct(self, x: float | None) -> str:
        return "-" if x is None else self.loc.percent(x)

    def ratio(self, x: float | None) -> str:
        return "-" if x is None else self.loc.number(Decimal(repr(x)).quantize(Decimal("0.01")), 2)

    def year(self, x: float | None) -> str:
        return self._("never") if x is None else self.loc.year(x)

    def cheaper_again(self, c: OfferComparison, n: int) -> str:
        if c.savings_negative_again_year is None:
            return "–"
        if c.savings_recovered_year is None:
            return self.loc.say("cell.not_recovered", n=str(n))
        return str(c.savings_recovered_year)


def _caption(result: ScenarioResult, w: TableWords, rounded: list[RoundedTable]) -> str:
    """The discount rate, timing, baseline and recommendation; the notes on the marks used."""
    _ = w._
    n = result.study_period_years
    comp = result.comparison.offers
    m = result.method
    values = {
        "rate": w.loc.percent(m.discount_rate),
        "timing": _("mid-year") if m.timing == "mid_year" else _("end of year"),
        "baseline": result.comparison.baseline,
        "recommended": result.comparison.recommended,
    }
    if m.rate_basis == "nominal":
        lines = [
            _(
                "nominal discount rate {rate}, {timing}; baseline: {baseline}; "
                "recommended: {recommended}",
                **values,
            )
        ]
    else:
        lines = [
            _(
                "real discount rate {rate}, {timing}; baseline: {baseline}; "
                "recommended: {recommended}",
                **values,
            )
        ]
    cells = [
        _payback(c, year)
        for c in comp.values()
        for year in (c.simple_payback_year, c.discounted_payback_year)
    ]
    if NO_INVESTMENT in cells:
        lines.append(_("{mark} no added investment: nothing to pay back", mark=NO_INVESTMENT))
    if NEVER in cells:
        lines.append(
            _("{mark} does not pay back within the {n}-year study period", mark=NEVER, n=n)
        )
    if any(c.savings_negative_again_year is not None for c in comp.values()):
        lines.append(
            _(
                "dearer again: cumulative discounted savings negative again after the payback; "
                "cheaper again: recovered"
            )
        )
    if not all(t.adds_up for t in rounded):
        lines.append(
            _("each figure is rounded on its own: categories may differ from the total by a cent")
        )
    return "\n".join(escape(line) for line in lines)


def comparison_table(result: ScenarioResult, language: str = "en") -> Table:
    """Offers side by side: categories as rows (present values), totals and measures."""
    cur = result.currency
    n = result.study_period_years
    w = TableWords(language, cur)
    _ = w._
    rounded = [
        round_table([o.by_category[c.value] for c in CATEGORIES], o.lifetime_cost, cur)
        for o in result.offers
    ]
    title = ngettext(
        w.language,
        "Lifetime cost over {n} year, present value in {currency}",
        "Lifetime cost over {n} years, present value in {currency}",
        n,
        n=n,
        currency=cur,
    )
    table = Table(title=title, caption=_caption(result, w, rounded))
    table.add_column("", no_wrap=True)
    for o in result.offers:
        mark = " *" if o.id == result.comparison.recommended else ""
        table.add_column(escape(f"{o.name}{mark}\n({o.id})"), justify="right")
    for i, c in enumerate(CATEGORIES):
        if all(o.by_category[c.value] == 0 for o in result.offers):
            continue
        table.add_row(category_name(w.language, c), *[w.money(t.parts[i]) for t in rounded])
    table.add_section()
    lifetime = _("Lifetime cost")
    table.add_row(f"[b]{lifetime}[/b]", *[f"[b]{w.money(t.total)}[/b]" for t in rounded])
    table.add_row(
        _("Equivalent annual cost"), *[w.money(o.equivalent_annual_cost) for o in result.offers]
    )
    table.add_row(
        _("Cost per operating hour"),
        *[
            "-" if o.cost_per_operating_hour is None else w.money(o.cost_per_operating_hour)
            for o in result.offers
        ],
    )
    table.add_section()
    _measure_rows(table, result, w)
    return table


def _measure_rows(table: Table, result: ScenarioResult, w: TableWords) -> None:
    """The comparison with the baseline, one row per measure (the baseline's cells say so)."""
    _ = w._
    comp = result.comparison.offers
    n = result.study_period_years

    def row(label: str, fn: Callable[[OfferComparison], str]) -> None:
        cells = [_("baseline") if o.id not in comp else fn(comp[o.id]) for o in result.offers]
        table.add_row(label, *cells)

    row(_("Net savings"), lambda c: w.money(c.net_savings))
    row(_("Savings-to-investment ratio"), lambda c: w.ratio(c.sir))
    row(_("Adjusted IRR"), lambda c: w.pct(c.airr))
    row(_("IRR of the added investment"), lambda c: w.pct(c.irr))
    row(_("Simple payback year"), lambda c: _payback(c, c.simple_payback_year))
    row(_("Discounted payback year"), lambda c: _payback(c, c.discounted_payback_year))
    if any(c.savings_negative_again_year is not None for c in comp.values()):
        row(
            _("Dearer again from year"),
            lambda c: (
                "–" if c.savings_negative_again_year is None else str(c.savings_negative_again_year)
            ),
        )
        row(_("Cheaper again from year"), lambda c: w.cheaper_again(c, n))
    row(_("Breakeven (curves cross)"), lambda c: w.year(c.breakeven_year))
    row(
        _("Price headroom"),
        lambda c: "-" if c.price_headroom is None else w.money(c.price_headroom),
    )
