"""The desk's repository: customer records, quote templates, the competitor library, approvals,
sendings and the company profile of one tenant, as domain objects.

Another tenant's record is "not found" (:class:`~tco.core.errors.NotFoundError`), never shown. A
name (customer, template) or code (competitor) taken already in the tenant is a
:class:`~tco.core.errors.ConflictError` naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tco.core.errors import ConflictError, NotFoundError, Problem
from tco.quoting.approval import Approval
from tco.quoting.competitors import CompetitorProduct, DataSheet
from tco.quoting.customers import CustomerFields, CustomerRecord
from tco.quoting.desk import CompanyFields, CompanyProfile, QuoteTemplate, Sending
from tco.store.desk_models import (
    CompanyProfileRow,
    CompetitorProductRow,
    CustomerRow,
    QuoteApprovalRow,
    QuoteSendingRow,
    QuoteTemplateRow,
)
from tco.store.models import QuoteRow

_SHEET_NUMBERS = (
    "power_kw",
    "load_factor",
    "mtbf_hours",
    "shape",
    "downtime_hours",
)
_SHEET_MONEY = ("repair_cost", "maintenance_per_year", "installation_cost")


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _customer(row: CustomerRow) -> CustomerRecord:
    return CustomerRecord(
        id=row.id,
        name=row.name,
        segment=row.segment,
        reference=row.reference,
        sites=tuple(row.sites),
        contacts=tuple(row.contacts),
        notes=row.notes,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        updated_at=_utc(row.updated_at),
        updated_by=row.updated_by,
    )


def _competitor(row: CompetitorProductRow) -> CompetitorProduct:
    sheet: dict[str, Any] = {
        "code": row.code,
        "maker": row.maker,
        "name": row.name,
        "currency": row.currency,
        "price": row.price,
        "life_years": row.life_years,
        "source": row.source,
        "source_date": row.source_date,
        "notes": row.notes,
    }
    for key in _SHEET_NUMBERS:
        value = getattr(row, key)
        if value is not None:
            sheet[key] = float(value)
    for key in _SHEET_MONEY:
        value = getattr(row, key)
        if value is not None:
            sheet[key] = value
    return CompetitorProduct(
        id=row.id,
        sheet=DataSheet.model_validate(sheet),
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        updated_at=_utc(row.updated_at),
        updated_by=row.updated_by,
    )


def _template(row: QuoteTemplateRow) -> QuoteTemplate:
    return QuoteTemplate(
        id=row.id,
        name=row.name,
        description=row.description,
        request=row.request,
        source_number=row.source_number,
        source_version=row.source_version,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
    )


def _sending(number: str, r: QuoteSendingRow) -> Sending:
    return Sending(
        number=number,
        version=r.version,
        recipient=r.recipient,
        subject=r.subject,
        message_id=r.message_id,
        sent_at=_utc(r.sent_at),
        sent_by=r.sent_by,
    )


class DeskRepository:
    """The desk's rows of one tenant, on the unit of work's session."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    # ---- customers ---------------------------------------------------------------------------

    def _customer_row(self, customer_id: int) -> CustomerRow:
        row = self.session.get(CustomerRow, customer_id)
        if row is None or row.tenant != self.tenant:
            raise NotFoundError([Problem("customer", f"no customer {customer_id}")])
        return row

    def customer(self, customer_id: int) -> CustomerRecord:
        return _customer(self._customer_row(customer_id))

    def find_customer(self, customer_id: int) -> CustomerRecord | None:
        row = self.session.get(CustomerRow, customer_id)
        return None if row is None or row.tenant != self.tenant else _customer(row)

    def customers(self, query: str | None = None) -> list[CustomerRecord]:
        stmt = select(CustomerRow).where(CustomerRow.tenant == self.tenant)
        if query:
            q = query.lower()
            stmt = stmt.where(
                func.lower(CustomerRow.name).contains(q)
                | func.lower(CustomerRow.reference).contains(q)
            )
        return [_customer(r) for r in self.session.scalars(stmt.order_by(CustomerRow.name))]

    def _name_free(self, model: Any, field: str, value: str, own_id: int | None) -> None:
        column = getattr(model, field)
        row = self.session.scalars(
            select(model).where(
                model.tenant == self.tenant,
                # SQLite lowers ASCII letters only: the exact name is looked for too
                (func.lower(column) == value.lower()) | (column == value),
            )
        ).first()
        if row is not None and row.id != own_id:
            raise ConflictError([Problem(field, f"'{value}' is taken already (id {row.id})")])

    def add_customer(self, data: CustomerFields, *, by: str, at: datetime) -> CustomerRecord:
        self._name_free(CustomerRow, "name", data.name, None)
        row = CustomerRow(tenant=self.tenant, created_at=at, created_by=by)
        self._fill_customer(row, data, by=by, at=at)
        self.session.add(row)
        self.session.flush()
        return _customer(row)

    def replace_customer(
        self, customer_id: int, data: CustomerFields, *, by: str, at: datetime
    ) -> CustomerRecord:
        row = self._customer_row(customer_id)
        self._name_free(CustomerRow, "name", data.name, customer_id)
        self._fill_customer(row, data, by=by, at=at)
        self.session.flush()
        return _customer(row)

    @staticmethod
    def _fill_customer(row: CustomerRow, data: CustomerFields, *, by: str, at: datetime) -> None:
        row.name = data.name
        row.segment = data.segment
        row.reference = data.reference
        row.sites = [s.model_dump(mode="json") for s in data.sites]
        row.contacts = [c.model_dump(mode="json") for c in data.contacts]
        row.notes = data.notes
        row.updated_at = at
        row.updated_by = by

    def rename_quotes(self, customer_id: int, name: str) -> None:
        """Quote headers pointing to the customer follow a new name (their saved versions keep
        the name they were made with)."""
        for row in self.session.scalars(
            select(QuoteRow).where(
                QuoteRow.tenant == self.tenant, QuoteRow.customer_id == customer_id
            )
        ):
            row.customer = name
        self.session.flush()

    # ---- templates ---------------------------------------------------------------------------

    def templates(self) -> list[QuoteTemplate]:
        stmt = select(QuoteTemplateRow).where(QuoteTemplateRow.tenant == self.tenant)
        return [_template(r) for r in self.session.scalars(stmt.order_by(QuoteTemplateRow.name))]

    def _template_row(self, template_id: int) -> QuoteTemplateRow:
        row = self.session.get(QuoteTemplateRow, template_id)
        if row is None or row.tenant != self.tenant:
            raise NotFoundError([Problem("template", f"no template {template_id}")])
        return row

    def template(self, template_id: int) -> QuoteTemplate:
        return _template(self._template_row(template_id))

    def add_template(
        self,
        name: str,
        description: str,
        request: dict[str, Any],
        *,
        source: tuple[str, int] | None,
        by: str,
        at: datetime,
    ) -> QuoteTemplate:
        self._name_free(QuoteTemplateRow, "name", name, None)
        row = QuoteTemplateRow(
            tenant=self.tenant,
            name=name,
            description=description,
            request=request,
            source_number=source[0] if source else None,
            source_version=source[1] if source else None,
            created_at=at,
            created_by=by,
        )
        self.session.add(row)
        self.session.flush()
        return _template(row)

    def delete_template(self, template_id: int) -> None:
        self.session.delete(self._template_row(template_id))
        self.session.flush()

    # ---- competitor library ------------------------------------------------------------------

    def competitors(self) -> list[CompetitorProduct]:
        stmt = select(CompetitorProductRow).where(CompetitorProductRow.tenant == self.tenant)
        order = (CompetitorProductRow.maker, CompetitorProductRow.name)
        return [_competitor(r) for r in self.session.scalars(stmt.order_by(*order))]

    def _competitor_row(self, competitor_id: int) -> CompetitorProductRow:
        row = self.session.get(CompetitorProductRow, competitor_id)
        if row is None or row.tenant != self.tenant:
            raise NotFoundError([Problem("competitor", f"no competitor product {competitor_id}")])
        return row

    def competitor(self, competitor_id: int) -> CompetitorProduct:
        return _competitor(self._competitor_row(competitor_id))

    def save_competitor(
        self, competitor_id: int | None, sheet: DataSheet, *, by: str, at: datetime
    ) -> CompetitorProduct:
        """A new library entry (``competitor_id`` None) or the new data sheet of one."""
        self._name_free(CompetitorProductRow, "code", sheet.code, competitor_id)
        if competitor_id is None:
            row = CompetitorProductRow(tenant=self.tenant, created_at=at, created_by=by)
            self.session.add(row)
        else:
            row = self._competitor_row(competitor_id)
        for key in ("code", "maker", "name", "currency", "price", "life_years", "source"):
            setattr(row, key, getattr(sheet, key))
        row.source_date = sheet.source_date
        row.notes = sheet.notes
        for key in _SHEET_NUMBERS:
            value = getattr(sheet, key)
            setattr(row, key, None if value is None else Decimal(repr(value)))
        for key in _SHEET_MONEY:
            setattr(row, key, getattr(sheet, key))
        row.updated_at, row.updated_by = at, by
        self.session.flush()
        return _competitor(row)

    # ---- approvals and sendings --------------------------------------------------------------

    def _quote_id(self, number: str) -> int:
        found = self.session.scalar(
            select(QuoteRow.id).where(QuoteRow.tenant == self.tenant, QuoteRow.number == number)
        )
        if found is None:
            raise NotFoundError([Problem("number", f"no quote {number}")])
        return int(found)

    def approval(self, number: str, version: int) -> Approval | None:
        row = self.session.scalars(
            select(QuoteApprovalRow).where(
                QuoteApprovalRow.quote_id == self._quote_id(number),
                QuoteApprovalRow.version == version,
            )
        ).first()
        if row is None:
            return None
        return Approval(
            number=number,
            version=row.version,
            discount=row.discount,
            approved_by=row.approved_by,
            role=row.role,
            reason=row.reason,
            at=_utc(row.at),
        )

    def add_approval(self, approval: Approval) -> None:
        self.session.add(
            QuoteApprovalRow(
                tenant=self.tenant,
                quote_id=self._quote_id(approval.number),
                version=approval.version,
                discount=approval.discount,
                approved_by=approval.approved_by,
                role=approval.role,
                reason=approval.reason,
                at=approval.at,
            )
        )
        self.session.flush()

    def sending_by_key(self, key: str) -> Sending | None:
        """The sending recorded for a request key (a form's token), if any."""
        row = self.session.scalars(
            select(QuoteSendingRow).where(
                QuoteSendingRow.tenant == self.tenant, QuoteSendingRow.request_key == key
            )
        ).first()
        if row is None:
            return None
        number = self.session.scalar(select(QuoteRow.number).where(QuoteRow.id == row.quote_id))
        return _sending(str(number), row)

    def add_sending(self, sending: Sending, key: str | None = None) -> None:
        self.session.add(
            QuoteSendingRow(
                tenant=self.tenant,
                request_key=key,
                quote_id=self._quote_id(sending.number),
                version=sending.version,
                recipient=sending.recipient,
                subject=sending.subject[:300],
                message_id=sending.message_id[:300],
                sent_at=sending.sent_at,
                sent_by=sending.sent_by,
            )
        )
        self.session.flush()

    def sendings(self, number: str) -> list[Sending]:
        rows = self.session.scalars(
            select(QuoteSendingRow)
            .where(QuoteSendingRow.quote_id == self._quote_id(number))
            .order_by(QuoteSendingRow.id)
        )
        return [_sending(number, r) for r in rows]

    def lock_quote(self, number: str) -> None:
        """Take the quote's row for writing now (PostgreSQL: its row lock; SQLite: the database's
        write lock), until the transaction ends: sendings of one quote happen one at a time."""
        self.session.execute(
            update(QuoteRow)
            .where(QuoteRow.tenant == self.tenant, QuoteRow.number == number)
            .values(updated_at=QuoteRow.updated_at)
        )

    # ---- company profile ---------------------------------------------------------------------

    def company(self) -> CompanyProfile | None:
        row = self.session.get(CompanyProfileRow, self.tenant)
        if row is None:
            return None
        return CompanyProfile(
            name=row.name,
            address=row.address,
            phone=row.phone,
            email=row.email,
            website=row.website,
            logo=row.logo,
            logo_type=row.logo_type,
            updated_at=_utc(row.updated_at),
            updated_by=row.updated_by,
        )

    def save_company(
        self,
        data: CompanyFields,
        *,
        logo: tuple[bytes, str] | None,
        remove_logo: bool,
        by: str,
        at: datetime,
    ) -> CompanyProfile:
        """Save the profile; the logo is replaced when given, removed with ``remove_logo``,
        kept otherwise."""
        row = self.session.get(CompanyProfileRow, self.tenant)
        if row is None:
            row = CompanyProfileRow(tenant=self.tenant)
            self.session.add(row)
        row.name, row.address, row.phone = data.name, data.address, data.phone
        row.email, row.website = data.email, data.website
        if logo is not None:
            row.logo, row.logo_type = logo
        elif remove_logo:
            row.logo, row.logo_type = None, None
        row.updated_at, row.updated_by = at, by
        self.session.flush()
        profile = self.company()
        assert profile is not None
        return profile
