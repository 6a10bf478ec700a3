"""Tables of the relationship ledger (:mod:`tco.ledger`): promises, assets and service events.

Every row carries its ``tenant``. A promise is the per-unit cost profile of one accepted quote
version's offer (a JSON document, amounts as float64 projections); its assets are the units.
Events are append-only: the ORM refuses updates and deletes of :class:`AssetEventRow`, and the
sender's ``event_id`` is unique per tenant, so an event sent twice is stored once. Amounts,
hours and kWh are ``Numeric`` columns, never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from tco.core.errors import ConflictError, Problem
from tco.store.models import MONEY, TENANT, Base

HOURS = Numeric(12, 2, asdecimal=True)
KWH = Numeric(16, 3, asdecimal=True)
FIGURE = Numeric(16, 4, asdecimal=True)


class LedgerPromiseRow(Base):
    """The promised cost profile of one unit of an accepted quote version's offer."""

    __tablename__ = "ledger_promises"
    __table_args__ = (UniqueConstraint("tenant", "quote_number", "quote_version", "offer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    quote_number: Mapped[str] = mapped_column(String(32))
    quote_version: Mapped[int] = mapped_column(Integer)
    offer_id: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssetRow(Base):
    """One installed unit: its quote, promise, product, serial number and commissioning date."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("tenant", "quote_number", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("ledger_promises.id"), index=True)
    customer: Mapped[str] = mapped_column(String(200), index=True)
    quote_number: Mapped[str] = mapped_column(String(32))
    quote_version: Mapped[int] = mapped_column(Integer)
    offer_id: Mapped[str] = mapped_column(String(64))
    unit: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    serial_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    commissioned_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date] = mapped_column(Date)
    mtbf_hours: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    shape: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


class AssetEventRow(Base):
    """A service event as recorded: never changed, never deleted."""

    __tablename__ = "asset_events"
    __table_args__ = (
        UniqueConstraint("tenant", "event_id"),
        Index("ix_asset_events_asset_day", "asset_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(HOURS, nullable=True)
    cost: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    payer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    downtime_hours: Mapped[Decimal | None] = mapped_column(HOURS, nullable=True)
    kwh: Mapped[Decimal | None] = mapped_column(KWH, nullable=True)
    contact: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))


def _append_only(mapper: Mapper[Any], connection: Any, target: AssetEventRow) -> None:
    raise ConflictError(
        [Problem("event_id", f"event {target.event_id} is recorded and cannot change")]
    )


event.listen(AssetEventRow, "before_update", _append_only)
event.listen(AssetEventRow, "before_delete", _append_only)
