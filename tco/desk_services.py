"""Services of the salesperson's desk (docs/desk.md): customer records, the pipeline, copies and
templates of quotes, the competitor library, discount approvals, sending quotes by e-mail and the
seller's company profile.

Like :mod:`tco.services` (on which it builds: quotes are created and their status changed there),
each service takes a unit of work (one tenant, one transaction), the acting user (``by``) and the
time (``now``, ``today``), and commits explicitly; a failure leaves nothing behind. Settings
(discount limits, the SMTP server) are handed in by the front doors.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tco import services
from tco.core.errors import ConflictError, InputFileError, Problem, format_path
from tco.mail import Attachment, SmtpConfig, build_message, check_config, send
from tco.presenters.i18n import gettext, language_of
from tco.quoting.approval import (
    Approval,
    ApprovalState,
    DiscountLimits,
    check_approver,
    check_can_send,
)
from tco.quoting.catalog import problem_message
from tco.quoting.competitors import CompetitorProduct, parse_data_sheet
from tco.quoting.customers import CustomerRecord, Email, parse_customer
from tco.quoting.desk import (
    CompanyFields,
    CompanyProfile,
    QuoteTemplate,
    Sending,
    TemplateFields,
    copied_request,
    logo_type,
    request_from_template,
    template_request,
)
from tco.quoting.pipeline import PipelineTotal, expires_within, pipeline_totals
from tco.quoting.requests import QuoteRequestError
from tco.quoting.versions import QuoteStatus, QuoteSummary, check_transition, effective_status
from tco.store.uow import UnitOfWork

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now(now: datetime | None) -> datetime:
    return now or services.utc_now()


def _problems(exc: ValidationError) -> QuoteRequestError:
    return QuoteRequestError(
        [Problem(format_path(e["loc"]), problem_message(e)) for e in exc.errors()]
    )


# --------------------------------------------------------------------------------------------
# Customers


def create_customer(
    uow: UnitOfWork, raw: Any, *, by: str, now: datetime | None = None
) -> CustomerRecord:
    """A new customer record; its name must be new in the tenant (any case)."""
    data = parse_customer(raw)
    with uow:
        record = services.desk_repository(uow).add_customer(data, by=by, at=_now(now))
        uow.commit()
    return record


def replace_customer(
    uow: UnitOfWork, customer_id: int, raw: Any, *, by: str, now: datetime | None = None
) -> CustomerRecord:
    """The record as given now (a new name is also the name on its quotes' headers; their saved
    versions keep the name they were made with)."""
    data = parse_customer(raw)
    with uow:
        repo = services.desk_repository(uow)
        record = repo.replace_customer(customer_id, data, by=by, at=_now(now))
        repo.rename_quotes(customer_id, record.name)
        uow.commit()
    return record


def customer(uow: UnitOfWork, customer_id: int) -> CustomerRecord:
    with uow:
        return services.desk_repository(uow).customer(customer_id)


def customers(uow: UnitOfWork, query: str | None = None) -> list[CustomerRecord]:
    """The tenant's customer records by name (``query``: part of the name or reference)."""
    with uow:
        return services.desk_repository(uow).customers(query)


# --------------------------------------------------------------------------------------------
# Quotes, the pipeline


def quote_summary(uow: UnitOfWork, number: str, today: date | None = None) -> QuoteSummary:
    """A quote's header, its status as of ``today``."""
    return services.show_quote(uow, number, today=today).summary


def current_version(uow: UnitOfWork, number: str) -> int:
    with uow:
        return uow.quotes.get(number).current_version


@dataclass(frozen=True)
class Pipeline:
    """A list of quotes (newest first) and its totals per currency."""

    rows: tuple[QuoteSummary, ...]
    totals: tuple[PipelineTotal, ...]


def pipeline(
    uow: UnitOfWork,
    *,
    status: QuoteStatus | None = None,
    customer: str | None = None,
    customer_id: int | None = None,
    expiring_within_days: int | None = None,
    today: date | None = None,
) -> Pipeline:
    """Quotes filtered by status (as of ``today``), customer name or record, and whether they
    are open and expire within ``expiring_within_days`` days; with their totals."""
    day = today or services.utc_now().date()
    rows = services.list_quotes(
        uow, status=status, customer=customer, customer_id=customer_id, today=day
    )
    if expiring_within_days is not None:
        rows = [s for s in rows if expires_within(s, day, expiring_within_days)]
    rows.sort(key=lambda s: (s.created_at, s.number), reverse=True)
    return Pipeline(tuple(rows), pipeline_totals(rows))


# --------------------------------------------------------------------------------------------
# Copies and templates


@dataclass(frozen=True)
class NewQuote:
    """A request to save as version 1 of a new quote, and the note of that version."""

    request: dict[str, Any]
    note: str

    def create(
        self, uow: UnitOfWork, *, by: str, now: datetime | None = None
    ) -> services.QuoteView:
        """Save it (one transaction: safe inside :func:`tco.store.idempotency.run_once`)."""
        return services.create_quote(uow, self.request, by=by, now=now, note=self.note)


def copy_of(uow: UnitOfWork, number: str, overrides: Mapping[str, Any], *, today: date) -> NewQuote:
    """What a copy of quote ``number`` saves: its latest request dated ``today``, with
    ``overrides`` (another customer, title, seller, ...)."""
    source = services.show_quote(uow, number).version
    raw = copied_request(source.request, overrides, today=today)
    return NewQuote(raw, f"copy of {number} version {source.version}")


def copy_quote(
    uow: UnitOfWork,
    number: str,
    overrides: Mapping[str, Any],
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> services.QuoteView:
    """Version 1 of a new quote from the latest request of ``number``, dated today, with
    ``overrides`` (another customer, title, seller, ...) and priced with the current catalog."""
    at = _now(now)
    return copy_of(uow, number, overrides, today=today or at.date()).create(uow, by=by, now=at)


def save_template(
    uow: UnitOfWork,
    raw: Any,
    *,
    number: str | None = None,
    request: Mapping[str, Any] | None = None,
    by: str,
    now: datetime | None = None,
) -> QuoteTemplate:
    """A template (``raw``: name, description) from the latest version of quote ``number``, or
    from a request given whole (checked by pricing it against the current catalog)."""
    try:
        data = TemplateFields.model_validate(raw)
    except ValidationError as exc:
        raise _problems(exc) from None
    if (number is None) == (request is None):
        raise QuoteRequestError([Problem("from_quote", "give a quote number or a request")])
    source: tuple[str, int] | None = None
    if number is not None:
        version = services.show_quote(uow, number).version
        kept = template_request(version.request)
        source = (number, version.version)
    else:
        assert request is not None
        kept = template_request(request)
        _check_template(uow, kept)
    with uow:
        saved = services.desk_repository(uow).add_template(
            data.name, data.description, kept, source=source, by=by, at=_now(now)
        )
        uow.commit()
    return saved


def _check_template(uow: UnitOfWork, request: Mapping[str, Any]) -> None:
    """A template's request must make a quote once it has a customer and a date."""
    from tco.presenters.i18n import quote_words
    from tco.quoting.builder import price_quote

    catalog = services.current_catalog(uow)[1]
    trial = request_from_template(
        request, {"customer": {"name": "template"}}, today=services.utc_now().date()
    )
    try:
        price_quote(trial, catalog, quote_words)
    except QuoteRequestError as exc:
        raise QuoteRequestError(
            [Problem(f"request.{p.path}" if p.path else "request", p.message) for p in exc.problems]
        ) from None


def templates(uow: UnitOfWork) -> list[QuoteTemplate]:
    with uow:
        return services.desk_repository(uow).templates()


def template(uow: UnitOfWork, template_id: int) -> QuoteTemplate:
    with uow:
        return services.desk_repository(uow).template(template_id)


def delete_template(uow: UnitOfWork, template_id: int) -> None:
    with uow:
        services.desk_repository(uow).delete_template(template_id)
        uow.commit()


def quote_from_template(
    uow: UnitOfWork,
    template_id: int,
    overrides: Mapping[str, Any],
    *,
    by: str,
    now: datetime | None = None,
    today: date | None = None,
) -> services.QuoteView:
    """A new quote from a template: ``overrides`` must say who it is for (``customer``)."""
    at = _now(now)
    made = from_template(uow, template_id, overrides, today=today or at.date())
    return made.create(uow, by=by, now=at)


def from_template(
    uow: UnitOfWork, template_id: int, overrides: Mapping[str, Any], *, today: date
) -> NewQuote:
    """What a quote started from a template saves."""
    kept = template(uow, template_id)
    raw = request_from_template(kept.request, overrides, today=today)
    return NewQuote(raw, f"from template '{kept.name}'")


# --------------------------------------------------------------------------------------------
# The competitor library


def competitors(uow: UnitOfWork) -> list[CompetitorProduct]:
    with uow:
        return services.desk_repository(uow).competitors()


def competitor(uow: UnitOfWork, competitor_id: int) -> CompetitorProduct:
    with uow:
        return services.desk_repository(uow).competitor(competitor_id)


def save_competitor(
    uow: UnitOfWork,
    competitor_id: int | None,
    raw: Any,
    *,
    by: str,
    now: datetime | None = None,
) -> CompetitorProduct:
    """Add a competitor's machine to the library (``competitor_id`` None) or replace the data
    sheet of one; its code must be new in the library."""
    at = _now(now)
    sheet = parse_data_sheet(raw, today=at.date())
    with uow:
        saved = services.desk_repository(uow).save_competitor(competitor_id, sheet, by=by, at=at)
        uow.commit()
    return saved


# --------------------------------------------------------------------------------------------
# Discount approval


def approval_state(uow: UnitOfWork, number: str, limits: DiscountLimits) -> ApprovalState:
    """What the current version's discount needs, and its approval."""
    with uow:
        return services.approval_state(uow, number, limits)


def approve(
    uow: UnitOfWork,
    number: str,
    *,
    reason: str,
    role: str,
    limits: DiscountLimits,
    by: str,
    now: datetime | None = None,
) -> Approval:
    """Approve the current version's discount: ``role``'s limit must cover it; who, when and
    why are kept with the approval and in the quote's history."""
    text = reason.strip()
    if not text:
        raise QuoteRequestError([Problem("reason", "required: say why the discount is approved")])
    if len(text) > 2000:
        raise QuoteRequestError([Problem("reason", "must be at most 2000 characters")])
    at = _now(now)
    with uow:
        summary = uow.quotes.get_for_update(number)
        if summary.status not in (QuoteStatus.draft, QuoteStatus.sent):
            raise ConflictError([Problem("status", f"quote {number} is {summary.status.value}")])
        state = services.approval_state(uow, number, limits)
        check_approver(number, role, limits, state)
        approval = Approval(
            number=number,
            version=summary.current_version,
            discount=state.discount,
            approved_by=by,
            role=role,
            reason=text,
            at=at,
        )
        services.desk_repository(uow).add_approval(approval)
        uow.quotes.note_event(number, "approved", by=by, at=at, note=text)
        uow.commit()
    return approval


# --------------------------------------------------------------------------------------------
# Sending by e-mail


def _check_sendable(
    uow: UnitOfWork, number: str, limits: DiscountLimits, today: date
) -> QuoteSummary:
    """In an open ``with uow``: the quote, if its current version may be sent now."""
    summary = uow.quotes.get(number)
    if effective_status(summary.status, summary.valid_until, today) != QuoteStatus.sent:
        check_transition(number, summary.status, QuoteStatus.sent, summary.valid_until, today)
    check_can_send(number, summary.current_version, services.approval_state(uow, number, limits))
    return summary


def _email_text(
    language: str, number: str, version: int, title: str, message: str, company: str
) -> tuple[str, str]:
    subject = gettext(language, "Quote {number}, version {version}", number=number, version=version)
    if title:
        subject = f"{subject}: {title}"
    attached = gettext(
        language,
        "Attached: the quote document (PDF) and the workbook (Excel), whose formulas recompute "
        "the lifetime costs when you change an assumption.",
    )
    parts = [message.strip(), attached, company]
    return subject, "\n\n".join(p for p in parts if p) + "\n"


def _recipient(recipient: str, message: str) -> str:
    try:
        address = TypeAdapter(Email).validate_python(recipient.strip())
    except ValidationError:
        address = ""
    if not address:
        raise QuoteRequestError(
            [Problem("recipient", f"'{recipient.strip()}' is not an e-mail address")]
        )
    if len(message) > 5000:
        raise QuoteRequestError([Problem("message", "must be at most 5000 characters")])
    return address


def send_quote(
    uow: UnitOfWork,
    number: str,
    *,
    recipient: str,
    message: str = "",
    smtp: SmtpConfig,
    limits: DiscountLimits,
    by: str,
    reply_to: str | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> Sending:
    """E-mail the current version's PDF document and workbook to ``recipient`` through the SMTP
    server and record it: the quote becomes ``sent`` (a sent quote stays sent), the sending
    (recipient, time, message id) is kept and named in the history.

    One transaction, which holds the quote for writing from the checks to the record: the
    status, approval, recipient and SMTP settings are checked before the message leaves; when
    the server refuses it, nothing is recorded (:class:`~tco.mail.DeliveryError`). ``key`` (a
    form's one-time token) makes a second submit return the first one's sending, unsent again.
    """
    at = _now(now)
    address = _recipient(recipient, message)
    check_config(smtp)
    with uow:
        repo = services.desk_repository(uow)
        repo.lock_quote(number)
        done = repo.sending_by_key(key) if key else None
        if done is not None:
            return done
        summary = _check_sendable(uow, number, limits, at.date())
        data = services.export_data_open(uow, number, summary.current_version)
        mail = _mail(summary, data, address, message, smtp, reply_to)
        sending = Sending(
            number=number,
            version=summary.current_version,
            recipient=address,
            subject=str(mail["Subject"]),
            message_id=send(smtp, mail),
            sent_at=at,
            sent_by=by,
        )
        repo.add_sending(sending, key)
        note = f"to {address}"
        if effective_status(summary.status, summary.valid_until, at.date()) == QuoteStatus.draft:
            uow.quotes.set_status(number, QuoteStatus.sent, by=by, at=at, action="sent", note=note)
        else:  # sent again
            uow.quotes.note_event(number, "sent", by=by, at=at, note=note)
        uow.commit()
    return sending


def _mail(
    summary: QuoteSummary,
    data: services.ExportData,
    address: str,
    message: str,
    smtp: SmtpConfig,
    reply_to: str | None,
) -> EmailMessage:
    """The message: subject and text in the quote's language, the seller's signature, the PDF
    document and the workbook attached."""
    company = data.info.company
    signature = ""
    if company is not None:
        signature = "\n".join(
            x for x in (company.name, company.address, company.phone, company.email) if x
        )
    number, version = summary.number, summary.current_version
    subject, body = _email_text(
        language_of(data.locale), number, version, summary.title, message, signature
    )
    assert smtp.sender is not None
    return build_message(
        sender=smtp.sender,
        recipient=address,
        subject=subject,
        body=body,
        attachments=_files(number, version, data),
        reply_to=reply_to,
    )


def _files(number: str, version: int, data: services.ExportData) -> list[Attachment]:
    from tco.presenters.document import render_pdf
    from tco.presenters.xlsx import render_workbook

    stem = f"{number}-v{version}"
    pdf = render_pdf(data.scenario, data.result, locale=data.locale, info=data.info)
    xlsx = render_workbook(data.scenario, data.result, locale=data.locale, info=data.info)
    return [
        Attachment(f"{stem}.pdf", pdf, "application/pdf"),
        Attachment(f"{stem}.xlsx", xlsx, XLSX),
    ]


def sendings(uow: UnitOfWork, number: str) -> list[Sending]:
    with uow:
        uow.quotes.get(number)
        return services.desk_repository(uow).sendings(number)


# --------------------------------------------------------------------------------------------
# The seller's company profile


def company(uow: UnitOfWork) -> CompanyProfile | None:
    with uow:
        return services.desk_repository(uow).company()


def save_company(
    uow: UnitOfWork,
    raw: Any,
    *,
    logo: bytes | None = None,
    remove_logo: bool = False,
    by: str,
    now: datetime | None = None,
) -> CompanyProfile:
    """Save the tenant's company profile; a logo (PNG or JPEG, at most 256 KB) replaces the
    one kept, ``remove_logo`` removes it."""
    try:
        data = CompanyFields.model_validate(raw)
    except ValidationError as exc:
        raise _problems(exc) from None
    image = (logo, logo_type(logo)) if logo else None
    with uow:
        saved = services.desk_repository(uow).save_company(
            data, logo=image, remove_logo=remove_logo, by=by, at=_now(now)
        )
        uow.commit()
    return saved


def logo_bytes(text: str) -> bytes:
    """A logo sent as base64 text (the API's JSON body)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputFileError([Problem("logo", "is not base64 text")]) from None
