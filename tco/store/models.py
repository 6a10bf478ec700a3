"""Tables: SQLAlchemy 2 typed declarative models.

Money is ``Numeric(20, 6)``, never a float column; quote inputs, the catalog snapshot, the
scenario and the engine's result of a version are JSON documents (money in them as strings).
Every catalog and quote table carries a ``tenant`` column. A saved quote version never changes:
the ORM refuses updates and deletes of :class:`QuoteVersionRow`.
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
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from tco.core.errors import ConflictError, Problem

MONEY = Numeric(20, 6, asdecimal=True)
TENANT = String(64)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CatalogVersionRow(Base):
    """One imported catalog version; a change makes a new version, nothing is overwritten."""

    __tablename__ = "catalog_versions"
    __table_args__ = (UniqueConstraint("tenant", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    product_count: Mapped[int] = mapped_column(Integer)
    plan_count: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class QuoteCounterRow(Base):
    """The last quote number given out per tenant and year (locked by UPDATE ... RETURNING)."""

    __tablename__ = "quote_counters"

    tenant: Mapped[str] = mapped_column(TENANT, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class QuoteRow(Base):
    """A quote's header: number, customer, status and audit fields."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        UniqueConstraint("tenant", "year", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    number: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str] = mapped_column(String(200), index=True)
    seller: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recommended: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    #: the customer record (tco.store.desk_models) and the pipeline's figures (docs/desk.md)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id"), nullable=True, index=True
    )
    value: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    saving: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)


class QuoteVersionRow(Base):
    """One saved version: its request, catalog snapshot, scenario and the engine's result."""

    __tablename__ = "quote_versions"
    __table_args__ = (UniqueConstraint("quote_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    catalog_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engine_version: Mapped[str] = mapped_column(String(32))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    price_sheets: Mapped[list[Any]] = mapped_column(JSON)
    recommendation: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    one_time_total: Mapped[Decimal] = mapped_column(MONEY)
    lifetime_cost: Mapped[Decimal] = mapped_column(MONEY)


class QuoteEventRow(Base):
    """Audit trail: who created, revised or changed the status of a quote, and when."""

    __tablename__ = "quote_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    tenant: Mapped[str] = mapped_column(TENANT)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    #: why or to whom: an approval's reason, the recipient of a quote sent by e-mail
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


def _immutable(mapper: Mapper[Any], connection: Any, target: QuoteVersionRow) -> None:
    raise ConflictError(
        [Problem("version", f"quote version {target.version} is saved and cannot change")]
    )


event.listen(QuoteVersionRow, "before_update", _immutable)
event.listen(QuoteVersionRow, "before_delete", _immutable)


class WebSessionRow(Base):
    """A signed-in session of the web page. The browser's cookie holds a random token; the row
    is found by its SHA-256 digest, so the table holds nothing that signs anyone in."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tenant: Mapped[str] = mapped_column(TENANT)
    csrf: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SignInThrottleRow(Base):
    """Failed sign-ins of one account (``account:<e-mail>``) or one client address
    (``address:<ip>``) in the current window, and until when further attempts are refused."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
