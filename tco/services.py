"""The service layer: what the salesperson's command line (and later the HTTP API) can do.

Each service takes a :class:`~tco.store.uow.UnitOfWork` (one tenant, one transaction), the
acting user (``by``) and the time (``now``, ``today``), calls the core and commits explicitly.
Nothing here does arithmetic of its own: quotes are priced by :func:`tco.quote.price_quote`.
Reading catalog directories and request files is the only file I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tco.catalog import Catalog, CatalogVersion, catalog_digest, parse_catalog
from tco.errors import ConflictError, InputFileError, NotFoundError, Problem, TcoError
from tco.quote import (
    Change,
    PricedQuote,
    QuoteStatus,
    QuoteSummary,
    QuoteVersion,
    apply_changes,
    check_transition,
    diff_versions,
    effective_status,
    price_quote,
    request_json,
)
from tco.render.info import QuoteInfo
from tco.results import ScenarioResult
from tco.scenario import Scenario, read_file
from tco.store.uow import UnitOfWork

DEMO_DIR = Path(__file__).parent / "data" / "demo"
_SECTIONS = ("products", "service_plans", "price_books")


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Catalog


def read_catalog_dir(directory: str | Path) -> Catalog:
    """Read every ``*.yaml``/``*.yml``/``*.json`` file of a directory into one catalog.

    Each file may hold ``products``, ``service_plans``, ``price_books`` and (in one file only)
    ``defaults``. Problems are named by file and path.
    """
    root = Path(directory)
    if not root.is_dir():
        raise InputFileError([Problem(str(root), "is not a directory")])
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    if not files:
        raise InputFileError([Problem(str(root), "holds no .yaml, .yml or .json files")])
    merged: dict[str, Any] = {k: [] for k in _SECTIONS}
    origin: dict[str, list[str]] = {k: [] for k in _SECTIONS}
    problems: list[Problem] = []
    defaults_from: str | None = None
    for f in files:
        data = read_file(f)
        if data is None:
            continue
        if not isinstance(data, Mapping):
            problems.append(Problem(f.name, "must be a mapping of products, service_plans, ..."))
            continue
        for key, value in data.items():
            if key == "defaults":
                if defaults_from is not None:
                    problems.append(
                        Problem(f"{f.name}: defaults", f"also given in {defaults_from}")
                    )
                defaults_from = f.name
                merged["defaults"] = value
            elif key in _SECTIONS and isinstance(value, list):
                merged[key].extend(value)
                origin[key].extend([f.name] * len(value))
            elif key in _SECTIONS:
                problems.append(Problem(f"{f.name}: {key}", "must be a list"))
            else:
                problems.append(
                    Problem(
                        f"{f.name}: {key}",
                        "unknown section (products, service_plans, price_books, defaults)",
                    )
                )
    if problems:
        raise InputFileError(problems)
    try:
        return parse_catalog(merged)
    except TcoError as exc:
        raise type(exc)([_in_file(p, origin) for p in exc.problems]) from None


def _in_file(problem: Problem, origin: Mapping[str, list[str]]) -> Problem:
    """``products[3].sku`` -> ``compressors.yaml: products[1].sku`` (index within the file)."""
    head, _, rest = problem.path.partition("[")
    if head in origin and rest[:1].isdigit():
        idx_text, _, tail = rest.partition("]")
        idx = int(idx_text)
        files = origin[head]
        if idx < len(files):
            local = idx - files.index(files[idx])
            return Problem(f"{files[idx]}: {head}[{local}]{tail}", problem.message)
    return problem


@dataclass(frozen=True)
class ImportOutcome:
    version: CatalogVersion
    created: bool


def import_catalog(
    uow: UnitOfWork, catalog: Catalog, *, source: str, by: str, now: datetime | None = None
) -> ImportOutcome:
    """Store a catalog as a new version unless it equals the latest one."""
    digest = catalog_digest(catalog)
    with uow:
        latest = uow.catalogs.latest()
        if latest is not None and latest[0].digest == digest:
            return ImportOutcome(latest[0], created=False)
        info = uow.catalogs.add(catalog, digest=digest, source=source, by=by, at=now or utc_now())
        uow.commit()
        return ImportOutcome(info, created=True)


def current_catalog(uow: UnitOfWork) -> tuple[CatalogVersion, Catalog]:
    with uow:
        latest = uow.catalogs.latest()
    if latest is None:
        raise NotFoundError(
            [Problem("catalog", "no catalog imported yet: run 'tco catalog import DIR'")]
        )
    return latest


def catalog_versions(uow: UnitOfWork) -> list[CatalogVersion]:
    with uow:
        return uow.catalogs.versions()


# --------------------------------------------------------------------------------------------
# Quotes


@dataclass(frozen=True)
class QuoteView:
    """A quote's header (with the status as of ``today``) and one of its versions."""

    summary: QuoteSummary
    version: QuoteVersion


def _summary_of(
    number: str,
    priced: PricedQuote,
    *,
    status: QuoteStatus,
    tenant: str,
    created: tuple[datetime, str],
    updated: tuple[datetime, str],
    current_version: int,
) -> QuoteSummary:
    req = priced.built.request
    return QuoteSummary(
        number=number,
        tenant=tenant,
        customer=req.customer.name,
        seller=req.seller,
        title=req.title,
        currency=req.currency,
        status=status,
        current_version=current_version,
        as_of=req.as_of,
        valid_until=req.validity_end,
        recommended=priced.result.comparison.recommended,
        created_at=created[0],
        created_by=created[1],
        updated_at=updated[0],
        updated_by=updated[1],
    )


def _version_of(
    number: str,
    version: int,
    priced: PricedQuote,
    catalog_version: int | None,
    by: str,
    at: datetime,
    note: str,
) -> QuoteVersion:
    b = priced.built
    return QuoteVersion(
        number=number,
        version=version,
        created_at=at,
        created_by=by,
        catalog_version=catalog_version,
        engine_version=priced.result.method.engine_version,
        request=request_json(b.request),
        snapshot=b.snapshot,
        scenario=b.scenario,
        result=priced.result,
        price_sheets=b.price_sheets,
        recommendation=priced.recommendation,
        note=note,
    )


def create_quote(
    uow: UnitOfWork, raw_request: Any, *, by: str, now: datetime | None = None, note: str = ""
) -> QuoteView:
    """Price a request against the latest catalog and save it as version 1 of a new number.

    The number (``Q-<year of as_of>-<5 digits>``) is drawn in the same transaction as the
    quote is saved.
    """
    at = now or utc_now()
    with uow:
        latest = uow.catalogs.latest()
        if latest is None:
            raise NotFoundError(
                [Problem("catalog", "no catalog imported yet: run 'tco catalog import DIR'")]
            )
        info, catalog = latest
        priced = price_quote(raw_request, catalog)
        number, seq = uow.quotes.next_number(priced.built.request.as_of.year)
        summary = _summary_of(
            number,
            priced,
            status=QuoteStatus.draft,
            tenant=uow.tenant,
            created=(at, by),
            updated=(at, by),
            current_version=1,
        )
        version = _version_of(number, 1, priced, info.version, by, at, note)
        uow.quotes.add(summary, priced.built.request.as_of.year, seq, version)
        uow.commit()
    return QuoteView(summary, version)


def revise_quote(
    uow: UnitOfWork,
    number: str,
    changes: Any,
    *,
    by: str,
    now: datetime | None = None,
    reprice: bool = False,
    note: str = "",
) -> QuoteView:
    """Save version n+1: the latest request with ``changes`` merged in.

    Prices come from the previous version's catalog snapshot, or from the latest catalog with
    ``reprice``. Accepted, rejected and expired quotes cannot be revised; a sent quote returns
    to draft.
    """
    if not isinstance(changes, Mapping):
        raise InputFileError([Problem("changes", "must be a mapping of request fields")])
    at = now or utc_now()
    with uow:
        summary = uow.quotes.get_for_update(number)
        if summary.status not in (QuoteStatus.draft, QuoteStatus.sent):
            raise ConflictError(
                [
                    Problem(
                        "status", f"quote {number} is {summary.status.value}; it cannot be revised"
                    )
                ]
            )
        previous = uow.quotes.version(number, summary.current_version)
        raw = apply_changes(previous.request, changes)
        catalog_version = previous.catalog_version
        catalog = previous.snapshot
        if reprice:
            latest = uow.catalogs.latest()
            if latest is not None:
                catalog_version, catalog = latest[0].version, latest[1]
        priced = price_quote(raw, catalog)
        n = summary.current_version + 1
        new_summary = _summary_of(
            number,
            priced,
            status=QuoteStatus.draft,
            tenant=uow.tenant,
            created=(summary.created_at, summary.created_by),
            updated=(at, by),
            current_version=n,
        )
        version = _version_of(number, n, priced, catalog_version, by, at, note)
        uow.quotes.add_version(new_summary, version)
        uow.commit()
    return QuoteView(new_summary, version)


def _today_view(summary: QuoteSummary, today: date) -> QuoteSummary:
    status = effective_status(summary.status, summary.valid_until, today)
    return summary if status == summary.status else summary.model_copy(update={"status": status})


def show_quote(
    uow: UnitOfWork, number: str, *, version: int | None = None, today: date | None = None
) -> QuoteView:
    with uow:
        summary = uow.quotes.get(number)
        v = uow.quotes.version(number, version)
    return QuoteView(_today_view(summary, today or utc_now().date()), v)


def list_quotes(
    uow: UnitOfWork,
    *,
    status: QuoteStatus | None = None,
    customer: str | None = None,
    today: date | None = None,
) -> list[QuoteSummary]:
    """Quotes of the tenant, filtered by status (as of ``today``) and customer (substring)."""
    day = today or utc_now().date()
    with uow:
        rows = uow.quotes.search(customer=customer)
    shown = [_today_view(s, day) for s in rows]
    return [s for s in shown if status is None or s.status == status]


def change_status(
    uow: UnitOfWork,
    number: str,
    status: QuoteStatus,
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> QuoteSummary:
    at = now or utc_now()
    with uow:
        summary = uow.quotes.get_for_update(number)
        check_transition(number, summary.status, status, summary.valid_until, today or at.date())
        uow.quotes.set_status(number, status, by=by, at=at)
        uow.commit()
        return uow.quotes.get(number)


def diff_quote(uow: UnitOfWork, number: str, v1: int, v2: int) -> tuple[Change, ...]:
    with uow:
        a = uow.quotes.version(number, v1)
        b = uow.quotes.version(number, v2)
    return diff_versions(a.request, a.result, b.request, b.result)


def quote_history(uow: UnitOfWork, number: str) -> list[dict[str, Any]]:
    with uow:
        return uow.quotes.events(number)


def reproduce(version: QuoteVersion) -> ScenarioResult:
    """Price a saved version again from its own request and catalog snapshot."""
    return price_quote(version.request, version.snapshot).result


@dataclass(frozen=True)
class ExportData:
    scenario: Scenario
    result: ScenarioResult
    info: QuoteInfo
    locale: str


def export_data(uow: UnitOfWork, number: str, version: int | None = None) -> ExportData:
    """What the workbook and document renderers need for one saved version."""
    view = show_quote(uow, number, version=version)
    req = view.version.request
    return ExportData(
        scenario=view.version.scenario,
        result=view.version.result,
        info=QuoteInfo(
            title=view.summary.title or None,
            number=number,
            version=view.version.version,
            customer=view.summary.customer,
            seller=view.summary.seller,
            issued=view.summary.as_of,
            valid_until=view.summary.valid_until,
            terms=view.version.recommendation,
        ),
        locale=str(req.get("locale", "en")),
    )


# --------------------------------------------------------------------------------------------
# Demo data


@dataclass(frozen=True)
class DemoOutcome:
    catalog: ImportOutcome
    quotes: tuple[str, ...]


def load_demo(uow: UnitOfWork, *, by: str = "demo", now: datetime | None = None) -> DemoOutcome:
    """Load the demo catalog and demo quote requests; idempotent.

    The catalog is imported unless identical to the latest version; the demo quotes are created
    only when the tenant has no quotes yet.
    """
    catalog = read_catalog_dir(DEMO_DIR / "catalog")
    outcome = import_catalog(uow, catalog, source="demo", by=by, now=now)
    with uow:
        existing = uow.quotes.count()
    numbers: list[str] = []
    if existing == 0:
        for path in sorted((DEMO_DIR / "requests").glob("*.yaml")):
            view = create_quote(uow, read_file(path), by=by, now=now, note=f"demo: {path.name}")
            numbers.append(view.summary.number)
    return DemoOutcome(outcome, tuple(numbers))
