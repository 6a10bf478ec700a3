"""The quote's recommendation in one sentence, in the language of whoever reads it.

One source: the recommendation is the quote document's headline
(:func:`tco.presenters.document.build_view`: the recommended offer against the baseline, or
against the next-best offer where the baseline is itself recommended; its lifetime saving, the
difference in price, the payback and, where the payback reverses, the year it is dearer again
and what causes it), followed by the price headroom of the recommended offer against the
baseline where it has one. Its words are the catalog's (:data:`tco.presenters.locale.SENTENCES`),
so a German reader gets the German sentence, rendered from the saved result; a saved quote
version also keeps the English sentence as a record (:func:`tco.services.create_quote`).

Where the result has an uncertainty block, :func:`risk` says what it means in the same way: the
sentence under the document's headline (how often the key offer saves, and what would have to
be true for the comparison to turn).
"""

from __future__ import annotations

from tco.core.money import round_money
from tco.core.results import ScenarioResult
from tco.core.scenario import Scenario
from tco.presenters.document import build_view
from tco.presenters.i18n import language_of
from tco.presenters.locale import doc_locale

#: The locale of the documents in each language.
_LOCALES = {"en": "en", "de": "de_DE"}


def recommendation(scenario: Scenario, result: ScenarioResult, language: str) -> str:
    """The recommendation of ``result`` (the evaluation of ``scenario``) in ``language``
    (``en``, ``de`` or a locale of either), as plain text."""
    locale = _LOCALES.get(language_of(language), "en")
    headline = build_view(scenario, result, locale=locale).headline_text
    return with_headroom(headline, result, language)


def with_headroom(headline: str, result: ScenarioResult, language: str) -> str:
    """The document's ``headline`` with the recommended offer's price headroom against the
    baseline, where it is recommended over the baseline and has a positive headroom."""
    best, base = result.comparison.recommended, result.comparison.baseline
    comparison = result.comparison.offers.get(best)
    if best == base or comparison is None:
        return headline
    headroom = comparison.price_headroom
    cur = result.currency
    if headroom is None or round_money(headroom, cur) <= 0:
        return headline
    loc = doc_locale(_LOCALES.get(language_of(language), "en"))
    return headline + loc.say(
        "recommendation.headroom", headroom=loc.money(round_money(headroom, cur), cur)
    )


def risk(scenario: Scenario, result: ScenarioResult, language: str) -> str | None:
    """The document's sentence on the uncertainty of ``result`` in ``language``, as plain
    text; None where the result has no uncertainty block."""
    locale = _LOCALES.get(language_of(language), "en")
    view = build_view(scenario, result, locale=locale).risk
    return None if view is None else view.sentence_text
