"""Quote and catalog operations of the API over :mod:`tco.services`, one tenant at a time.

What the service layer does not know about HTTP lives here: idempotent creates
(:func:`tco.store.idempotency.run_once`), the JSON documents the endpoints return, pages of
quotes, and the rule that an unknown sku or plan in a request body is a 422 (the request is
wrong), while an unknown quote number stays a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.database import Database
from api.schemas import (
    CatalogInfo,
    KeyInfo,
    NewKey,
    ProductList,
    QuoteDiff,
    QuoteDocument,
    QuotePage,
    ServicePlanList,
    totals_of,
)
from tco import desk_services, services
from tco.core.errors import NotFoundError, ScenarioError, TcoError
from tco.quoting.catalog import catalog_json
from tco.quoting.versions import QuoteStatus
from tco.store import apikeys
from tco.store.idempotency import StoredResponse, run_once
from tco.store.uow import UnitOfWork


class RequestReferenceError(ScenarioError):
    """A request body that names something the tenant's catalog does not have (422)."""


def _body_references(exc: NotFoundError) -> TcoError:
    """An unknown sku, plan or price named in a body is the body's fault: 422, not 404."""
    if all(p.path in ("number", "version") for p in exc.problems):
        return exc
    return RequestReferenceError(exc.problems)


def quote_document(view: services.QuoteView) -> dict[str, Any]:
    return QuoteDocument(quote=view.summary, version=view.version).model_dump(mode="json")


def quote_location(number: str) -> str:
    return f"/v1/quotes/{number}"


def create_quote(
    database: Database, tenant: str, body: Any, *, by: str, idempotency_key: str | None
) -> tuple[StoredResponse, bool]:
    """Create a quote (201); with an idempotency key, a retry returns the first response."""

    def work(sessions: sessionmaker[Session] | None) -> StoredResponse:
        uow = database.uow(tenant) if sessions is None else UnitOfWork(tenant, sessions=sessions)
        try:
            view = services.create_quote(uow, body, by=by)
        except NotFoundError as exc:
            raise _body_references(exc) from None
        number = view.summary.number
        return StoredResponse(201, quote_document(view), quote_location(number))

    if idempotency_key is None:
        return work(None), False
    return run_once(
        database.engine,
        tenant=tenant,
        key=idempotency_key,
        operation="POST /v1/quotes",
        payload=body,
        work=work,
    )


def list_quotes(
    uow: UnitOfWork,
    *,
    status: QuoteStatus | None,
    customer: str | None,
    limit: int,
    offset: int,
    customer_id: int | None = None,
    expiring_within_days: int | None = None,
) -> QuotePage:
    """A page of the tenant's quotes (newest number last) and the totals of all pages."""
    pipe = desk_services.pipeline(
        uow,
        status=status,
        customer=customer,
        customer_id=customer_id,
        expiring_within_days=expiring_within_days,
    )
    rows = sorted(pipe.rows, key=lambda s: s.number)
    return QuotePage(
        items=rows[offset : offset + limit],
        total=len(rows),
        limit=limit,
        offset=offset,
        totals=totals_of(pipe.totals),
    )


def show_quote(uow: UnitOfWork, number: str, version: int | None = None) -> dict[str, Any]:
    return quote_document(services.show_quote(uow, number, version=version))


def revise_quote(
    uow: UnitOfWork, number: str, changes: dict[str, Any], *, by: str, reprice: bool, note: str
) -> dict[str, Any]:
    try:
        view = services.revise_quote(uow, number, changes, by=by, reprice=reprice, note=note)
    except NotFoundError as exc:
        raise _body_references(exc) from None
    return quote_document(view)


def diff_quote(uow: UnitOfWork, number: str, v1: int, v2: int) -> QuoteDiff:
    changes = services.diff_quote(uow, number, v1, v2)
    return QuoteDiff(number=number, from_version=v1, to_version=v2, changes=list(changes))


EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def export_quote(
    uow: UnitOfWork, number: str, version: int, fmt: str, locale: str | None
) -> tuple[bytes, str, str]:
    """The rendered file, its media type and its file name."""
    data = services.export_data(uow, number, version, locale=locale)
    loc = locale or data.locale
    if fmt == "xlsx":
        from tco.presenters.xlsx import render_workbook

        content = render_workbook(data.scenario, data.result, locale=loc, info=data.info)
    elif fmt == "html":
        from tco.presenters.document import render_html

        content = render_html(data.scenario, data.result, locale=loc, info=data.info).encode()
    else:
        from tco.presenters.document import render_pdf

        content = render_pdf(data.scenario, data.result, locale=loc, info=data.info)
    return content, EXPORTS[fmt], f"{number}-v{version}.{fmt}"


def catalog_info(uow: UnitOfWork) -> CatalogInfo:
    version, catalog = services.current_catalog(uow)
    return CatalogInfo(version=version, catalog=catalog_json(catalog))


def products(uow: UnitOfWork) -> ProductList:
    version, catalog = services.current_catalog(uow)
    return ProductList(catalog_version=version.version, items=list(catalog.products))


def service_plans(uow: UnitOfWork) -> ServicePlanList:
    version, catalog = services.current_catalog(uow)
    return ServicePlanList(catalog_version=version.version, items=list(catalog.service_plans))


def _key_info(key: apikeys.ApiKey) -> KeyInfo:
    return KeyInfo(
        id=key.id,
        prefix=f"tco_{key.prefix}",
        tenant=key.tenant,
        role=key.role,
        label=key.label,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def create_key(database: Database, tenant: str, role: apikeys.Role, label: str) -> NewKey:
    with database.sessions() as session:
        info, key = apikeys.create_key(session, tenant, role, label=label)
        session.commit()
    return NewKey(**_key_info(info).model_dump(), key=key)


def list_keys(database: Database, tenant: str) -> list[KeyInfo]:
    with database.sessions() as session:
        return [_key_info(k) for k in apikeys.list_keys(session, tenant=tenant)]


def revoke_key(database: Database, tenant: str, id_or_prefix: str) -> KeyInfo:
    with database.sessions() as session:
        info = apikeys.revoke_key(session, id_or_prefix, tenant=tenant, now=datetime.now(UTC))
        session.commit()
    return _key_info(info)
