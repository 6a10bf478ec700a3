"""The command line: ``tco evaluate``, ``tco schema`` and the salesperson's commands.

A front door: it parses, calls the core, renders or saves. Errors from the project
(:class:`~tco.errors.TcoError`) print one line per problem on stderr and exit with status 2.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tco.errors import Problem, TcoError
from tco.money import format_amount, round_table
from tco.results import OfferComparison, ScenarioResult, evaluate, result_json
from tco.scenario import CATEGORIES, load_scenario, scenario_json_schema

if TYPE_CHECKING:
    from tco.render.info import QuoteInfo

app = typer.Typer(
    name="tco",
    help="Total-cost-of-ownership quoting engine: lifetime costs, comparisons and quotes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 2


def _register_sales_commands() -> None:
    from tco.salescli import catalog_app, demo_app, quote_app

    app.add_typer(catalog_app, name="catalog")
    app.add_typer(quote_app, name="quote")

    from tco.apicli import apikey_app, serve

    app.add_typer(apikey_app, name="apikey")
    app.command("serve")(serve)
    app.add_typer(demo_app, name="demo")
    from tco.usercli import user_app

    app.add_typer(user_app, name="user")


def fail(exc: TcoError) -> typer.Exit:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for line in exc.lines():
        err.print(f"error: {line}", markup=False)
    return typer.Exit(EXIT_INPUT)


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


#: The longest validity ``--valid-days`` accepts (ten years).
MAX_VALID_DAYS = 3650


def quote_info(
    *,
    customer: str | None,
    seller: str | None,
    title: str | None,
    issued: str | None,
    valid_days: int,
    today: date,
) -> QuoteInfo:
    """The header of the documents ``tco evaluate`` writes, from its options: ``issued`` is
    YYYY-MM-DD (``today`` where not given); the quote is valid ``valid_days`` from that date.
    Raises :class:`TcoError` naming the option and its problem."""
    from tco.render.info import QuoteInfo

    problems: list[Problem] = []
    day = today
    if issued is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", issued.strip()):
                raise ValueError(issued)
            day = date.fromisoformat(issued.strip())
        except ValueError:
            problems.append(
                Problem(
                    "--date", f"'{issued}' is not a date; give it as YYYY-MM-DD, e.g. 2026-04-15"
                )
            )
    if not 0 <= valid_days <= MAX_VALID_DAYS:
        problems.append(
            Problem("--valid-days", f"must be between 0 and {MAX_VALID_DAYS}, got {valid_days}")
        )
    if problems:
        raise TcoError(problems)
    try:
        until = day + timedelta(days=valid_days)
    except OverflowError:
        raise TcoError(
            [
                Problem(
                    "--valid-days", f"{valid_days} days after {day.isoformat()} is past year 9999"
                )
            ]
        ) from None

    def text(value: str | None) -> str | None:
        return (value or "").strip() or None

    return QuoteInfo(
        title=text(title),
        customer=text(customer),
        seller=text(seller),
        issued=day,
        valid_until=until,
    )


@app.command("evaluate")
def evaluate_cmd(
    file: Annotated[Path, typer.Argument(help="scenario file, YAML or JSON")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write an Excel workbook")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="write the quote document as HTML")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="write the quote document as PDF")
    ] = None,
    locale: Annotated[
        str, typer.Option("--locale", help="en or de_DE, for documents and workbooks")
    ] = "en",
    customer: Annotated[
        str | None, typer.Option("--customer", help="who the documents are prepared for")
    ] = None,
    seller: Annotated[
        str | None, typer.Option("--seller", help="who prepares them (seller or salesperson)")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="the documents' title")] = None,
    issued: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="the quote's date (default: today)"),
    ] = None,
    valid_days: Annotated[
        int, typer.Option("--valid-days", help="days the quote is valid from its date")
    ] = 30,
) -> None:
    """Evaluate a scenario: lifetime cost of every offer and the comparison with the baseline."""
    try:
        info = quote_info(
            customer=customer,
            seller=seller,
            title=title,
            issued=issued,
            valid_days=valid_days,
            today=date.today(),
        )
        scenario = load_scenario(file)
        result = evaluate(scenario)
        if xlsx is not None:
            from tco.render.xlsx import write_workbook

            write_workbook(xlsx, scenario, result, locale=locale, info=info)
        if html is not None or pdf is not None:
            from tco.render.document import write_document

            write_document(scenario, result, html=html, pdf=pdf, locale=locale, info=info)
    except TcoError as exc:
        raise fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(result_json(result), indent=2, allow_nan=False) + "\n")
        return
    console = Console(width=max(100, 32 + 26 * len(result.offers)))
    console.print(comparison_table(result))
    for issue in result.issues:
        console.print(f"note: {issue.path}: {issue.message}", markup=False)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the scenario file."""
    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def main() -> None:
    _register_sales_commands()
    app()
