"""Money: exact amounts and the one rounding rule.

Prices, discounts and invoiceable amounts are ``Decimal`` and exact. Projections (present
values, expected repair costs) are float64 and are rounded only when shown, by this module:

- an amount is rounded to its currency's minor unit (ISO 4217 exponent: 2 for EUR and USD,
  0 for JPY, 3 for KWD) half away from zero (``ROUND_HALF_UP``, commercial rounding);
- a figure is rounded once, from its unrounded value, and shows the same digits wherever it
  appears: a table's total is the rounded total, never the sum of its rounded parts, and no part
  is nudged to make a column add up. Where the rounded parts of a table do not add up to its
  rounded total, the table says so in a footnote (:func:`round_table` tells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: ISO 4217 currencies whose minor unit is not 1/100.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip


def minor_unit_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return _EXPONENTS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit_exponent(currency))


def to_decimal(value: float | Decimal | int | str) -> Decimal:
    """Exact decimal of a value; floats go through their shortest repr (0.1 -> 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_money(value: float | Decimal | int | str, currency: str) -> Decimal:
    """Round to the currency's minor unit, half away from zero."""
    return to_decimal(value).quantize(quantum(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class RoundedTable:
    """A column of figures and its total, each rounded once from its unrounded value."""

    parts: tuple[Decimal, ...]
    total: Decimal

    @property
    def adds_up(self) -> bool:
        """Whether the rounded parts add up to the rounded total (else: say so in a footnote)."""
        return sum(self.parts, Decimal(0)) == self.total


def round_table(
    parts: Sequence[float | Decimal], total: float | Decimal, currency: str
) -> RoundedTable:
    """Round each part and the total (the unrounded total, as the engine reports it) once."""
    return RoundedTable(
        tuple(round_money(p, currency) for p in parts), round_money(total, currency)
    )


def format_amount(value: Decimal | float, currency: str, *, grouping: bool = True) -> str:
    """Plain-text rendering for terminals: ``1,234.50`` (documents use locale formats)."""
    d = round_money(value, currency)
    places = minor_unit_exponent(currency)
    return f"{d:,.{places}f}" if grouping else f"{d:.{places}f}"
