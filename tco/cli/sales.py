"""The salesperson's commands: ``tco catalog ...``, ``tco quote ...`` and ``tco demo load``.

A front door: it reads files, calls :mod:`tco.services` and prints. The database is
``TCO_DATABASE_URL`` or the per-user default, the tenant ``TCO_TENANT`` or ``demo``
(:mod:`tco.store.location`; ``tco info`` names both). Project errors print one line per problem
on stderr and exit with status 2. The engine, the store and the renderers are imported by the
commands that use them, so ``tco --help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tco import __version__
from tco.cli.common import By, fail
from tco.cli.common import by_whom as _by
from tco.cli.common import run as _run
from tco.cli.common import uow as _uow
from tco.core.errors import Problem, TcoError
from tco.core.money import format_amount

if TYPE_CHECKING:
    from tco import services
    from tco.quoting.catalog import CatalogChanges
    from tco.quoting.pricing import PriceSheet
    from tco.quoting.versions import QuoteStatus, QuoteSummary

catalog_app = typer.Typer(help="Import and list the product catalog.", no_args_is_help=True)
quote_app = typer.Typer(help="Create, revise, compare and export quotes.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo catalog and quotes.", no_args_is_help=True)


def _console(width: int = 100) -> Console:
    return Console(width=width, highlight=False)


def _status(value: str) -> QuoteStatus:
    from tco.quoting.versions import QuoteStatus

    try:
        return QuoteStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in QuoteStatus)
        raise fail(TcoError([Problem("status", f"'{value}' is not one of: {allowed}")])) from None


# --------------------------------------------------------------------------------------------
# catalog


@catalog_app.command("import")
def catalog_import(
    directory: Annotated[Path, typer.Argument(help="directory of catalog YAML files")],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="import a whole new catalog: products, plans and price books not in DIR are "
            "removed (default: add DIR to the current catalog)",
        ),
    ] = False,
    by: By = None,
) -> None:
    """Add a catalog directory to the current catalog as a new version and say what changed.

    Products (by sku), service plans (by code) and price books (by id) in DIR replace or join
    those of the current catalog; the others are kept. With --replace DIR is the whole catalog.
    An import that changes nothing makes no new version.
    """
    from tco import services

    out = _run(lambda: services.import_catalog_dir(_uow(), directory, by=_by(by), replace=replace))
    v = out.version
    if out.created:
        based = ""
        if out.previous is not None and replace:
            based = f" (replaces version {out.previous})"
        elif out.previous is not None:
            based = f" (version {out.previous} with {directory} merged in)"
        print(
            f"catalog version {v.version} imported: {v.product_count} products, "
            f"{v.plan_count} service plans{based}"
        )
    else:
        print(f"catalog unchanged: version {v.version} is identical")
    for line in _change_lines(out.changes, out.created):
        print(line)


def _change_lines(changes: CatalogChanges, created: bool) -> list[str]:
    """What an import added, changed and removed, one line per kind of item."""
    if changes.empty:
        # a replacing catalog with the same items in another order is still a new version
        return [
            "only the order of the entries changed"
            if created
            else "nothing added, changed or removed"
        ]
    lines: list[str] = []
    kinds = (
        ("products", changes.products),
        ("service plans", changes.service_plans),
        ("price books", changes.price_books),
    )
    for label, kind in kinds:
        parts = [
            f"{what} {', '.join(keys)}"
            for what, keys in (
                ("added", kind.added),
                ("changed", kind.changed),
                ("removed", kind.removed),
            )
            if keys
        ]
        lines.append(f"  {label}: {'; '.join([*parts, f'{kind.unchanged} unchanged'])}")
    if changes.defaults:
        lines.append(f"  default assumptions: changed {', '.join(changes.defaults)}")
    return lines


@catalog_app.command("list")
def catalog_list(
    version: Annotated[int | None, typer.Option("--version", help="a catalog version")] = None,
) -> None:
    """List the products and service plans of the latest (or a given) catalog version."""
    from tco import services

    def go() -> tuple[Any, Any]:
        if version is None:
            return services.current_catalog(_uow())
        uow = _uow()
        with uow:
            return uow.catalogs.get(version)

    info, catalog = _run(go)
    console = _console(120)
    products = Table(title=f"Catalog version {info.version} ({info.source}), products")
    for col in ("sku", "name", "kind", "list price", "life (years)", "kWh/h", "MTBF (h)"):
        products.add_column(col, justify="right" if col not in ("sku", "name", "kind") else "left")
    for p in catalog.products:
        products.add_row(
            p.sku,
            escape(p.name),
            escape(p.kind),
            f"{p.currency} {format_amount(p.list_price, p.currency)}",
            str(p.life_years),
            "-" if p.energy is None else f"{p.energy.kwh_per_hour:.1f}",
            "-" if p.failures is None else f"{p.failures.mtbf_hours:,.0f}",
        )
    console.print(products)
    plans = Table(title="Service plans")
    for col in ("code", "name", "annual fee", "repairs", "maintenance", "response (h)"):
        plans.add_column(col)
    for s in catalog.service_plans:
        fee = (
            f"{s.fee_percent:.1%} of the price"
            if s.fee_percent is not None
            else f"{s.currency} {s.annual_fee}"
        )
        plans.add_row(
            s.code,
            escape(s.name),
            fee,
            f"{s.repair_covered:.0%}",
            f"{s.maintenance_covered:.0%}",
            "-" if s.response_hours is None else f"{s.response_hours:g}",
        )
    console.print(plans)
    books = Table(title="Price books")
    for col in ("id", "currency", "segment", "valid from", "valid until", "items"):
        books.add_column(col)
    for b in catalog.price_books:
        books.add_row(
            b.id,
            b.currency,
            b.segment,
            b.valid_from.isoformat(),
            b.valid_until.isoformat() if b.valid_until else "-",
            str(len(b.prices)),
        )
    console.print(books)


# --------------------------------------------------------------------------------------------
# quote


def _price_table(sheets: tuple[PriceSheet, ...], names: dict[str, str]) -> Table:
    table = Table(title="Prices (exact, the totals are the sums of the lines)")
    for col in ("offer", "line", "qty", "unit price", "discount", "net unit", "total"):
        table.add_column(col, justify="left" if col in ("offer", "line") else "right")
    for sheet in sheets:
        cur = sheet.currency
        for k, line in enumerate(sheet.lines):
            table.add_row(
                escape(names.get(sheet.offer_id, sheet.offer_id)) if k == 0 else "",
                escape(line.name),
                str(line.quantity),
                format_amount(line.unit_price, cur),
                f"{line.discount * 100:g} %" if line.discount else "",
                format_amount(line.net_unit_price, cur),
                format_amount(line.total, cur),
            )
        table.add_row(
            "",
            "[b]one-time total[/b]",
            "",
            "",
            "",
            "",
            f"[b]{format_amount(sheet.one_time_total, cur)}[/b]",
        )
        if sheet.annual_total:
            table.add_row("", "per year", "", "", "", "", format_amount(sheet.annual_total, cur))
        table.add_section()
    return table


def _print_view(view: services.QuoteView, *, full: bool = True) -> None:
    from tco.cli.tables import comparison_table

    s, v = view.summary, view.version
    width = max(100, 30 + 24 * len(v.result.offers))
    console = _console(width)
    console.print(
        f"[b]{s.number}[/b] version {v.version} of {s.current_version}  status: {s.status.value}",
    )
    console.print(
        f"{s.title or '(no title)'}: {s.customer}, seller {s.seller}, "
        f"dated {s.as_of.isoformat()}, valid until {s.valid_until.isoformat()}",
        markup=False,
    )
    console.print(
        f"saved {v.created_at:%Y-%m-%d %H:%M} by {v.created_by}; catalog version "
        f"{v.catalog_version}, engine {v.engine_version}",
        markup=False,
    )
    console.print(comparison_table(v.result))
    if v.result.uncertainty is not None:  # the quote's ranges: as saved, seed and draws named
        from tco.cli.risk import risk_tables

        console.print(risk_tables(v.result))
    if full:
        names = {o.id: o.name for o in v.result.offers}
        console.print(_price_table(v.price_sheets, names))
    console.print(f"Recommendation: {v.recommendation}", markup=False)
    if v.engine_version != __version__:
        console.print(
            f"note: saved by engine {v.engine_version}; the numbers shown are the saved ones "
            f"(this is engine {__version__})",
            markup=False,
        )
    for issue in v.result.issues:
        console.print(f"note: {issue.path}: {issue.message}", markup=False)


def _view_json(view: services.QuoteView) -> dict[str, Any]:
    return {
        "quote": view.summary.model_dump(mode="json"),
        "version": view.version.model_dump(mode="json", exclude={"snapshot", "scenario"}),
    }


@quote_app.command("new")
def quote_new(
    request: Annotated[Path, typer.Argument(help="quote request, YAML or JSON")],
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the saved quote as JSON")] = False,
) -> None:
    """Price a quote request against the catalog and save it as a new numbered quote."""
    from tco import services
    from tco.core.scenario import read_file

    view = _run(lambda: services.create_quote(_uow(), read_file(request), by=_by(by)))
    if as_json:
        sys.stdout.write(json.dumps(_view_json(view), indent=2) + "\n")
        return
    print(f"created {view.summary.number} version 1")
    _print_view(view, full=False)


@quote_app.command("list")
def quote_list(
    status: Annotated[str | None, typer.Option("--status", help="draft, sent, ...")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="part of the name")] = None,
) -> None:
    """List quotes, filtered by status and customer."""
    from tco import services

    wanted = None if status is None else _status(status)
    rows: list[QuoteSummary] = _run(
        lambda: services.list_quotes(_uow(), status=wanted, customer=customer)
    )
    table = Table(title=f"Quotes ({len(rows)})")
    for col in ("number", "version", "status", "customer", "title", "valid until", "recommended"):
        table.add_column(col)
    for s in rows:
        table.add_row(
            s.number,
            str(s.current_version),
            s.status.value,
            escape(s.customer),
            escape(s.title),
            s.valid_until.isoformat(),
            s.recommended,
        )
    _console(140).print(table)


@quote_app.command("show")
def quote_show(
    number: Annotated[str, typer.Argument(help="quote number, e.g. Q-2026-00042")],
    version: Annotated[
        int | None, typer.Option("--version", help="version (default latest)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Show a quote version: comparison, prices and the recommendation."""
    from tco import services

    view = _run(lambda: services.show_quote(_uow(), number, version=version))
    if as_json:
        sys.stdout.write(json.dumps(_view_json(view), indent=2) + "\n")
        return
    _print_view(view)


@quote_app.command("revise")
def quote_revise(
    number: Annotated[str, typer.Argument(help="quote number")],
    changes: Annotated[Path, typer.Argument(help="changes to the request, YAML or JSON")],
    reprice: Annotated[
        bool, typer.Option("--reprice", help="use the latest catalog instead of the saved prices")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="why this revision")] = "",
    by: By = None,
) -> None:
    """Save a new version of a quote with changes merged into its request."""
    from tco import services
    from tco.core.scenario import read_file

    view = _run(
        lambda: services.revise_quote(
            _uow(), number, read_file(changes), by=_by(by), reprice=reprice, note=note
        )
    )
    print(f"revised {number}: version {view.version.version}")
    _print_view(view, full=False)


@quote_app.command("diff")
def quote_diff(
    number: Annotated[str, typer.Argument(help="quote number")],
    v1: Annotated[int, typer.Argument(help="older version")],
    v2: Annotated[int, typer.Argument(help="newer version")],
) -> None:
    """Which inputs and which results changed between two versions, and by how much."""
    from tco import services

    changes = _run(lambda: services.diff_quote(_uow(), number, v1, v2))
    table = Table(title=f"{number}: version {v1} -> {v2}")
    for col in ("", "what", f"v{v1}", f"v{v2}", "change"):
        table.add_column(col, justify="right" if col in (f"v{v1}", f"v{v2}", "change") else "left")
    section = ""
    for c in changes:
        label = c.section if c.section != section else ""
        if c.section != section and section:
            table.add_section()
        section = c.section
        table.add_row(
            label, escape(c.path), escape(c.old or "-"), escape(c.new or "-"), c.delta or ""
        )
    console = _console(140)
    if not changes:
        console.print("no differences")
        return
    console.print(table)


@quote_app.command("status")
def quote_status(
    number: Annotated[str, typer.Argument(help="quote number")],
    status: Annotated[str, typer.Argument(help="sent, accepted, rejected, expired or draft")],
    by: By = None,
    offer: Annotated[
        str | None,
        typer.Option(
            "--offer",
            help="with accepted: the offer the buyer chose (default: the "
            "recommended one); its units become installed assets",
        ),
    ] = None,
) -> None:
    """Change the status of a quote."""
    from tco import services

    new = _status(status)
    from tco.desk_settings import DeskSettings

    limits = DeskSettings().limits  # a discount above the salesperson's limit needs approval
    s = _run(
        lambda: services.change_status(_uow(), number, new, by=_by(by), limits=limits, offer=offer)
    )
    print(f"{s.number} is now {s.status.value}")


@quote_app.command("history")
def quote_history(number: Annotated[str, typer.Argument(help="quote number")]) -> None:
    """Who created, revised and changed the status of a quote, and when."""
    from tco import services

    events = _run(lambda: services.quote_history(_uow(), number))
    table = Table(title=f"{number}: history")
    for col in ("when", "who", "what", "version", "status"):
        table.add_column(col)
    for e in events:
        status = (
            e["to_status"] if not e["from_status"] else f"{e['from_status']} -> {e['to_status']}"
        )
        table.add_row(
            f"{e['at']:%Y-%m-%d %H:%M}", escape(e["by"]), e["action"], str(e["version"]), status
        )
    _console(120).print(table)


@quote_app.command("export")
def quote_export(
    number: Annotated[str, typer.Argument(help="quote number")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write an Excel workbook")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="write the document as HTML")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="write the document as PDF")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="write the scenario and result as JSON")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="version (default latest)")
    ] = None,
    locale: Annotated[
        str | None, typer.Option("--locale", help="en or de_DE (default: the quote's)")
    ] = None,
) -> None:
    """Export a saved quote version as a workbook, a document or JSON."""
    from tco import services

    if xlsx is None and html is None and pdf is None and json_out is None:
        raise fail(
            TcoError([Problem("export", "give at least one of --xlsx, --html, --pdf, --json")])
        )

    def go() -> list[Path]:
        data = services.export_data(_uow(), number, version, locale=locale)
        loc = locale or data.locale
        written: list[Path] = []
        if xlsx is not None:
            from tco.presenters.xlsx import write_workbook

            write_workbook(xlsx, data.scenario, data.result, locale=loc, info=data.info)
            written.append(xlsx)
        if html is not None or pdf is not None:
            from tco.presenters.document import write_document

            write_document(
                data.scenario, data.result, html=html, pdf=pdf, locale=loc, info=data.info
            )
            written.extend(p for p in (html, pdf) if p is not None)
        if json_out is not None:
            doc = {
                "quote": data.info.model_dump(mode="json"),
                "scenario": data.scenario.model_dump(mode="json", exclude_none=True),
                "result": data.result.model_dump(mode="json"),
            }
            json_out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
            written.append(json_out)
        return written

    try:
        written = _run(go)
    except ImportError as exc:
        raise fail(
            TcoError([Problem("export", f"this export is not available yet ({exc.name})")])
        ) from None
    for path in written:
        print(f"wrote {path}")


# --------------------------------------------------------------------------------------------
# demo


@demo_app.command("load")
def demo_load(by: By = None) -> None:
    """Load the demo catalog and demo quotes into the database (safe to run again)."""
    from tco import services

    out = _run(lambda: services.load_demo(_uow(), by=_by(by) if by else "demo"))
    v = out.catalog.version
    state = "imported" if out.catalog.created else "already loaded"
    print(f"demo catalog version {v.version} {state}")
    if out.quotes:
        print(f"demo quotes created: {', '.join(out.quotes)}")
    else:
        print("demo quotes: the database already holds quotes; none added")
