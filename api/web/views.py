"""What the pages show, as formatted strings: the comparison, the quote list and the quote page.

Numbers come from the engine's result and are rounded and formatted the way the quote document
does it (:func:`tco.render.document.build_view`, :mod:`tco.money`), so the page, the workbook
and the PDF show the same figures. Templates only place these strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.web.forms import (
    FINANCING,
    LOCALES,
    RENEWALS,
    TIMINGS,
    currencies,
    product_profile,
    segments,
)
from tco.catalog import Catalog
from tco.money import round_money, round_parts
from tco.quote import TRANSITIONS, Change, QuoteStatus, QuoteSummary, QuoteVersion
from tco.render.document import (
    DocumentView,
    any_reversal,
    build_view,
    cheaper_again_cell,
    dearer_again_cell,
    payback_cell,
    payback_notes,
)
from tco.render.info import QuoteInfo
from tco.render.locale import DocLocale, doc_locale
from tco.results import ScenarioResult
from tco.scenario import CATEGORIES, Scenario

Translate = Callable[[str], str]
STATUSES = tuple(s.value for s in QuoteStatus)
DOWNLOADS = (("xlsx", "Workbook (.xlsx)"), ("pdf", "Document (.pdf)"), ("html", "Document (.html)"))


def page_locale(language: str) -> DocLocale:
    return doc_locale("de_DE" if language == "de" else "en")


@dataclass(frozen=True, slots=True)
class OfferFigures:
    id: str
    name: str
    badge: str
    price: str
    lifetime_cost: str
    lifetime_cost_plain: str
    savings: str
    payback: str
    dearer_again: str
    cheaper_again: str
    headroom: str
    recommended: bool


@dataclass(frozen=True, slots=True)
class ComparisonView:
    doc: DocumentView
    currency: str
    years: str
    offers: tuple[OfferFigures, ...]
    saving: str
    saving_positive: bool
    notes: tuple[str, ...]
    #: whether any offer is dearer again after its payback (the rows that say when are shown)
    reversal: bool
    #: what "–¹" and "–²" in the payback row mean, and what the reversal rows mean
    payback_notes: tuple[str, ...]


def comparison_view(
    scenario: Scenario, result: ScenarioResult, language: str, info: QuoteInfo | None = None
) -> ComparisonView:
    """The builder's and the quote page's comparison: figures per offer, headline and chart.

    ``info`` carries what the quote document knows beyond the scenario (the coverage terms of
    the quote's offers, whether the buyer's procurement effort is counted): ``doc.coverage``
    and ``doc.effort_note`` follow it; without it the coverage comes from the scenario's
    coverage periods."""
    loc = page_locale(language)
    doc = build_view(scenario, result, locale=loc.name, info=info)
    n = result.study_period_years
    reversal = any_reversal(list(result.comparison.offers.values()))
    cur = result.currency
    base = result.comparison.baseline
    best = result.comparison.recommended
    totals = {
        o.id: round_parts([o.by_category[c.value] for c in CATEGORIES], cur)[1]
        for o in result.offers
    }
    na = loc.t("not applicable")
    offers = []
    for o, column, price_cell in zip(result.offers, doc.columns, doc.summary[0].cells, strict=True):
        comp = result.comparison.offers.get(o.id)
        if comp is None:
            savings = payback = dearer = cheaper = headroom = loc.t("baseline")
        else:
            savings = loc.amount(totals[base] - totals[o.id], cur)
            payback = payback_cell(loc, comp, comp.discounted_payback_year)
            dearer = dearer_again_cell(loc, comp)
            cheaper = cheaper_again_cell(loc, comp, n)
            hr = comp.price_headroom
            headroom = na if hr is None else loc.amount(round_money(hr, cur), cur)
        offers.append(
            OfferFigures(
                id=o.id,
                name=o.name,
                badge=column.badge,
                price=price_cell,
                lifetime_cost=loc.amount(totals[o.id], cur),
                lifetime_cost_plain=str(totals[o.id]),
                savings=savings,
                payback=payback,
                dearer_again=dearer,
                cheaper_again=cheaper,
                headroom=headroom,
                recommended=o.id == best and len(result.offers) > 1,
            )
        )
    others = [totals[o.id] for o in result.offers if o.id != best]
    saving = min(others) - totals[best] if others else Decimal(0)
    return ComparisonView(
        doc=doc,
        currency=cur,
        years=loc.number(result.study_period_years),
        offers=tuple(offers),
        saving=loc.money(saving, cur),
        saving_positive=saving > 0,
        notes=tuple(f"{i.path}: {i.message}" for i in result.issues),
        reversal=reversal,
        payback_notes=payback_notes(loc, [o.payback for o in offers], n, reversal),
    )


# --------------------------------------------------------------------------------------------
# Quote list


@dataclass(frozen=True, slots=True)
class QuoteRow:
    number: str
    customer: str
    title: str
    status: str
    status_key: str
    version: int
    as_of: str
    valid_until: str
    updated: str


def _when(loc: DocLocale, at: datetime) -> str:
    return f"{loc.date(at.date())} {at:%H:%M}"


def filter_quotes(rows: Sequence[QuoteSummary], query: str) -> list[QuoteSummary]:
    """Quotes whose number or customer contains ``query`` (any case), newest first."""
    q = query.strip().lower()
    found = [s for s in rows if not q or q in s.number.lower() or q in s.customer.lower()]
    return sorted(found, key=lambda s: (s.created_at, s.number), reverse=True)


def quote_rows(rows: Sequence[QuoteSummary], language: str, t: Translate) -> list[QuoteRow]:
    loc = page_locale(language)
    return [
        QuoteRow(
            number=s.number,
            customer=s.customer,
            title=s.title,
            status=t(s.status.value),
            status_key=s.status.value,
            version=s.current_version,
            as_of=loc.date(s.as_of),
            valid_until=loc.date(s.valid_until),
            updated=_when(loc, s.updated_at),
        )
        for s in rows
    ]


# --------------------------------------------------------------------------------------------
# Quote page


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: int
    created: str
    created_by: str
    note: str
    selected: bool


@dataclass(frozen=True, slots=True)
class ChangeRow:
    section: str
    path: str
    old: str
    new: str
    delta: str


@dataclass(frozen=True, slots=True)
class EventRow:
    at: str
    by: str
    action: str
    version: int
    status: str


@dataclass(frozen=True, slots=True)
class QuotePageView:
    number: str
    title: str
    customer: str
    seller: str
    status: str
    status_key: str
    as_of: str
    valid_until: str
    version: int
    current_version: int
    locale: str
    recommendation: str
    comparison: ComparisonView
    versions: tuple[VersionRow, ...]
    diff_from: int | None
    changes: tuple[ChangeRow, ...]
    transitions: tuple[tuple[str, str], ...]
    history: tuple[EventRow, ...]
    downloads: tuple[tuple[str, str], ...]
    revisable: bool


def quote_page(
    summary: QuoteSummary,
    selected: QuoteVersion,
    versions: Sequence[QuoteVersion],
    changes: Sequence[Change],
    events: Sequence[dict[str, Any]],
    *,
    language: str,
    t: Translate,
    revisable: bool,
    info: QuoteInfo | None = None,
) -> QuotePageView:
    """The quote page of ``selected``; ``info`` is what its documents say beyond the scenario
    (coverage terms, buyer's effort; :func:`tco.services.export_data`)."""
    loc = page_locale(language)
    now_status = summary.status
    transitions = tuple((s.value, t(s.value)) for s in QuoteStatus if s in TRANSITIONS[now_status])
    base = f"/quotes/{summary.number}/versions/{selected.version}"
    return QuotePageView(
        number=summary.number,
        title=summary.title,
        customer=summary.customer,
        seller=summary.seller,
        status=t(summary.status.value),
        status_key=summary.status.value,
        as_of=loc.date(summary.as_of),
        valid_until=loc.date(summary.valid_until),
        version=selected.version,
        current_version=summary.current_version,
        locale=str(selected.request.get("locale", "en")),
        recommendation=selected.recommendation,
        comparison=comparison_view(selected.scenario, selected.result, language, info),
        versions=tuple(
            VersionRow(
                version=v.version,
                created=_when(loc, v.created_at),
                created_by=v.created_by,
                note=v.note,
                selected=v.version == selected.version,
            )
            for v in sorted(versions, key=lambda v: v.version, reverse=True)
        ),
        diff_from=selected.version - 1 if selected.version > 1 else None,
        changes=tuple(
            ChangeRow(
                section=t(c.section),
                path=c.path,
                old="–" if c.old is None else c.old,
                new="–" if c.new is None else c.new,
                delta=c.delta or "",
            )
            for c in changes
        ),
        transitions=transitions if summary.status in (QuoteStatus.draft, QuoteStatus.sent) else (),
        history=tuple(
            EventRow(
                at=_when(loc, e["at"]),
                by=str(e["by"]),
                action=t(str(e["action"])),
                version=int(e["version"]),
                status=t(str(e["to_status"])),
            )
            for e in reversed(events)
        ),
        downloads=tuple((f"{base}/quote.{fmt}", t(label)) for fmt, label in DOWNLOADS),
        revisable=revisable and summary.status in (QuoteStatus.draft, QuoteStatus.sent),
    )


def today_iso() -> str:
    return date.today().isoformat()


# --------------------------------------------------------------------------------------------
# Builder


@dataclass(frozen=True, slots=True)
class BuilderOptions:
    """The choices of the builder's select fields, and the catalog's escalation as text."""

    choices: dict[str, tuple[tuple[str, str], ...]]
    escalation: str
    profiles: dict[str, str]


def builder_options(catalog: Catalog, language: str, t: Translate) -> BuilderOptions:
    loc = page_locale(language)
    plans = [("", t("No service plan"))]
    for p in catalog.service_plans:
        if p.fee_percent is not None:
            fee = f"{loc.percent(p.fee_percent, 1)} {t('of the price a year')}"
        else:
            fee = f"{loc.money(p.annual_fee or Decimal(0), p.currency or '')} {t('a year')}"
        covers = f"{t('repairs')} {loc.percent(p.repair_covered, 0)}"
        term = f", {p.term_years} {t('years term')}" if p.term_years else ""
        plans.append((p.code, f"{p.name} ({fee}, {covers}{term})"))
    rates = []
    for driver, values in (catalog.defaults.escalation or {}).items():
        shown = ", ".join(loc.percent(r) for r in values)
        rates.append(f"{t(driver)} {shown}")
    return BuilderOptions(
        choices={
            "ours_sku": tuple((p.sku, f"{p.name} ({p.sku})") for p in catalog.products),
            "ours_plan": tuple(plans),
            "ours_financing": tuple((k, t(k)) for k in FINANCING),
            "ours_lease_timing": tuple((k, t(f"in {k}")) for k in TIMINGS),
            "ours_renew": tuple((k, t(label)) for k, label in RENEWALS),
            "comp_kind": (
                ("competitor", t("a competitor's offer")),
                ("status_quo", t("keeping the existing machine")),
            ),
            "customer_segment": tuple((s, t(s)) for s in segments(catalog)),
            "currency": tuple((c, c) for c in currencies(catalog)),
            "locale": LOCALES,
        },
        escalation="; ".join(rates),
        profiles={
            p.sku: json.dumps(product_profile(p), separators=(",", ":")) for p in catalog.products
        },
    )
