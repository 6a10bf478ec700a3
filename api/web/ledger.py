"""The ledger's pages: the asset list, the asset page (promised vs actual, field reliability,
events, a form to record one, commissioning date and serial number), the follow-up list and the
customer review downloads. Handlers parse, call :mod:`tco.ledger_services`, render; every POST
checks the CSRF token. Figures are rounded once, here, from the ledger's unrounded values.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote as urlquote

from fastapi import APIRouter, Path, Query
from starlette.responses import RedirectResponse, Response

from api.web.deps import FormDep, SignedIn, SignedInDep, check_csrf
from api.web.i18n import translator
from api.web.pages import PageError, render
from tco import ledger_services as ls
from tco.core.errors import NotFoundError, TcoError
from tco.ledger.events import ContactKind, EventKind, Payer
from tco.ledger.tracking import AssetStatus
from tco.presenters.i18n import category_label
from tco.presenters.ledger_text import hours, loc_of, money, reason_label, reason_text

router = APIRouter(include_in_schema=False)
AssetId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EVENT_FIELDS = (
    "kind",
    "date",
    "hours",
    "cost",
    "payer",
    "downtime_hours",
    "kwh",
    "contact",
    "note",
)


@dataclass(frozen=True)
class Figure:
    """A figure of the asset page: its label, shown text and unrounded value (for tests)."""

    key: str
    label: str
    text: str
    value: str


def _asset_or_404(ctx: SignedIn, asset_id: int, as_of: date) -> ls.AssetView:
    try:
        return ls.show_asset(ctx.uow, asset_id, as_of=as_of)
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There is no asset {asset}.").format(asset=asset_id)
        raise PageError(404, message, ("/assets", t("Assets"))) from None


def _row(ctx: SignedIn, s: AssetStatus, currency: str) -> dict[str, Any]:
    loc = loc_of(ctx.language)
    a = s.asset
    return {
        "id": a.id,
        "customer": a.customer,
        "quote": a.quote_number,
        "unit": f"{a.unit}/{a.units}",
        "product": a.product_name,
        "serial": a.serial_number or "",
        "commissioned": loc.date(a.commissioned_on),
        "promised": money(loc, s.promised_measured, currency),
        "actual": money(loc, s.actual_measured, currency),
        "failures": f"{loc.number(s.failures)} / {loc.number(round(s.expected_failures, 2), 2)}",
        "over": s.over_promise is not None and s.over_promise > 0.10,
    }


@router.get("/assets")
def asset_list(ctx: SignedInDep, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    today = date.today()
    statuses, promises = ls.asset_statuses(ctx.uow, as_of=today, customer=q or None)
    rows = [_row(ctx, s, promises[s.asset.id].currency) for s in statuses]
    customers = sorted({s.asset.customer for s in statuses})
    return render(
        "asset_list.html.j2",
        language=ctx.language,
        ctx=ctx,
        q=q,
        rows=rows,
        customers=[(c, urlquote(c, safe="")) for c in customers],
        as_of=loc_of(ctx.language).date(today),
    )


def _figures(ctx: SignedIn, view: ls.AssetView) -> list[Figure]:
    """The asset page's figures: (key, label, shown text, unrounded value)."""
    t, loc = translator(ctx.language), loc_of(ctx.language)
    s, cur = view.status, view.promise.currency

    def amount(value: float) -> str:
        return money(loc, value, cur)

    rows: list[tuple[str, str, str, float | str]] = [
        ("promised-measured", "Promised to date", amount(s.promised_measured), s.promised_measured),
        ("actual-measured", "Actual to date", amount(s.actual_measured), s.actual_measured),
        ("failures", "Failures", loc.number(s.failures), str(s.failures)),
        ("expected-failures", "Expected failures",
         loc.number(round(s.expected_failures, 2), 2), s.expected_failures),
        ("downtime", "Downtime (hours)", loc.number(round(s.downtime_hours, 1), 1),
         s.downtime_hours),
        ("operating-hours", "Operating hours", hours(loc, s.operating_hours), s.operating_hours),
    ]  # fmt: skip
    r = s.reliability
    if r is not None:
        interval = f"{hours(loc, r.mtbf_low_hours)}–{hours(loc, r.mtbf_high_hours)}"
        rows += [
            ("quoted-mtbf", "Quoted MTBF (hours)", hours(loc, r.prior_mtbf_hours),
             r.prior_mtbf_hours),
            ("updated-mtbf", "Updated MTBF (hours)", hours(loc, r.mtbf_hours), r.mtbf_hours),
            ("mtbf-interval", "90 % credible interval", interval,
             f"{r.mtbf_low_hours!r} {r.mtbf_high_hours!r}"),
        ]  # fmt: skip
    rows += [
        ("promised-lifetime", "Lifetime cost promised", amount(s.promised_lifetime_cost),
         s.promised_lifetime_cost),
        ("reforecast-lifetime", "Lifetime cost re-forecast", amount(s.reforecast_lifetime_cost),
         s.reforecast_lifetime_cost),
    ]  # fmt: skip
    if s.alternative_lifetime_cost is not None:
        alt = s.alternative_lifetime_cost
        rows.append(("alternative-lifetime", "Alternative's lifetime cost", amount(alt), alt))
    return [
        Figure(key, t(label), text, value if isinstance(value, str) else repr(value))
        for key, label, text, value in rows
    ]


def _event_rows(ctx: SignedIn, view: ls.AssetView) -> list[dict[str, str]]:
    t, loc = translator(ctx.language), loc_of(ctx.language)
    cur = view.promise.currency
    rows = []
    for e, at, by in view.events:
        parts = []
        if e.hours is not None:
            parts.append(f"{t('Hour-meter reading')}: {hours(loc, float(e.hours))}")
        if e.cost is not None:
            paid = f" ({t('Paid by')}: {t(e.payer.value)})" if e.payer else ""
            parts.append(f"{t('Cost')}: {money(loc, e.cost, cur)}{paid}")
        if e.downtime_hours is not None:
            parts.append(
                f"{t('Downtime hours')}: {loc.number(round(float(e.downtime_hours), 2), 2)}"
            )
        if e.kwh is not None:
            parts.append(f"{loc.number(round(float(e.kwh)))} kWh")
        if e.contact is not None:
            parts.append(t(e.contact.value))
        if e.note:
            parts.append(e.note)
        rows.append(
            {
                "date": loc.date(e.occurred_on),
                "kind": t(e.kind.value),
                "id": e.event_id,
                "details": "; ".join(parts),
                "recorded": f"{loc.date(at.date())}, {by}",
            }
        )
    return rows


def _asset_page(
    ctx: SignedIn,
    asset_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    today = date.today()
    view = _asset_or_404(ctx, asset_id, today)
    t, loc = translator(ctx.language), loc_of(ctx.language)
    cur = view.promise.currency
    categories = [
        {
            "label": category_label(ctx.language, c.category),
            "promised": money(loc, c.promised, cur),
            "actual": money(loc, c.actual, cur),
            "measured": t("measured") if c.measured else t("as promised"),
        }
        for c in view.status.categories
    ]
    form = {
        **dict.fromkeys(EVENT_FIELDS, ""),
        "kind": "repair",
        "date": today.isoformat(),
        **(values or {}),
    }
    form["event_id"] = form.get("event_id") or f"web-{secrets.token_urlsafe(12)}"
    a = view.asset
    return render(
        "asset.html.j2",
        language=ctx.language,
        status_code=status_code,
        ctx=ctx,
        a=a,
        promise=view.promise,
        commissioned=loc.date(a.commissioned_on),
        figures=_figures(ctx, view),
        categories=categories,
        events=_event_rows(ctx, view),
        form=form,
        errors=errors or {},
        notice=notice,
        kinds=[k.value for k in EventKind],
        payers=[p.value for p in Payer],
        contacts=[c.value for c in ContactKind],
        as_of=loc.date(today),
        customer_url=urlquote(a.customer, safe=""),
    )


@router.get("/assets/{asset_id}")
def asset_page(
    ctx: SignedInDep, asset_id: AssetId, recorded: Annotated[str, Query(max_length=8)] = ""
) -> Response:
    t = translator(ctx.language)
    notice = {
        "new": t("The event was recorded."),
        "again": t("This event id was already recorded with the same content: nothing changed."),
        "edited": t("Saved."),
    }.get(recorded, "")
    return _asset_page(ctx, asset_id, notice=notice)


@router.post("/assets/{asset_id}/events")
def record_event(ctx: SignedInDep, asset_id: AssetId, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _asset_or_404(ctx, asset_id, date.today())
    raw: dict[str, Any] = {k: form[k].strip() for k in EVENT_FIELDS if form.get(k, "").strip()}
    raw.update(asset_id=asset_id, event_id=form.get("event_id", "").strip())
    try:
        out = ls.record_event(ctx.uow, raw, by=ctx.by)
    except TcoError as exc:
        errors = {p.path or "form": p.message for p in exc.problems}
        values = {k: form.get(k, "") for k in (*EVENT_FIELDS, "event_id")}
        return _asset_page(ctx, asset_id, values=values, errors=errors, status_code=422)
    flag = "new" if out.recorded else "again"
    return RedirectResponse(f"/assets/{asset_id}?recorded={flag}#events", status_code=303)


@router.post("/assets/{asset_id}")
def edit_asset(ctx: SignedInDep, asset_id: AssetId, form: FormDep) -> Response:
    check_csrf(ctx.session, form)
    _asset_or_404(ctx, asset_id, date.today())
    try:
        day = date.fromisoformat(form.get("commissioned_on", "").strip())
    except ValueError:
        errors = {"commissioned_on": "is not a date (YYYY-MM-DD)"}
        return _asset_page(ctx, asset_id, errors=errors, status_code=422)
    try:
        ls.edit_asset(
            ctx.uow,
            asset_id,
            commissioned_on=day,
            serial_number=form.get("serial_number", ""),
            by=ctx.by,
        )
    except TcoError as exc:
        errors = {p.path: p.message for p in exc.problems}
        return _asset_page(ctx, asset_id, errors=errors, status_code=422)
    return RedirectResponse(f"/assets/{asset_id}?recorded=edited", status_code=303)


@router.get("/followup")
def followup_page(ctx: SignedInDep, as_of: Annotated[date | None, Query()] = None) -> Response:
    day = as_of or date.today()
    groups = ls.followup(ctx.uow, as_of=day)
    items = [
        (
            g.customer,
            urlquote(g.customer, safe=""),
            [
                (reason_label(f.reason, ctx.language), reason_text(f, ctx.language), f.asset_ids)
                for f in g.items
            ],
        )
        for g in groups
    ]
    return render(
        "followup.html.j2",
        language=ctx.language,
        ctx=ctx,
        groups=items,
        as_of=loc_of(ctx.language).date(day),
    )


@router.get("/customers/{customer:path}/review.{fmt}")
def review(
    ctx: SignedInDep,
    customer: Annotated[str, Path(min_length=1, max_length=200)],
    fmt: Annotated[str, Path(pattern=r"^(html|pdf)$")],
) -> Response:
    from tco.presenters.review import render_review_html, render_review_pdf

    try:
        data = ls.review_data(ctx.uow, customer, as_of=date.today())
    except NotFoundError:
        t = translator(ctx.language)
        message = t("There are no assets of {customer}.").format(customer=customer)
        raise PageError(404, message, ("/assets", t("Assets"))) from None
    locale = "de_DE" if ctx.language == "de" else "en"
    if fmt == "html":
        content = render_review_html(data, locale=locale).encode()
        return Response(content, media_type="text/html", headers={"Cache-Control": "no-store"})
    return Response(
        render_review_pdf(data, locale=locale),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="review-{data.as_of.isoformat()}.pdf"',
            "Cache-Control": "no-store",
        },
    )
