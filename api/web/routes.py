"""The salesperson's pages: sign-in, quote list, builder (with a live preview), quote page and
downloads. Handlers parse, call a service, render; every POST checks the CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote as urlquote

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api import quoting
from api.web import builder
from api.web.deps import FormDep, SignedIn, SignedInDep, VisitorDep, check_csrf, web_state
from api.web.forms import BY_NAME, FormErrors, form_from_request, new_form
from api.web.i18n import translator
from api.web.pages import PageError, render
from api.web.session import new_session
from api.web.views import (
    STATUSES,
    builder_options,
    comparison_view,
    filter_quotes,
    quote_page,
    quote_rows,
)
from tco import services
from tco.errors import ConflictError, NotFoundError, TcoError
from tco.quote import QuoteStatus
from tco.store.users import authenticate

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
    except NotFoundError:
        raise PageError(404, f"There is no quote {number}.") from None


# --------------------------------------------------------------------------------------------
# Sign-in, sign-out, language


@router.get("/")
def home(request: Request) -> RedirectResponse:
    signed = web_state(request).codec.read(request)
    return _redirect("/quotes" if signed is not None and signed.user_id else "/sign-in")


@router.get("/sign-in")
def sign_in_page(request: Request, who: VisitorDep, next: str | None = None) -> Response:
    session = who.session or new_session()
    response = render(
        "sign_in.html.j2",
        language=who.language,
        csrf=session.csrf,
        next=_local(next),
        error="",
        email="",
    )
    if who.session is None:
        web_state(request).codec.write(response, session)
    return response


@router.post("/sign-in")
def sign_in(request: Request, who: VisitorDep, form: FormDep) -> Response:
    check_csrf(who.session, form)
    state = web_state(request)
    with state.database.sessions() as db:
        user = authenticate(db, form.get("email", ""), form.get("password", ""))
        db.commit()
    if user is None:
        assert who.session is not None
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
    state.codec.write(response, new_session(user.id, user.tenant))
    return response


@router.post("/sign-out")
def sign_out(request: Request, who: VisitorDep, form: FormDep) -> Response:
    check_csrf(who.session, form)
    response = _redirect("/sign-in")
    web_state(request).codec.clear(response)
    return response


@router.post("/language")
def set_language(request: Request, who: VisitorDep, form: FormDep) -> Response:
    check_csrf(who.session, form)
    assert who.session is not None
    language = "de" if form.get("language") == "de" else "en"
    response = _redirect(_local(form.get("back")))
    web_state(request).codec.write(response, who.session.with_language(language))
    return response


# --------------------------------------------------------------------------------------------
# Quote list


@router.get("/quotes")
def quote_list(
    ctx: SignedInDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    chosen = QuoteStatus(status) if status in STATUSES else None
    rows = filter_quotes(services.list_quotes(ctx.uow, status=chosen), q)
    return render(
        "quotes.html.j2",
        language=ctx.language,
        ctx=ctx,
        q=q,
        status=status,
        statuses=STATUSES,
        rows=quote_rows(rows, ctx.language, translator(ctx.language)),
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
    errors = outcome.errors if outcome is not None else FormErrors()
    comparison = None
    if outcome is not None and outcome.priced is not None:
        priced = outcome.priced
        comparison = comparison_view(priced.built.scenario, priced.result, ctx.language)
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
        options=builder_options(catalog, ctx.language, translator(ctx.language)),
    )


@router.get("/quotes/new")
def new_quote(ctx: SignedInDep) -> Response:
    try:
        catalog = services.current_catalog(ctx.uow)[1]
    except NotFoundError:
        raise PageError(
            409, "Your company has no catalog yet; ask an admin to import one."
        ) from None
    locale = "de_DE" if ctx.language == "de" else "en"
    values = new_form(catalog, seller=ctx.user.display_name, today=date.today(), locale=locale)
    return _builder(ctx, values, None, number=None)


@router.post("/quotes/preview")
def preview(ctx: SignedInDep, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    number = form.get("number") or None
    if number is not None:
        _quote(ctx, number)
    outcome = builder.preview(ctx.uow, form, number=number, reprice="reprice" in form)
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
        fields=BY_NAME,
    )


@router.post("/quotes")
def save_quote(ctx: SignedInDep, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    outcome = builder.save(ctx.uow, form, by=ctx.by, number=None, reprice=False)
    if outcome.saved is None:
        return _builder(ctx, form, outcome, number=None, status_code=422)
    return _redirect(f"/quotes/{urlquote(outcome.saved.summary.number)}")


# --------------------------------------------------------------------------------------------
# Quote page, revisions, status, downloads


@router.get("/quotes/{number}")
def show_quote(
    ctx: SignedInDep, number: Number, version: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    return _quote_page(ctx, number, version)


def _quote_page(
    ctx: SignedIn, number: str, version: int | None, error: str = "", status_code: int = 200
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
        error=error,
    )


@router.get("/quotes/{number}/revise")
def revise_page(ctx: SignedInDep, number: Number) -> Response:
    view = _quote(ctx, number)
    values = form_from_request(view.version.request, services.current_catalog(ctx.uow)[1])
    if values is None:
        raise PageError(
            409,
            f"Quote {number} has offers this page cannot show; revise it with "
            "the command line (tco quote revise) or the API.",
        )
    outcome = builder.preview(ctx.uow, values, number=number, reprice=False)
    return _builder(ctx, values, outcome, number=number)


@router.post("/quotes/{number}/revise")
def revise_quote(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _quote(ctx, number)
    outcome = builder.save(ctx.uow, form, by=ctx.by, number=number, reprice="reprice" in form)
    if outcome.saved is None:
        return _builder(ctx, form, outcome, number=number, status_code=422)
    return _redirect(f"/quotes/{urlquote(number)}")


@router.post("/quotes/{number}/status")
def change_status(ctx: SignedInDep, number: Number, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _quote(ctx, number)
    status = form.get("status", "")
    if status not in STATUSES:
        raise PageError(400, f"'{status}' is not a status.")
    try:
        services.change_status(ctx.uow, number, QuoteStatus(status), by=ctx.by)
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
