"""The ledger's commands: ``tco asset ...``, ``tco event ...``, ``tco followup``, ``tco review``.

A front door: it parses options, calls :mod:`tco.ledger_services` and prints. The database and
tenant are those of the other commands (``tco info``). Project errors print one line per problem
on stderr and exit with status 2. Amounts are rounded once, here, for people.
"""

from __future__ import annotations

import json
import sys
from datetime import date
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
from tco.core.errors import InputFileError, Problem, TcoError
from tco.core.money import format_amount

if TYPE_CHECKING:
    from tco.ledger_services import AssetView

asset_app = typer.Typer(
    help="Installed assets of accepted quotes: list, show, edit, field reliability.",
    no_args_is_help=True,
)
event_app = typer.Typer(help="Record service events of assets.", no_args_is_help=True)

AsOf = Annotated[
    str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="the day (default: today)")
]
Prior = Annotated[
    float,
    typer.Option("--prior-failures", help="weight of the quoted MTBF, in failures (default 2)"),
]


def _day(value: str | None, option: str = "--as-of") -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problem = Problem(option, f"'{value}' is not a date; give it as YYYY-MM-DD")
        raise fail(TcoError([problem])) from None


def _money(value: float, currency: str) -> str:
    return f"{currency} {format_amount(value, currency)}"


def _console(width: int = 120) -> Console:
    return Console(width=width, highlight=False)


# --------------------------------------------------------------------------------------------
# tco asset


@asset_app.command("list")
def asset_list(
    customer: Annotated[str | None, typer.Option("--customer", help="part of the name")] = None,
    as_of: AsOf = None,
) -> None:
    """List assets with promised vs actual to date, and the totals per customer."""
    from tco import ledger_services as ls

    day = _day(as_of)
    statuses, promises = _run(lambda: ls.asset_statuses(_uow(), as_of=day, customer=customer))
    table = Table(title=f"Assets ({len(statuses)}) on {day.isoformat()}: measured costs to date")
    for col in ("id", "customer", "quote", "unit", "product", "serial", "commissioned"):
        table.add_column(col)
    for col in ("promised", "actual", "failures", "expected"):
        table.add_column(col, justify="right")
    for s in statuses:
        a, cur = s.asset, promises[s.asset.id].currency
        table.add_row(
            str(a.id),
            escape(a.customer),
            a.quote_number,
            f"{a.unit}/{a.units}",
            escape(a.product_name),
            escape(a.serial_number or "-"),
            a.commissioned_on.isoformat(),
            _money(s.promised_measured, cur),
            _money(s.actual_measured, cur),
            str(s.failures),
            f"{s.expected_failures:.2f}",
        )
    console = _console(160)
    console.print(table)
    currencies = {i: p.currency for i, p in promises.items()}
    from tco.ledger.tracking import customer_statuses

    for c in customer_statuses(statuses, currencies):
        console.print(
            f"{c.customer}: {len(c.assets)} assets, promised "
            f"{_money(c.promised_measured, c.currency)}, actual "
            f"{_money(c.actual_measured, c.currency)}, failures {c.failures} "
            f"(expected {c.expected_failures:.2f})",
            markup=False,
        )


def _status_lines(view: AssetView) -> list[str]:
    s, p = view.status, view.promise
    cur = p.currency
    a = s.asset
    lines = [
        f"asset {a.id}: {a.product_name} (unit {a.unit} of {a.units}), serial "
        f"{a.serial_number or 'not given'}",
        f"customer {a.customer}; quote {a.quote_number} version {a.quote_version}, offer "
        f"{p.offer_name or a.offer_id}; commissioned {a.commissioned_on.isoformat()}",
        f"on {s.as_of.isoformat()}: {s.years_elapsed:.2f} of {p.study_period_years} years",
        f"failures {s.failures}, expected {s.expected_failures:.2f} in "
        f"{s.operating_hours:,.0f} operating hours"
        + ("" if s.hours_from_readings else " (no meter reading: the quote's hours per year)"),
        f"downtime {s.downtime_hours:,.1f} hours, promised {s.promised_downtime_hours:,.1f}",
        f"paid by the seller (warranty, plan, goodwill): {_money(s.seller_paid, cur)}",
    ]
    r = s.reliability
    if r is not None:
        what = "MTBF" if r.shape == 1 else "characteristic life"
        lines.append(
            f"{what}: quoted {r.prior_mtbf_hours:,.0f} h, updated {r.mtbf_hours:,.0f} h "
            f"({r.credible:.0%} credible interval {r.mtbf_low_hours:,.0f}-{r.mtbf_high_hours:,.0f}"
            f" h; prior worth {r.prior_failures:g} failures)"
        )
    lines.append(
        f"lifetime cost (present value): promised {_money(s.promised_lifetime_cost, cur)}, "
        f"re-forecast {_money(s.reforecast_lifetime_cost, cur)}"
    )
    if s.alternative_lifetime_cost is not None:
        verdict = "turns the comparison" if s.turns_against else "still below"
        lines.append(
            f"alternative {p.alternative_name or p.alternative_id}: "
            f"{_money(s.alternative_lifetime_cost, cur)} ({verdict})"
        )
    return lines


@asset_app.command("show")
def asset_show(
    asset_id: Annotated[int, typer.Argument(help="asset id")],
    as_of: AsOf = None,
    prior_failures: Prior = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Promised vs actual of one asset by category, its field reliability and its events."""
    from tco import ledger_services as ls

    day = _day(as_of)
    view = _run(lambda: ls.show_asset(_uow(), asset_id, as_of=day, prior_failures=prior_failures))
    if as_json:
        from tco.ledger.views import asset_json

        sys.stdout.write(json.dumps(asset_json(view.status, view.promise), indent=2) + "\n")
        return
    console = _console()
    for line in _status_lines(view):
        console.print(line, markup=False)
    cur = view.promise.currency
    table = Table(title="To date (nominal); categories without events count as promised")
    for col in ("category", "promised", "actual", "measured"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for c in view.status.categories:
        table.add_row(
            c.category.value,
            format_amount(c.promised, cur),
            format_amount(c.actual, cur),
            "yes" if c.measured else "as promised",
        )
    console.print(table)
    events = Table(title=f"Events ({len(view.events)}), newest first")
    for col in ("date", "kind", "event id", "details", "recorded"):
        events.add_column(col)
    for e, at, by in view.events:
        events.add_row(
            e.occurred_on.isoformat(),
            e.kind.value,
            escape(e.event_id),
            escape(_details(e, cur)),
            f"{at:%Y-%m-%d} {escape(by)}",
        )
    console.print(events)


def _details(e: Any, currency: str) -> str:
    parts = []
    if e.hours is not None:
        parts.append(f"meter {e.hours:,} h")
    if e.cost is not None:
        paid = f" paid by {e.payer}" if e.payer else ""
        parts.append(f"{_money(float(e.cost), currency)}{paid}")
    if e.downtime_hours is not None:
        parts.append(f"downtime {e.downtime_hours} h")
    if e.kwh is not None:
        parts.append(f"{e.kwh:,} kWh")
    if e.contact is not None:
        parts.append(str(e.contact))
    if e.note:
        parts.append(e.note)
    return "; ".join(parts)


@asset_app.command("edit")
def asset_edit(
    asset_id: Annotated[int, typer.Argument(help="asset id")],
    commissioned: Annotated[
        str | None,
        typer.Option("--commissioned", metavar="YYYY-MM-DD", help="the commissioning date"),
    ] = None,
    serial: Annotated[
        str | None, typer.Option("--serial", help="the serial number ('' removes it)")
    ] = None,
    by: By = None,
) -> None:
    """Change an asset's commissioning date or serial number."""
    from tco import ledger_services as ls

    if commissioned is None and serial is None:
        raise fail(TcoError([Problem("edit", "give --commissioned and/or --serial")]))
    day = _day(commissioned, "--commissioned") if commissioned is not None else None
    a = _run(
        lambda: ls.edit_asset(
            _uow(), asset_id, commissioned_on=day, serial_number=serial, by=_by(by)
        )
    )
    print(
        f"asset {a.id}: commissioned {a.commissioned_on.isoformat()}, "
        f"serial {a.serial_number or 'not given'}"
    )


@asset_app.command("reliability")
def asset_reliability(as_of: AsOf = None, prior_failures: Prior = 2.0) -> None:
    """Per catalog product, the field reliability pooled over its installed assets."""
    from tco import ledger_services as ls

    day = _day(as_of)
    info, products = _run(
        lambda: ls.field_reliability(_uow(), as_of=day, prior_failures=prior_failures)
    )
    table = Table(title=f"Field reliability on {day.isoformat()} (catalog version {info.version})")
    for col in ("sku", "product", "installations", "operating hours", "failures", "expected"):
        table.add_column(col, justify="left" if col in ("sku", "product") else "right")
    for col in ("catalog MTBF (h)", "field MTBF (h)", "90 % interval (h)"):
        table.add_column(col, justify="right")
    for p in products:
        r = p.reliability
        table.add_row(
            p.sku,
            escape(p.name),
            str(p.installations),
            f"{r.operating_hours:,.0f}",
            str(r.failures),
            f"{r.expected_failures:.2f}",
            f"{r.prior_mtbf_hours:,.0f}",
            f"{r.mtbf_hours:,.0f}",
            f"{r.mtbf_low_hours:,.0f}-{r.mtbf_high_hours:,.0f}",
        )
    _console(160).print(table)


@asset_app.command("calibrate")
def asset_calibrate(as_of: AsOf = None, prior_failures: Prior = 2.0, by: By = None) -> None:
    """Save the field-calibrated catalog as a new catalog version for new quotes."""
    from tco import ledger_services as ls

    day = _day(as_of)
    out = _run(
        lambda: ls.calibrate_catalog(_uow(), as_of=day, by=_by(by), prior_failures=prior_failures)
    )
    if not out.created:
        print(f"catalog unchanged: version {out.version.version} (no new field data)")
        return
    print(f"catalog version {out.version.version}: field-calibrated on {day.isoformat()}")
    for p in out.products:
        r = p.reliability
        print(
            f"  {p.sku}: MTBF {r.mtbf_hours:,.0f} h (catalog {r.prior_mtbf_hours:,.0f} h), based "
            f"on {p.installations} installations and {r.operating_hours:,.0f} operating hours"
        )


# --------------------------------------------------------------------------------------------
# tco event


@event_app.command("add")
def event_add(
    asset_id: Annotated[int, typer.Argument(help="asset id")],
    event_id: Annotated[str, typer.Option("--id", help="your id of the event (idempotency)")],
    kind: Annotated[
        str, typer.Option("--kind", help="operating_hours, repair, maintenance, energy, contact")
    ],
    day: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="hour-meter reading")] = None,
    cost: Annotated[str | None, typer.Option("--cost", help="amount paid")] = None,
    payer: Annotated[str | None, typer.Option("--payer", help="buyer or seller")] = None,
    downtime: Annotated[str | None, typer.Option("--downtime", help="hours of standstill")] = None,
    kwh: Annotated[str | None, typer.Option("--kwh", help="kWh since the last reading")] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="visit, call, complaint or praise")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    by: By = None,
) -> None:
    """Record one service event (sending the same id again records nothing new)."""
    from tco import ledger_services as ls

    raw: dict[str, Any] = {
        "event_id": event_id,
        "asset_id": asset_id,
        "date": day or date.today().isoformat(),
        "kind": kind,
        "hours": hours,
        "cost": cost,
        "payer": payer,
        "downtime_hours": downtime,
        "kwh": kwh,
        "contact": contact,
        "note": note,
    }
    raw = {k: v for k, v in raw.items() if v not in (None, "")}
    out = _run(lambda: ls.record_event(_uow(), raw, by=_by(by)))
    print("recorded" if out.recorded else f"already recorded: event {event_id} (nothing changed)")


@event_app.command("import")
def event_import(
    file: Annotated[Path, typer.Argument(help="CSV file (header: see docs/ledger.md)")],
    by: By = None,
) -> None:
    """Import events from a CSV file: all lines or none; problems are named by line."""
    from tco import ledger_services as ls

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(InputFileError([Problem(str(file), f"cannot be read: {exc}")])) from None
    out = _run(lambda: ls.import_events_csv(_uow(), text, by=_by(by)))
    print(f"imported {out.recorded} events; {out.already} were already recorded")


# --------------------------------------------------------------------------------------------
# tco followup, tco review


def followup(
    as_of: AsOf = None,
    silence_days: Annotated[int, typer.Option("--silence-days")] = 90,
    over_percent: Annotated[float, typer.Option("--over-percent")] = 10.0,
    renewal_days: Annotated[int, typer.Option("--renewal-days")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """What needs attention per customer: silence, cost above promise, renewals, comparisons."""
    from tco import ledger_services as ls
    from tco.ledger.followup import Rules
    from tco.ledger.views import followup_json
    from tco.presenters.ledger_text import reason_text

    day = _day(as_of)

    def go() -> list[Any]:
        rules = Rules(silence_days, over_percent / 100, renewal_days)
        return ls.followup(_uow(), as_of=day, rules=rules)

    groups = _run(go)
    if as_json:
        sys.stdout.write(json.dumps(followup_json(groups, day), indent=2) + "\n")
        return
    console = _console()
    if not groups:
        console.print(f"nothing to follow up on {day.isoformat()}")
    for g in groups:
        console.print(f"[b]{escape(g.customer)}[/b]")
        for item in g.items:
            console.print(f"  - {reason_text(item, 'en')}", markup=False)


def review(
    customer: Annotated[str, typer.Argument(help="the customer's name")],
    html: Annotated[Path | None, typer.Option("--html", help="write the review as HTML")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="write the review as PDF")] = None,
    locale: Annotated[str, typer.Option("--locale", help="en or de_DE")] = "en",
    as_of: AsOf = None,
) -> None:
    """Write the review document of a customer: promised vs delivered, per asset."""
    from tco import ledger_services as ls
    from tco.presenters.review import write_review

    if html is None and pdf is None:
        raise fail(TcoError([Problem("review", "give --html and/or --pdf")]))
    day = _day(as_of)

    def go() -> None:
        data = ls.review_data(_uow(), customer, as_of=day)
        write_review(data, html=html, pdf=pdf, locale=locale)

    _run(go)
    for path in (html, pdf):
        if path is not None:
            print(f"wrote {path}")
