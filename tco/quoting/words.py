"""The words a quote writes into its scenario: names of cost lines, offers and covers.

The builder names what it generates ("Installation: Pump P-55", "Service plan FullCare,
renewal 1") in the quote's language. Quoting stays free of translation machinery: it calls a
:class:`Words` it is given, whose msgids are English with named placeholders; the presenters'
catalogs translate them (:func:`tco.presenters.i18n.quote_words`), and without one the names
are English. Numbers inside names are formatted by the same :class:`Words` (``12,000`` /
``12.000``, ``6.00%`` / ``6,00 %``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a msgid for the catalogs where it is written; :attr:`Words.line_name` translates
    it where it is used."""
    return msgid


def _english(msgid: str, /, **values: object) -> str:
    return msgid.format(**values) if values else msgid


def _english_number(value: float, places: int = 0) -> str:
    return f"{value:,.{places}f}"


def _english_percent(rate: float) -> str:
    return f"{rate:.2%}"


@dataclass(frozen=True)
class Words:
    """``line_name(msgid, **values)``: a generated name in the quote's language (the msgid is
    the English text, ``{name}`` placeholders filled with ``values``); ``number`` and
    ``percent`` format the figures that go into names."""

    line_name: Callable[..., str] = _english
    number: Callable[[float, int], str] = _english_number
    percent: Callable[[float], str] = _english_percent


#: Names in English (what a quote gets without a catalog).
ENGLISH = Words()
