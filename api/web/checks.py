"""Plausibility checks of the builder: numbers that can be right but are often typing mistakes.

They are warnings, not errors: the quote can be saved once the salesperson has ticked
"I checked the numbers". Two checks:

* **discount above the limit**: our discount is above the salesperson's limit
  (``TCO_DISCOUNT_LIMIT_PERCENT``, 15 % by default);
* **price far from the list price**: the price of the other machine (a competitor's offer) is
  further than ``TCO_PRICE_DEVIATION_PERCENT`` (50 % by default) from the list price of our
  product it is compared with, as when ``29.500`` was read as 29.50.

The digest names the warnings independently of the page language: the tick confirms these
warnings, and a change of the numbers that changes them asks again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.web.i18n import translator
from api.web.numbers import format_number
from tco.core.money import round_money
from tco.presenters.locale import doc_locale
from tco.quoting.catalog import Catalog

#: The tick box of the builder that confirms the warnings (its value is their digest).
CONFIRM_FIELD = "numbers_checked"


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits beyond which a number is questioned, as fractions (0.15 is 15 %)."""

    discount: Decimal = Decimal("0.15")
    price_deviation: Decimal = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class Check:
    """One warning: the field it is about, the message (page language) and a neutral key."""

    field: str
    message: str
    key: str


def _percent(fraction: Decimal, language: str) -> str:
    return f"{format_number(fraction * 100, language)}\u00a0%"


def plausibility(
    request: Mapping[str, Any],
    values: Mapping[str, str],
    catalog: Catalog,
    *,
    language: str,
    limits: Limits,
) -> tuple[Check, ...]:
    """The warnings of the builder's request (as made by :func:`api.web.forms.request_from_form`:
    our offer first, the other offer second) priced against ``catalog``."""
    t = translator(language)
    loc = doc_locale("de_DE" if language == "de" else "en")
    offers = request.get("offers", [])
    if len(offers) < 2:
        return ()
    ours, other = offers[0]["equipment"][0], offers[1]["equipment"][0]
    found: list[Check] = []
    discount = Decimal(str(ours.get("discount") or 0))
    if discount > limits.discount:
        found.append(
            Check(
                "ours_discount_pct",
                t("{value} is above your discount limit of {limit}").format(
                    value=_percent(discount, language), limit=_percent(limits.discount, language)
                ),
                f"discount:{discount}",
            )
        )
    product = catalog.product(str(ours.get("sku") or ""))
    price_text = other.get("unit_price")
    currency = str(request.get("currency") or "")
    if (
        values.get("comp_kind") != "status_quo"
        and product is not None
        and product.list_price > 0
        and product.currency == currency
        and price_text is not None
    ):
        price = Decimal(str(price_text))
        ratio = price / product.list_price - 1
        if abs(ratio) > limits.price_deviation:
            key = "{price} is {share} below the list price of {product} ({list_price})"
            if ratio > 0:
                key = "{price} is {share} above the list price of {product} ({list_price})"
            found.append(
                Check(
                    "comp_price",
                    t(key).format(
                        price=loc.money(round_money(price, currency), currency),
                        share=f"{format_number(round(abs(ratio) * 100), language)}\u00a0%",
                        product=product.name,
                        list_price=loc.money(product.list_price, currency),
                    ),
                    f"price:{price}:{product.sku}",
                )
            )
    return tuple(found)


def digest(checks: Sequence[Check]) -> str:
    """A short fingerprint of the warnings (empty when there are none)."""
    if not checks:
        return ""
    text = json.dumps(sorted(c.key for c in checks))
    return hashlib.sha256(text.encode()).hexdigest()[:20]
