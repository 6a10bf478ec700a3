"""Words in every language the project speaks, from gettext catalogs read with Babel.

The English text is the message id (msgid): English is the identity. Every other language has
a catalog, ``locales/<language>/LC_MESSAGES/messages.po`` next to this module, read once at run
time with :func:`babel.messages.pofile.read_po` (no compile step). A msgid the catalog does not
translate, or translates only as a fuzzy guess, is shown in English; the tests refuse both.

Placeholders are named, ``{years}``, and filled in with :meth:`str.format_map` when values are
given (a missing value raises ``KeyError``). Text between asterisks is shown strong by the
documents (:meth:`tco.presenters.locale.DocLocale.sentence`). A msgid may carry a context
(msgctxt): the key of a sentence (``headline.less``, :data:`tco.presenters.locale.SENTENCES`),
or ``workbook`` where the workbook words a label differently from the document.

Code that does not pass a literal msgid to :func:`gettext` marks it where it is written with
:func:`N_` (or :func:`NP_` with a context), so that ``make messages`` extracts it into
``locales/messages.pot`` (docs/i18n.md).

The shared vocabulary lives here too: cost categories (:func:`category_name`) and escalation
drivers (:func:`driver_name`).
"""

from __future__ import annotations

import gettext as _stdlib_gettext
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from tco.core.scenario import Category
from tco.quoting.words import ENGLISH, Words

#: The languages the project speaks; English is the source language of every msgid.
LANGUAGES: tuple[str, ...] = ("en", "de")
SOURCE_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for extraction; translate it later with :func:`gettext`."""
    return msgid


def NP_(context: str, msgid: str) -> str:  # noqa: N802
    """Mark ``msgid`` in ``context`` for extraction; translate it later with :func:`pgettext`."""
    return msgid


def language_of(name: str) -> str:
    """The language of a locale name: ``de`` for ``de``, ``de_DE`` or ``de-AT``."""
    return name.strip().replace("-", "_").split("_")[0].lower()


@dataclass(frozen=True, slots=True)
class Catalog:
    """The translations of one language: (context, msgid) -> msgstr (plural entries hold one
    msgstr per plural form) and the language's plural rule (count -> form index)."""

    messages: Mapping[tuple[str | None, str], str | tuple[str, ...]]
    plural: Callable[[int], int]


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(language: str) -> Catalog | None:
    """The catalog of ``language`` (None for English and for a language without one)."""
    lang = language_of(language)
    path = catalog_path(lang)
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return None
    with path.open("rb") as f:
        po = read_po(f, locale=lang, domain=DOMAIN)
    messages: dict[tuple[str | None, str], str | tuple[str, ...]] = {}
    for m in po:
        if not m.id or m.fuzzy:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        strings = (m.string,) if isinstance(m.string, str) else tuple(m.string or ())
        if strings and all(strings):
            messages[(m.context, msgid)] = strings[0] if isinstance(m.string, str) else strings
    return Catalog(messages, _stdlib_gettext.c2py(po.plural_expr))


def fill(text: str, values: Mapping[str, object]) -> str:
    """``text`` with its named placeholders filled in (unchanged when there are no values)."""
    return text.format_map(values) if values else text


def placeholders(text: str) -> frozenset[str]:
    """The names of the placeholders in ``text``: ``{n}-year`` -> ``{"n"}``."""
    return frozenset(_PLACEHOLDER.findall(text))


def pgettext(language: str, context: str | None, msgid: str, /, **values: object) -> str:
    """``msgid`` (in ``context``) in ``language``, its placeholders filled with ``values``."""
    cat = catalog(language)
    found = None if cat is None else cat.messages.get((context, msgid))
    text = found if isinstance(found, str) else msgid
    return fill(text, values)


def gettext(language: str, msgid: str, /, **values: object) -> str:
    """``msgid`` in ``language``, its placeholders filled with ``values``."""
    return pgettext(language, None, msgid, **values)


def ngettext(language: str, singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of ``singular``/``plural`` that fits the count ``n``, in ``language``, its
    placeholders filled with ``values``."""
    cat = catalog(language)
    found = None if cat is None else cat.messages.get((None, singular))
    if cat is not None and isinstance(found, tuple):
        text = found[min(cat.plural(n), len(found) - 1)]
    else:
        text = singular if n == 1 else plural
    return fill(text, values)


# --------------------------------------------------------------------------------------------
# The shared vocabulary: cost categories and escalation drivers

#: Cost categories as words in running text (lower case in English).
CATEGORY_NAMES: Mapping[Category, str] = {
    Category.acquisition: N_("acquisition"),
    Category.installation: N_("installation"),
    Category.replacement: N_("replacement"),
    Category.energy: N_("energy"),
    Category.operation: N_("operation"),
    Category.maintenance: N_("maintenance"),
    Category.repair: N_("repair"),
    Category.downtime: N_("downtime"),
    Category.service: N_("service"),
    Category.transaction: N_("transaction"),
    Category.financing: N_("financing"),
    Category.end_of_life: N_("end of life"),
}

#: Escalation drivers with a name in every language. A scenario may name its drivers freely
#: (any identifier, :class:`tco.core.scenario.Assumptions`): the quote builder uses ``energy``,
#: ``labor`` and ``parts``; these and the usual others are translated, and so is a driver named
#: after a cost category. Any other name is the user's own and is shown as written.
DRIVER_NAMES: Mapping[str, str] = {
    "energy": N_("energy"),
    "electricity": N_("electricity"),
    "gas": N_("gas"),
    "fuel": N_("fuel"),
    "water": N_("water"),
    "labor": N_("labor"),
    "labour": N_("labour"),
    "wages": N_("wages"),
    "parts": N_("parts"),
    "materials": N_("materials"),
    "consumables": N_("consumables"),
}


def category_name(language: str, category: Category | str) -> str:
    """A cost category as a word in running text: ``end of life`` / ``Lebensende``."""
    return gettext(language, CATEGORY_NAMES[Category(category)])


def category_label(language: str, category: Category | str) -> str:
    """A cost category as a label, capitalized: ``End of life`` / ``Lebensende``."""
    name = category_name(language, category)
    return name[:1].upper() + name[1:]


def driver_name(language: str, driver: str) -> str:
    """An escalation driver's name: ``labor`` / ``Arbeit``; a name of the user's own as written."""
    if driver in DRIVER_NAMES:
        return gettext(language, DRIVER_NAMES[driver])
    if driver in Category.__members__:
        return category_name(language, driver)
    return driver


# --------------------------------------------------------------------------------------------
# The names a quote generates


def quote_words(locale: str) -> Words:
    """The words of the quote builder in the language of ``locale`` (``de_DE`` -> German):
    generated line, offer and cover names from this catalog, numbers in names as the locale
    writes them."""
    language = language_of(locale)
    if catalog(language) is None:
        return ENGLISH
    babel_locale = Locale.parse(locale if "_" in locale else language)

    def line_name(msgid: str, /, **values: object) -> str:
        return gettext(language, msgid, **values)

    def number(value: float, places: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(format_decimal(value, format=pattern, locale=babel_locale))

    def percent(rate: float) -> str:
        return f"{number(rate * 100, 2)} %"

    return Words(line_name=line_name, number=number, percent=percent)
