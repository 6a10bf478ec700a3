"""Services of the relationship ledger: assets of accepted quotes, their events, promised vs
actual, follow-up, field reliability and the review of a customer (docs/ledger.md).

Like :mod:`tco.services`, each service takes a unit of work (one tenant, one transaction), the
acting user (``by``) and the time (``now``, ``today``, ``as_of``), calls the pure ledger
(:mod:`tco.ledger`) and commits explicitly; a failure leaves nothing behind. An import is
checked whole before anything is written: one bad event imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tco.core.errors import ConflictError, NotFoundError, Problem
from tco.ledger import tracking
from tco.ledger.calibration import ProductReliability, calibrated_catalog, product_reliability
from tco.ledger.events import (
    Event,
    EventError,
    EventInput,
    parse_event,
    parse_events,
    parse_events_csv,
)
from tco.ledger.followup import CustomerFollowUp, Rules, follow_ups
from tco.ledger.promise import Promise, promise_of
from tco.ledger.reliability import DEFAULT_PRIOR_FAILURES
from tco.ledger.review import ReviewData
from tco.ledger.tracking import (
    AssetRecord,
    AssetStatus,
    CustomerStatus,
    asset_status,
    customer_statuses,
)
from tco.quoting.catalog import CatalogVersion, catalog_digest
from tco.store.ledger import LedgerRepository
from tco.store.uow import UnitOfWork

EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


def _now() -> datetime:
    return datetime.now(UTC)


def _repo(uow: UnitOfWork) -> LedgerRepository:
    """The ledger's repository on the unit of work's open transaction."""
    return LedgerRepository(uow.quotes.session, uow.tenant)


# --------------------------------------------------------------------------------------------
# Assets


def create_assets(
    uow: UnitOfWork,
    number: str,
    *,
    by: str,
    at: datetime,
    accepted_on: date,
    offer_id: str | None = None,
) -> list[AssetRecord]:
    """One asset per unit of an accepted quote's offer (its recommended one unless named),
    commissioned on ``accepted_on`` until edited; inside the caller's open transaction (the
    acceptance's), which commits. A quote that has assets gets none again."""
    repo = _repo(uow)
    if repo.has_assets(number):
        return []
    summary = uow.quotes.get(number)
    promise, units = promise_of(uow.quotes.version(number), offer_id)
    return repo.add_assets(
        promise, units, customer=summary.customer, commissioned_on=accepted_on, by=by, at=at
    )


def list_assets(
    uow: UnitOfWork, *, customer: str | None = None, limit: int | None = None, offset: int = 0
) -> tuple[list[AssetRecord], int]:
    """The tenant's assets (``customer``: part of the name) and how many there are in all."""
    with uow:
        repo = _repo(uow)
        return repo.assets(customer=customer, limit=limit, offset=offset), repo.count_assets(
            customer=customer
        )


def asset_record(uow: UnitOfWork, asset_id: int) -> AssetRecord:
    """One asset of the tenant (:class:`~tco.core.errors.NotFoundError` otherwise)."""
    with uow:
        return _repo(uow).asset(asset_id)


def asset_events(uow: UnitOfWork, asset_id: int) -> list[tuple[Event, datetime, str]]:
    """An asset's events, newest first, with when and by whom they were recorded."""
    with uow:
        repo = _repo(uow)
        repo.asset(asset_id)
        return repo.recorded(asset_id)


@dataclass(frozen=True)
class AssetView:
    """One asset: its promise, its status on ``as_of`` and its events (newest first, with when
    and by whom they were recorded)."""

    promise: Promise
    status: AssetStatus
    events: tuple[tuple[Event, datetime, str], ...]

    @property
    def asset(self) -> AssetRecord:
        return self.status.asset


def show_asset(
    uow: UnitOfWork,
    asset_id: int,
    *,
    as_of: date,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> AssetView:
    with uow:
        repo = _repo(uow)
        asset = repo.asset(asset_id)
        promise = repo.promise(asset.promise_id)
        recorded = repo.recorded(asset_id)
    status = asset_status(
        asset, promise, [e for e, _, _ in recorded], as_of, prior_failures=prior_failures
    )
    return AssetView(promise, status, tuple(recorded))


def edit_asset(
    uow: UnitOfWork,
    asset_id: int,
    *,
    commissioned_on: date | None = None,
    serial_number: str | None = None,
    by: str,
    now: datetime | None = None,
) -> AssetRecord:
    """Change an asset's commissioning date and/or serial number (empty: removed)."""
    problems = []
    if serial_number is not None and len(serial_number.strip()) > 100:
        problems.append(Problem("serial_number", "must be at most 100 characters"))
    if commissioned_on is not None and not EARLIEST <= commissioned_on <= LATEST:
        problems.append(Problem("commissioned_on", "must be between 2000-01-01 and 2199-12-31"))
    if problems:
        raise EventError(problems)
    with uow:
        record = _repo(uow).edit_asset(
            asset_id,
            commissioned_on=commissioned_on,
            serial_number=serial_number.strip() if serial_number is not None else None,
            by=by,
            at=now or _now(),
        )
        uow.commit()
    return record


def asset_statuses(
    uow: UnitOfWork,
    *,
    as_of: date,
    customer: str | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> tuple[list[AssetStatus], dict[int, Promise]]:
    """Every asset's status on ``as_of`` (``customer``: part of the name), and each asset's
    promise by asset id."""
    with uow:
        repo = _repo(uow)
        assets = repo.assets(customer=customer)
        promises = repo.promises({a.promise_id for a in assets})
        events = repo.events(None if customer is None else [a.id for a in assets], until=as_of)
    by_asset = {a.id: promises[a.promise_id] for a in assets}
    items = [(a, by_asset[a.id], events.get(a.id, [])) for a in assets]
    return tracking.asset_statuses(items, as_of, prior_failures=prior_failures), by_asset


def customers(
    uow: UnitOfWork,
    *,
    as_of: date,
    customer: str | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> list[CustomerStatus]:
    """Promised vs actual per customer on ``as_of``."""
    statuses, promises = asset_statuses(
        uow, as_of=as_of, customer=customer, prior_failures=prior_failures
    )
    return customer_statuses(statuses, {i: p.currency for i, p in promises.items()})


# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class RecordOutcome:
    """What an import or a single event did: events recorded now, and events already recorded
    with the same content (sent again: not counted twice)."""

    recorded: int
    already: int


def _check(
    repo: LedgerRepository, events: Sequence[EventInput], where: Sequence[str], today: date
) -> tuple[list[tuple[EventInput, str]], int]:
    """The events to insert and how many were there already; raises naming every problem."""
    problems: list[Problem] = []
    conflicts: list[Problem] = []
    known = repo.known_assets(e.asset_id for e in events)
    recorded = repo.digests(e.event_id for e in events)
    seen: dict[str, tuple[str, str]] = {}
    new: list[tuple[EventInput, str]] = []
    already = 0
    for e, at in zip(events, where, strict=True):
        if e.asset_id not in known:
            problems.append(Problem(f"{at}asset_id", f"no asset {e.asset_id}"))
        if e.date > today:
            problems.append(Problem(f"{at}date", f"{e.date.isoformat()} is after today"))
        digest = e.digest()
        if e.event_id in recorded or e.event_id in seen:
            first = recorded.get(e.event_id) or seen[e.event_id][0]
            if first == digest:
                already += 1
                continue
            before = "is recorded" if e.event_id in recorded else f"is on {seen[e.event_id][1]}"
            conflicts.append(
                Problem(
                    f"{at}event_id",
                    f"event {e.event_id} {before} with other content; an event is never "
                    "changed: send a correcting event with a new id",
                )
            )
            continue
        seen[e.event_id] = (digest, at.rstrip(": .") or "this request")
        new.append((e, digest))
    if problems or conflicts:
        raise (EventError if problems else ConflictError)([*problems, *conflicts])
    return new, already


def record_events(
    uow: UnitOfWork,
    events: Sequence[EventInput],
    *,
    where: Sequence[str] | None = None,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> RecordOutcome:
    """Record checked events, all or none. ``where`` prefixes each event's problems (its CSV
    line, its index); an event id already recorded with the same content is skipped, with
    other content a :class:`~tco.core.errors.ConflictError`."""
    at = now or _now()
    day = today or at.date()
    prefixes = list(where) if where is not None else [""] * len(events)
    with uow:
        repo = _repo(uow)
        new, already = _check(repo, events, prefixes, day)
        repo.add_events(new, by=by, at=at)
        uow.commit()
    return RecordOutcome(len(new), already)


def record_event(
    uow: UnitOfWork,
    raw: Mapping[str, Any],
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> RecordOutcome:
    """Record one event given as plain data (an API body, a form)."""
    event = parse_event(raw)
    return record_events(uow, [event], by=by, now=now, today=today)


def import_events_csv(
    uow: UnitOfWork, text: str, *, by: str, now: datetime | None = None, today: date | None = None
) -> RecordOutcome:
    """Import a CSV file of events (:func:`tco.ledger.events.parse_events_csv`): every problem
    is named by its line, and nothing is imported when there is one."""
    rows = parse_events_csv(text)
    where = [f"line {r.line}: " for r in rows]
    return record_events(uow, [r.event for r in rows], where=where, by=by, now=now, today=today)


def import_events_data(
    uow: UnitOfWork,
    raws: Sequence[Any],
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> RecordOutcome:
    """Import a list of events given as plain data; problems are named ``[i].field``."""
    events = parse_events(raws)
    where = [f"[{i}]." for i in range(len(events))]
    return record_events(uow, events, where=where, by=by, now=now, today=today)


# --------------------------------------------------------------------------------------------
# Follow-up, field reliability, review


def followup(
    uow: UnitOfWork,
    *,
    as_of: date,
    rules: Rules | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> list[CustomerFollowUp]:
    """What needs a seller's attention on ``as_of``, per customer."""
    statuses, promises = asset_statuses(uow, as_of=as_of, prior_failures=prior_failures)
    return follow_ups(statuses, promises, as_of, rules)


def field_reliability(
    uow: UnitOfWork, *, as_of: date, prior_failures: float = DEFAULT_PRIOR_FAILURES
) -> tuple[CatalogVersion, list[ProductReliability]]:
    """Per product of the current catalog, the reliability pooled over its installed units."""
    with uow:
        latest = uow.catalogs.latest()
    if latest is None:
        raise NotFoundError([Problem("catalog", "no catalog imported yet")])
    statuses, _ = asset_statuses(uow, as_of=as_of, prior_failures=prior_failures)
    return latest[0], product_reliability(latest[1], statuses, prior_failures=prior_failures)


@dataclass(frozen=True)
class CalibrationOutcome:
    version: CatalogVersion
    created: bool
    products: tuple[ProductReliability, ...]


def calibrate_catalog(
    uow: UnitOfWork,
    *,
    as_of: date,
    by: str,
    now: datetime | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> CalibrationOutcome:
    """Save the field-calibrated catalog as a new catalog version (none when nothing changes):
    new quotes are then priced with the field figures and say what they are based on."""
    _, products = field_reliability(uow, as_of=as_of, prior_failures=prior_failures)
    with uow:
        latest = uow.catalogs.latest()
        assert latest is not None
        info, catalog = latest
        new = calibrated_catalog(catalog, products, as_of)
        digest = catalog_digest(new)
        if not products or digest == info.digest:
            return CalibrationOutcome(info, False, tuple(products))
        source = f"field reliability as of {as_of.isoformat()} (catalog version {info.version})"
        created = uow.catalogs.add(new, digest=digest, source=source, by=by, at=now or _now())
        uow.commit()
    return CalibrationOutcome(created, True, tuple(products))


def review_data(
    uow: UnitOfWork,
    customer: str,
    *,
    as_of: date,
    rules: Rules | None = None,
    prior_failures: float = DEFAULT_PRIOR_FAILURES,
) -> ReviewData:
    """The review of one customer (exact name, any case) on ``as_of``."""
    statuses, promises = asset_statuses(
        uow, as_of=as_of, customer=customer, prior_failures=prior_failures
    )
    mine = [s for s in statuses if s.asset.customer.casefold() == customer.casefold()]
    if not mine:
        raise NotFoundError([Problem("customer", f"no assets of a customer '{customer}'")])
    ids = {s.asset.id for s in mine}
    groups = customer_statuses(mine, {i: p.currency for i, p in promises.items() if i in ids})
    return ReviewData(
        customer=groups[0],
        promises={i: promises[i] for i in ids},
        followup=tuple(follow_ups(mine, promises, as_of, rules)),
        as_of=as_of,
    )
