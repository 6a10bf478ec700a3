"""The relationship ledger over HTTP: assets of accepted quotes, their events, promised vs
actual per customer, follow-up, field reliability and the customer review (docs/ledger.md).

Every endpoint needs a sales key (calibrating the catalog: an admin key) and sees only the key's
tenant: another tenant's asset is a 404. Handlers parse, call :mod:`tco.ledger_services`, return.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from api.deps import AdminDep, JsonBody, SalesDep, UowDep, actor
from api.problems import problem_responses
from tco import ledger_services as ls
from tco.core.errors import InputFileError, Problem, ScenarioError
from tco.ledger.followup import Rules
from tco.ledger.views import (
    asset_json,
    customer_json,
    event_json,
    followup_json,
    product_json,
    record_json,
)
from tco.quoting.requests import QUOTE_DATE_PATTERN

router = APIRouter(prefix="/v1", tags=["assets"])

AssetId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AsOf = Annotated[
    str | None,
    Query(
        pattern=QUOTE_DATE_PATTERN,
        description="the day the figures are for, YYYY-MM-DD (default: today)",
    ),
]
Prior = Annotated[float, Query(gt=0, le=1000, description="weight of the quoted MTBF, in failures")]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(401, 403, 404, 409, 413, 422, 503)
CSV_TYPES = ("text/csv", "application/csv")


def _day(as_of: str | None) -> date:
    if as_of is None:
        return date.today()
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        problem = Problem("query.as_of", f"{as_of!r} is not a day of the calendar")
        raise ScenarioError([problem]) from None


class AssetChange(BaseModel):
    """What may change on an asset: its commissioning date and serial number."""

    model_config = ConfigDict(extra="forbid")

    commissioned_on: (
        Annotated[date, Field(json_schema_extra={"pattern": QUOTE_DATE_PATTERN})] | None
    ) = None
    serial_number: str | None = Field(default=None, max_length=100)


@router.get("/assets", summary="The tenant's assets", responses=READ)
def list_assets(
    uow: UowDep,
    _caller: SalesDep,
    customer: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> JSONResponse:
    items, total = ls.list_assets(uow, customer=customer, limit=limit, offset=offset)
    return JSONResponse({"items": [record_json(a) for a in items], "total": total})


@router.get(
    "/assets/{asset_id}",
    summary="An asset: its promise, promised vs actual to date and its field reliability",
    responses=READ,
)
def show_asset(
    asset_id: AssetId,
    uow: UowDep,
    _caller: SalesDep,
    as_of: AsOf = None,
    prior_failures: Prior = 2.0,
) -> JSONResponse:
    view = ls.show_asset(uow, asset_id, as_of=_day(as_of), prior_failures=prior_failures)
    return JSONResponse(asset_json(view.status, view.promise))


@router.patch(
    "/assets/{asset_id}", summary="Change the commissioning date or serial number", responses=WRITE
)
def edit_asset(
    asset_id: AssetId, change: AssetChange, uow: UowDep, caller: SalesDep
) -> JSONResponse:
    record = ls.edit_asset(
        uow,
        asset_id,
        commissioned_on=change.commissioned_on,
        serial_number=change.serial_number,
        by=actor(caller),
    )
    return JSONResponse(record_json(record))


@router.get("/assets/{asset_id}/events", summary="An asset's events, newest first", responses=READ)
def list_events(asset_id: AssetId, uow: UowDep, _caller: SalesDep) -> JSONResponse:
    events = ls.asset_events(uow, asset_id)
    return JSONResponse({"items": [event_json(e, at, by) for e, at, by in events]})


def _recorded(out: ls.RecordOutcome) -> JSONResponse:
    body = {"recorded": out.recorded, "already_recorded": out.already}
    return JSONResponse(body, status_code=201 if out.recorded else 200)


@router.post(
    "/assets/{asset_id}/events",
    summary="Record an event (idempotent by its event_id)",
    description=(
        "One event: `event_id` (yours), `date`, `kind` (operating_hours, repair, maintenance, "
        "energy, contact) and the fields of its kind. 201 when recorded; 200 when the same id was "
        "recorded with the same content (nothing changes); 409 when with other content."
    ),
    responses=WRITE,
)
def record_event(asset_id: AssetId, body: JsonBody, uow: UowDep, caller: SalesDep) -> JSONResponse:
    if not isinstance(body, dict):
        raise InputFileError([Problem("body", "must be an object (one event)")])
    if body.get("asset_id", asset_id) != asset_id:
        raise InputFileError(
            [Problem("asset_id", f"differs from the asset in the path, {asset_id}")]
        )
    ls.asset_record(uow, asset_id)  # 404 for another tenant's or an unknown asset
    return _recorded(ls.record_event(uow, {**body, "asset_id": asset_id}, by=actor(caller)))


@router.post(
    "/assets/events/import",
    summary="Import events: a CSV file (text/csv) or a JSON list; all or none",
    description=(
        "CSV with the header `event_id,asset_id,date,kind,hours,cost,payer,downtime_hours,kwh,"
        "contact,note` (docs/ledger.md), or a JSON list of events. Every problem is named by its "
        "line (`line 7: cost`) or index (`[6].cost`); when there is one, nothing is imported."
    ),
    responses=WRITE,
)
async def import_events(request: Request, uow: UowDep, caller: SalesDep) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if media in CSV_TYPES:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputFileError([Problem("body", "is not UTF-8 text")]) from None
        out = await run_in_threadpool(ls.import_events_csv, uow, text, by=actor(caller))
        return _recorded(out)
    from api.evaluation import parse_json

    data: Any = await run_in_threadpool(parse_json, raw)
    if not isinstance(data, list):
        raise InputFileError([Problem("body", "must be a JSON list of events, or text/csv")])
    out = await run_in_threadpool(ls.import_events_data, uow, data, by=actor(caller))
    return _recorded(out)


@router.get("/ledger/customers", summary="Promised vs actual to date per customer", responses=READ)
def list_customers(
    uow: UowDep,
    _caller: SalesDep,
    as_of: AsOf = None,
    customer: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    groups = ls.customers(uow, as_of=_day(as_of), customer=customer)
    return JSONResponse(
        {"as_of": _day(as_of).isoformat(), "items": [customer_json(c) for c in groups]}
    )


@router.get("/followup", summary="What needs a seller's attention, per customer", responses=READ)
def followup(
    uow: UowDep,
    _caller: SalesDep,
    as_of: AsOf = None,
    silence_days: Annotated[int, Query(ge=1, le=36500)] = 90,
    over_percent: Annotated[float, Query(ge=0, le=10000)] = 10.0,
    renewal_days: Annotated[int, Query(ge=0, le=36500)] = 90,
) -> JSONResponse:
    rules = Rules(silence_days, over_percent / 100, renewal_days)
    groups = ls.followup(uow, as_of=_day(as_of), rules=rules)
    return JSONResponse(followup_json(groups, _day(as_of)))


@router.get(
    "/field-reliability",
    summary="Per catalog product, the field reliability pooled over its assets",
    responses=READ,
)
def field_reliability(
    uow: UowDep, _caller: SalesDep, as_of: AsOf = None, prior_failures: Prior = 2.0
) -> JSONResponse:
    info, products = ls.field_reliability(uow, as_of=_day(as_of), prior_failures=prior_failures)
    return JSONResponse(
        {"catalog_version": info.version, "products": [product_json(p) for p in products]}
    )


@router.post(
    "/field-reliability/calibrate",
    summary="Save the field-calibrated catalog as a new catalog version (admin)",
    responses=WRITE,
)
def calibrate(
    uow: UowDep, caller: AdminDep, as_of: AsOf = None, prior_failures: Prior = 2.0
) -> JSONResponse:
    out = ls.calibrate_catalog(
        uow, as_of=_day(as_of), by=actor(caller), prior_failures=prior_failures
    )
    body = {
        "catalog_version": out.version.version,
        "created": out.created,
        "products": [product_json(p) for p in out.products],
    }
    return JSONResponse(body, status_code=201 if out.created else 200)


@router.get(
    "/customers/{customer:path}/review.{fmt}",
    summary="The review document of a customer (HTML or PDF)",
    response_class=Response,
    responses={
        200: {
            "description": "The document",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("text/html", "application/pdf")
            },
        },
        **READ,
    },
)
def review(
    customer: Annotated[str, Path(min_length=1, max_length=200)],
    fmt: Literal["html", "pdf"],
    uow: UowDep,
    _caller: SalesDep,
    as_of: AsOf = None,
    locale: Annotated[str, Query(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] = "en",
) -> Response:
    from tco.presenters.review import render_review_html, render_review_pdf

    data = ls.review_data(uow, customer, as_of=_day(as_of))
    if fmt == "html":
        return Response(render_review_html(data, locale=locale), media_type="text/html")
    content = render_review_pdf(data, locale=locale)
    name = f"review-{data.as_of.isoformat()}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
