"""Money properties (hypothesis): price lines always add up to the quote total, to the cent."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco.core.money import quantum, round_table
from tco.quoting.builder import price_quote
from tco.quoting.catalog import Catalog
from tco.quoting.pricing import net_unit_price, price_line, price_sheet
from tests.test_store_support import demo_catalog, demo_request

CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD", "USD"])
PRICES = st.decimals(
    min_value=0, max_value=10_000_000, places=4, allow_nan=False, allow_infinity=False
)
DISCOUNTS = st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)
LINES = st.lists(
    st.tuples(PRICES, st.integers(min_value=1, max_value=5000), DISCOUNTS), min_size=1, max_size=30
)
CATALOG: Catalog = demo_catalog()


@given(LINES, CURRENCIES)
def test_line_totals_add_up_exactly_to_the_quote_total(
    lines: list[tuple[Decimal, int, Decimal]], currency: str
) -> None:
    priced = [
        price_line(f"line {i}", p, currency, quantity=q, discount=d)
        for i, (p, q, d) in enumerate(lines)
    ]
    sheet = price_sheet("x", currency, priced)
    q = quantum(currency)
    assert sheet.one_time_total == sum((li.total for li in sheet.lines), Decimal(0))
    for li in sheet.lines:
        assert li.total % q == 0
        assert li.total == li.net_unit_price * li.quantity
        exact = li.unit_price * (1 - li.discount)
        assert abs(li.net_unit_price - exact) <= q / 2


@given(PRICES, DISCOUNTS, CURRENCIES)
def test_the_net_price_rounds_half_away_from_zero(
    price: Decimal, discount: Decimal, currency: str
) -> None:
    net = net_unit_price(price, discount, currency)
    exact = price * (1 - discount)
    q = quantum(currency)
    assert net - q / 2 <= exact < net + q / 2
    assert net >= 0


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=1, max_value=40),
    st.decimals(min_value=0, max_value=Decimal("0.5"), places=3),
)
def test_a_priced_quote_adds_up_in_every_table(quantity: int, discount: Decimal) -> None:
    req = demo_request()
    req["offers"][0]["equipment"][0].update({"quantity": quantity, "discount": str(discount)})
    priced = price_quote(req, CATALOG)
    for sheet in priced.built.price_sheets:
        assert sheet.one_time_total == sum(
            (li.total for li in sheet.lines if li.kind == "one_time"), Decimal(0)
        )
        assert sheet.annual_total == sum(
            (li.total for li in sheet.lines if li.kind == "annual"), Decimal(0)
        )
    for offer in priced.result.offers:
        # the unrounded parts add up to the unrounded total (to float precision)
        assert sum(offer.by_category.values()) == pytest.approx(offer.lifetime_cost, abs=1e-6)
        assert sum(li.present_value for li in offer.lines) == pytest.approx(
            offer.lifetime_cost, abs=1e-6
        )


@given(
    st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=40),
    CURRENCIES,
)
def test_every_figure_is_rounded_once_and_a_table_says_when_it_does_not_add_up(
    values: list[float], currency: str
) -> None:
    total = math.fsum(values)
    table = round_table(values, total, currency)
    q = quantum(currency)
    exact = [Decimal(repr(v)) for v in values]
    for v, p in zip(exact, table.parts, strict=True):
        assert abs(p - v) <= q / 2  # rounded once: never nudged by a whole minor unit
    assert abs(table.total - Decimal(repr(total))) <= q / 2
    assert table.adds_up == (sum(table.parts, Decimal(0)) == table.total)
    # each part off by at most half a minor unit: the rounded parts can miss the rounded total
    # by at most (n + 1) / 2 minor units
    assert abs(sum(table.parts, Decimal(0)) - table.total) <= q * (len(values) + 1) / 2
