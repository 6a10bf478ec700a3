"""Quotes: create (idempotent with an ``Idempotency-Key``), list, show, revise, diff, export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from api import quoting
from api.deps import (
    ConfiguratorDep,
    DatabaseDep,
    JsonBody,
    SalesDep,
    SettingsDep,
    UowDep,
    actor,
    check_input_limits,
)
from api.desk import DeskDep
from api.evaluation import too_many_draws
from api.openapi import json_body
from api.problems import problem_responses
from api.schemas import QuoteDiff, QuoteDocument, QuotePage, Revision, StatusChange
from tco import services
from tco.core.errors import ScenarioError
from tco.quoting.versions import QuoteStatus, QuoteSummary

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])


def refuse_many_draws(data: Any, limit: int, where: str = "uncertainty.draws") -> None:
    """Refuse (422) a request whose simulation asks for more draws than the service allows."""
    unc = data.get("uncertainty") if isinstance(data, dict) else None
    draws = unc.get("draws") if isinstance(unc, dict) else None
    if isinstance(draws, int) and not isinstance(draws, bool) and draws > limit:
        raise ScenarioError([too_many_draws(where, draws, limit)])


Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$", examples=["Q-2026-00001"])]
VersionNo = Annotated[int, Path(ge=1, le=1_000_000)]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(401, 403, 404, 409, 413, 422, 503)


@router.post(
    "",
    status_code=201,
    summary="Create a quote from a quote request",
    description=(
        "Prices the request against the tenant's latest catalog and saves it as version 1. "
        "With an `Idempotency-Key` header, a retry (even a concurrent one) returns the same "
        "status and body instead of a second quote; the same key with another body is a 422."
    ),
    response_model=QuoteDocument,
    responses=problem_responses(401, 403, 413, 422, 503),
    openapi_extra=json_body("QuoteRequest"),
)
async def create_quote(
    body: JsonBody,
    caller: ConfiguratorDep,
    database: DatabaseDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    refuse_many_draws(body, settings.max_draws)
    stored, replayed = await run_in_threadpool(
        quoting.create_quote,
        database,
        caller.tenant,
        body,
        by=actor(caller),
        idempotency_key=idempotency_key,
    )
    headers = {"Location": stored.location} if stored.location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get("", summary="List the tenant's quotes", response_model=QuotePage, responses=READ)
def list_quotes(
    uow: UowDep,
    _caller: ConfiguratorDep,
    status: QuoteStatus | None = None,
    customer: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    customer_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="quotes of this customer record")
    ] = None,
    expiring_within_days: Annotated[
        int | None,
        Query(ge=0, le=3650, description="open quotes (draft, sent) whose validity ends so soon"),
    ] = None,
) -> QuotePage:
    return quoting.list_quotes(
        uow,
        status=status,
        customer=customer,
        limit=limit,
        offset=offset,
        customer_id=customer_id,
        expiring_within_days=expiring_within_days,
    )


@router.get(
    "/{number}",
    summary="A quote and its latest version",
    response_model=QuoteDocument,
    responses=READ,
)
def show_quote(number: Number, uow: UowDep, _caller: ConfiguratorDep) -> JSONResponse:
    return JSONResponse(quoting.show_quote(uow, number))


@router.get(
    "/{number}/versions/{version}",
    summary="One saved version of a quote",
    response_model=QuoteDocument,
    responses=READ,
)
def show_version(
    number: Number, version: VersionNo, uow: UowDep, _caller: ConfiguratorDep
) -> JSONResponse:
    return JSONResponse(quoting.show_quote(uow, number, version))


@router.post(
    "/{number}/revisions",
    status_code=201,
    summary="Save a new version with changes merged into the latest request",
    response_model=QuoteDocument,
    responses=WRITE,
)
def revise_quote(
    number: Number, revision: Revision, uow: UowDep, caller: SalesDep, settings: SettingsDep
) -> JSONResponse:
    check_input_limits(revision.changes, source="changes")
    refuse_many_draws(revision.changes, settings.max_draws, "changes.uncertainty.draws")
    doc = quoting.revise_quote(
        uow,
        number,
        revision.changes,
        by=actor(caller),
        reprice=revision.reprice,
        note=revision.note,
    )
    return JSONResponse(doc, status_code=201)


@router.post(
    "/{number}/status",
    summary="Change a quote's status (draft, sent, accepted, rejected, expired)",
    description=(
        "A quote whose discount is above the salesperson's limit becomes `sent` only once a "
        "manager has approved its current version (`POST /v1/quotes/{number}/approval`): 409 "
        "at path `approval` until then."
    ),
    response_model=QuoteSummary,
    responses=WRITE,
)
def change_status(
    number: Number, change: StatusChange, uow: UowDep, caller: SalesDep, desk: DeskDep
) -> QuoteSummary:
    return services.change_status(
        uow, number, change.status, by=actor(caller), limits=desk.limits, offer=change.offer
    )


@router.get(
    "/{number}/versions/{version}/diff/{other}",
    summary="What changed between two versions: inputs and results",
    response_model=QuoteDiff,
    responses=READ,
)
def diff_versions(
    number: Number, version: VersionNo, other: VersionNo, uow: UowDep, _caller: ConfiguratorDep
) -> QuoteDiff:
    return quoting.diff_quote(uow, number, version, other)


@router.get(
    "/{number}/versions/{version}/export.{fmt}",
    summary="The buyer's workbook (.xlsx) or the quote document (.html, .pdf)",
    response_class=Response,
    responses={
        200: {
            "description": "The file",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in quoting.EXPORTS.values()
            },
        },
        **READ,
    },
)
def export_version(
    number: Number,
    version: VersionNo,
    fmt: Literal["xlsx", "html", "pdf"],
    uow: UowDep,
    _caller: ConfiguratorDep,
    locale: Annotated[str | None, Query(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] = None,
) -> Response:
    content, media_type, filename = quoting.export_quote(uow, number, version, fmt, locale)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
