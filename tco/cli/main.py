"""The command line: ``tco evaluate``, ``tco schema`` and the salesperson's commands.

A front door: it parses, calls the core, renders or saves. Errors from the project
(:class:`~tco.core.errors.TcoError`) print one line per problem on stderr and exit with status 2.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tco.cli.common import fail, info_cmd, print_version
from tco.core.errors import Problem, TcoError

if TYPE_CHECKING:
    from tco.presenters.info import QuoteInfo

# The engine (numba), the store (SQLAlchemy) and the renderers are imported by the commands that
# use them: ``tco --help``, ``tco --version`` and a mistyped option answer without loading them.

app = typer.Typer(
    name="tco",
    help="Total-cost-of-ownership quoting engine: lifetime costs, comparisons and quotes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print_version()
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="print the version, the database and the tenant, and exit",
        ),
    ] = False,
) -> None:
    """Total-cost-of-ownership quoting engine: lifetime costs, comparisons and quotes."""


app.command("info")(info_cmd)


def _register_sales_commands() -> None:
    from tco.cli.sales import catalog_app, demo_app, quote_app

    app.add_typer(catalog_app, name="catalog")
    app.add_typer(quote_app, name="quote")

    from tco.cli.keys import apikey_app, serve

    app.add_typer(apikey_app, name="apikey")
    app.command("serve")(serve)
    app.add_typer(demo_app, name="demo")
    from tco.cli.users import user_app

    app.add_typer(user_app, name="user")
    from tco.cli.ledger import asset_app, event_app, followup, review

    app.add_typer(asset_app, name="asset")
    app.add_typer(event_app, name="event")
    app.command("followup")(followup)
    app.command("review")(review)
    from tco.cli.desk import approve, customer_app, pipeline, send_quote

    app.add_typer(customer_app, name="customer")
    app.command("pipeline")(pipeline)
    app.command("approve")(approve)
    app.command("send")(send_quote)
    from tco.cli.batch import batch_app

    app.add_typer(batch_app, name="batch")


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
    from tco.presenters.info import QuoteInfo

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
        str, typer.Option("--locale", help="en or de_DE, for documents, workbooks and the table")
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
    from tco.cli.risk import draws_progress, risk_tables
    from tco.cli.tables import comparison_table
    from tco.core.engine import small_batches_interpreted
    from tco.core.results import evaluate, result_json
    from tco.core.scenario import load_scenario
    from tco.presenters.i18n import language_of

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
        # The table alone, rounded to the cent, of a small scenario: priced by the kernel run
        # as Python, sooner than numba would load. The JSON (the very numbers /v1/evaluate
        # answers), documents, workbooks and draws are priced by the compiled kernel.
        table_only = not as_json and xlsx is None and html is None and pdf is None
        plain = table_only and scenario.uncertainty is None
        small = small_batches_interpreted() if plain else nullcontext()
        with small, draws_progress(language=language_of(locale)) as progress:
            result = evaluate(scenario, progress=progress)
        if xlsx is not None:
            from tco.presenters.xlsx import write_workbook

            write_workbook(xlsx, scenario, result, locale=locale, info=info)
        if html is not None or pdf is not None:
            from tco.presenters.document import write_document

            write_document(scenario, result, html=html, pdf=pdf, locale=locale, info=info)
    except TcoError as exc:
        raise fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(result_json(result), indent=2, allow_nan=False) + "\n")
        return
    console = Console(width=max(100, 32 + 26 * len(result.offers)))
    console.print(comparison_table(result, language_of(locale)))
    if result.uncertainty is not None:
        console.print(risk_tables(result, language_of(locale)))
    for issue in result.issues:
        console.print(f"note: {issue.path}: {issue.message}", markup=False)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the scenario file."""
    from tco.core.scenario import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def main() -> None:
    _register_sales_commands()
    app()
