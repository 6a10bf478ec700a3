"""The desk's pages (docs/desk.md): customer records, the pipeline on the quote list, copies and
templates of quotes, the competitor library, discount approval, sending a quote by e-mail and the
seller's company profile. Handlers parse, call :mod:`tco.desk_services`, render; every POST checks
the CSRF token. Figures are rounded once, here, from the services' unrounded values.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from api.web.deps import FormDep, SignedIn, SignedInDep, check_csrf
from api.web.forms import segments
from api.web.i18n import translator
from api.web.pages import PageError, render
from api.web.views import page_locale
from tco import desk_services as ds
from tco import services
from tco.core.errors import ConflictError, NotFoundError, Problem, TcoError
from tco.core.money import round_money
from tco.desk_settings import DeskSettings
from tco.presenters.i18n import N_
from tco.quoting.approval import ApprovalState
from tco.quoting.pipeline import PipelineTotal
from tco.quoting.versions import QuoteStatus, QuoteSummary
from tco.store.idempotency import IdempotencyKeyReusedError, StoredResponse, check_key, run_once
from tco.store.uow import UnitOfWork

#: Labels this module translates with ``t(...)`` (msgids for ``make messages``).
LABELS = (
    N_("Customers"),
    N_("Customer record"),
    N_("From the competitor library"),
    N_("none: type the customer's name"),
    N_("none: type the data sheet"),
    N_("There is no customer {id}."),
    N_("There is no quote {number}."),
    N_("There is no template {id}."),
    N_("There is no competitor product {id}."),
    N_("Competitor library"),
    N_("Saved."),
    N_("Template saved."),
    N_("expires today"),
    N_("expires tomorrow"),
    N_("in {days} days"),
    N_("Approved by {who} on {when}: {why}"),
    N_("{when}: version {version} to {to}, by {who}"),
    N_("Quote {number} is a copy of {source}, dated today."),
    N_("The discount is approved."),
    N_("Quote {number} was sent to {to}."),
    N_("approved"),
    N_("manager"),
)

router = APIRouter(include_in_schema=False)
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Translate = Callable[[str], str]
#: The choices of the quote list's "expiring within" filter, in days.
EXPIRING = (7, 14, 30, 60, 90)
#: Blank rows a customer form offers beyond the record's sites and contacts.
BLANK_SITES, BLANK_CONTACTS = 1, 2
SITE_FIELDS = ("name", "address", "country")
CONTACT_FIELDS = ("name", "email", "phone", "position", "site")
SHEET_FIELDS = (
    "code",
    "maker",
    "name",
    "currency",
    "price",
    "life_years",
    "power_kw",
    "load_pct",
    "mtbf_hours",
    "repair_cost",
    "downtime_hours",
    "maintenance_per_year",
    "installation_cost",
    "source",
    "source_date",
    "notes",
)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def settings() -> DeskSettings:
    """The desk's settings (discount limits, SMTP), read from the environment."""
    return DeskSettings()


def _problems(exc: TcoError) -> dict[str, str]:
    return {p.path or "form": p.message for p in exc.problems}


def _money(language: str, value: Decimal | float | None, currency: str) -> str:
    if value is None:
        return "–"
    return page_locale(language).money(round_money(value, currency), currency)


# --------------------------------------------------------------------------------------------
# Customers


def _record_form(record: Any | None) -> dict[str, str]:
    """The customer form's values: the record's, then blank rows for another site and contact."""
    values: dict[str, str] = {"name": "", "segment": "standard", "reference": "", "notes": ""}
    sites: list[Any] = list(record.sites) if record is not None else []
    contacts: list[Any] = list(record.contacts) if record is not None else []
    if record is not None:
        values.update(
            name=record.name, segment=record.segment, reference=record.reference, notes=record.notes
        )
    for i in range(len(sites) + BLANK_SITES):
        for f in SITE_FIELDS:
            values[f"site_{f}_{i}"] = getattr(sites[i], f) if i < len(sites) else ""
    for i in range(len(contacts) + BLANK_CONTACTS):
        for f in CONTACT_FIELDS:
            values[f"contact_{f}_{i}"] = getattr(contacts[i], f) if i < len(contacts) else ""
    return values


def _rows(values: Mapping[str, str], prefix: str, fields: Sequence[str]) -> int:
    found = [int(m.group(1)) for k in values if (m := re.match(rf"^{prefix}_name_(\d+)$", k))]
    return max(found, default=-1) + 1


def _customer_raw(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The record a customer form describes (blank rows left out), and which form field each
    site's and contact's index maps to (``sites[0]`` -> row ``0``)."""
    raw: dict[str, Any] = {k: form.get(k, "").strip() for k in ("name", "segment", "reference")}
    raw["notes"] = form.get("notes", "")
    where: dict[str, str] = {}
    for key, prefix, fields in (
        ("sites", "site", SITE_FIELDS),
        ("contacts", "contact", CONTACT_FIELDS),
    ):
        items: list[dict[str, str]] = []
        for i in range(_rows(form, prefix, fields)):
            item = {f: form.get(f"{prefix}_{f}_{i}", "").strip() for f in fields}
            if any(item.values()):
                where[f"{key}[{len(items)}]"] = f"{prefix}_{{}}_{i}"
                items.append(item)
        raw[key] = items
    return raw, where


def _field_errors(exc: TcoError, where: Mapping[str, str]) -> dict[str, str]:
    """Problems by form field (``sites[1].name`` -> ``site_name_3``)."""
    out: dict[str, str] = {}
    for p in exc.problems:
        m = re.match(r"^(sites|contacts)\[(\d+)\]\.(\w+)", p.path)
        if m is not None and f"{m.group(1)}[{m.group(2)}]" in where:
            name = where[f"{m.group(1)}[{m.group(2)}]"].format(m.group(3))
        else:
            name = p.path.split(".")[0] or "name"
        out.setdefault(name, p.message)
    return out


def _segments(ctx: SignedIn) -> list[str]:
    try:
        return segments(services.current_catalog(ctx.uow)[1])
    except NotFoundError:
        return ["standard"]


@router.get("/customers")
def customer_list(ctx: SignedInDep, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    records = ds.customers(ctx.uow, q.strip() or None)
    return render("customers.html.j2", language=ctx.language, ctx=ctx, q=q, records=records)


def _customer_page(
    ctx: SignedIn,
    customer_id: int | None,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    quotes: list[PipelineRow] = []
    totals: list[TotalRow] = []
    if customer_id is not None:
        pipe = ds.pipeline(ctx.uow, customer_id=customer_id)
        quotes, totals = pipeline_rows(pipe.rows, pipe.totals, ctx.language, date.today())
    site_rows = _rows(values, "site", SITE_FIELDS)
    contact_rows = _rows(values, "contact", CONTACT_FIELDS)
    return render(
        "customer.html.j2",
        language=ctx.language,
        status_code=status_code,
        ctx=ctx,
        customer_id=customer_id,
        values=values,
        errors=errors or {},
        notice=notice,
        segments=_segments(ctx),
        site_rows=range(site_rows),
        contact_rows=range(contact_rows),
        quotes=quotes,
        totals=totals,
    )


def _customer_or_404(ctx: SignedIn, customer_id: int) -> Any:
    try:
        return ds.customer(ctx.uow, customer_id)
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There is no customer {id}.").format(id=customer_id)
        raise PageError(404, message, ("/customers", t("Customers"))) from None


@router.get("/customers/new")
def new_customer(ctx: SignedInDep) -> Response:
    return _customer_page(ctx, None, _record_form(None))


@router.post("/customers")
def create_customer(ctx: SignedInDep, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    raw, where = _customer_raw(form)
    try:
        record = ds.create_customer(ctx.uow, raw, by=ctx.by)
    except TcoError as exc:
        errors = _field_errors(exc, where)
        return _customer_page(ctx, None, dict(form), errors=errors, status_code=422)
    return _redirect(f"/customers/{record.id}?saved=1")


@router.get("/customers/{customer_id}")
def customer_page(
    ctx: SignedInDep, customer_id: ItemId, saved: Annotated[int, Query(ge=0, le=1)] = 0
) -> Response:
    record = _customer_or_404(ctx, customer_id)
    notice = translator(ctx.language)("Saved.") if saved else ""
    return _customer_page(ctx, customer_id, _record_form(record), notice=notice)


@router.post("/customers/{customer_id}")
def save_customer(ctx: SignedInDep, customer_id: ItemId, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _customer_or_404(ctx, customer_id)
    raw, where = _customer_raw(form)
    try:
        ds.replace_customer(ctx.uow, customer_id, raw, by=ctx.by)
    except TcoError as exc:
        errors = _field_errors(exc, where)
        return _customer_page(ctx, customer_id, dict(form), errors=errors, status_code=422)
    return _redirect(f"/customers/{customer_id}?saved=1")


# --------------------------------------------------------------------------------------------
# The pipeline on the quote list


@dataclass(frozen=True, slots=True)
class PipelineRow:
    number: str
    customer: str
    customer_id: int | None
    title: str
    owner: str
    status: str
    status_key: str
    version: int
    as_of: str
    valid_until: str
    expiry: str
    soon: bool
    value: str
    saving: str


@dataclass(frozen=True, slots=True)
class TotalRow:
    currency: str
    count: str
    open: str
    value: str
    saving: str
    open_value: str
    open_saving: str
    #: the rows' rounded figures do not add up to the rounded totals
    note: bool


def _expiry(t: Translate, summary: QuoteSummary, today: date) -> tuple[str, bool]:
    if summary.status not in (QuoteStatus.draft, QuoteStatus.sent):
        return "", False
    days = (summary.valid_until - today).days
    if days == 0:
        return t("expires today"), True
    if days == 1:
        return t("expires tomorrow"), True
    return t("in {days} days").format(days=days), days <= 14


def pipeline_rows(
    rows: Sequence[QuoteSummary],
    totals: Sequence[PipelineTotal],
    language: str,
    today: date,
) -> tuple[list[PipelineRow], list[TotalRow]]:
    """The quote list's rows and totals, each figure rounded once from its unrounded value."""
    t = translator(language)
    loc = page_locale(language)
    out = []
    for s in rows:
        expiry, soon = _expiry(t, s, today)
        out.append(
            PipelineRow(
                number=s.number,
                customer=s.customer,
                customer_id=s.customer_id,
                title=s.title,
                owner=s.seller,
                status=t(s.status.value),
                status_key=s.status.value,
                version=s.current_version,
                as_of=loc.date(s.as_of),
                valid_until=loc.date(s.valid_until),
                expiry=expiry,
                soon=soon,
                value=_money(language, s.value, s.currency),
                saving=_money(language, s.saving, s.currency),
            )
        )
    sums = []
    for total in totals:
        cur = total.currency
        mine = [s for s in rows if s.currency == cur]
        parts_value = sum((round_money(s.value or 0, cur) for s in mine), Decimal(0))
        parts_saving = sum((round_money(s.saving or 0, cur) for s in mine), Decimal(0))
        sums.append(
            TotalRow(
                currency=cur,
                count=loc.number(total.count),
                open=loc.number(total.open_count),
                value=_money(language, total.value, cur),
                saving=_money(language, total.saving, cur),
                open_value=_money(language, total.open_value, cur),
                open_saving=_money(language, total.open_saving, cur),
                note=parts_value != round_money(total.value, cur)
                or parts_saving != round_money(total.saving, cur),
            )
        )
    return out, sums


def quote_list_page(
    ctx: SignedIn, *, q: str, status: str, customer_id: int | None, expiring: int | None
) -> Response:
    """The quote list with the pipeline's figures and totals, filtered by number or customer
    name (``q``), status, customer record and expiry within a number of days."""
    chosen = QuoteStatus(status) if status in {s.value for s in QuoteStatus} else None
    today = date.today()
    pipe = ds.pipeline(
        ctx.uow,
        status=chosen,
        customer_id=customer_id,
        expiring_within_days=expiring,
        today=today,
    )
    needle = q.strip().lower()
    rows = [s for s in pipe.rows if not needle or needle in f"{s.number} {s.customer}".lower()]
    totals = pipe.totals
    if needle:
        from tco.quoting.pipeline import pipeline_totals

        totals = pipeline_totals(rows)
    shown, sums = pipeline_rows(rows, totals, ctx.language, today)
    return render(
        "quotes.html.j2",
        language=ctx.language,
        ctx=ctx,
        q=q,
        status=status,
        statuses=tuple(s.value for s in QuoteStatus),
        rows=shown,
        totals=sums,
        customers=ds.customers(ctx.uow),
        customer_id=customer_id,
        expiring=expiring,
        expiring_choices=EXPIRING,
    )


# --------------------------------------------------------------------------------------------
# The quote page's desk: copy, template, approval, sending


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    label: str


@dataclass(frozen=True, slots=True)
class QuoteDesk:
    """What the quote page shows beyond the quote: the approval, who it can be sent to, the
    sendings so far, and the tokens of its one-time forms."""

    approval: ApprovalState
    discount: str
    limit: str
    can_approve: bool
    approved_text: str
    recipients: tuple[Recipient, ...]
    sendings: tuple[str, ...]
    can_send: bool
    mail_ready: bool
    customers: tuple[tuple[int, str], ...]
    copy_token: str
    send_token: str
    customer_id: int | None


def _percent(language: str, fraction: Decimal) -> str:
    from api.web.numbers import format_number

    return f"{format_number(fraction * 100, language)}\u00a0%"


def quote_desk(ctx: SignedIn, summary: QuoteSummary) -> QuoteDesk:
    """The desk's cards of a quote page."""
    desk = settings()
    limits = desk.limits
    state = ds.approval_state(ctx.uow, summary.number, limits)
    t = translator(ctx.language)
    loc = page_locale(ctx.language)
    approved = ""
    if state.approval is not None:
        a = state.approval
        approved = t("Approved by {who} on {when}: {why}").format(
            who=a.approved_by, when=loc.date(a.at.date()), why=a.reason
        )
    recipients: list[Recipient] = []
    if summary.customer_id is not None:
        with_record = ds.customer(ctx.uow, summary.customer_id)
        recipients = [
            Recipient(c.email, f"{c.name} <{c.email}>") for c in with_record.contacts if c.email
        ]
    sent = tuple(
        t("{when}: version {version} to {to}, by {who}").format(
            when=f"{loc.date(s.sent_at.date())} {s.sent_at:%H:%M}",
            version=s.version,
            to=s.recipient,
            who=s.sent_by,
        )
        for s in reversed(ds.sendings(ctx.uow, summary.number))
    )
    open_ = summary.status in (QuoteStatus.draft, QuoteStatus.sent)
    return QuoteDesk(
        approval=state,
        discount=_percent(ctx.language, state.discount),
        limit=_percent(ctx.language, state.limit),
        can_approve=open_ and state.missing and limits.of(ctx.user.role.value) >= state.discount,
        approved_text=approved,
        recipients=tuple(recipients),
        sendings=sent,
        can_send=open_ and not state.missing,
        mail_ready=bool(desk.smtp.host and desk.smtp.sender),
        customers=tuple((c.id, c.name) for c in ds.customers(ctx.uow)),
        copy_token=secrets.token_urlsafe(24),
        send_token=secrets.token_urlsafe(24),
        customer_id=summary.customer_id,
    )


def _back(number: str, **query: str) -> RedirectResponse:
    return _redirect(f"/quotes/{urlquote(number)}" + (f"?{urlencode(query)}" if query else ""))


def _once(
    ctx: SignedIn,
    form: Mapping[str, str],
    operation: str,
    work: Callable[[UnitOfWork], StoredResponse],
) -> tuple[StoredResponse, bool]:
    """Run ``work`` once per the form's one-time token (a double click, or Back and submit
    again, gets the first outcome); without a valid token, run it."""
    token = form.get("form_token", "")
    try:
        check_key(token)
    except TcoError:
        return work(ctx.uow), False

    def run(sessions: sessionmaker[Session]) -> StoredResponse:
        return work(UnitOfWork(ctx.user.tenant, sessions=sessions))

    return run_once(
        ctx.database.engine,
        tenant=ctx.user.tenant,
        key=f"web-form:{token}",
        operation=operation,
        payload={"form_token": token},
        work=run,
    )


def _quote_error(ctx: SignedIn, number: str, exc: TcoError) -> Response:
    """Back to the quote page with the problem shown at the top (409)."""
    from api.web.routes import quote_page_response

    message = "; ".join(p.message for p in exc.problems)
    return quote_page_response(ctx, number, error=message, status_code=409)


@router.post("/quotes/{number}/copy")
def copy_quote(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _exists(ctx, number)
    overrides: dict[str, Any] = {}
    chosen = form.get("customer_id", "").strip()
    if chosen.isdigit():
        overrides["customer"] = {"id": int(chosen)}

    def work(uow: UnitOfWork) -> StoredResponse:
        view = made.create(uow, by=ctx.by)
        body = {"number": view.summary.number, "version": view.version.version}
        return StoredResponse(303, body, f"/quotes/{view.summary.number}")

    try:
        made = ds.copy_of(ctx.uow, number, overrides, today=date.today())
        stored, _ = _once(ctx, form, f"web: copy {number}", work)
    except IdempotencyKeyReusedError:
        again = translator(ctx.language)("This form was used for another quote; reload it.")
        return _quote_error(ctx, number, ConflictError([Problem("form", again)]))
    except TcoError as exc:
        return _quote_error(ctx, number, exc)
    return _back(str(stored.body["number"]), copied=number)


def _exists(ctx: SignedIn, number: str) -> bool:
    try:
        ds.quote_summary(ctx.uow, number)
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There is no quote {number}.")
        raise PageError(404, message.format(number=number)) from None
    return True


@router.post("/quotes/{number}/template")
def save_template(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _exists(ctx, number)
    raw = {"name": form.get("name", "").strip(), "description": form.get("description", "")}
    try:
        saved = ds.save_template(ctx.uow, raw, number=number, by=ctx.by)
    except TcoError as exc:
        return _quote_error(ctx, number, exc)
    return _redirect(f"/templates?saved={saved.id}")


@router.post("/quotes/{number}/approve")
def approve(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _exists(ctx, number)
    try:
        ds.approve(
            ctx.uow,
            number,
            reason=form.get("reason", ""),
            role=ctx.user.role.value,
            limits=settings().limits,
            by=ctx.by,
        )
    except TcoError as exc:
        return _quote_error(ctx, number, exc)
    return _back(number, approved="1")


@router.post("/quotes/{number}/send")
def send_quote(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _exists(ctx, number)
    desk = settings()
    recipient = form.get("recipient_other", "").strip() or form.get("recipient", "").strip()
    token = form.get("form_token", "").strip()[:150]
    try:  # a second submit of the form (its token) finds the first sending: nothing is resent
        s = ds.send_quote(
            ctx.uow,
            number,
            recipient=recipient,
            message=form.get("message", ""),
            smtp=desk.smtp,
            limits=desk.limits,
            by=ctx.by,
            reply_to=ctx.user.email,
            key=f"web:{token}" if token else None,
        )
    except TcoError as exc:  # DeliveryError too: nothing was sent, nothing recorded
        return _quote_error(ctx, number, exc)
    return _back(number, sent=s.recipient)


def quote_notice(ctx: SignedIn, number: str, *, copied: str, approved: str, sent: str) -> str:
    """What the quote page says after a copy, an approval or a sending."""
    t = translator(ctx.language)
    if copied:
        return t("Quote {number} is a copy of {source}, dated today.").format(
            number=number, source=copied
        )
    if approved:
        return t("The discount is approved.")
    if sent:
        return t("Quote {number} was sent to {to}.").format(number=number, to=sent)
    return ""


# --------------------------------------------------------------------------------------------
# The builder: customer records, templates and the competitor library


def _library_values(sheet: Any, language: str) -> dict[str, str]:
    """The other offer's form values of a library entry, written for a page in ``language``
    (a figure the data sheet does not state is left empty)."""
    from api.web.forms import localized

    def text(value: Any) -> str:
        return "" if value is None else _plain(value)

    values = {
        "comp_kind": "competitor",
        "comp_name": f"{sheet.maker} {sheet.name}",
        "comp_price": text(sheet.price),
        "comp_life_years": text(sheet.life_years),
        "comp_power_kw": text(sheet.power_kw),
        "comp_load_pct": ""
        if sheet.load_factor is None
        else _plain(Decimal(repr(sheet.load_factor)) * 100),
        "comp_mtbf_hours": text(sheet.mtbf_hours),
        "comp_repair_cost": text(sheet.repair_cost),
        "comp_downtime_hours": text(sheet.downtime_hours),
        "comp_maintenance_cost": text(sheet.maintenance_per_year),
        "comp_installation_cost": text(sheet.installation_cost),
    }
    shown = localized(values, language)
    del shown["number_locale"]
    return shown


def builder_choices(ctx: SignedIn) -> dict[str, Any]:
    """The builder's customer records and competitor library (see
    :func:`api.web.views.builder_options`)."""
    return {
        "customers": [(c.id, c.name, c.segment) for c in ds.customers(ctx.uow)],
        "competitors": [
            (
                c.sheet.code,
                f"{c.sheet.maker} {c.sheet.name} ({c.sheet.source}, "
                f"{page_locale(ctx.language).date(c.sheet.source_date)})",
                _library_values(c.sheet, ctx.language),
            )
            for c in ds.competitors(ctx.uow)
        ],
    }


def starting_values(
    ctx: SignedIn,
    values: dict[str, str],
    catalog: Any,
    *,
    template: int | None,
    customer: int | None,
) -> dict[str, str]:
    """A new quote's form: from a template (its request, dated today) and for a customer record
    (its name and segment), when asked."""
    from api.web.forms import form_from_request
    from tco.quoting.desk import request_from_template

    out = dict(values)
    if template is not None:
        try:
            kept = ds.template(ctx.uow, template)
        except NotFoundError:
            t = translator(ctx.language)
            message = t("There is no template {id}.")
            raise PageError(404, message.format(id=template)) from None
        raw = request_from_template(
            kept.request,
            {"customer": {"name": ""}, "seller": ctx.user.display_name},
            today=date.today(),
        )
        shown = form_from_request(raw, catalog, ctx.language)
        if shown is None:
            raise PageError(409, f"Template '{kept.name}' has offers this page cannot show.")
        out = {**shown, "title": kept.name}
    if customer is not None:
        record = _customer_or_404(ctx, customer)
        out.update(
            customer_id=str(record.id), customer_name=record.name, customer_segment=record.segment
        )
    return out


# --------------------------------------------------------------------------------------------
# Templates


@router.get("/templates")
def template_list(ctx: SignedInDep, saved: Annotated[int, Query(ge=0)] = 0) -> Response:
    items = ds.templates(ctx.uow)
    loc = page_locale(ctx.language)
    rows = [
        {
            "id": x.id,
            "name": x.name,
            "description": x.description,
            "source": f"{x.source_number} v{x.source_version}" if x.source_number else "",
            "created": f"{loc.date(x.created_at.date())}, {x.created_by}",
        }
        for x in items
    ]
    notice = translator(ctx.language)("Template saved.") if saved else ""
    return render("templates.html.j2", language=ctx.language, ctx=ctx, rows=rows, notice=notice)


@router.post("/templates/{template_id}/delete")
def delete_template(ctx: SignedInDep, template_id: ItemId, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    try:
        ds.delete_template(ctx.uow, template_id)
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There is no template {id}.")
        raise PageError(404, message.format(id=template_id)) from None
    return _redirect("/templates")


# --------------------------------------------------------------------------------------------
# The competitor library


def _sheet_form(entry: Any | None) -> dict[str, str]:
    values = dict.fromkeys(SHEET_FIELDS, "")
    values.update(currency="EUR", source_date=date.today().isoformat())
    if entry is None:
        return values
    sheet = entry.sheet
    for key in SHEET_FIELDS:
        value = getattr(sheet, key, None)
        if value is not None:
            values[key] = _plain(value)
    if sheet.load_factor is not None:
        values["load_pct"] = _plain(Decimal(repr(sheet.load_factor)) * 100)
    return values


def _plain(value: Any) -> str:
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sheet_raw(
    form: Mapping[str, str], language: str
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The data sheet a library form describes; numbers in the page's locale."""
    from api.web.numbers import NumberError, number_language, parse_number

    numbers = number_language(form.get("number_locale"), language)
    t = translator(language)
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in ("code", "maker", "name", "currency", "source", "source_date", "notes"):
        raw[key] = form.get(key, "").strip()
    for key in (
        "price",
        "life_years",
        "power_kw",
        "load_pct",
        "mtbf_hours",
        "repair_cost",
        "downtime_hours",
        "maintenance_per_year",
        "installation_cost",
    ):
        try:
            value = parse_number(form.get(key, ""), numbers)
        except NumberError:
            errors[key] = t("enter a number")
            continue
        if value is None:
            continue
        if key == "life_years":
            if value != value.to_integral_value():
                errors[key] = t("enter a whole number")
                continue
            raw[key] = int(value)
        elif key == "load_pct":
            raw["load_factor"] = float(value / 100)
        elif key in ("power_kw", "mtbf_hours", "downtime_hours"):
            raw[key] = float(value)
        else:
            raw[key] = str(value)
    if not raw["source_date"]:
        raw.pop("source_date")
    return (None if errors else raw), errors


@router.get("/competitors")
def competitor_list(ctx: SignedInDep) -> Response:
    loc = page_locale(ctx.language)
    rows = [
        {
            "id": c.id,
            "code": c.sheet.code,
            "maker": c.sheet.maker,
            "name": c.sheet.name,
            "price": _money(ctx.language, c.sheet.price, c.sheet.currency),
            "mtbf": "–" if c.sheet.mtbf_hours is None else loc.number(round(c.sheet.mtbf_hours)),
            "source": c.sheet.source,
            "date": loc.date(c.sheet.source_date),
        }
        for c in ds.competitors(ctx.uow)
    ]
    return render("competitors.html.j2", language=ctx.language, ctx=ctx, rows=rows)


def _competitor_page(
    ctx: SignedIn,
    competitor_id: int | None,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    values = {**values, "number_locale": values.get("number_locale") or ctx.language}
    return render(
        "competitor.html.j2",
        language=ctx.language,
        status_code=status_code,
        ctx=ctx,
        competitor_id=competitor_id,
        values=values,
        errors=errors or {},
        notice=notice,
    )


def _localized_sheet(values: dict[str, str], language: str) -> dict[str, str]:
    from api.web.numbers import format_number

    out = dict(values)
    for key in (
        "price",
        "power_kw",
        "load_pct",
        "mtbf_hours",
        "repair_cost",
        "downtime_hours",
        "maintenance_per_year",
        "installation_cost",
    ):
        if out.get(key):
            out[key] = format_number(out[key], language)
    out["number_locale"] = language
    return out


@router.get("/competitors/new")
def new_competitor(ctx: SignedInDep) -> Response:
    return _competitor_page(ctx, None, _localized_sheet(_sheet_form(None), ctx.language))


def _save_competitor(ctx: SignedIn, competitor_id: int | None, form: dict[str, str]) -> Response:
    check_csrf(ctx.session, form)
    raw, errors = _sheet_raw(form, ctx.language)
    if raw is not None:
        try:
            saved = ds.save_competitor(ctx.uow, competitor_id, raw, by=ctx.by)
        except TcoError as exc:
            errors = {
                ("load_pct" if p.path == "load_factor" else p.path or "form"): p.message
                for p in exc.problems
            }
        else:
            return _redirect(f"/competitors/{saved.id}?saved=1")
    return _competitor_page(ctx, competitor_id, form, errors=errors, status_code=422)


@router.post("/competitors")
def create_competitor(ctx: SignedInDep, form: FormDep) -> Response:
    return _save_competitor(ctx, None, form)


def _competitor_or_404(ctx: SignedIn, competitor_id: int) -> Any:
    try:
        return ds.competitor(ctx.uow, competitor_id)
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There is no competitor product {id}.").format(id=competitor_id)
        raise PageError(404, message, ("/competitors", t("Competitor library"))) from None


@router.get("/competitors/{competitor_id}")
def competitor_page(
    ctx: SignedInDep, competitor_id: ItemId, saved: Annotated[int, Query(ge=0, le=1)] = 0
) -> Response:
    entry = _competitor_or_404(ctx, competitor_id)
    values = _localized_sheet(_sheet_form(entry), ctx.language)
    notice = translator(ctx.language)("Saved.") if saved else ""
    return _competitor_page(ctx, competitor_id, values, notice=notice)


@router.post("/competitors/{competitor_id}")
def save_competitor(ctx: SignedInDep, competitor_id: ItemId, form: FormDep) -> Response:
    _competitor_or_404(ctx, competitor_id)
    return _save_competitor(ctx, competitor_id, form)


# --------------------------------------------------------------------------------------------
# The company profile


async def _upload(request: Request) -> tuple[dict[str, str], bytes | None]:
    """The company form's fields and its logo's bytes (none when no file was chosen); the
    uploaded file is closed once read."""
    async with request.form() as form:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        logo = form.get("logo")
        data = await logo.read() if isinstance(logo, UploadFile) and logo.filename else None
    return values, data or None


UploadDep = Annotated[tuple[dict[str, str], bytes | None], Depends(_upload)]


def _company_values(ctx: SignedIn) -> tuple[dict[str, str], bool]:
    found = ds.company(ctx.uow)
    if found is None:
        return dict.fromkeys(("name", "address", "phone", "email", "website"), ""), False
    values = {
        "name": found.name,
        "address": found.address,
        "phone": found.phone,
        "email": found.email,
        "website": found.website,
    }
    return values, found.logo is not None


@router.get("/company")
def company_page(ctx: SignedInDep, saved: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    values, has_logo = _company_values(ctx)
    notice = translator(ctx.language)("Saved.") if saved else ""
    return render(
        "company.html.j2",
        language=ctx.language,
        ctx=ctx,
        values=values,
        has_logo=has_logo,
        errors={},
        notice=notice,
        editable=ctx.user.role.value == "admin",
    )


@router.post("/company")
def save_company(ctx: SignedInDep, upload: UploadDep) -> Response:
    form, logo = upload
    check_csrf(ctx.session, form)
    if ctx.user.role.value != "admin":
        raise PageError(403, "Only an admin changes the company profile.")
    fields = {k: form.get(k, "").strip() for k in ("name", "phone", "email", "website")}
    fields["address"] = form.get("address", "")
    try:
        ds.save_company(ctx.uow, fields, logo=logo, remove_logo="remove_logo" in form, by=ctx.by)
    except TcoError as exc:
        _, has_logo = _company_values(ctx)
        return render(
            "company.html.j2",
            language=ctx.language,
            status_code=422,
            ctx=ctx,
            values={**fields},
            has_logo=has_logo,
            errors=_problems(exc),
            notice="",
            editable=True,
        )
    return _redirect("/company?saved=1")
