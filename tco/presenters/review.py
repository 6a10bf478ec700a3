"""The review document of a customer (HTML and A4 PDF, English and German): promised vs
delivered per asset and per quote, the cumulative measured cost against the promise, failures
against expected, the updated MTBF with its 90 % credible interval, the renewal offer where a
plan term ends, and the points the follow-up raises.

A view model (:func:`build_review_view`) turns the ledger's figures
(:func:`tco.ledger_services.review_data`: unrounded float64) into strings rounded once in the
document's locale; ``templates/review.html.j2`` only places them. Words come from the catalogs
(:mod:`tco.presenters.i18n`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from tco.ledger.followup import term_ends
from tco.ledger.promise import Promise
from tco.ledger.review import ReviewData
from tco.ledger.tracking import AssetStatus, QuoteGroup, quote_groups
from tco.presenters.document import html_to_pdf, template_environment
from tco.presenters.files import write_atomic
from tco.presenters.i18n import N_, category_label, gettext, language_of, ngettext
from tco.presenters.ledger_text import hours, loc_of, money, reason_text
from tco.presenters.locale import DocLocale, doc_locale

PROMISED_COLOR = "#1f4e79"
ACTUAL_COLOR = "#c55a11"


@dataclass(frozen=True, slots=True)
class QuoteSection:
    """One accepted quote of the customer: its units together."""

    id: str
    heading: str
    subtitle: str
    rows: tuple[tuple[str, str, str, str, str], ...]
    total: tuple[str, str, str, str]
    chart: Markup
    chart_title: str
    facts: tuple[tuple[str, str], ...]
    reliability: tuple[str, ...]
    renewal: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewView:
    lang: str
    title: str
    footer: str
    header: tuple[tuple[str, str], ...]
    summary_head: tuple[str, ...]
    summary_rows: tuple[tuple[str, ...], ...]
    summary_total: tuple[str, ...]
    notes: tuple[str, ...]
    quotes: tuple[QuoteSection, ...]
    followup: tuple[str, ...]


def _mtbf(loc: DocLocale, s: AssetStatus) -> str:
    r = s.reliability
    if r is None:
        return "–"
    low, high = hours(loc, r.mtbf_low_hours), hours(loc, r.mtbf_high_hours)
    return f"{hours(loc, r.mtbf_hours)} ({low}–{high})"


def _summary(
    lang: str, loc: DocLocale, data: ReviewData
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]:
    c = data.customer
    cur = c.currency
    head = (
        gettext(lang, "Asset"),
        gettext(lang, "Product"),
        gettext(lang, "Commissioned"),
        gettext(lang, "Promised to date"),
        gettext(lang, "Actual to date"),
        gettext(lang, "Failures (expected)"),
        gettext(lang, "Updated MTBF, hours (90 % interval)"),
    )
    rows = []
    for s in c.assets:
        a = s.asset
        serial = a.serial_number or gettext(lang, "no serial number")
        rows.append(
            (
                f"{a.id} ({a.unit}/{a.units})",
                f"{a.product_name} · {serial}",
                loc.date(a.commissioned_on),
                money(loc, s.promised_measured, cur),
                money(loc, s.actual_measured, cur),
                f"{loc.number(s.failures)} ({loc.number(round(s.expected_failures, 2), 2)})",
                _mtbf(loc, s),
            )
        )
    total = (
        gettext(lang, "All assets"),
        "",
        "",
        money(loc, c.promised_measured, cur),
        money(loc, c.actual_measured, cur),
        f"{loc.number(c.failures)} ({loc.number(round(c.expected_failures, 2), 2)})",
        "",
    )
    return head, tuple(rows), total


def build_review_view(data: ReviewData, *, locale: str = "en") -> ReviewView:
    """The review's strings, rounded once, in ``locale`` (en or de, any region)."""
    loc = doc_locale(locale)
    lang = language_of(loc.name)
    c = data.customer
    title = gettext(lang, "Customer review: promised vs delivered")
    head, rows, total = _summary(lang, loc, data)
    quotes = {s.asset.quote_number for s in c.assets}
    header = (
        (gettext(lang, "Customer"), c.customer),
        (gettext(lang, "As of"), loc.date(data.as_of)),
        (gettext(lang, "Quotes"), ", ".join(sorted(quotes))),
        (gettext(lang, "Assets"), loc.number(len(c.assets))),
    )
    sections = tuple(
        _section(lang, loc, g, data.promises[g.assets[0].asset.id], data, k)
        for k, g in enumerate(quote_groups(c.assets))
    )
    followup = tuple(reason_text(item, lang) for g in data.followup for item in g.items)
    notes = (
        gettext(
            lang,
            "Measured costs: repairs and maintenance the buyer paid, downtime hours of repairs at "
            "the quote's downtime cost per hour, and energy from readings; the promise of a study "
            "year accrues evenly over that year. Amounts in {currency}, money of each year.",
            currency=c.currency,
        ),
    )
    return ReviewView(
        lang=lang,
        title=title,
        footer=f"{title} · {c.customer} · {loc.date(data.as_of)}",
        header=header,
        summary_head=head,
        summary_rows=rows,
        summary_total=total,
        notes=notes,
        quotes=sections,
        followup=followup,
    )


def _category_rows(
    loc: DocLocale, lang: str, g: QuoteGroup, cur: str
) -> tuple[tuple[str, str, str, str, str], ...]:
    rows = []
    for cat in g.categories:
        rows.append(
            (
                category_label(lang, cat.category),
                money(loc, cat.promised, cur),
                money(loc, cat.actual, cur),
                money(loc, cat.actual - cat.promised, cur) if cat.measured else "–",
                gettext(lang, "measured") if cat.measured else gettext(lang, "as promised"),
            )
        )
    return tuple(rows)


def _section(
    lang: str, loc: DocLocale, g: QuoteGroup, promise: Promise, data: ReviewData, k: int
) -> QuoteSection:
    cur = promise.currency
    units = len(g.assets)
    shown = chart_years(g, promise.study_period_years)
    heading = gettext(
        lang, "Quote {number}: {offer}", number=g.quote_number, offer=promise.offer_name
    )
    subtitle = ngettext(
        lang,
        "{n} unit, commissioned {day}; year {year} of {years}",
        "{n} units, first commissioned {day}; year {year} of {years}",
        units,
        n=loc.number(units),
        day=loc.date(min(s.asset.commissioned_on for s in g.assets)),
        year=loc.number(min(max(math.ceil(g.years_elapsed), 1), promise.study_period_years)),
        years=loc.number(promise.study_period_years),
    )
    facts = (
        (gettext(lang, "Failures"), _failures(lang, loc, g)),
        (gettext(lang, "Downtime"), _downtime(lang, loc, g)),
        (
            gettext(lang, "Paid by the seller (warranty, plan, goodwill)"),
            money(loc, g.seller_paid, cur),
        ),
        (
            gettext(lang, "Lifetime cost promised (present value)"),
            money(loc, g.promised_lifetime_cost, cur),
        ),
        (
            gettext(lang, "Lifetime cost re-forecast (present value)"),
            _reforecast(lang, loc, g, cur),
        ),
    )
    return QuoteSection(
        id=f"quote-{k}",
        heading=heading,
        subtitle=subtitle,
        rows=_category_rows(loc, lang, g, cur),
        total=(
            gettext(lang, "Measured costs"),
            money(loc, g.promised_measured, cur),
            money(loc, g.actual_measured, cur),
            money(loc, g.actual_measured - g.promised_measured, cur),
        ),
        chart=cumulative_chart(g, shown, loc, gettext(lang, "Cumulative measured cost")),
        chart_title=gettext(
            lang,
            "Cumulative measured cost, {currency}: years 0–{shown} of {years}",
            currency=cur,
            shown=loc.number(shown),
            years=loc.number(promise.study_period_years),
        ),
        facts=facts,
        reliability=tuple(_reliability(lang, loc, s) for s in g.assets if s.reliability),
        renewal=_renewal(lang, loc, g, promise, data),
    )


def _failures(lang: str, loc: DocLocale, g: QuoteGroup) -> str:
    return gettext(
        lang,
        "{n} observed, {e} expected to date",
        n=loc.number(g.failures),
        e=loc.number(round(g.expected_failures, 2), 2),
    )


def _downtime(lang: str, loc: DocLocale, g: QuoteGroup) -> str:
    return gettext(
        lang,
        "{actual} hours, {promised} promised to date",
        actual=loc.number(round(g.downtime_hours, 1), 1),
        promised=loc.number(round(g.promised_downtime_hours, 1), 1),
    )


def _reforecast(lang: str, loc: DocLocale, g: QuoteGroup, cur: str) -> str:
    text = money(loc, g.reforecast_lifetime_cost, cur)
    if g.alternative_lifetime_cost is None:
        return text
    key = (
        N_("{reforecast}: above the alternative's {alternative}; the comparison has turned")
        if g.turns_against
        else N_("{reforecast}: still below the alternative's {alternative}")
    )
    return gettext(
        lang, key, reforecast=text, alternative=money(loc, g.alternative_lifetime_cost, cur)
    )


def _reliability(lang: str, loc: DocLocale, s: AssetStatus) -> str:
    r = s.reliability
    assert r is not None
    return ngettext(
        lang,
        "Asset {asset}: {n} failure where {e} were expected in {hours} operating hours; "
        "MTBF {mtbf} hours (90 % credible interval {low}–{high}; quoted {prior}).",
        "Asset {asset}: {n} failures where {e} were expected in {hours} operating hours; "
        "MTBF {mtbf} hours (90 % credible interval {low}–{high}; quoted {prior}).",
        r.failures,
        asset=str(s.asset.id),
        n=loc.number(r.failures),
        e=loc.number(round(r.expected_failures, 2), 2),
        hours=hours(loc, r.operating_hours),
        mtbf=hours(loc, r.mtbf_hours),
        low=hours(loc, r.mtbf_low_hours),
        high=hours(loc, r.mtbf_high_hours),
        prior=hours(loc, r.prior_mtbf_hours),
    )


def _renewal(
    lang: str, loc: DocLocale, g: QuoteGroup, promise: Promise, data: ReviewData
) -> tuple[str, ...]:
    """The next plan term to end (on or after ``as_of``) and what follows it."""
    first = min(s.asset.commissioned_on for s in g.assets)
    ends = [e for e in term_ends(promise, first) if e[1] >= data.as_of]
    if not ends:
        return ()
    term, end, renewed = ends[0]
    n = promise.study_period_years
    span = f"{loc.number(term.from_year)}–{loc.number(term.until_year)}"
    out = [
        gettext(
            lang,
            "{plan}: the term of years {span} ends on {day}.",
            plan=term.name,
            span=span,
            day=loc.date(end),
        )
    ]
    if term.until_year >= n and not renewed:
        return tuple(out)
    length = term.until_year - term.from_year + 1
    nxt = f"{loc.number(term.until_year + 1)}–{loc.number(term.until_year + length)}"
    fee = money(loc, term.annual_fee, promise.currency) if term.annual_fee is not None else "–"
    key = (
        N_(
            "As quoted, it is renewed for years {span} at {fee} a year (base-year prices, all "
            "units of the quote)."
        )
        if renewed
        else N_(
            "Renewal offer: the same cover for years {span} at {fee} a year (base-year prices, "
            "all units of the quote)."
        )
    )
    out.append(gettext(lang, key, span=nxt, fee=fee))
    return tuple(out)


# ------------------------------------------------------------------------------------------
# The chart


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [k * step for k in range(math.ceil(top / step) + 1)]


def _pts(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def chart_years(g: QuoteGroup, study_years: int) -> int:
    """The years a quote's chart shows: those that have begun and the next one, at least one,
    at most the study period."""
    return min(study_years, max(math.floor(g.years_elapsed) + 2, 1))


def cumulative_chart(g: QuoteGroup, years: int, loc: DocLocale, title: str) -> Markup:
    """Cumulative measured cost of a quote's units over years 0..``years`` since commissioning:
    the promise (dashed) and the actual amounts as they were recorded (steps, solid)."""
    w, h, top, bottom, right = 680, 190, 10.0, 32.0, 14.0
    shown = [(t, v) for t, v in g.promised_curve if t <= years]
    values = [y for _, y in shown] + [y for _, y in g.actual_curve]
    ticks = _ticks(max(values, default=0.0) * 1.02)
    labels = [loc.number(round(v)) for v in ticks]
    left = 12 + 6.2 * max(len(s) for s in labels)
    plot_w, plot_h = w - left - right, h - top - bottom

    def x(t: float) -> float:
        return left + min(t, years) / max(years, 1) * plot_w

    def y(v: float) -> float:
        return top + (1 - v / ticks[-1]) * plot_h

    grey = 'font-size="9" fill="#555555"'
    body = []
    for v, label in zip(ticks, labels, strict=True):
        yy = y(v)
        body.append(
            f'<line x1="{left:.1f}" x2="{w - right:.1f}" y1="{yy:.1f}" y2="{yy:.1f}"'
            ' stroke="#dddddd"/>'
        )
        body.append(
            f'<text x="{left - 5:.1f}" y="{yy + 3:.1f}" text-anchor="end" {grey}>{label}</text>'
        )
    step = 1 if years <= 12 else 2 if years <= 24 else 5
    for k in range(0, years + 1, step):
        body.append(
            f'<text x="{x(k):.1f}" y="{h - bottom + 13:.1f}" text-anchor="middle" {grey}>{k}</text>'
        )
    promised = _pts([(x(t), y(v)) for t, v in shown])
    body.append(
        f'<polyline points="{promised}" fill="none" stroke="{PROMISED_COLOR}"'
        ' stroke-width="2" stroke-dasharray="6 4"/>'
    )
    steps: list[tuple[float, float]] = []
    for i, (t, v) in enumerate(g.actual_curve):
        if i:
            steps.append((x(t), y(g.actual_curve[i - 1][1])))
        steps.append((x(t), y(v)))
    body.append(
        f'<polyline points="{_pts(steps)}" fill="none" stroke="{ACTUAL_COLOR}"'
        ' stroke-width="2.4" stroke-linejoin="round"/>'
    )
    now, base = x(g.years_elapsed), h - bottom
    body.append(
        f'<line x1="{now:.1f}" x2="{now:.1f}" y1="{top:.1f}" y2="{base:.1f}"'
        ' stroke="#888888" stroke-width="0.8" stroke-dasharray="2 2"/>'
    )
    body.append(
        f'<line x1="{left:.1f}" x2="{w - right:.1f}" y1="{base:.1f}" y2="{base:.1f}"'
        ' stroke="#555555"/>'
    )
    svg = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img"'
        f' font-family="DejaVu Sans, Helvetica, Arial, sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )
    return Markup(svg)


# ------------------------------------------------------------------------------------------
# Rendering


def render_review_html(data: ReviewData, *, locale: str = "en") -> str:
    """The review as one self-contained HTML page (inline CSS and SVG)."""
    view = build_review_view(data, locale=locale)
    return (
        template_environment()
        .get_template("review.html.j2")
        .render(v=view, t=lambda msgid: gettext(view.lang, msgid))
    )


def render_review_pdf(data: ReviewData, *, locale: str = "en") -> bytes:
    """The review as an A4 PDF (WeasyPrint), the same content as the HTML."""
    return html_to_pdf(render_review_html(data, locale=locale))


def write_review(
    data: ReviewData,
    *,
    html: str | os.PathLike[str] | None = None,
    pdf: str | os.PathLike[str] | None = None,
    locale: str = "en",
) -> None:
    """Render the review and write it as HTML and/or PDF (both rendered before either is
    written; each file replaced atomically)."""
    page = render_review_html(data, locale=locale)
    pdf_bytes = html_to_pdf(page) if pdf is not None else None
    if html is not None:
        write_atomic(Path(html), page.encode("utf-8"))
    if pdf is not None and pdf_bytes is not None:
        write_atomic(Path(pdf), pdf_bytes)


__all__ = ["ReviewView", "build_review_view", "loc_of", "render_review_html", "render_review_pdf"]
