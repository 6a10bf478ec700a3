"""The desk's commands: ``tco customer ...``, ``tco pipeline``, ``tco approve`` and ``tco send``.

A front door: it parses options, calls :mod:`tco.desk_services` and prints. The database and
tenant are those of the other commands (``tco info``); discount limits and the SMTP server come
from the environment (:mod:`tco.desk_settings`). The command line acts as an admin: its approvals
are recorded with the role ``admin``. Project errors print one line per problem on stderr and exit
with status 2. Amounts are rounded once, here, for people.
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

from tco.cli.common import By, fail
from tco.cli.common import by_whom as _by
from tco.cli.common import run as _run
from tco.cli.common import uow as _uow
from tco.core.errors import Problem, TcoError
from tco.core.money import format_amount

if TYPE_CHECKING:
    from tco.quoting.customers import CustomerRecord
    from tco.quoting.pipeline import PipelineTotal
    from tco.quoting.versions import QuoteSummary

customer_app = typer.Typer(
    help="Customer records: company, segment, sites and contacts.", no_args_is_help=True
)

CustomerId = Annotated[int, typer.Argument(help="customer id (tco customer list)", min=1)]


def _console(width: int = 120) -> Console:
    return Console(width=width, highlight=False)


def _money(value: Any, currency: str) -> str:
    return "" if value is None else f"{currency} {format_amount(value, currency)}"


def _record(path: Path | None, **given: Any) -> dict[str, Any]:
    """A customer record from a YAML/JSON file, with options on top."""
    from tco.core.scenario import read_file

    raw: dict[str, Any] = {}
    if path is not None:
        data = _run(lambda: read_file(path))
        if not isinstance(data, dict):
            raise fail(TcoError([Problem(str(path), "must be a mapping (name, segment, ...)")]))
        raw.update(data)
    raw.update({k: v for k, v in given.items() if v is not None})
    return raw


# --------------------------------------------------------------------------------------------
# customers


@customer_app.command("add")
def customer_add(
    name: Annotated[str | None, typer.Option("--name", help="the company's name")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="price segment")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="your number")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="YAML or JSON: name, segment, reference, sites, contacts"),
    ] = None,
    by: By = None,
) -> None:
    """Add a customer record (its name must be new)."""
    from tco import desk_services as ds

    raw = _record(file, name=name, segment=segment, reference=reference)
    record = _run(lambda: ds.create_customer(_uow(), raw, by=_by(by)))
    print(f"customer {record.id} added: {record.name}")


@customer_app.command("edit")
def customer_edit(
    customer_id: CustomerId,
    file: Annotated[Path, typer.Argument(help="YAML or JSON: the whole record as it is now")],
    by: By = None,
) -> None:
    """Replace a customer record with the file's (quotes pointing to it follow a new name)."""
    from tco import desk_services as ds

    raw = _record(file)
    record = _run(lambda: ds.replace_customer(_uow(), customer_id, raw, by=_by(by)))
    print(f"customer {record.id} saved: {record.name}")


@customer_app.command("list")
def customer_list(
    search: Annotated[
        str | None, typer.Option("--search", help="part of name or reference")
    ] = None,
) -> None:
    """List the customer records."""
    from tco import desk_services as ds

    rows = _run(lambda: ds.customers(_uow(), search))
    table = Table(title=f"Customers ({len(rows)})")
    for col in ("id", "name", "segment", "reference", "sites", "contacts"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.id),
            escape(r.name),
            r.segment,
            escape(r.reference),
            str(len(r.sites)),
            str(len(r.contacts)),
        )
    _console().print(table)


def _customer_json(record: CustomerRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


@customer_app.command("show")
def customer_show(
    customer_id: CustomerId,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """A customer record, its quotes and their totals."""
    from tco import desk_services as ds

    record = _run(lambda: ds.customer(_uow(), customer_id))
    pipe = _run(lambda: ds.pipeline(_uow(), customer_id=customer_id))
    if as_json:
        out = {"customer": _customer_json(record), "quotes": [q.number for q in pipe.rows]}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    print(f"customer {record.id}: {record.name} (segment {record.segment})")
    if record.reference:
        print(f"reference: {record.reference}")
    for s in record.sites:
        print(f"site: {s.name}" + (f", {s.address.replace(chr(10), ', ')}" if s.address else ""))
    for c in record.contacts:
        bits = [b for b in (c.position, c.email, c.phone, c.site) if b]
        print(f"contact: {c.name}" + (f" ({', '.join(bits)})" if bits else ""))
    _print_pipeline(pipe.rows, pipe.totals, title=f"Quotes of {record.name}")


# --------------------------------------------------------------------------------------------
# pipeline


def _print_pipeline(
    rows: tuple[QuoteSummary, ...], totals: tuple[PipelineTotal, ...], *, title: str
) -> None:
    table = Table(title=f"{title} ({len(rows)})")
    for col in ("number", "customer", "owner", "status", "valid until", "value", "saving"):
        table.add_column(col, justify="right" if col in ("value", "saving") else "left")
    for s in rows:
        table.add_row(
            s.number,
            escape(s.customer),
            escape(s.seller),
            s.status.value,
            s.valid_until.isoformat(),
            _money(s.value, s.currency),
            _money(s.saving, s.currency),
        )
    for t in totals:
        table.add_section()
        table.add_row(
            f"total {t.currency}",
            "",
            "",
            f"{t.open_count} open",
            "",
            _money(t.value, t.currency),
            _money(t.saving, t.currency),
        )
    _console(140).print(table)


def pipeline(
    customer_id: Annotated[int | None, typer.Option("--customer-id", min=1)] = None,
    expiring: Annotated[
        int | None,
        typer.Option("--expiring", min=0, help="open quotes whose validity ends within N days"),
    ] = None,
) -> None:
    """The pipeline: each quote's value, lifetime saving, owner, status and expiry, with totals
    per currency (each figure rounded once)."""
    from tco import desk_services as ds

    pipe = _run(lambda: ds.pipeline(_uow(), customer_id=customer_id, expiring_within_days=expiring))
    title = "Pipeline" if expiring is None else f"Expiring within {expiring} days"
    _print_pipeline(pipe.rows, pipe.totals, title=title)


# --------------------------------------------------------------------------------------------
# approval and sending


def approve(
    number: Annotated[str, typer.Argument(help="quote number")],
    reason: Annotated[str, typer.Option("--reason", help="why the discount is approved")],
    by: By = None,
) -> None:
    """Approve the discount of a quote's current version (recorded with the role admin)."""
    from tco import desk_services as ds
    from tco.desk_settings import DeskSettings

    limits = DeskSettings().limits
    a = _run(
        lambda: ds.approve(_uow(), number, reason=reason, role="admin", limits=limits, by=_by(by))
    )
    share = f"{a.discount * 100:.2f} %"
    print(f"{number} version {a.version}: discount {share} approved by {a.approved_by}")


def send_quote(
    number: Annotated[str, typer.Argument(help="quote number")],
    to: Annotated[str, typer.Option("--to", help="the recipient's e-mail address")],
    message: Annotated[str, typer.Option("--message", help="text above the attachments")] = "",
    by: By = None,
) -> None:
    """E-mail the quote's PDF document and workbook (TCO_SMTP_*) and mark it sent."""
    from tco import desk_services as ds
    from tco.desk_settings import DeskSettings

    settings = DeskSettings()
    s = _run(
        lambda: ds.send_quote(
            _uow(),
            number,
            recipient=to,
            message=message,
            smtp=settings.smtp,
            limits=settings.limits,
            by=_by(by),
        )
    )
    print(f"{number} version {s.version} sent to {s.recipient} ({s.message_id})")
