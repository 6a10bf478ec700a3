"""The ledger's words and sentences, in every language the project speaks.

Labels are English msgids translated by the catalogs of :mod:`tco.presenters.i18n` (the German
ones at the end of ``locales/de/LC_MESSAGES/messages.po``); the web pages and the review
document use them with ``t(...)``, the sentences below with :func:`tco.presenters.i18n.gettext`.
Amounts are rounded once, here, from the ledger's unrounded figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from tco.core.money import round_money
from tco.ledger.followup import FollowUp, Reason
from tco.presenters.i18n import N_, gettext, language_of, ngettext
from tco.presenters.locale import DocLocale, doc_locale
from tco.quoting.catalog import Catalog

#: Labels the ledger's pages translate from code (English msgids, marked for extraction): the
#: figures of the asset page, its messages, and the event kinds, payers and contacts.
LABELS: Final[tuple[str, ...]] = (
    N_("Promised to date"),
    N_("Actual to date"),
    N_("Failures"),
    N_("Expected failures"),
    N_("Downtime (hours)"),
    N_("Operating hours"),
    N_("Quoted MTBF (hours)"),
    N_("Updated MTBF (hours)"),
    N_("90 % credible interval"),
    N_("Lifetime cost promised"),
    N_("Lifetime cost re-forecast"),
    N_("Alternative's lifetime cost"),
    N_("Hour-meter reading"),
    N_("Paid by"),
    N_("Cost"),
    N_("Downtime hours"),
    N_("measured"),
    N_("as promised"),
    N_("The event was recorded."),
    N_("This event id was already recorded with the same content: nothing changed."),
    N_("Saved."),
    N_("There is no asset {asset}."),
    N_("There are no assets of {customer}."),
    N_("operating_hours"),
    N_("repair"),
    N_("maintenance"),
    N_("energy"),
    N_("contact"),
    N_("buyer"),
    N_("seller"),
    N_("visit"),
    N_("call"),
    N_("complaint"),
    N_("praise"),
)


def loc_of(language: str) -> DocLocale:
    """The number and date formats of a page or document language (``en``, ``de``...)."""
    return doc_locale("de_DE" if language_of(language) == "de" else "en")


def money(loc: DocLocale, value: float | Decimal, currency: str) -> str:
    return loc.money(round_money(value, currency), currency)


def hours(loc: DocLocale, value: float) -> str:
    """Whole hours, rounded half away from zero."""
    return loc.number(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(loc: DocLocale, value: float) -> str:
    return loc.percent(value, 1)


def reason_text(item: FollowUp, language: str) -> str:
    """One follow-up item as a sentence in ``language``."""
    lang = language_of(language)
    loc = loc_of(lang)
    cur = item.currency
    assets = ", ".join(str(i) for i in item.asset_ids)
    if item.reason is Reason.silence:
        return gettext(
            lang,
            "No contact and no event for {days} days (the last on {day}).",
            days=loc.number(item.days or 0),
            day=loc.date(item.day) if item.day else "",
        )
    if item.reason is Reason.over_promise:
        return gettext(
            lang,
            "Asset {asset}: the measured cost to date, {actual}, is {share} above the promised "
            "{promised}.",
            asset=assets,
            actual=money(loc, item.actual or 0.0, cur),
            share=share(loc, item.share) if item.share is not None else "∞",
            promised=money(loc, item.reference or 0.0, cur),
        )
    if item.reason is Reason.renewal:
        key = (
            N_(
                "{plan} of quote {number} ends on {day} (in {days} days); the quote states a "
                "renewal: confirm it."
            )
            if item.renewal_stated
            else N_(
                "{plan} of quote {number} ends on {day} (in {days} days); the quote states "
                "no renewal: offer one."
            )
        )
        return gettext(
            lang,
            key,
            plan=item.plan,
            number=item.quote_number or "",
            day=loc.date(item.day) if item.day else "",
            days=loc.number(item.days or 0),
        )
    return gettext(
        lang,
        "Asset {asset}: the re-forecast lifetime cost, {reforecast}, is above the {alternative} "
        "of the alternative it was chosen over.",
        asset=assets,
        reforecast=money(loc, item.actual or 0.0, cur),
        alternative=money(loc, item.reference or 0.0, cur),
    )


def reason_label(reason: Reason, language: str) -> str:
    labels = {
        Reason.silence: N_("Silence"),
        Reason.over_promise: N_("Cost above promise"),
        Reason.renewal: N_("Renewal"),
        Reason.comparison: N_("Comparison turned"),
    }
    return gettext(language_of(language), labels[reason])


def field_basis_notes(catalog: Catalog, skus: Iterable[str], language: str) -> tuple[str, ...]:
    """For each product of ``skus`` whose failure profile is field-calibrated, the sentence
    "MTBF ... based on N installations and H operating hours" in ``language``."""
    lang = language_of(language)
    loc = loc_of(lang)
    out = []
    for sku in dict.fromkeys(skus):
        product = catalog.product(sku)
        fp = product.failures if product is not None else None
        if product is None or fp is None or fp.field is None:
            continue
        f = fp.field
        out.append(
            ngettext(
                lang,
                "{product}: MTBF {mtbf} hours, based on {n} installation and {hours} operating "
                "hours in the field (as of {day}; catalog figure {prior} hours).",
                "{product}: MTBF {mtbf} hours, based on {n} installations and {hours} operating "
                "hours in the field (as of {day}; catalog figure {prior} hours).",
                f.installations,
                product=product.name,
                mtbf=hours(loc, fp.mtbf_hours),
                n=loc.number(f.installations),
                hours=hours(loc, f.operating_hours),
                day=loc.date(f.as_of),
                prior=hours(loc, f.prior_mtbf_hours),
            )
        )
    return tuple(out)
