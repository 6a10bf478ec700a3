"""The salesperson's pages: sign-in, quote list, builder (with a live preview), quote page and
downloads. Handlers parse, call a service, render; every POST checks the CSRF token."""

from __future__ import annotations

import math
import secrets
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api import quoting
from api.web import builder, desk
from api.web.checks import CONFIRM_FIELD
from api.web.deps import (
    FormDep,
    SignedIn,
    SignedInDep,
    Visitor,
    VisitorDep,
    check_csrf,
    web_state,
)
from api.web.forms import BY_NAME, FormErrors, form_from_request, new_form
from api.web.i18n import translator
from api.web.numbers import number_language
from api.web.pages import PageError, render
from api.web.session import new_visitor
from api.web.views import (
    FINAL,
    STATUSES,
    builder_options,
    comparison_view,
    conflict_view,
    quote_page,
    typed_changes,
)
from tco import services
from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.presenters.i18n import ngettext
from tco.quoting.versions import QuoteStatus
from tco.store.sessions import Locked, Refused
from tco.store.sessions import sign_in as sign_in_user

router = APIRouter(include_in_schema=False)
Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Fmt = Annotated[str, Path(pattern=r"^(xlsx|html|pdf)$")]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _local(path: str | None, default: str = "/quotes") -> str:
    """Only paths on this site (no ``//host`` or scheme) are followed after sign-in."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


def _quote(ctx: SignedIn, number: str, version: int | None = None) -> services.QuoteView:
    try:
        return services.show_quote(ctx.uow, number, version=version)
    except NotFoundError as exc:
        t = translator(ctx.language)
        if version is None or all(p.path != "version" for p in exc.problems):
            raise PageError(404, f"There is no quote {number}.") from None
        latest = services.show_quote(ctx.uow, number).summary.current_version
        has = (
            t("it has version 1")
            if latest == 1
            else t("it has versions {first}–{last}").format(first=1, last=latest)
        )
        message = t("Version {version} of quote {number} does not exist; {has}.").format(
            version=version, number=number, has=has
        )
        link = (f"/quotes/{urlquote(number)}", t("Show the latest version ({version})"))
        raise PageError(404, message, (link[0], link[1].format(version=latest))) from None


# --------------------------------------------------------------------------------------------
# Sign-in, sign-out, language


@router.get("/")
def home(who: VisitorDep) -> RedirectResponse:
    signed = who.session is not None and who.session.user is not None
    return _redirect("/quotes" if signed else "/sign-in")


@router.get("/sign-in")
def sign_in_page(request: Request, who: VisitorDep, next: str | None = None) -> Response:
    session = who.session or new_visitor()
    response = render(
        "sign_in.html.j2",
        language=who.language,
        csrf=session.csrf,
        next=_local(next),
        error="",
        email="",
    )
    if who.session is None:
        web_state(request).cookies.write_visitor(response, session)
    return response


def _locked_page(who: Visitor, form: dict[str, str], locked: Locked) -> Response:
    """429: too many failed sign-ins for this address or account; when to try again."""
    assert who.session is not None
    minutes = math.ceil(locked.retry_after_s / 60)
    error = ngettext(
        who.language,
        "Too many failed sign-ins. Try again in {n} minute.",
        "Too many failed sign-ins. Try again in {n} minutes.",
        minutes,
        n=minutes,
    )
    response = render(
        "sign_in.html.j2",
        language=who.language,
        status_code=429,
        csrf=who.session.csrf,
        next=_local(form.get("next")),
        error=error,
        email=form.get("email", ""),
    )
    response.headers["Retry-After"] = str(locked.retry_after_s)
    return response


@router.post("/sign-in")
def sign_in(request: Request, who: VisitorDep, form: FormDep) -> Response:
    """Sign in, throttled per account and per client address (:mod:`tco.store.sessions`)."""
    check_csrf(who.session, form)
    assert who.session is not None
    state = web_state(request)
    outcome = sign_in_user(
        state.database.sessions,
        form.get("email", ""),
        form.get("password", ""),
        request.client.host if request.client is not None else "unknown",
        now=datetime.now(UTC),
        throttle=state.settings.throttle_policy,
        session_policy=state.settings.session_policy,
        language=who.session.language,
    )
    if isinstance(outcome, Locked):
        return _locked_page(who, form, outcome)
    if isinstance(outcome, Refused):
        return render(
            "sign_in.html.j2",
            language=who.language,
            status_code=400,
            csrf=who.session.csrf,
            next=_local(form.get("next")),
            error="The e-mail address or the password is wrong.",
            email=form.get("email", ""),
        )
    response = _redirect(_local(form.get("next")))
    state.cookies.signed_in(response, outcome, previous=who.session)
    return response


@router.post("/sign-out")
def sign_out(request: Request, who: VisitorDep, form: FormDep) -> Response:
    """The session ends on the server: the cookie, or a copy of it, no longer signs anyone in."""
    check_csrf(who.session, form)
    response = _redirect("/sign-in")
    web_state(request).cookies.end(who.session, response)
    return response


@router.post("/language")
def set_language(request: Request, who: VisitorDep, form: FormDep) -> Response:
    check_csrf(who.session, form)
    assert who.session is not None
    language = "de" if form.get("language") == "de" else "en"
    response = _redirect(_local(form.get("back")))
    web_state(request).cookies.set_language(who.session, response, language)
    return response


# --------------------------------------------------------------------------------------------
# Quote list


@router.get("/quotes")
def quote_list(
    ctx: SignedInDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    customer_id: Annotated[str, Query(max_length=12)] = "",
    expiring: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    """The quote list and its pipeline (:func:`api.web.desk.quote_list_page`)."""
    return desk.quote_list_page(
        ctx,
        q=q,
        status=status,
        customer_id=int(customer_id) if customer_id.isdigit() else None,
        expiring=int(expiring) if expiring.isdigit() else None,
    )


# --------------------------------------------------------------------------------------------
# Builder


def _builder(
    ctx: SignedIn,
    values: dict[str, str],
    outcome: builder.Outcome | None,
    *,
    number: str | None,
    status_code: int = 200,
) -> Response:
    catalog = services.current_catalog(ctx.uow)[1]
    values = {**values}
    values.setdefault(builder.TOKEN_FIELD, secrets.token_urlsafe(24))
    values["number_locale"] = number_language(values.get("number_locale"), ctx.language)
    errors = outcome.errors if outcome is not None else FormErrors()
    comparison = None
    if outcome is not None and outcome.priced is not None:
        priced = outcome.priced
        comparison = comparison_view(priced.built.scenario, priced.result, ctx.language)
    form_time = 0
    if number is not None:
        form_time = int(_quote(ctx, number).version.created_at.timestamp() * 1000)
    return render(
        "builder.html.j2",
        language=ctx.language,
        status_code=status_code,
        ctx=ctx,
        values=values,
        errors=errors,
        fields=BY_NAME,
        catalog=catalog,
        number=number,
        comparison=comparison,
        outcome=outcome,
        confirm_field=CONFIRM_FIELD,
        draft_key=f"tco-draft:{ctx.user.id}:{number or 'new'}",
        form_time=form_time,
        options=builder_options(
            catalog, ctx.language, translator(ctx.language), **desk.builder_choices(ctx)
        ),
    )


@router.get("/quotes/new")
def new_quote(
    ctx: SignedInDep,
    template: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    customer: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """A blank quote, or one started from a template; ``customer`` fills in a customer record."""
    try:
        catalog = services.current_catalog(ctx.uow)[1]
    except NotFoundError:
        raise PageError(
            409, "Your company has no catalog yet; ask an admin to import one."
        ) from None
    locale = "de_DE" if ctx.language == "de" else "en"
    values = new_form(
        catalog,
        seller=ctx.user.display_name,
        today=date.today(),
        locale=locale,
        language=ctx.language,
    )
    values = desk.starting_values(ctx, values, catalog, template=template, customer=customer)
    outcome = None
    if template is not None:  # the template's comparison at once, as when revising
        outcome = builder.preview(
            ctx.uow, values, number=None, reprice=False, language=ctx.language,
            limits=ctx.settings.limits,
        )  # fmt: skip
    return _builder(ctx, values, outcome, number=None)


@router.post("/quotes/preview")
def preview(ctx: SignedInDep, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    number = form.get("number") or None
    if number is not None:
        _quote(ctx, number)
    outcome = builder.preview(
        ctx.uow,
        form,
        number=number,
        reprice="reprice" in form,
        language=ctx.language,
        limits=ctx.settings.limits,
    )
    comparison = None
    if outcome.priced is not None:
        comparison = comparison_view(
            outcome.priced.built.scenario, outcome.priced.result, ctx.language
        )
    return render(
        "comparison.html.j2",
        language=ctx.language,
        comparison=comparison,
        errors=outcome.errors,
        outcome=outcome,
        fields=BY_NAME,
    )


def _saved(outcome: builder.Outcome) -> RedirectResponse:
    saved = outcome.saved
    assert saved is not None
    query: dict[str, str | int] = {"saved": saved.version}
    if saved.replayed:
        query["again"] = "same" if saved.same_values else "changed"
    return _redirect(f"/quotes/{urlquote(saved.number)}?{urlencode(query)}")


@router.post("/quotes")
def save_quote(ctx: SignedInDep, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    outcome = builder.save(
        ctx.database,
        ctx.user.tenant,
        form,
        by=ctx.by,
        number=None,
        reprice=False,
        language=ctx.language,
        limits=ctx.settings.limits,
    )
    if outcome.saved is None:
        return _builder(ctx, form, outcome, number=None, status_code=422)
    return _saved(outcome)


# --------------------------------------------------------------------------------------------
# Quote page, revisions, status, downloads


@router.get("/quotes/{number}")
def show_quote(
    ctx: SignedInDep,
    number: Number,
    version: Annotated[int | None, Query(ge=1)] = None,
    saved: Annotated[int | None, Query(ge=1)] = None,
    again: Annotated[str, Query(max_length=16)] = "",
    copied: Annotated[str, Query(max_length=32)] = "",
    approved: Annotated[str, Query(max_length=1)] = "",
    sent: Annotated[str, Query(max_length=254)] = "",
) -> Response:
    notice = desk.quote_notice(ctx, number, copied=copied, approved=approved, sent=sent)
    if saved is not None:
        t = translator(ctx.language)
        if again == "same":
            key = "This form had already been saved: quote {number}, version {version}. "
            key += "It was not saved a second time."
        elif again == "changed":
            key = "This form had already been saved as quote {number}, version {version}; "
            key += "what was changed in it afterwards was not saved. Revise the quote to change it."
        else:
            key = "Quote {number} saved as version {version}."
        notice = t(key).format(number=number, version=saved)
    return _quote_page(ctx, number, version, notice=notice, saved=saved)


def _quote_page(
    ctx: SignedIn,
    number: str,
    version: int | None,
    error: str = "",
    status_code: int = 200,
    notice: str = "",
    saved: int | None = None,
) -> Response:
    view = _quote(ctx, number, version)
    latest = view if version is None else _quote(ctx, number)
    versions = [_quote(ctx, number, v).version for v in range(1, view.summary.current_version + 1)]
    v = view.version.version
    changes = services.diff_quote(ctx.uow, number, v - 1, v) if v > 1 else ()
    # what the version's documents say beyond the scenario: coverage terms, buyer's effort
    info = services.export_data(ctx.uow, number, v).info
    page = quote_page(
        view.summary,
        view.version,
        versions,
        changes,
        services.quote_history(ctx.uow, number),
        language=ctx.language,
        t=translator(ctx.language),
        revisable=form_from_request(latest.version.request, latest.version.snapshot) is not None,
        info=info,
    )
    return render(
        "quote.html.j2",
        language=ctx.language,
        status_code=status_code,
        ctx=ctx,
        v=page,
        desk=desk.quote_desk(ctx, view.summary),
        error=error,
        notice=notice,
        saved_drafts=(
            [f"tco-draft:{ctx.user.id}:new", f"tco-draft:{ctx.user.id}:{number}"]
            if saved is not None
            else []
        ),
    )


def quote_page_response(ctx: SignedIn, number: str, *, error: str, status_code: int) -> Response:
    """The latest version's page with a problem shown at its top."""
    return _quote_page(ctx, number, None, error=error, status_code=status_code)


@router.get("/quotes/{number}/revise")
def revise_page(ctx: SignedInDep, number: Number) -> Response:
    view = _quote(ctx, number)
    catalog = services.current_catalog(ctx.uow)[1]
    values = form_from_request(view.version.request, catalog, ctx.language)
    if values is None:
        raise PageError(
            409,
            f"Quote {number} has offers this page cannot show; revise it with "
            "the command line (tco quote revise) or the API.",
        )
    values["base_version"] = str(view.version.version)
    outcome = builder.preview(
        ctx.uow,
        values,
        number=number,
        reprice=False,
        language=ctx.language,
        limits=ctx.settings.limits,
    )
    return _builder(ctx, values, outcome, number=number)


@router.post("/quotes/{number}/revise")
def revise_quote(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _quote(ctx, number)
    outcome = builder.save(
        ctx.database,
        ctx.user.tenant,
        form,
        by=ctx.by,
        number=number,
        reprice="reprice" in form,
        language=ctx.language,
        limits=ctx.settings.limits,
    )
    if outcome.conflict is not None:
        return _conflict(ctx, number, form, outcome.conflict)
    if outcome.saved is None:
        return _builder(ctx, form, outcome, number=number, status_code=422)
    return _saved(outcome)


def _conflict(
    ctx: SignedIn, number: str, form: dict[str, str], conflict: builder.Conflict
) -> Response:
    """409: what the version saved meanwhile changed, and what this form would have changed."""
    if not 1 <= conflict.base < conflict.current:
        raise PageError(409, f"Quote {number} has changed meanwhile; reload the page.")
    base = _quote(ctx, number, conflict.base).version
    current = _quote(ctx, number, conflict.current).version
    t = translator(ctx.language)
    catalog = services.current_catalog(ctx.uow)[1]
    language = number_language(form.get("number_locale"), ctx.language)
    base_values = form_from_request(base.request, catalog, language) or {}
    options = builder_options(catalog, ctx.language, t)
    page = conflict_view(
        number,
        base,
        current,
        services.diff_quote(ctx.uow, number, base.version, current.version),
        typed_changes(form, base_values, options, t),
        form.get("note", ""),
        ctx.language,
    )
    return render("conflict.html.j2", language=ctx.language, status_code=409, ctx=ctx, c=page)


def _acceptable(view: services.QuoteView) -> tuple[tuple[str, str], ...]:
    """The offers a customer may accept: those of the quote's latest version."""
    return tuple((o.id, o.name) for o in view.version.result.offers)


@router.post("/quotes/{number}/status")
def change_status(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    view = _quote(ctx, number)
    status = form.get("status", "")
    if status not in STATUSES:
        raise PageError(400, f"'{status}' is not a status.")
    if status in FINAL and form.get("confirm") != status:
        t = translator(ctx.language)
        return render(
            "confirm_status.html.j2",
            language=ctx.language,
            ctx=ctx,
            number=number,
            status=status,
            status_label=t(status),
            status_title=t(status).capitalize(),
            now_label=t(view.summary.status.value),
            offers=_acceptable(view) if status == QuoteStatus.accepted.value else (),
            recommended=view.version.result.comparison.recommended,
        )
    offer = form.get("offer") or None if status == QuoteStatus.accepted.value else None
    if offer is not None and offer not in dict(_acceptable(view)):
        raise PageError(400, f"'{offer}' is not an offer of quote {number}.")
    try:
        limits = desk.settings().limits  # above the salesperson's limit: approved first
        services.change_status(
            ctx.uow, number, QuoteStatus(status), by=ctx.by, limits=limits, offer=offer
        )
    except ConflictError as exc:
        return _quote_page(ctx, number, None, error=exc.problems[0].message, status_code=409)
    return _redirect(f"/quotes/{urlquote(number)}")


@router.get("/quotes/{number}/versions/{version}/quote.{fmt}")
def download(ctx: SignedInDep, number: Number, version: int, fmt: Fmt) -> Response:
    _quote(ctx, number, version)
    try:
        content, media_type, filename = quoting.export_quote(ctx.uow, number, version, fmt, None)
    except TcoError as exc:
        raise PageError(422, str(exc)) from None
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
