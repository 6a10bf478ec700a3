"""Terminal tables: offers side by side, rounded once (:func:`tco.core.money.round_table`)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from tco.core.money import format_amount, round_table
from tco.core.results import OfferComparison, ScenarioResult
from tco.core.scenario import CATEGORIES


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.2f} %"


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _year(x: float | None) -> str:
    if x is None:
        return "never"
    return f"{x:.1f}" if not float(x).is_integer() else f"{int(x)}"


#: Marks of payback cells without a year, explained below the table.
NO_INVESTMENT = "–¹"
NEVER = "–²"


def _payback(c: OfferComparison, year: int | None) -> str:
    """The payback year; "–¹" where the offer adds no investment (nothing to pay back: the
    contract's SIR is null exactly there), "–²" where it does not pay back within the study."""
    if year is not None:
        return str(year)
    return NO_INVESTMENT if c.sir is None else NEVER


def _cheaper_again(c: OfferComparison, n: int) -> str:
    if c.savings_negative_again_year is None:
        return "–"
    return f"not by year {n}" if c.savings_recovered_year is None else str(c.savings_recovered_year)


def comparison_table(result: ScenarioResult) -> Table:
    """Offers side by side: categories as rows (present values), totals and measures."""
    cur = result.currency
    n = result.study_period_years
    comp = result.comparison.offers
    cells = [
        _payback(c, year)
        for c in comp.values()
        for year in (c.simple_payback_year, c.discounted_payback_year)
    ]
    reversal = any(c.savings_negative_again_year is not None for c in comp.values())
    caption = [
        f"{result.method.rate_basis} discount rate {result.method.discount_rate:.2%}, "
        f"{result.method.timing.replace('_', '-')}; baseline: {result.comparison.baseline}; "
        f"recommended: {result.comparison.recommended}"
    ]
    if NO_INVESTMENT in cells:
        caption.append(f"{NO_INVESTMENT} no added investment: nothing to pay back")
    if NEVER in cells:
        caption.append(f"{NEVER} does not pay back within the {n}-year study period")
    if reversal:
        caption.append(
            "dearer again: cumulative discounted savings negative again after the payback; "
            "cheaper again: recovered"
        )
    rounded = [
        round_table([o.by_category[c.value] for c in CATEGORIES], o.lifetime_cost, cur)
        for o in result.offers
    ]
    if not all(t.adds_up for t in rounded):
        caption.append(
            "each figure is rounded on its own: categories may differ from the total by a cent"
        )
    table = Table(
        title=f"Lifetime cost over {n} years, present value in {cur}",
        caption="\n".join(escape(line) for line in caption),
    )
    table.add_column("", no_wrap=True)
    for o in result.offers:
        mark = " *" if o.id == result.comparison.recommended else ""
        table.add_column(escape(f"{o.name}{mark}\n({o.id})"), justify="right")
    for i, c in enumerate(CATEGORIES):
        if all(o.by_category[c.value] == 0 for o in result.offers):
            continue
        table.add_row(c.value.replace("_", " "), *[format_amount(t.parts[i], cur) for t in rounded])
    table.add_section()
    table.add_row(
        "[b]Lifetime cost[/b]", *[f"[b]{format_amount(t.total, cur)}[/b]" for t in rounded]
    )
    table.add_row(
        "Equivalent annual cost",
        *[format_amount(o.equivalent_annual_cost, cur) for o in result.offers],
    )
    table.add_row(
        "Cost per operating hour",
        *[
            "-"
            if o.cost_per_operating_hour is None
            else format_amount(o.cost_per_operating_hour, cur)
            for o in result.offers
        ],
    )
    table.add_section()

    def row(label: str, fn: object) -> None:
        cells = []
        for o in result.offers:
            c = comp.get(o.id)
            cells.append("baseline" if c is None else fn(c))  # type: ignore[operator]
        table.add_row(label, *cells)

    row("Net savings", lambda c: format_amount(c.net_savings, cur))
    row("Savings-to-investment ratio", lambda c: _ratio(c.sir))
    row("Adjusted IRR", lambda c: _pct(c.airr))
    row("IRR of the added investment", lambda c: _pct(c.irr))
    row("Simple payback year", lambda c: _payback(c, c.simple_payback_year))
    row("Discounted payback year", lambda c: _payback(c, c.discounted_payback_year))
    if reversal:
        row(
            "Dearer again from year",
            lambda c: (
                "–" if c.savings_negative_again_year is None else str(c.savings_negative_again_year)
            ),
        )
        row("Cheaper again from year", lambda c: _cheaper_again(c, n))
    row("Breakeven (curves cross)", lambda c: _year(c.breakeven_year))
    row(
        "Price headroom",
        lambda c: "-" if c.price_headroom is None else format_amount(c.price_headroom, cur),
    )
    return table
