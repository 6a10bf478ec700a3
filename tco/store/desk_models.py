"""Tables of the salesperson's desk (docs/desk.md): customer records, quote templates, the
competitor library, discount approvals, quotes sent by e-mail and the seller's company profile.

Every row carries its ``tenant``; money is ``Numeric``, never a float. Approvals and sendings
are part of a quote's history: the ORM refuses to change or delete them.
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
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from tco.core.errors import ConflictError, Problem
from tco.store.models import MONEY, TENANT, Base

FIGURE = Numeric(16, 4, asdecimal=True)
FRACTION = Numeric(9, 6, asdecimal=True)


class CustomerRow(Base):
    """A customer record: company, segment, reference, sites and contacts (JSON lists)."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(200))
    sites: Mapped[list[Any]] = mapped_column(JSON)
    contacts: Mapped[list[Any]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


class QuoteTemplateRow(Base):
    """A named quote request without customer and dates."""

    __tablename__ = "quote_templates"
    __table_args__ = (UniqueConstraint("tenant", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class CompetitorProductRow(Base):
    """A competitor's machine with its data sheet's figures, source and date."""

    __tablename__ = "competitor_products"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    code: Mapped[str] = mapped_column(String(64))
    maker: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    price: Mapped[Decimal] = mapped_column(MONEY)
    life_years: Mapped[int] = mapped_column(Integer)
    power_kw: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    load_factor: Mapped[Decimal | None] = mapped_column(FRACTION, nullable=True)
    mtbf_hours: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    shape: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    repair_cost: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    downtime_hours: Mapped[Decimal | None] = mapped_column(FIGURE, nullable=True)
    maintenance_per_year: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    installation_cost: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    source: Mapped[str] = mapped_column(String(200))
    source_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


class QuoteApprovalRow(Base):
    """A manager's approval of one quote version's discount: who, role, when and why."""

    __tablename__ = "quote_approvals"
    __table_args__ = (UniqueConstraint("quote_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    discount: Mapped[Decimal] = mapped_column(FRACTION)
    approved_by: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuoteSendingRow(Base):
    """A quote version sent by e-mail with its document and workbook; ``request_key`` (the
    sending form's one-time token, an API idempotency key) makes a second submit find it."""

    __tablename__ = "quote_sendings"
    __table_args__ = (UniqueConstraint("tenant", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tenant: Mapped[str] = mapped_column(TENANT, index=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str] = mapped_column(String(200))


class CompanyProfileRow(Base):
    """The seller's company on a tenant's documents: name, address, contact and logo."""

    __tablename__ = "company_profiles"

    tenant: Mapped[str] = mapped_column(TENANT, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str] = mapped_column(String(200))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))


def _history(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise ConflictError([Problem("history", "an approval or sending is recorded for good")])


for _table in (QuoteApprovalRow, QuoteSendingRow):
    event.listen(_table, "before_update", _history)
    event.listen(_table, "before_delete", _history)
