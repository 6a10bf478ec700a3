"""The catalog: parsing, price resolution by currency, segment and date, and bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tco.core.errors import InputFileError, NotFoundError
from tco.quoting.catalog import CatalogError, catalog_digest, parse_catalog, require_price
from tco.services import DEMO_DIR, read_catalog_dir
from tests.test_store_support import demo_catalog


def product(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sku": "P-1",
        "name": "Pump",
        "list_price": 1000,
        "currency": "EUR",
        "life_years": 10,
    }
    return {**base, **over}


def plan(**over: Any) -> dict[str, Any]:
    return {"code": "CARE", "name": "Care", "fee_percent": 0.05, **over}


def book(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "B-1",
        "currency": "EUR",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "prices": [{"item": "P-1", "price": 900}],
    }
    return {**base, **over}


def test_the_demo_catalog_has_compressors_cnc_machines_and_three_plans() -> None:
    catalog = demo_catalog()
    kinds = {p.kind for p in catalog.products}
    assert kinds == {"compressor", "cnc"}
    assert [p.name for p in catalog.service_plans] == ["Basic", "Standard", "FullCare"]
    assert {b.currency for b in catalog.price_books} == {"EUR"}
    assert isinstance(catalog.products[0].list_price, Decimal)


def test_prices_come_from_the_segment_book_then_standard_then_the_list_price() -> None:
    catalog = demo_catalog()
    day = date(2026, 6, 1)
    assert catalog.unit_price("CMP-VSD-37", "EUR", "dealer", day) == Decimal("41085")
    assert catalog.unit_price("CNC-5AX-600", "EUR", "dealer", day) == Decimal("298000")
    assert catalog.unit_price("CMP-VSD-37", "EUR", "standard", day) == Decimal("45650")
    # the next year's books take over on their first day
    assert catalog.unit_price("CMP-VSD-37", "EUR", "dealer", date(2027, 1, 1)) == Decimal("42290")
    # outside every book's validity: the product's own list price in its currency
    assert catalog.unit_price("CMP-VSD-37", "EUR", "dealer", date(2031, 1, 1)) == Decimal("45650")
    assert catalog.unit_price("CMP-VSD-37", "USD", "standard", day) is None


def test_the_latest_valid_book_wins() -> None:
    catalog = parse_catalog(
        {
            "products": [product()],
            "price_books": [
                book(id="old", valid_from="2025-01-01", valid_until=None),
                book(id="new", valid_from="2026-07-01", valid_until=None,
                     prices=[{"item": "P-1", "price": 950}]),
            ],
        }
    )  # fmt: skip
    assert catalog.unit_price("P-1", "EUR", "standard", date(2026, 6, 30)) == Decimal("900")
    assert catalog.unit_price("P-1", "EUR", "standard", date(2026, 7, 1)) == Decimal("950")


def test_a_missing_price_names_the_item_currency_and_place() -> None:
    with pytest.raises(NotFoundError) as err:
        require_price(demo_catalog(), "CMP-VSD-37", "USD", "standard", date(2026, 6, 1),
                      where="offers[0].equipment[0].sku")  # fmt: skip
    (line,) = err.value.lines()
    assert line.startswith("offers[0].equipment[0].sku: no price for 'CMP-VSD-37' in USD")


def test_energy_per_hour_from_power_and_load_profile() -> None:
    catalog = demo_catalog()
    vsd = catalog.product("CMP-VSD-37")
    assert vsd is not None
    assert vsd.energy is not None
    assert vsd.energy.kwh_per_hour == pytest.approx(37 * (0.5 * 0.75 + 0.5 * 1.0))


def test_the_digest_changes_with_a_price_and_only_then() -> None:
    raw = {"products": [product()], "service_plans": [plan()]}
    same = parse_catalog(raw)
    assert catalog_digest(parse_catalog(raw)) == catalog_digest(same)
    changed = parse_catalog({**raw, "products": [product(list_price="1000.01")]})
    assert catalog_digest(changed) != catalog_digest(same)


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown field", {"products": [product(colour="red")]}, "products[0].colour", "unknown field"),
    ("missing field", {"products": [{"sku": "P-1", "name": "x"}]}, "products[0].list_price", "required"),
    ("negative price", {"products": [product(list_price=-1)]}, "products[0].list_price", "greater than or equal"),
    ("bad currency", {"products": [product(currency="euro")]}, "products[0].currency", "pattern"),
    ("bad sku", {"products": [product(sku="has space")]}, "products[0].sku", "pattern"),
    ("zero life", {"products": [product(life_years=0)]}, "products[0].life_years", "greater than or equal"),
    ("duplicate sku", {"products": [product(), product()]}, "products[1].sku", "duplicate sku 'P-1'"),
    ("energy both ways", {"products": [product(energy={"power_kw": 5, "kwh_per_operating_hour": 3})]},
     "products[0].energy", "exactly one of"),
    ("energy neither way", {"products": [product(energy={"load_factor": 0.5})]}, "products[0].energy", "exactly one of"),
    ("load profile shares", {"products": [product(energy={"power_kw": 5, "load_profile": [
        {"share_of_hours": 0.5, "load": 1.0}]})]}, "products[0].energy", "add up to 1"),
    ("load above 1", {"products": [product(energy={"power_kw": 5, "load_factor": 1.5})]},
     "products[0].energy.load_factor", "less than or equal"),
    ("mtbf zero", {"products": [product(failures={"mtbf_hours": 0})]}, "products[0].failures.mtbf_hours", "greater than"),
    ("negative downtime", {"products": [product(failures={"mtbf_hours": 10, "downtime_hours": -1})]},
     "products[0].failures.downtime_hours", "greater than or equal"),
    ("maintenance every 0", {"products": [product(maintenance=[{"name": "x", "every_years": 0, "cost": 1}])]},
     "products[0].maintenance[0].every_years", "greater than or equal"),
    ("maintenance until before first", {"products": [product(maintenance=[
        {"name": "x", "every_years": 5, "cost": 1, "until_year": 3}])]},
     "products[0].maintenance[0].until_year", "before the first occurrence"),
    ("residual fraction without method", {"products": [product(residual={"fraction": 0.2})]},
     "products[0].residual", "'fraction' is given with method 'fraction'"),
    ("plan both fees", {"service_plans": [plan(annual_fee=100, currency="EUR")]}, "service_plans[0]", "exactly one of"),
    ("plan no fee", {"service_plans": [{"code": "C", "name": "C"}]}, "service_plans[0]", "exactly one of"),
    ("fixed fee without currency", {"service_plans": [{"code": "C", "name": "C", "annual_fee": 100}]},
     "service_plans[0]", "needs its 'currency'"),
    ("coverage above 1", {"service_plans": [plan(repair_covered=1.5)]}, "service_plans[0].repair_covered",
     "less than or equal"),
    ("duplicate plan", {"service_plans": [plan(), plan()]}, "service_plans[1].code", "duplicate plan code"),
    ("plan code is a sku", {"products": [product(sku="CARE")], "service_plans": [plan()]},
     "service_plans[0].code", "also a product sku"),
    ("book dates reversed", {"products": [product()], "price_books": [book(valid_until="2025-01-01")]},
     "price_books[0]", "before valid_from"),
    ("book prices twice", {"products": [product()], "price_books": [book(prices=[
        {"item": "P-1", "price": 1}, {"item": "P-1", "price": 2}])]}, "price_books[0]", "priced twice"),
    ("book unknown item", {"products": [product()], "price_books": [book(prices=[{"item": "P-9", "price": 1}])]},
     "price_books[0].prices[0].item", "'P-9' is neither"),
    ("bad default", {"defaults": {"discount_rate": -1}}, "defaults.discount_rate", "greater than"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "path", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_catalog_input_names_the_field(raw: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(CatalogError) as err:
        parse_catalog(raw)
    lines = err.value.lines()
    assert any(line.startswith(f"{path}:") and message in line for line in lines), lines


def test_a_catalog_must_be_a_mapping() -> None:
    with pytest.raises(CatalogError, match="must be a mapping"):
        parse_catalog([1, 2])


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_reading_a_directory_merges_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "products:\n  - {sku: A, name: A, list_price: 1, currency: EUR, life_years: 2}\n",
    )
    write(tmp_path, "b.yml", "service_plans:\n  - {code: C, name: C, fee_percent: 0.1}\n")
    write(tmp_path, "notes.txt", "ignored")
    catalog = read_catalog_dir(tmp_path)
    assert [p.sku for p in catalog.products] == ["A"]
    assert [p.code for p in catalog.service_plans] == ["C"]


def test_a_problem_in_a_directory_names_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "products:\n  - {sku: A, name: A, list_price: 1, currency: EUR, life_years: 2}\n",
    )
    write(
        tmp_path,
        "b.yaml",
        "products:\n  - {sku: B, name: B, list_price: x, currency: EUR, life_years: 2}\n",
    )
    with pytest.raises(CatalogError) as err:
        read_catalog_dir(tmp_path)
    assert err.value.lines()[0].startswith("b.yaml: products[0].list_price:")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.yaml": "widgets: []\n"}, "a.yaml: widgets: unknown section"),
        ({"a.yaml": "products: {sku: A}\n"}, "a.yaml: products: must be a list"),
        ({"a.yaml": "products: [\n"}, "invalid YAML"),
        (
            {"a.yaml": "defaults: {}\n", "b.yaml": "defaults: {}\n"},
            "b.yaml: defaults: also given in a.yaml",
        ),
        ({}, "holds no .yaml"),
    ],
)
def test_bad_catalog_directories_are_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(InputFileError) as err:
        read_catalog_dir(tmp_path)
    assert any(message in line for line in err.value.lines()), err.value.lines()


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is not a directory"):
        read_catalog_dir(tmp_path / "nope")


def test_the_demo_directory_is_shipped_with_the_package() -> None:
    assert (DEMO_DIR / "catalog" / "compressors.yaml").is_file()
