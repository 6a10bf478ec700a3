"""The ledger's repository: promises, assets and events of one tenant, as domain objects.

Another tenant's asset is "not found" (:class:`~tco.core.errors.NotFoundError`), never shown.
Events are inserted in bulk (PostgreSQL: ``COPY``; others: one multi-row ``INSERT``) after the
service has checked them; the unique ``(tenant, event_id)`` is the last line of defence against
an event counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Integer, String, any_, bindparam, func, insert, select
from sqlalchemy.orm import Session

from tco.core.errors import NotFoundError, Problem
from tco.ledger.events import ContactKind, Event, EventInput, EventKind, Payer
from tco.ledger.promise import Promise, UnitSpec
from tco.ledger.tracking import AssetRecord
from tco.store.ledger_models import AssetEventRow, AssetRow, LedgerPromiseRow

#: Event ids looked up per query when checking an import against what is recorded.
CHUNK = 5000
_EVENT_COLUMNS = (
    "tenant",
    "asset_id",
    "event_id",
    "kind",
    "occurred_on",
    "hours",
    "cost",
    "payer",
    "downtime_hours",
    "kwh",
    "contact",
    "note",
    "digest",
    "recorded_at",
    "recorded_by",
)


_EVENT_READ = (
    AssetEventRow.event_id,
    AssetEventRow.asset_id,
    AssetEventRow.kind,
    AssetEventRow.occurred_on,
    AssetEventRow.hours,
    AssetEventRow.cost,
    AssetEventRow.payer,
    AssetEventRow.downtime_hours,
    AssetEventRow.kwh,
    AssetEventRow.contact,
    AssetEventRow.note,
)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


_ASSET_READ = tuple(
    getattr(AssetRow, name)
    for name in (
        "id",
        "customer",
        "quote_number",
        "quote_version",
        "offer_id",
        "unit",
        "units",
        "sku",
        "product_name",
        "serial_number",
        "commissioned_on",
        "accepted_on",
        "mtbf_hours",
        "shape",
        "promise_id",
    )
)


def _asset(row: Any) -> AssetRecord:
    """An asset of a row of :data:`_ASSET_READ` columns, or an :class:`AssetRow`."""
    return AssetRecord(
        id=row.id,
        customer=row.customer,
        quote_number=row.quote_number,
        quote_version=row.quote_version,
        offer_id=row.offer_id,
        unit=row.unit,
        units=row.units,
        sku=row.sku,
        product_name=row.product_name,
        serial_number=row.serial_number,
        commissioned_on=row.commissioned_on,
        accepted_on=row.accepted_on,
        mtbf_hours=_float(row.mtbf_hours),
        shape=_float(row.shape),
        promise_id=row.promise_id,
    )


_KINDS = {k.value: k for k in EventKind}
_PAYERS: dict[str | None, Payer | None] = {p.value: p for p in Payer}
_CONTACTS: dict[str | None, ContactKind | None] = {c.value: c for c in ContactKind}


def _event(row: Any) -> Event:
    event_id, asset_id, kind, day, hours, cost, payer, downtime, kwh, contact, note = row
    return Event(
        event_id,
        asset_id,
        _KINDS[kind],
        day,
        hours,
        cost,
        _PAYERS.get(payer),
        downtime,
        kwh,
        _CONTACTS.get(contact),
        note,
    )


class LedgerRepository:
    """Promises, assets and events of one tenant (shares the unit of work's session)."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant
        self._promises: dict[int, Promise] = {}

    # -- promises and assets --------------------------------------------------------------

    def add_assets(
        self,
        promise: Promise,
        units: Sequence[UnitSpec],
        *,
        customer: str,
        commissioned_on: date,
        by: str,
        at: datetime,
    ) -> list[AssetRecord]:
        """Save a promise and one asset per unit (the caller checks they are not there yet)."""
        prow = LedgerPromiseRow(
            tenant=self.tenant,
            quote_number=promise.quote_number,
            quote_version=promise.quote_version,
            offer_id=promise.offer_id,
            currency=promise.currency,
            document=promise.model_dump(mode="json"),
            created_at=at,
        )
        self.session.add(prow)
        self.session.flush()
        rows = [
            AssetRow(
                tenant=self.tenant,
                promise_id=prow.id,
                customer=customer,
                quote_number=promise.quote_number,
                quote_version=promise.quote_version,
                offer_id=promise.offer_id,
                unit=u.unit,
                units=len(units),
                sku=u.sku,
                product_name=u.product_name[:200],
                serial_number=None,
                commissioned_on=commissioned_on,
                accepted_on=commissioned_on,
                mtbf_hours=Decimal(repr(u.mtbf_hours)) if u.mtbf_hours is not None else None,
                shape=Decimal(repr(u.shape)) if u.shape is not None else None,
                created_at=at,
                created_by=by,
                updated_at=at,
                updated_by=by,
            )
            for u in units
        ]
        self.session.add_all(rows)
        self.session.flush()
        return [_asset(r) for r in rows]

    def has_assets(self, quote_number: str) -> bool:
        stmt = select(AssetRow.id).where(
            AssetRow.tenant == self.tenant, AssetRow.quote_number == quote_number
        )
        return self.session.scalars(stmt.limit(1)).first() is not None

    def _row(self, asset_id: int, *, lock: bool = False) -> AssetRow:
        stmt = select(AssetRow).where(AssetRow.tenant == self.tenant, AssetRow.id == asset_id)
        row = self.session.scalars(stmt.with_for_update() if lock else stmt).first()
        if row is None:
            raise NotFoundError([Problem("asset", f"no asset {asset_id}")])
        return row

    def asset(self, asset_id: int) -> AssetRecord:
        return _asset(self._row(asset_id))

    def assets(
        self,
        *,
        customer: str | None = None,
        sku: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[AssetRecord]:
        """Assets by id; ``customer`` matches part of the name (any case)."""
        stmt = select(*_ASSET_READ).where(AssetRow.tenant == self.tenant)
        if customer:
            stmt = stmt.where(func.lower(AssetRow.customer).contains(customer.lower()))
        if sku:
            stmt = stmt.where(AssetRow.sku == sku)
        stmt = stmt.order_by(AssetRow.id).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_asset(r) for r in self.session.connection().execute(stmt)]

    def count_assets(self, *, customer: str | None = None) -> int:
        stmt = select(func.count()).select_from(AssetRow).where(AssetRow.tenant == self.tenant)
        if customer:
            stmt = stmt.where(func.lower(AssetRow.customer).contains(customer.lower()))
        return int(self.session.scalar(stmt) or 0)

    def edit_asset(
        self,
        asset_id: int,
        *,
        commissioned_on: date | None,
        serial_number: str | None,
        by: str,
        at: datetime,
    ) -> AssetRecord:
        """Change the commissioning date and/or serial number (None: leave as it is; an empty
        serial number removes it)."""
        row = self._row(asset_id, lock=True)
        if commissioned_on is not None:
            row.commissioned_on = commissioned_on
        if serial_number is not None:
            row.serial_number = serial_number or None
        row.updated_at = at
        row.updated_by = by
        self.session.flush()
        return _asset(row)

    def promises(self, ids: Iterable[int]) -> dict[int, Promise]:
        """Promises by id (read once per repository)."""
        wanted = set(ids) - set(self._promises)
        if wanted:
            stmt = select(LedgerPromiseRow.id, LedgerPromiseRow.document).where(
                LedgerPromiseRow.tenant == self.tenant, LedgerPromiseRow.id.in_(wanted)
            )
            for pid, doc in self.session.execute(stmt):
                self._promises[pid] = Promise.model_validate(doc)
        return {i: self._promises[i] for i in ids if i in self._promises}

    def promise(self, promise_id: int) -> Promise:
        return self.promises([promise_id])[promise_id]

    # -- events ---------------------------------------------------------------------------

    def _among(self, column: Any, values: list[Any], kind: Any) -> list[Any]:
        """Conditions ``column`` in ``values``: one array parameter on PostgreSQL, chunks of
        :data:`CHUNK` parameters elsewhere."""
        if self.session.get_bind().dialect.name == "postgresql":
            return [column == any_(bindparam("v", values, type_=ARRAY(kind)))]
        return [column.in_(values[i : i + CHUNK]) for i in range(0, len(values), CHUNK)]

    def known_assets(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` are assets of this tenant."""
        found: set[int] = set()
        for among in self._among(AssetRow.id, sorted(set(ids)), Integer):
            stmt = select(AssetRow.id).where(AssetRow.tenant == self.tenant, among)
            found.update(self.session.scalars(stmt))
        return found

    def digests(self, event_ids: Iterable[str]) -> dict[str, str]:
        """The content digests of those of ``event_ids`` this tenant has recorded."""
        out: dict[str, str] = {}
        t = AssetEventRow
        for among in self._among(t.event_id, sorted(set(event_ids)), String):
            stmt = select(t.event_id, t.digest).where(t.tenant == self.tenant, among)
            out.update((row[0], row[1]) for row in self.session.execute(stmt))
        return out

    def add_events(self, events: Sequence[tuple[EventInput, str]], *, by: str, at: datetime) -> int:
        """Insert checked, new events (each with its content digest); the number inserted."""
        rows = [
            (
                self.tenant,
                e.asset_id,
                e.event_id,
                e.kind.value,
                e.date,
                e.hours,
                e.cost,
                e.payer.value if e.payer else None,
                e.downtime_hours,
                e.kwh,
                e.contact.value if e.contact else None,
                e.note,
                digest,
                at,
                by,
            )
            for e, digest in events
        ]
        if not rows:
            return 0
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            assert raw is not None
            columns = ", ".join(_EVENT_COLUMNS)
            with raw.cursor() as cur, cur.copy(f"COPY asset_events ({columns}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        else:
            self.session.execute(
                insert(AssetEventRow), [dict(zip(_EVENT_COLUMNS, r, strict=True)) for r in rows]
            )
        return len(rows)

    def events(
        self, asset_ids: Iterable[int] | None = None, *, until: date | None = None
    ) -> dict[int, list[Event]]:
        """Events by asset, in the order they happened (then recorded); all of the tenant's
        assets when ``asset_ids`` is None; up to ``until`` when given."""
        t = AssetEventRow
        stmt = select(*_EVENT_READ).where(t.tenant == self.tenant)
        if until is not None:
            stmt = stmt.where(t.occurred_on <= until)
        ids = None if asset_ids is None else sorted(set(asset_ids))
        out: dict[int, list[Event]] = {i: [] for i in ids} if ids is not None else {}
        conditions = [None] if ids is None else self._among(t.asset_id, ids, Integer)
        connection = self.session.connection()
        for among in conditions:
            query = stmt if among is None else stmt.where(among)
            for row in connection.execute(query.order_by(t.occurred_on, t.id)):
                out.setdefault(row[1], []).append(_event(row))
        return out

    def recorded(self, asset_id: int) -> list[tuple[Event, datetime, str]]:
        """An asset's events with when and by whom they were recorded, newest first."""
        t = AssetEventRow
        stmt = (
            select(*_EVENT_READ, t.recorded_at, t.recorded_by)
            .where(t.tenant == self.tenant, t.asset_id == asset_id)
            .order_by(t.occurred_on.desc(), t.id.desc())
        )
        out: list[tuple[Event, datetime, str]] = []
        for row in self.session.execute(stmt):
            *fields, at, by = row
            out.append((_event(fields), _utc(at), str(by)))
        return out
