"""Repositories: they read and write rows and hand out domain objects, scoped to one tenant."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tco.core.errors import NotFoundError, Problem
from tco.core.money import round_money
from tco.core.results import ScenarioResult
from tco.core.scenario import Scenario
from tco.quoting.catalog import Catalog, CatalogVersion, catalog_json
from tco.quoting.pricing import PriceSheet
from tco.quoting.versions import QuoteStatus, QuoteSummary, QuoteVersion
from tco.store import desk_models as _desk_models  # noqa: F401 - quotes refer to customers
from tco.store.models import (
    CatalogVersionRow,
    QuoteCounterRow,
    QuoteEventRow,
    QuoteRow,
    QuoteVersionRow,
)


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class CatalogRepository:
    """Catalog versions of one tenant."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def _info(self, row: CatalogVersionRow) -> CatalogVersion:
        return CatalogVersion(
            version=row.version,
            digest=row.digest,
            source=row.source,
            product_count=row.product_count,
            plan_count=row.plan_count,
            created_at=_utc(row.created_at),
            created_by=row.created_by,
        )

    def _latest_row(self) -> CatalogVersionRow | None:
        stmt = (
            select(CatalogVersionRow)
            .where(CatalogVersionRow.tenant == self.tenant)
            .order_by(CatalogVersionRow.version.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def latest(self) -> tuple[CatalogVersion, Catalog] | None:
        row = self._latest_row()
        if row is None:
            return None
        return self._info(row), Catalog.model_validate(row.document)

    def get(self, version: int) -> tuple[CatalogVersion, Catalog]:
        row = self.session.scalars(
            select(CatalogVersionRow).where(
                CatalogVersionRow.tenant == self.tenant, CatalogVersionRow.version == version
            )
        ).first()
        if row is None:
            raise NotFoundError([Problem("catalog", f"no catalog version {version}")])
        return self._info(row), Catalog.model_validate(row.document)

    def versions(self) -> list[CatalogVersion]:
        rows = self.session.scalars(
            select(CatalogVersionRow)
            .where(CatalogVersionRow.tenant == self.tenant)
            .order_by(CatalogVersionRow.version)
        )
        return [self._info(r) for r in rows]

    def add(
        self, catalog: Catalog, *, digest: str, source: str, by: str, at: datetime
    ) -> CatalogVersion:
        """Store a new version numbered one above the latest."""
        latest = self._latest_row()
        row = CatalogVersionRow(
            tenant=self.tenant,
            version=(latest.version if latest is not None else 0) + 1,
            digest=digest,
            source=source[:500],
            product_count=len(catalog.products),
            plan_count=len(catalog.service_plans),
            document=catalog_json(catalog),
            created_at=at,
            created_by=by,
        )
        self.session.add(row)
        self.session.flush()
        return self._info(row)


def _summary(row: QuoteRow) -> QuoteSummary:
    return QuoteSummary(
        number=row.number,
        tenant=row.tenant,
        customer=row.customer,
        seller=row.seller,
        title=row.title,
        currency=row.currency,
        status=QuoteStatus(row.status),
        current_version=row.current_version,
        as_of=row.as_of,
        valid_until=row.valid_until,
        recommended=row.recommended,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        updated_at=_utc(row.updated_at),
        updated_by=row.updated_by,
        customer_id=row.customer_id,
        # a sum of prices to the minor unit: exact at the currency's places
        value=round_money(row.value, row.currency) if row.value is not None else None,
        saving=float(row.saving) if row.saving is not None else None,
    )


def _saving(summary: QuoteSummary) -> Decimal | None:
    return None if summary.saving is None else round(Decimal(repr(summary.saving)), 6)


def _version(number: str, row: QuoteVersionRow) -> QuoteVersion:
    return QuoteVersion(
        number=number,
        version=row.version,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        catalog_version=row.catalog_version,
        engine_version=row.engine_version,
        request=row.request,
        snapshot=Catalog.model_validate(row.snapshot),
        scenario=Scenario.model_validate(row.scenario),
        result=ScenarioResult.model_validate(row.result),
        price_sheets=tuple(PriceSheet.model_validate(s) for s in row.price_sheets),
        recommendation=row.recommendation,
        note=row.note,
    )


class QuoteRepository:
    """Quotes, their versions and their audit trail, of one tenant."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def next_number(self, year: int) -> tuple[str, int]:
        """The next number of ``year``: ``Q-2026-00042``.

        The counter row is created if missing (INSERT ... ON CONFLICT DO NOTHING) and then
        incremented by ``UPDATE ... RETURNING``, which holds the row lock until this transaction
        ends: concurrent creators wait for each other, and a rolled-back quote gives its number
        back. The unique constraint on (tenant, number) is the last line of defence.
        """
        dialect = self.session.get_bind().dialect.name
        values: dict[str, Any] = {"tenant": self.tenant, "year": year, "last_number": 0}
        if dialect == "postgresql":
            self.session.execute(pg_insert(QuoteCounterRow).values(values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            self.session.execute(
                sqlite_insert(QuoteCounterRow).values(values).on_conflict_do_nothing()
            )
        else:  # pragma: no cover - other databases: plain insert when missing
            exists = self.session.get(QuoteCounterRow, (self.tenant, year))
            if exists is None:
                self.session.execute(insert(QuoteCounterRow).values(values))
        seq = self.session.execute(
            update(QuoteCounterRow)
            .where(QuoteCounterRow.tenant == self.tenant, QuoteCounterRow.year == year)
            .values(last_number=QuoteCounterRow.last_number + 1)
            .returning(QuoteCounterRow.last_number)
        ).scalar_one()
        return f"Q-{year}-{seq:05d}", seq

    def _row(self, number: str) -> QuoteRow:
        row = self.session.scalars(
            select(QuoteRow).where(QuoteRow.tenant == self.tenant, QuoteRow.number == number)
        ).first()
        if row is None:
            raise NotFoundError([Problem("number", f"no quote {number}")])
        return row

    def get(self, number: str) -> QuoteSummary:
        return _summary(self._row(number))

    def get_for_update(self, number: str) -> QuoteSummary:
        """The quote, its row locked until the transaction ends (PostgreSQL)."""
        row = self.session.scalars(
            select(QuoteRow)
            .where(QuoteRow.tenant == self.tenant, QuoteRow.number == number)
            .with_for_update()
        ).first()
        if row is None:
            raise NotFoundError([Problem("number", f"no quote {number}")])
        self.session.refresh(row)
        return _summary(row)

    def version(self, number: str, version: int | None = None) -> QuoteVersion:
        row = self._row(number)
        v = row.current_version if version is None else version
        vrow = self.session.scalars(
            select(QuoteVersionRow).where(
                QuoteVersionRow.quote_id == row.id, QuoteVersionRow.version == v
            )
        ).first()
        if vrow is None:
            raise NotFoundError(
                [
                    Problem(
                        "version", f"quote {number} has no version {v} (1..{row.current_version})"
                    )
                ]
            )
        return _version(number, vrow)

    def search(
        self,
        status: str | None = None,
        customer: str | None = None,
        customer_id: int | None = None,
    ) -> list[QuoteSummary]:
        stmt = select(QuoteRow).where(QuoteRow.tenant == self.tenant)
        if status is not None:
            stmt = stmt.where(QuoteRow.status == status)
        if customer is not None:
            stmt = stmt.where(func.lower(QuoteRow.customer).contains(customer.lower()))
        if customer_id is not None:
            stmt = stmt.where(QuoteRow.customer_id == customer_id)
        return [_summary(r) for r in self.session.scalars(stmt.order_by(QuoteRow.number))]

    def count(self) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(QuoteRow).where(QuoteRow.tenant == self.tenant)
            )
            or 0
        )

    def add(self, summary: QuoteSummary, year: int, seq: int, first: QuoteVersion) -> None:
        row = QuoteRow(
            tenant=self.tenant,
            number=summary.number,
            year=year,
            seq=seq,
            title=summary.title[:200],
            customer=summary.customer,
            seller=summary.seller,
            currency=summary.currency,
            status=summary.status.value,
            current_version=first.version,
            as_of=summary.as_of,
            valid_until=summary.valid_until,
            recommended=summary.recommended,
            created_at=summary.created_at,
            created_by=summary.created_by,
            updated_at=summary.updated_at,
            updated_by=summary.updated_by,
            customer_id=summary.customer_id,
            value=summary.value,
            saving=_saving(summary),
        )
        self.session.add(row)
        self.session.flush()
        self._add_version(row, first)
        self._event(row, first.created_at, first.created_by, "created", None)

    def add_version(self, summary: QuoteSummary, version: QuoteVersion) -> None:
        """Save a new version and make the header follow it (status, dates, audit)."""
        row = self._row(summary.number)
        previous = row.status
        row.current_version = version.version
        row.status = summary.status.value
        row.title = summary.title[:200]
        row.customer = summary.customer
        row.seller = summary.seller
        row.currency = summary.currency
        row.as_of = summary.as_of
        row.valid_until = summary.valid_until
        row.recommended = summary.recommended
        row.updated_at = summary.updated_at
        row.updated_by = summary.updated_by
        row.customer_id = summary.customer_id
        row.value = summary.value
        row.saving = _saving(summary)
        self._add_version(row, version)
        self._event(row, version.created_at, version.created_by, "revised", previous)

    def set_status(
        self,
        number: str,
        status: QuoteStatus,
        *,
        by: str,
        at: datetime,
        action: str = "status",
        note: str | None = None,
    ) -> None:
        row = self._row(number)
        previous = row.status
        row.status = status.value
        row.updated_at = at
        row.updated_by = by
        self._event(row, at, by, action, previous, note)

    def note_event(self, number: str, action: str, *, by: str, at: datetime, note: str) -> None:
        """An event in the quote's history that changes nothing else (an approval, a quote
        sent again): its status stays."""
        row = self._row(number)
        self._event(row, at, by, action, row.status, note)

    def events(self, number: str) -> list[dict[str, Any]]:
        row = self._row(number)
        rows = self.session.scalars(
            select(QuoteEventRow).where(QuoteEventRow.quote_id == row.id).order_by(QuoteEventRow.id)
        )
        return [
            {
                "at": _utc(e.at),
                "by": e.by,
                "action": e.action,
                "version": e.version,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in rows
        ]

    def _add_version(self, row: QuoteRow, v: QuoteVersion) -> None:
        recommended = next(o for o in v.result.offers if o.id == v.result.comparison.recommended)
        sheet = next((s for s in v.price_sheets if s.offer_id == recommended.id), None)
        self.session.add(
            QuoteVersionRow(
                quote_id=row.id,
                tenant=self.tenant,
                version=v.version,
                created_at=v.created_at,
                created_by=v.created_by,
                catalog_version=v.catalog_version,
                engine_version=v.engine_version,
                request=v.request,
                snapshot=catalog_json(v.snapshot),
                scenario=v.scenario.model_dump(mode="json", exclude_none=True),
                result=v.result.model_dump(mode="json"),
                price_sheets=[s.model_dump(mode="json") for s in v.price_sheets],
                recommendation=v.recommendation,
                note=v.note,
                one_time_total=sheet.one_time_total if sheet is not None else 0,
                lifetime_cost=round(recommended.lifetime_cost, 6),
            )
        )
        self.session.flush()

    def _event(
        self,
        row: QuoteRow,
        at: datetime,
        by: str,
        action: str,
        previous: str | None,
        note: str | None = None,
    ) -> None:
        self.session.add(
            QuoteEventRow(
                quote_id=row.id,
                tenant=self.tenant,
                at=at,
                by=by,
                action=action,
                version=row.current_version,
                from_status=previous,
                to_status=row.status,
                note=note,
            )
        )
        self.session.flush()
