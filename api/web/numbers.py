"""Numbers typed into the builder and shown in it, in the form's locale (English or German).

A form's numbers are read in the locale the form was rendered in (its hidden ``number_locale``
field, else the page language) with Babel's strict parser: the locale's decimal separator and
grouping are accepted (``8,5`` and ``29.500`` in German, ``8.5`` and ``29,500`` in English),
anything else is refused rather than guessed (``29k5OO``, ``1e5``, ``43.5`` in German, where the
point only groups thousands). Numbers put into the form are written the same way, so a form
shown, typed into and sent back reads the same numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

#: Page language -> the Babel locale of its numbers.
BABEL_LOCALES = {"en": "en", "de": "de_DE"}
#: What a number may look like before Babel reads it: a sign, digits and the two separators.
_SHAPE = re.compile(r"^[+-]?[0-9.,]*[0-9][0-9.,]*$")
_PATTERN = "#,##0.##########"
#: An example per kind of field, shown in the message of a number that cannot be read.
EXAMPLES = {
    "money": Decimal("29500.00"),
    "percent": Decimal("8.5"),
    "number": Decimal("4000.5"),
    "int": Decimal("4000"),
}


class NumberError(ValueError):
    """Text that is not a number in the form's locale."""


def number_language(declared: str | None, page_language: str) -> str:
    """The language whose format a form's numbers are in: the one the form declares (``en`` or
    ``de``), else the page's."""
    if declared in BABEL_LOCALES:
        return str(declared)
    return page_language if page_language in BABEL_LOCALES else "en"


def parse_number(text: str, language: str) -> Decimal | None:
    """The number ``text`` means in ``language``; None when empty; :class:`NumberError` when it
    is not one number written the locale's way."""
    cleaned = text.strip().replace("\u2212", "-")  # a typographic minus is a minus
    if not cleaned:
        return None
    if not _SHAPE.match(cleaned):
        raise NumberError(cleaned)
    try:
        value = parse_decimal(cleaned, locale=BABEL_LOCALES[language], strict=True)
    except (NumberFormatError, InvalidOperation):
        raise NumberError(cleaned) from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise NumberError(cleaned)
    return value


def format_number(value: Decimal | float | int | str, language: str) -> str:
    """``value`` (a machine-format number) as the form shows it: grouped, with the locale's
    decimal separator and as many decimals as it has (``29.500``, ``0,2``)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    number = Decimal(value) if not isinstance(value, Decimal) else value
    if number == 0:
        number = Decimal(0)  # never "-0"
    return str(
        format_decimal(
            number.normalize(),
            format=_PATTERN,
            locale=BABEL_LOCALES[language],
            decimal_quantization=False,
        )
    )


def example(kind: str, language: str) -> str:
    """An example number of a field of ``kind`` in ``language`` (``29.500,00``, ``29,500.00``)."""
    value = EXAMPLES.get(kind, EXAMPLES["number"])
    places = 2 if kind == "money" else 0 if kind == "int" else 1
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=BABEL_LOCALES[language]))
