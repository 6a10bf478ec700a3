"""The desk over HTTP (docs/desk.md): copies of quotes, templates, the competitor library,
discount approvals, sending a quote by e-mail and the seller's company profile.

Every endpoint sees only the key's tenant: another tenant's quote, template or library entry is
a 404. Reading and copying need a sales key, approving a manager key (or admin), the company
profile an admin key to change. Handlers parse, call :mod:`tco.desk_services`, return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import JSONResponse, Response

from api.database import Database
from api.deps import (
    AdminDep,
    DatabaseDep,
    SalesDep,
    UowDep,
    actor,
    check_input_limits,
    require,
)
from api.desk import DeskDep
from api.openapi import ref
from api.problems import ApiError, problem_responses
from api.quoting import RequestReferenceError, quote_document, quote_location
from api.schemas import QuoteDocument
from tco import desk_services as ds
from tco.core.errors import NotFoundError, Problem
from tco.core.text import Label, Name, Note
from tco.mail import DeliveryError
from tco.quoting.approval import Approval
from tco.quoting.catalog import Code
from tco.quoting.competitors import CompetitorProduct, DataSheet
from tco.quoting.customers import Email, Phone
from tco.quoting.desk import QuoteTemplate, Sending
from tco.quoting.versions import QuoteSummary
from tco.store.apikeys import ApiKey, Role
from tco.store.idempotency import StoredResponse, run_once
from tco.store.uow import UnitOfWork

router = APIRouter(prefix="/v1", tags=["desk"])

Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$", examples=["Q-2026-00001"])]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ManagerDep = Annotated[ApiKey, Depends(require(Role.manager))]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(401, 403, 404, 409, 413, 422, 503)
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomerRef(_In):
    """Who a new quote is for: a customer record's ``id`` (its name and segment follow), or a
    ``name`` (and segment) without a record."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["name"]}, {"required": ["id"]}]},
    )

    id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    name: Name | None = None
    segment: Code | None = None
    reference: Label | None = None


class NewQuoteFields(_In):
    """What a copy or a quote from a template changes: who it is for and its header."""

    customer: CustomerRef | None = Field(
        default=None, description="a name, or a customer record's id; default: the source's"
    )
    title: Label | None = None
    seller: Name | None = None
    valid_days: Annotated[int, Field(ge=0, le=3650)] | None = None

    def overrides(self) -> dict[str, Any]:
        out = self.model_dump(mode="json", exclude_none=True)
        if self.customer is not None:
            out["customer"] = self.customer.model_dump(mode="json", exclude_none=True)
        return out


class FromTemplate(NewQuoteFields):
    customer: CustomerRef | None = Field(
        default=None, description="required: a name, or a customer record's id"
    )


def _created(
    database: Database,
    tenant: str,
    *,
    key: str | None,
    operation: str,
    payload: Any,
    prepare: Callable[[UnitOfWork], ds.NewQuote],
    by: str,
) -> Response:
    """The quote ``prepare`` describes, saved once per idempotency key: 201 and the quote
    document (``prepare`` reads; the save is one transaction, the key's)."""
    made = prepare(database.uow(tenant))

    def work(sessions: sessionmaker[Session] | None) -> StoredResponse:
        uow = database.uow(tenant) if sessions is None else UnitOfWork(tenant, sessions=sessions)
        view = made.create(uow, by=by)
        number = view.summary.number
        return StoredResponse(201, quote_document(view), quote_location(number))

    if key is None:
        stored, replayed = work(None), False
    else:
        stored, replayed = run_once(
            database.engine, tenant=tenant, key=key, operation=operation, payload=payload, work=work
        )
    headers = {"Location": stored.location} if stored.location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


# --------------------------------------------------------------------------------------------
# Copies


@router.post(
    "/quotes/{number}/copy",
    status_code=201,
    summary="Copy a quote: version 1 of a new number from its latest request, dated today",
    description=(
        "Priced with the current catalog. The body may name another customer and change the "
        "title, seller or validity. With an `Idempotency-Key` a retry returns the same copy."
    ),
    response_model=QuoteDocument,
    responses=WRITE,
)
async def copy_quote(
    number: Number,
    body: NewQuoteFields,
    caller: SalesDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    overrides = body.overrides()
    return await run_in_threadpool(
        _created,
        database,
        caller.tenant,
        key=idempotency_key,
        operation=f"POST /v1/quotes/{number}/copy"[:64],
        payload=overrides,
        prepare=lambda uow: ds.copy_of(uow, number, overrides, today=date.today()),
        by=actor(caller),
    )


# --------------------------------------------------------------------------------------------
# Templates


class TemplateList(BaseModel):
    items: list[QuoteTemplate]


class NewTemplate(_In):
    """A template from a quote's latest version (``from_quote``) or from a request given whole
    (``request``, without customer and dates)."""

    name: Name
    description: Note = ""
    from_quote: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")] | None = None
    request: Annotated[
        dict[str, Any] | None,
        WithJsonSchema({"anyOf": [{"$ref": ref("QuoteTemplateRequest")}, {"type": "null"}]}),
    ] = None


@router.get("/templates", summary="The tenant's quote templates", responses=READ)
def list_templates(uow: UowDep, _caller: SalesDep) -> TemplateList:
    return TemplateList(items=ds.templates(uow))


@router.post(
    "/templates",
    status_code=201,
    summary="Save a quote template (from a quote, or a request given whole)",
    response_model=QuoteTemplate,
    responses=WRITE,
)
def create_template(body: NewTemplate, uow: UowDep, caller: SalesDep) -> JSONResponse:
    if body.request is not None:
        check_input_limits(body.request, source="request")
    try:
        saved = ds.save_template(
            uow,
            {"name": body.name, "description": body.description},
            number=body.from_quote,
            request=body.request,
            by=actor(caller),
        )
    except NotFoundError as exc:  # a quote or sku named in the body: the body's fault, 422
        problems = [
            Problem("from_quote", p.message) if p.path == "number" else p for p in exc.problems
        ]
        raise RequestReferenceError(problems) from None
    return JSONResponse(
        saved.model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/templates/{saved.id}"},
    )


@router.get(
    "/templates/{template_id}",
    summary="A quote template",
    response_model=QuoteTemplate,
    responses=READ,
)
def show_template(template_id: ItemId, uow: UowDep, _caller: SalesDep) -> QuoteTemplate:
    return ds.template(uow, template_id)


@router.delete(
    "/templates/{template_id}",
    status_code=204,
    summary="Delete a quote template (quotes made from it stay)",
    response_class=Response,
    responses=READ,
)
def delete_template(template_id: ItemId, uow: UowDep, _caller: SalesDep) -> Response:
    ds.delete_template(uow, template_id)
    return Response(status_code=204)


@router.post(
    "/templates/{template_id}/quotes",
    status_code=201,
    summary="Start a quote from a template: version 1, dated today, for the customer given",
    response_model=QuoteDocument,
    responses=WRITE,
)
async def quote_from_template(
    template_id: ItemId,
    body: FromTemplate,
    caller: SalesDep,
    database: DatabaseDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    overrides = body.overrides()
    return await run_in_threadpool(
        _created,
        database,
        caller.tenant,
        key=idempotency_key,
        operation=f"POST /v1/templates/{template_id}/quotes"[:64],
        payload=overrides,
        prepare=lambda uow: ds.from_template(uow, template_id, overrides, today=date.today()),
        by=actor(caller),
    )


# --------------------------------------------------------------------------------------------
# The competitor library


class CompetitorList(BaseModel):
    items: list[CompetitorProduct]


@router.get("/competitors", summary="The competitor library", responses=READ)
def list_competitors(uow: UowDep, _caller: SalesDep) -> CompetitorList:
    return CompetitorList(items=ds.competitors(uow))


@router.post(
    "/competitors",
    status_code=201,
    summary="Add a competitor's machine: its data sheet's figures, source and date",
    response_model=CompetitorProduct,
    responses=WRITE,
)
def add_competitor(body: DataSheet, uow: UowDep, caller: SalesDep) -> JSONResponse:
    saved = ds.save_competitor(uow, None, body.model_dump(mode="json"), by=actor(caller))
    return JSONResponse(
        saved.model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/competitors/{saved.id}"},
    )


@router.get(
    "/competitors/{competitor_id}",
    summary="A competitor's machine",
    response_model=CompetitorProduct,
    responses=READ,
)
def show_competitor(competitor_id: ItemId, uow: UowDep, _caller: SalesDep) -> CompetitorProduct:
    return ds.competitor(uow, competitor_id)


@router.put(
    "/competitors/{competitor_id}",
    summary="Replace a competitor's data sheet",
    response_model=CompetitorProduct,
    responses=WRITE,
)
def replace_competitor(
    competitor_id: ItemId, body: DataSheet, uow: UowDep, caller: SalesDep
) -> CompetitorProduct:
    return ds.save_competitor(uow, competitor_id, body.model_dump(mode="json"), by=actor(caller))


# --------------------------------------------------------------------------------------------
# Discount approval


class ApprovalInfo(BaseModel):
    """What the current version's discount needs: the largest discount of our offers, the
    salesperson's limit, whether an approval is needed and still missing, and the approval."""

    number: str
    version: int
    discount: str
    limit: str
    needed: bool
    missing: bool
    approval: Approval | None


class ApprovalRequest(_In):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


def _approval_info(uow: UnitOfWork, number: str, desk: Any) -> ApprovalInfo:
    state = ds.approval_state(uow, number, desk.limits)
    version = ds.current_version(uow, number)
    return ApprovalInfo(
        number=number,
        version=version,
        discount=str(state.discount),
        limit=str(state.limit),
        needed=state.needed,
        missing=state.missing,
        approval=state.approval,
    )


@router.get(
    "/quotes/{number}/approval",
    summary="Whether the quote's discount needs a manager's approval, and the approval",
    response_model=ApprovalInfo,
    responses=READ,
)
def approval(number: Number, uow: UowDep, _caller: SalesDep, desk: DeskDep) -> ApprovalInfo:
    return _approval_info(uow, number, desk)


@router.post(
    "/quotes/{number}/approval",
    status_code=201,
    summary="Approve the discount of the quote's current version (manager or admin key)",
    description=(
        "The key's role must have a discount limit that covers the discount "
        "(`TCO_DISCOUNT_LIMIT_MANAGER_PERCENT`, `TCO_DISCOUNT_LIMIT_ADMIN_PERCENT`); who, when "
        "and why are kept with the approval and in the quote's history. 409 when the quote "
        "needs no approval, is approved already or the role's limit is too low."
    ),
    response_model=Approval,
    responses=WRITE,
)
def approve(
    number: Number, body: ApprovalRequest, uow: UowDep, caller: ManagerDep, desk: DeskDep
) -> JSONResponse:
    done = ds.approve(
        uow,
        number,
        reason=body.reason,
        role=caller.role.value,
        limits=desk.limits,
        by=actor(caller),
    )
    return JSONResponse(done.model_dump(mode="json"), status_code=201)


# --------------------------------------------------------------------------------------------
# Sending by e-mail


class SendRequest(_In):
    recipient: Annotated[str, Field(min_length=3, max_length=254, examples=["buyer@example.com"])]
    message: Annotated[str, Field(max_length=5000)] = ""


class SendOutcome(BaseModel):
    sending: Sending
    quote: QuoteSummary


class SendingList(BaseModel):
    items: list[Sending]


@router.post(
    "/quotes/{number}/send",
    summary="E-mail the quote's PDF document and workbook; the quote becomes sent",
    description=(
        "Through the SMTP server of `TCO_SMTP_*`. Checked before the message leaves: the status "
        "(draft or sent), the approval of a discount above the salesperson's limit (409 at path "
        "`approval`), the recipient. 409 at path `smtp` when sending is not set up on this "
        "server, 422 when the SMTP server refuses the recipient, 503 when it cannot be reached "
        "or fails; nothing is recorded then. With an `Idempotency-Key`, a retry returns the "
        "first sending and sends nothing again."
    ),
    response_model=SendOutcome,
    responses=problem_responses(401, 403, 404, 409, 413, 422, 503),
)
def send_quote(
    number: Number,
    body: SendRequest,
    uow: UowDep,
    caller: SalesDep,
    desk: DeskDep,
    idempotency_key: IdempotencyKey = None,
) -> SendOutcome:
    try:
        sending = ds.send_quote(
            uow,
            number,
            recipient=body.recipient,
            message=body.message,
            smtp=desk.smtp,
            limits=desk.limits,
            by=actor(caller),
            key=f"api:{idempotency_key}" if idempotency_key else None,
        )
    except DeliveryError as exc:
        raise ApiError(503, str(exc), exc.problems) from None
    return SendOutcome(sending=sending, quote=ds.quote_summary(uow, number))


@router.get(
    "/quotes/{number}/sendings",
    summary="When and to whom the quote was sent by e-mail",
    response_model=SendingList,
    responses=READ,
)
def sendings(number: Number, uow: UowDep, _caller: SalesDep) -> SendingList:
    return SendingList(items=ds.sendings(uow, number))


# --------------------------------------------------------------------------------------------
# The seller's company profile


class CompanyOut(BaseModel):
    """The company on the tenant's documents; the logo's type (none: no logo)."""

    name: str
    address: str
    phone: str
    email: str
    website: str
    logo_type: str | None
    updated_by: str


class CompanyChange(_In):
    name: Name
    address: Note = ""
    phone: Phone = ""
    email: Email = ""
    website: Label = ""
    logo: Annotated[str, Field(max_length=400_000, pattern=r"^[A-Za-z0-9+/=\s]*$")] | None = Field(
        default=None, description="a PNG or JPEG image as base64 text (at most 256 KB)"
    )
    remove_logo: StrictBool = False


def _company_out(uow: UnitOfWork) -> CompanyOut:
    found = ds.company(uow)
    if found is None:
        raise NotFoundError([Problem("company", "no company profile yet")])
    return CompanyOut(
        name=found.name,
        address=found.address,
        phone=found.phone,
        email=found.email,
        website=found.website,
        logo_type=found.logo_type,
        updated_by=found.updated_by,
    )


@router.get(
    "/company",
    summary="The seller's company profile on the documents",
    response_model=CompanyOut,
    responses=READ,
)
def company(uow: UowDep, _caller: SalesDep) -> CompanyOut:
    return _company_out(uow)


@router.put(
    "/company",
    summary="Set the seller's company profile (admin key)",
    response_model=CompanyOut,
    responses=WRITE,
)
def set_company(body: CompanyChange, uow: UowDep, caller: AdminDep) -> CompanyOut:
    fields = body.model_dump(mode="json", exclude={"logo", "remove_logo"})
    logo = ds.logo_bytes(body.logo) if body.logo is not None else None
    ds.save_company(uow, fields, logo=logo, remove_logo=body.remove_logo, by=actor(caller))
    return _company_out(uow)
