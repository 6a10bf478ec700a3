"""What the pages show, as formatted strings: the comparison, the quote list and the quote page.

Numbers come from the engine's result and are rounded and formatted the way the quote document
does it (:func:`tco.presenters.document.build_view`, :mod:`tco.core.money`), so the page, the
workbook and the PDF show the same figures. Templates only place these strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.web.forms import (
    COMP,
    FIELDS,
    FINANCING,
    LOCALES,
    NUMERIC,
    OURS,
    RENEWALS,
    TIMINGS,
    Field,
    currencies,
    field_at,
    offer_roles,
    product_profile,
    segments,
)
from api.web.i18n import translator
from api.web.numbers import NumberError, format_number, number_language, parse_number
from api.web.ranges import RANGE_FIELDS
from api.web.ranges import choices as range_choices
from tco.core.money import round_money
from tco.core.results import ScenarioResult
from tco.core.scenario import Scenario
from tco.presenters.document import (
    DocumentView,
    any_reversal,
    build_view,
    cheaper_again_cell,
    dearer_again_cell,
    payback_cell,
    payback_notes,
)
from tco.presenters.info import QuoteInfo
from tco.presenters.locale import DocLocale, doc_locale
from tco.presenters.sentences import with_headroom
from tco.quoting.catalog import Catalog
from tco.quoting.pipeline import lifetime_saving
from tco.quoting.versions import TRANSITIONS, Change, QuoteStatus, QuoteSummary, QuoteVersion

Translate = Callable[[str], str]
STATUSES = tuple(s.value for s in QuoteStatus)
#: Statuses a quote never leaves: setting one asks for a confirmation first.
FINAL = tuple(s.value for s in QuoteStatus if not TRANSITIONS[s])
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
class RangeRows:
    """The simulation's figures per offer, as the comparison table shows them."""

    caption: str
    lifetime_cost: tuple[str, ...]
    lowest: tuple[str, ...]
    saves: tuple[str, ...]


def range_rows(result: ScenarioResult, loc: DocLocale) -> RangeRows | None:
    """P10 to P90 of each offer's lifetime cost, its chance of costing least and of saving
    against the baseline; None without a simulation. Amounts rounded once."""
    u = result.uncertainty
    if u is None:
        return None
    cur = result.currency

    def money(x: float) -> str:
        return loc.amount(round_money(x, cur), cur)

    ids = [o.id for o in result.offers]
    saves = tuple(
        loc.percent(u.comparison[i].probability_saves, 0)
        if i in u.comparison
        else loc.t("baseline")
        for i in ids
    )
    caption = loc.t(
        "Ranges from {draws} simulated futures (seed {seed}): 8 in 10 lie between P10 and P90."
    ).format(draws=loc.number(u.draws), seed=u.seed)
    return RangeRows(
        caption=caption,
        lifetime_cost=tuple(
            f"{money(u.offers[i].lifetime_cost.p10)} – {money(u.offers[i].lifetime_cost.p90)}"
            for i in ids
        ),
        lowest=tuple(loc.percent(u.offers[i].probability_lowest_cost, 0) for i in ids),
        saves=saves,
    )


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
    #: the simulation's ranges and chances, where the quote has ranges
    ranges: RangeRows | None = None


def _lead(result: ScenarioResult) -> float:
    """How much less the recommended offer costs than the next cheapest one over its life (the
    pipeline's lifetime saving, :func:`tco.quoting.pipeline.lifetime_saving`)."""
    return lifetime_saving(result)


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
    best = result.comparison.recommended
    totals = {o.id: round_money(o.lifetime_cost, cur) for o in result.offers}  # rounded once
    na = loc.t("not applicable")
    offers = []
    for o, column, price_cell in zip(result.offers, doc.columns, doc.summary[0].cells, strict=True):
        comp = result.comparison.offers.get(o.id)
        if comp is None:
            savings = payback = dearer = cheaper = headroom = loc.t("baseline")
        else:
            savings = loc.amount(round_money(comp.net_savings, cur), cur)
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
    saving = round_money(_lead(result), cur)  # rounded once, from the unrounded difference
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
        ranges=range_rows(result, loc),
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
    """One difference between two versions, as the page shows it: the section (input or
    result), a label in the page's language (``Our offer · Discount``), the values and the
    change formatted with units and currency (``8 %`` -> ``12 %``), and the request path."""

    section: str
    label: str
    old: str
    new: str
    delta: str
    path: str


@dataclass(frozen=True, slots=True)
class EventRow:
    at: str
    by: str
    action: str
    version: int
    status: str
    #: why or to whom: an approval's reason, the recipient of a quote sent by e-mail
    note: str = ""


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
    before = next((v for v in versions if v.version == selected.version - 1), None)
    now_status = summary.status
    transitions = tuple((s.value, t(s.value)) for s in QuoteStatus if s in TRANSITIONS[now_status])
    base = f"/quotes/{summary.number}/versions/{selected.version}"
    comparison = comparison_view(selected.scenario, selected.result, language, info)
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
        # in the viewer's language, from the saved result (not the English record it keeps)
        recommendation=with_headroom(comparison.doc.headline_text, selected.result, language),
        comparison=comparison,
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
        changes=readable_changes(changes, before, selected, language) if before else (),
        transitions=transitions if summary.status in (QuoteStatus.draft, QuoteStatus.sent) else (),
        history=tuple(
            EventRow(
                at=_when(loc, e["at"]),
                by=str(e["by"]),
                action=t(str(e["action"])),
                version=int(e["version"]),
                status=t(str(e["to_status"])),
                note=str(e.get("note") or ""),
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
    #: per customer record id / library code: the form values it fills in (JSON)
    customers: dict[str, str] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)


def builder_options(
    catalog: Catalog,
    language: str,
    t: Translate,
    customers: Sequence[tuple[int, str, str]] = (),
    competitors: Sequence[tuple[str, str, dict[str, str]]] = (),
) -> BuilderOptions:
    """The builder's choices; ``customers`` (id, name, segment) are the customer records,
    ``competitors`` (code, label, the other offer's form values) the competitor library."""
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
            "customer_id": (
                ("", t("none: type the customer's name")),
                *((str(i), name) for i, name, _ in customers),
            ),
            "comp_library": (
                ("", t("none: type the data sheet")),
                *((code, label) for code, label, _ in competitors),
            ),
            "currency": tuple((c, c) for c in currencies(catalog)),
            "locale": LOCALES,
            **{
                name: tuple((k, t(label)) for k, label in range_choices(name))
                for name in RANGE_FIELDS
            },
        },
        escalation="; ".join(rates),
        profiles={
            p.sku: json.dumps(product_profile(p, language), separators=(",", ":"))
            for p in catalog.products
        },
        customers={
            str(i): json.dumps({"customer_name": name, "customer_segment": segment})
            for i, name, segment in customers
        },
        sheets={code: json.dumps(values, separators=(",", ":")) for code, _, values in competitors},
    )


# --------------------------------------------------------------------------------------------
# Differences between versions, readable


_RESULT_LABELS = {
    "lifetime_cost": "Lifetime cost (present value)",
    "net_savings": "Net savings",
    "simple_payback_year": "Simple payback year",
    "discounted_payback_year": "Discounted payback year",
}
_DASH = "–"


@dataclass(frozen=True)
class _Shown:
    """What values are shown with: the page's language, labels and the quote's names."""

    language: str
    t: Translate
    loc: DocLocale
    currency: str
    roles: dict[str, str]
    offer_names: dict[str, str]
    item_names: dict[str, str]

    def offer(self, offer_id: str) -> str:
        role = self.roles.get(offer_id)
        if role == OURS:
            return self.t("Our offer")
        if role == COMP:
            return self.t("Compared with")
        return self.offer_names.get(offer_id) or offer_id

    def money(self, value: Decimal, *, signed: bool = False) -> str:
        """``EUR 1,500.00`` / ``1.500,00 EUR``; ``signed``: ``EUR +1,500.00``, ``-1.500,00 EUR``."""
        rounded = round_money(value, self.currency)
        if not signed:
            return self.loc.money(rounded, self.currency)
        text = _signed(self.loc.amount(abs(rounded), self.currency), rounded)
        if rounded < 0:
            text = f"-{text}"
        if self.language == "de":
            return f"{text}\u00a0{self.currency}"
        return f"{self.currency}\u00a0{text}"

    def number(self, value: Decimal) -> str:
        return format_number(value, self.language)


def _decimal(text: str | None) -> Decimal | None:
    if text is None or isinstance(text, bool):
        return None
    try:
        value = Decimal(str(text))
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def _signed(text: str, value: Decimal) -> str:
    return f"+{text}" if value > 0 else text


def _unit(spec: Field, t: Translate) -> str:
    return f"\u00a0{t(spec.unit)}" if spec.unit and not spec.unit.startswith("%") else ""


def _choice(spec: Field, value: str, s: _Shown) -> str:
    if spec.name in ("ours_sku", "ours_plan"):
        if spec.name == "ours_plan" and not value:
            return s.t("No service plan")
        return s.item_names.get(value, value)
    if spec.name in RANGE_FIELDS:
        return {k: s.t(label) for k, label in range_choices(spec.name)}.get(value, value)
    labels = dict(LOCALES) | {k: s.t(label) for k, label in RENEWALS}
    if spec.name in ("ours_financing", "customer_segment"):
        return s.t(value)
    if spec.name == "ours_lease_timing":
        return s.t(f"in {value}")
    return labels.get(value, value)


def _value(spec: Field | None, raw: str | None, s: _Shown) -> str:
    if raw is None or raw == "None":
        if spec is not None and spec.kind == "select":  # "no plan", "no renewal"
            return _choice(spec, "", s) or _DASH
        return _DASH
    if spec is None:
        return raw
    number = _decimal(raw) if spec.kind in NUMERIC else None
    if spec.kind == "percent" and number is not None:
        return f"{s.number(number * 100)}\u00a0%"
    if spec.kind == "money" and number is not None:
        return s.money(number)
    if number is not None:
        return s.number(number) + _unit(spec, s.t)
    if spec.kind == "date":
        try:
            return s.loc.date(date.fromisoformat(raw))
        except ValueError:
            return raw
    if spec.kind == "select":
        return _choice(spec, raw, s)
    return raw


def _delta(spec: Field | None, raw: str | None, s: _Shown) -> str:
    change = _decimal(raw)
    if spec is None or change is None or spec.kind not in NUMERIC:
        return ""
    if spec.kind == "percent":
        points = s.number(change * 100)
        return _signed(f"{points}\u00a0{s.t('percentage points')}", change)
    if spec.kind == "money":
        return s.money(change, signed=True)
    return _signed(s.number(change) + _unit(spec, s.t), change)


def _words(rest: str, t: Translate) -> str:
    """A path the form does not show, as words: ``.extra_costs[0].amount`` -> ``extra costs
    1 · amount``."""
    parts: list[str] = []
    for m in re.finditer(r"([A-Za-z_]+)|\[(\d+)\]|\[([^\]]+)\]", rest):
        if m.group(1):
            word = m.group(1).replace("_", " ")
            parts.append(t(word.capitalize() if not parts else word))
        elif m.group(2):
            parts[-1:] = [f"{parts[-1]} {int(m.group(2)) + 1}" if parts else m.group(2)]
        else:
            parts.append(m.group(3))
    return " · ".join(parts)


def _input_row(c: Change, s: _Shown) -> ChangeRow:
    spec = field_at(c.path, s.roles)
    m = re.match(r"^offers\[([^\]]+)\](.*)$", c.path)
    if m is not None:
        section = s.offer(m.group(1))
        what = s.t(spec.label) if spec is not None else _words(m.group(2), s.t)
    elif spec is not None:
        assumption = spec.name.startswith("a_")
        section = s.t("Assumptions" if assumption else "Customer and quote")
        what = s.t(spec.label)
    else:
        section, _, rest = c.path.partition(".")
        section = s.t("Assumptions") if section == "assumptions" else s.t(section.capitalize())
        what = _words(rest, s.t)
    label = f"{section} · {what}" if what else section
    return ChangeRow(
        section=s.t("input"),
        label=label,
        old=_value(spec, c.old, s),
        new=_value(spec, c.new, s),
        delta=_delta(spec, c.delta, s),
        path=c.path,
    )


def _result_row(c: Change, s: _Shown) -> ChangeRow:
    if c.path == "recommended":
        return ChangeRow(
            section=s.t("result"),
            label=s.t("Recommended offer"),
            old=s.offer_names.get(c.old or "", c.old or _DASH),
            new=s.offer_names.get(c.new or "", c.new or _DASH),
            delta="",
            path=c.path,
        )
    m = re.match(r"^offers\[([^\]]+)\]\.(.*)$", c.path)
    offer, key = (m.group(1), m.group(2)) if m is not None else ("", c.path)
    if key.startswith("by_category."):
        what = f"{s.loc.t(key.removeprefix('by_category.'))} ({s.t('present value')})"
    else:
        what = s.t(_RESULT_LABELS.get(key, key))
    money = not key.endswith("_year")

    def shown(text: str | None) -> str:
        value = _decimal(text)
        if value is None:
            return text or _DASH
        return s.money(value) if money else s.number(value)

    delta = _decimal(c.delta)
    if delta is not None:
        change = s.money(delta, signed=True) if money else _signed(s.number(delta), delta)
    return ChangeRow(
        section=s.t("result"),
        label=f"{s.offer(offer)} · {what}" if offer else what,
        old=shown(c.old),
        new=shown(c.new),
        delta="" if delta is None else change,
        path=c.path,
    )


def readable_changes(
    changes: Sequence[Change], before: QuoteVersion, after: QuoteVersion, language: str
) -> tuple[ChangeRow, ...]:
    """The differences between two versions with the builder's labels (one place for them:
    :data:`api.web.forms.FIELDS` and the paths of :data:`api.web.forms.OFFER_PATHS`), values
    formatted in the page's language with units and currency. A row that repeats the one
    before it (the other offer's price is its unit and its list price) is shown once."""
    roles = offer_roles(before.request) | offer_roles(after.request)
    offers = [*before.request.get("offers", []), *after.request.get("offers", [])]
    items = {
        **{p.sku: p.name for v in (before, after) for p in v.snapshot.products},
        **{p.code: p.name for v in (before, after) for p in v.snapshot.service_plans},
    }
    s = _Shown(
        language=language,
        t=translator(language),
        loc=page_locale(language),
        currency=str(after.request.get("currency") or after.result.currency),
        roles=roles,
        offer_names={
            **{str(o.get("id")): str(o.get("name") or o.get("id")) for o in offers},
            **{o.id: o.name for v in (before, after) for o in v.result.offers},
        },
        item_names=items,
    )
    rows: list[ChangeRow] = []
    for c in changes:
        row = _input_row(c, s) if c.section == "input" else _result_row(c, s)
        if rows and (rows[-1].label, rows[-1].old, rows[-1].new) == (row.label, row.old, row.new):
            continue
        rows.append(row)
    return tuple(rows)


# --------------------------------------------------------------------------------------------
# A revision that conflicts with one saved meanwhile


@dataclass(frozen=True, slots=True)
class TypedRow:
    """A field the salesperson changed in the form: its label, the value of the version the
    form was made on, and what they typed."""

    name: str
    label: str
    before: str
    typed: str


@dataclass(frozen=True, slots=True)
class ConflictView:
    number: str
    base: int
    current: int
    saved_by: str
    saved_at: str
    theirs: tuple[ChangeRow, ...]
    yours: tuple[TypedRow, ...]
    note: str


def _same(spec: Field, a: str, b: str, language: str) -> bool:
    if spec.kind in NUMERIC:
        try:
            return parse_number(a, language) == parse_number(b, language)
        except NumberError:
            return False
    return a.strip() == b.strip()


def typed_changes(
    values: dict[str, str], base_values: dict[str, str], options: BuilderOptions, t: Translate
) -> tuple[TypedRow, ...]:
    """The fields whose typed value differs from the form of the version it was made on
    (both in the form's number locale)."""
    language = number_language(values.get("number_locale"), "en")
    out = []
    for spec in FIELDS:
        typed = values.get(spec.name, "")
        before = base_values.get(spec.name, "")
        if _same(spec, typed, before, language):
            continue
        choices = dict(options.choices.get(spec.name, ()))
        unit = f" {t(spec.unit)}" if spec.unit else ""
        out.append(
            TypedRow(
                name=spec.name,
                label=t(spec.label),
                before=(choices.get(before, before) + unit) if before else _DASH,
                typed=(choices.get(typed, typed) + unit) if typed.strip() else _DASH,
            )
        )
    return tuple(out)


def conflict_view(
    number: str,
    base: QuoteVersion,
    current: QuoteVersion,
    changes: Sequence[Change],
    yours: tuple[TypedRow, ...],
    note: str,
    language: str,
) -> ConflictView:
    loc = page_locale(language)
    return ConflictView(
        number=number,
        base=base.version,
        current=current.version,
        saved_by=current.created_by,
        saved_at=_when(loc, current.created_at),
        theirs=readable_changes(changes, base, current, language),
        yours=yours,
        note=note,
    )
