"""The service layer: what the salesperson's command line (and later the HTTP API) can do.

Each service takes a :class:`~tco.store.uow.UnitOfWork` (one tenant, one transaction), the
acting user (``by``) and the time (``now``, ``today``), calls the core and commits explicitly.
Nothing here does arithmetic of its own: quotes are priced by
:func:`tco.quoting.builder.price_quote`.
Reading catalog directories and request files is the only file I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tco.core.errors import (
    ConflictError,
    InputFileError,
    NotFoundError,
    Problem,
    TcoError,
    format_path,
)
from tco.core.results import ScenarioResult
from tco.core.scenario import Scenario, read_file
from tco.ledger_services import create_assets
from tco.presenters.i18n import quote_words
from tco.presenters.info import QuoteInfo
from tco.presenters.ledger_text import field_basis_notes
from tco.presenters.sentences import recommendation
from tco.quoting.approval import ApprovalState, DiscountLimits, check_can_send, largest_discount
from tco.quoting.builder import BuiltQuote, PricedQuote, price_quote, rebuild
from tco.quoting.catalog import (
    Catalog,
    CatalogChanges,
    CatalogError,
    CatalogVersion,
    catalog_digest,
    catalog_json,
    merge_catalogs,
    parse_catalog,
    problem_message,
)
from tco.quoting.customers import customer_id_of, with_customer
from tco.quoting.pipeline import lifetime_saving, quote_value
from tco.quoting.requests import parse_request, request_json
from tco.quoting.versions import (
    Change,
    QuoteStatus,
    QuoteSummary,
    QuoteVersion,
    apply_changes,
    check_transition,
    diff_versions,
    effective_status,
)
from tco.store.desk import DeskRepository
from tco.store.uow import UnitOfWork

DEMO_DIR = Path(__file__).parent / "data" / "demo"
_SECTIONS = ("products", "service_plans", "price_books")


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Catalog


def read_catalog_dir(directory: str | Path) -> Catalog:
    """Read every ``*.yaml``/``*.yml``/``*.json`` file of a directory into one whole catalog.

    Each file may hold ``products``, ``service_plans``, ``price_books`` and (in one file only)
    ``defaults``. Problems are named by file and path.
    """
    raw, origin = _read_catalog_files(directory)
    try:
        return parse_catalog(raw)
    except TcoError as exc:
        raise _in_files(exc, origin) from None


def _read_catalog_files(directory: str | Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The sections of all files of a directory as one plain catalog, and the file of each item
    (``origin["products"][3]`` is the file of the fourth product)."""
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
    return merged, origin


def _in_files(exc: TcoError, origin: Mapping[str, list[str]]) -> TcoError:
    return type(exc)([_in_file(p, origin) for p in exc.problems])


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


def parse_catalog_items(raw: Any) -> Catalog:
    """Validate the products, service plans, price books and defaults of an import one by one.

    What holds only for a whole catalog (unique keys, price book entries naming a known item,
    ...) is checked on the catalog the import makes (:func:`import_catalog`): an import may
    price a product of the current catalog without repeating it.
    """
    if not isinstance(raw, Mapping):
        raise CatalogError(
            [Problem("", "a catalog must be a mapping with products, service_plans, price_books")]
        )
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(
            [Problem(format_path(e["loc"]), problem_message(e)) for e in exc.errors()]
        ) from None


@dataclass(frozen=True)
class ImportOutcome:
    """The catalog version after an import, whether the import made it, and what changed.

    ``previous`` is the version the import was merged into (or replaced); None for the first.
    """

    version: CatalogVersion
    created: bool
    changes: CatalogChanges
    previous: int | None = None


def import_catalog(
    uow: UnitOfWork,
    catalog: Catalog,
    *,
    source: str,
    by: str,
    now: datetime | None = None,
    replace: bool = False,
) -> ImportOutcome:
    """Store the catalog an import makes as a new version unless it equals the latest one.

    By default the import is merged into the latest version
    (:func:`tco.quoting.catalog.merge_catalogs`:
    imported products, plans and price books replace those with their key or are added, the
    others are kept); with ``replace`` it is the whole new catalog. Either way the new catalog
    is validated as a whole before anything is saved. A catalog equal to the latest version
    (same digest, or the same items in the same order with equal values) makes no new one.
    """
    with uow:
        latest = uow.catalogs.latest()
        previous = latest[1] if latest is not None else Catalog()
        before = latest[0].version if latest is not None else None
        if replace:
            new = parse_catalog(catalog_json(catalog))
            changes = CatalogChanges.between(previous, new, mode="replace")
        else:
            new, changes = merge_catalogs(previous, catalog)
        digest = catalog_digest(new)
        if latest is not None and (latest[0].digest == digest or new == previous):
            return ImportOutcome(latest[0], created=False, changes=changes, previous=before)
        info = uow.catalogs.add(new, digest=digest, source=source, by=by, at=now or utc_now())
        uow.commit()
        return ImportOutcome(info, created=True, changes=changes, previous=before)


def import_catalog_data(
    uow: UnitOfWork,
    raw: Any,
    *,
    source: str,
    by: str,
    now: datetime | None = None,
    replace: bool = False,
) -> ImportOutcome:
    """:func:`import_catalog` of plain data (an API body): a whole catalog with ``replace``,
    otherwise any part of one."""
    catalog = parse_catalog(raw) if replace else parse_catalog_items(raw)
    return import_catalog(uow, catalog, source=source, by=by, now=now, replace=replace)


def import_catalog_dir(
    uow: UnitOfWork,
    directory: str | Path,
    *,
    by: str,
    now: datetime | None = None,
    replace: bool = False,
) -> ImportOutcome:
    """:func:`import_catalog_data` of a catalog directory; problems are named by file."""
    raw, origin = _read_catalog_files(directory)
    try:
        return import_catalog_data(uow, raw, source=str(directory), by=by, now=now, replace=replace)
    except CatalogError as exc:
        raise _in_files(exc, origin) from None


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
        customer_id=req.customer.id,
        value=quote_value(priced.result, priced.built.price_sheets),
        saving=round(lifetime_saving(priced.result), 6),  # as the quote's header keeps it
    )


def desk_repository(uow: UnitOfWork) -> DeskRepository:
    """The desk's repository (customers, templates, ...) on the unit of work's transaction."""
    return DeskRepository(uow.quotes.session, uow.tenant)


def _with_customer_record(uow: UnitOfWork, raw_request: Any) -> Any:
    """The request with the name and segment of the customer record it points to (if any)."""
    number = customer_id_of(raw_request)
    if number is None:
        return raw_request
    return with_customer(raw_request, desk_repository(uow).find_customer(number))


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
        # a record of what the quote recommended, in English; pages and documents say it in
        # their reader's language from the saved result (tco.presenters.sentences)
        recommendation=recommendation(b.scenario, priced.result, "en"),
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
        priced = price_quote(_with_customer_record(uow, raw_request), catalog, quote_words)
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
    expected_version: int | None = None,
) -> QuoteView:
    """Save version n+1: the latest request with ``changes`` merged in.

    Prices come from the previous version's catalog snapshot, or from the latest catalog with
    ``reprice``; a sku or plan the latest catalog no longer has is a :class:`NotFoundError`
    naming it, where it is used and the catalog version. Accepted, rejected and expired quotes
    cannot be revised; a sent quote returns to draft.

    ``expected_version`` is the version the changes were made on: when the quote has another
    version by now (someone else revised it meanwhile), nothing is saved and a
    :class:`ConflictError` at path ``version`` says which. None (the default) revises whatever
    version is the latest.
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
        if expected_version is not None and expected_version != summary.current_version:
            raise ConflictError(
                [
                    Problem(
                        "version",
                        f"quote {number} is at version {summary.current_version}; these "
                        f"changes were made on version {expected_version}",
                    )
                ]
            )
        previous = uow.quotes.version(number, summary.current_version)
        raw = _with_customer_record(uow, apply_changes(previous.request, changes))
        catalog_version = previous.catalog_version
        catalog = previous.snapshot
        repriced = False
        if reprice:
            latest = uow.catalogs.latest()
            if latest is not None:
                catalog_version, catalog = latest[0].version, latest[1]
                repriced = True
        try:
            priced = price_quote(raw, catalog, quote_words)
        except NotFoundError as exc:
            if not repriced:
                raise
            raise _not_in_current(exc, raw, catalog, catalog_version, previous) from None
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


def _not_in_current(
    exc: NotFoundError,
    raw: Any,
    catalog: Catalog,
    catalog_version: int | None,
    previous: QuoteVersion,
) -> NotFoundError:
    """Say which sku or plan code of a repriced quote the current catalog does not have."""
    request, _ = parse_request(raw, catalog)
    missing: dict[str, Problem] = {}

    def note(path: str, code: str, kind: str, was_there: bool) -> None:
        text = f"'{code}' is not in the current catalog (version {catalog_version})"
        if was_there:
            text += "; it was removed from the catalog"
            if previous.catalog_version is not None:
                text += f" (this quote was priced with version {previous.catalog_version})"
        else:
            text = f"unknown {kind}: {text}"
        missing[path] = Problem(path, text)

    for i, offer in enumerate(request.offers):
        for j, eq in enumerate(offer.equipment):
            if eq.sku is not None and catalog.product(eq.sku) is None:
                was_there = previous.snapshot.product(eq.sku) is not None
                note(f"offers[{i}].equipment[{j}].sku", eq.sku, "sku", was_there)
        code = offer.service_plan
        if code is not None and catalog.plan(code) is None:
            was_there = previous.snapshot.plan(code) is not None
            note(f"offers[{i}].service_plan", code, "service plan", was_there)
    return NotFoundError([missing.get(p.path, p) for p in exc.problems])


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
    customer_id: int | None = None,
) -> list[QuoteSummary]:
    """Quotes of the tenant, filtered by status (as of ``today``), customer (substring of the
    name) and customer record (``customer_id``)."""
    day = today or utc_now().date()
    with uow:
        rows = uow.quotes.search(customer=customer, customer_id=customer_id)
    shown = [_today_view(s, day) for s in rows]
    return [s for s in shown if status is None or s.status == status]


def approval_state(
    uow: UnitOfWork, number: str, limits: DiscountLimits, version: int | None = None
) -> ApprovalState:
    """What a version's discount needs (default: the current version), in an open ``with uow``:
    its largest discount, the salesperson's limit and the version's approval."""
    v = uow.quotes.version(number, version)
    return ApprovalState(
        discount=largest_discount(v.request),
        limit=limits.sales,
        approval=desk_repository(uow).approval(number, v.version),
    )


def change_status(
    uow: UnitOfWork,
    number: str,
    status: QuoteStatus,
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
    limits: DiscountLimits | None = None,
    offer: str | None = None,
) -> QuoteSummary:
    """Change a quote's status as :data:`~tco.quoting.versions.TRANSITIONS` allow. A quote
    whose discount is above the salesperson's limit (``limits``) becomes ``sent`` only once
    its current version is approved (:mod:`tco.quoting.approval`). An acceptance installs one
    asset per unit of the ``offer`` the buyer chose (its id; the recommended one when not
    named); nothing is saved when that offer does not exist."""
    at = now or utc_now()
    if offer is not None and status != QuoteStatus.accepted:
        raise TcoError([Problem("offer", "only an acceptance names the offer the buyer chose")])
    with uow:
        summary = uow.quotes.get_for_update(number)
        check_transition(number, summary.status, status, summary.valid_until, today or at.date())
        if status == QuoteStatus.sent:
            state = approval_state(uow, number, limits or DiscountLimits())
            check_can_send(number, summary.current_version, state)
        uow.quotes.set_status(number, status, by=by, at=at)
        if status == QuoteStatus.accepted:  # the installed units, in the same transaction
            accepted_on = today or at.date()
            create_assets(uow, number, by=by, at=at, accepted_on=accepted_on, offer_id=offer)
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
    return price_quote(version.request, version.snapshot, quote_words).result


@dataclass(frozen=True)
class ExportData:
    scenario: Scenario
    result: ScenarioResult
    info: QuoteInfo
    locale: str


def export_data(
    uow: UnitOfWork, number: str, version: int | None = None, *, locale: str | None = None
) -> ExportData:
    """What the workbook and document renderers need for one saved version, in ``locale``
    (default: the quote's), with the seller's company profile as its letterhead."""
    with uow:
        return export_data_open(uow, number, version, locale=locale)


def export_data_open(
    uow: UnitOfWork, number: str, version: int | None = None, *, locale: str | None = None
) -> ExportData:
    """:func:`export_data` inside an open ``with uow`` (the caller's transaction)."""
    view = QuoteView(uow.quotes.get(number), uow.quotes.version(number, version))
    company = desk_repository(uow).company()
    req = view.version.request
    loc = locale or str(req.get("locale", "en"))
    try:  # the coverage terms the version promised, from its own request and snapshot
        built: BuiltQuote | None = rebuild(req, view.version.snapshot, quote_words)
    except TcoError:  # a version saved under rules this one no longer builds: no terms shown
        built = None
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
            # the document states the recommendation itself, in the document's language
            coverage=built.coverage if built is not None else (),
            buyer_effort_counted=built.buyer_effort_counted if built is not None else True,
            terms=_field_basis(built, view.version.snapshot, loc),
            company=company,
        ),
        locale=loc,
    )


def _field_basis(built: BuiltQuote | None, snapshot: Catalog, locale: str) -> str | None:
    """What field-calibrated failure figures of the quote's products are based on (ledger)."""
    if built is None:
        return None
    skus = [e.sku for o in built.request.offers for e in o.equipment if e.sku is not None]
    return "\n".join(field_basis_notes(snapshot, skus, locale)) or None


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
