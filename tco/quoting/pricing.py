"""Price sheets: net unit prices rounded once to the currency's minor unit, line totals exact."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from tco.core.money import round_money
from tco.quoting.requests import FrozenModel

# --------------------------------------------------------------------------------------------
# Price sheets: the invoiceable part of a quote, exact Decimals


class PriceLine(FrozenModel):
    """One invoiceable line: quantity x net unit price = total (exact, minor unit)."""

    name: str
    item: str | None = None
    kind: Literal["one_time", "annual"] = "one_time"
    quantity: int = 1
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    net_unit_price: Decimal
    total: Decimal


class PriceSheet(FrozenModel):
    """An offer's invoiceable lines; the totals are the exact sums of the line totals."""

    offer_id: str
    currency: str
    lines: tuple[PriceLine, ...]
    one_time_total: Decimal
    annual_total: Decimal


def net_unit_price(unit_price: Decimal, discount: Decimal, currency: str) -> Decimal:
    """The one rounding rule for prices: unit price x (1 - discount), to the minor unit."""
    return round_money(unit_price * (Decimal(1) - discount), currency)


def price_line(
    name: str,
    unit_price: Decimal,
    currency: str,
    *,
    quantity: int = 1,
    discount: Decimal = Decimal(0),
    item: str | None = None,
    kind: Literal["one_time", "annual"] = "one_time",
) -> PriceLine:
    net = net_unit_price(unit_price, discount, currency)
    return PriceLine(
        name=name,
        item=item,
        kind=kind,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        net_unit_price=net,
        total=net * quantity,
    )


def price_sheet(offer_id: str, currency: str, lines: Sequence[PriceLine]) -> PriceSheet:
    return PriceSheet(
        offer_id=offer_id,
        currency=currency,
        lines=tuple(lines),
        one_time_total=sum((li.total for li in lines if li.kind == "one_time"), Decimal(0)),
        annual_total=sum((li.total for li in lines if li.kind == "annual"), Decimal(0)),
    )
