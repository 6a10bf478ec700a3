"""Catalog imports: a merge adds to the current catalog, ``--replace`` replaces it, and both say
what was added, changed and removed; a repriced quote names a sku the catalog lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from api.settings import Settings
from tco import services
from tco.cli.sales import catalog_app, quote_app
from tco.core.errors import NotFoundError
from tco.quoting.catalog import (
    Catalog,
    CatalogChanges,
    CatalogError,
    ItemChanges,
    catalog_digest,
    catalog_json,
    merge_catalogs,
    parse_catalog,
)
from tco.services import DEMO_DIR
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, paths, problem
from tests.test_store_support import NOW, database, demo_catalog, demo_request

CATALOG = str(DEMO_DIR / "catalog")
REQUEST = str(DEMO_DIR / "requests" / "compressor-fullcare.yaml")
DEMO_SKUS = ["CNC-5AX-600", "CNC-3AX-400", "CMP-VSD-37", "CMP-FS-37"]

runner = CliRunner()
app = typer.Typer()
app.add_typer(catalog_app, name="catalog")
app.add_typer(quote_app, name="quote")


def demo_json() -> dict[str, Any]:
    """The demo catalog as plain JSON data."""
    data = catalog_json(demo_catalog())
    assert isinstance(data, dict)
    return data


def product(sku: str, price: int = 1000, **over: Any) -> dict[str, Any]:
    base = {"sku": sku, "name": sku, "list_price": price, "currency": "EUR", "life_years": 10}
    return {**base, **over}


def demo_product(sku: str, **over: Any) -> dict[str, Any]:
    found = next(p for p in demo_json()["products"] if p["sku"] == sku)
    assert isinstance(found, dict)
    return {**found, **over}


def without(data: dict[str, Any], *items: str) -> dict[str, Any]:
    """A whole catalog without these skus or plan codes (also in its price books)."""
    return {
        **data,
        "products": [p for p in data["products"] if p["sku"] not in items],
        "service_plans": [p for p in data["service_plans"] if p["code"] not in items],
        "price_books": [
            {**b, "prices": [e for e in b["prices"] if e["item"] not in items]}
            for b in data["price_books"]
        ],
    }


def catalog_dir(directory: Path, data: dict[str, Any]) -> str:
    directory.mkdir()
    (directory / "catalog.json").write_text(json.dumps(data), encoding="utf-8")
    return str(directory)


def items(raw: dict[str, Any]) -> Catalog:
    return services.parse_catalog_items(raw)


# --------------------------------------------------------------------------------------------
# the pure merge


def test_a_merge_keeps_untouched_products_replaces_changed_ones_and_adds_new_ones() -> None:
    previous = demo_catalog()
    imported = items(
        {
            "products": [
                demo_product("CMP-VSD-37", list_price="47990"),
                demo_product("CMP-FS-37"),  # the same again: unchanged
                product("CMP-VSD-55", 61000),
            ]
        }
    )
    merged, changes = merge_catalogs(previous, imported)
    assert [p.sku for p in merged.products] == [*DEMO_SKUS, "CMP-VSD-55"]
    vsd = merged.product("CMP-VSD-37")
    assert vsd is not None
    assert str(vsd.list_price) == "47990"
    assert merged.product("CNC-5AX-600") == previous.product("CNC-5AX-600")
    assert merged.service_plans == previous.service_plans
    assert merged.price_books == previous.price_books
    assert merged.defaults == previous.defaults
    assert changes.mode == "merge"
    assert changes.products == ItemChanges(
        added=("CMP-VSD-55",), changed=("CMP-VSD-37",), unchanged=3
    )
    assert changes.service_plans == ItemChanges(unchanged=3)
    assert changes.price_books == ItemChanges(unchanged=4)
    assert changes.defaults == ()


def test_plans_merge_by_code_price_books_by_id_and_defaults_field_by_field() -> None:
    previous = demo_catalog()
    imported = items(
        {
            "service_plans": [
                {"code": "BASIC", "name": "Basic plus", "fee_percent": 0.035},
                {"code": "PREMIUM", "name": "Premium", "fee_percent": 0.1, "repair_covered": 1},
            ],
            "price_books": [
                {
                    "id": "EUR-2028",
                    "currency": "EUR",
                    "valid_from": "2028-01-01",
                    "prices": [{"item": "CMP-VSD-37", "price": 48000}],  # a kept product
                }
            ],
            "defaults": {"discount_rate": 0.08, "energy_price_per_kwh": "0.20"},
        }
    )
    merged, changes = merge_catalogs(previous, imported)
    assert [p.code for p in merged.service_plans] == ["BASIC", "STANDARD", "FULLCARE", "PREMIUM"]
    assert changes.service_plans == ItemChanges(added=("PREMIUM",), changed=("BASIC",), unchanged=2)
    assert [b.id for b in merged.price_books][-1] == "EUR-2028"
    assert changes.price_books == ItemChanges(added=("EUR-2028",), unchanged=4)
    assert changes.products == ItemChanges(unchanged=4)
    # the import's discount rate wins, every other default stays (0.20 is unchanged)
    assert merged.defaults.discount_rate == 0.08
    assert merged.defaults.study_period_years == previous.defaults.study_period_years
    assert merged.defaults.escalation == previous.defaults.escalation
    assert changes.defaults == ("discount_rate",)


def test_merging_the_same_catalog_changes_nothing() -> None:
    previous = demo_catalog()
    merged, changes = merge_catalogs(previous, demo_catalog())
    assert changes.empty
    assert changes.products == ItemChanges(unchanged=4)
    assert catalog_digest(merged) == catalog_digest(previous)
    merged, changes = merge_catalogs(previous, Catalog())
    assert changes.empty
    assert catalog_digest(merged) == catalog_digest(previous)


def test_a_replacement_reports_what_it_removed() -> None:
    previous = demo_catalog()
    new = parse_catalog(without(demo_json(), "CNC-5AX-600", "BASIC"))
    changes = CatalogChanges.between(previous, new, mode="replace")
    assert changes.products == ItemChanges(removed=("CNC-5AX-600",), unchanged=3)
    assert changes.service_plans == ItemChanges(removed=("BASIC",), unchanged=2)
    assert changes.price_books == ItemChanges(changed=("EUR-2026", "EUR-2027"), unchanged=2)
    assert not changes.empty


BROKEN: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "price book names an unknown item",
        {"price_books": [{"id": "X", "currency": "EUR", "valid_from": "2028-01-01",
                          "prices": [{"item": "CMP-VSD-37", "price": 1},
                                     {"item": "CMP-NOPE", "price": 1}]}]},
        "price_books[0].prices[1].item",
        "'CMP-NOPE' is neither a product sku nor a service plan code",
    ),
    (
        "plan code equal to a kept sku",
        {"service_plans": [{"code": "CMP-FS-37", "name": "x", "fee_percent": 0.1}]},
        "service_plans[0].code",
        "'CMP-FS-37' is also a product sku",
    ),
    (
        "new sku equal to a kept plan code",
        {"products": [product("BASIC")]},
        "current catalog: service_plans[0].code",
        "'BASIC' is also a product sku",
    ),
    (
        "a sku twice in the import",
        {"products": [product("NEW-1"), product("NEW-1", 2000)]},
        "products[1].sku",
        "duplicate sku 'NEW-1' (also products[0])",
    ),
    (
        "a changed product that breaks a rule",
        {"products": [product("CMP-FS-37", maintenance=[
            {"name": "x", "every_years": 5, "cost": 1, "until_year": 3}])]},
        "products[0].maintenance[0].until_year",
        "3 is before the first occurrence (year 5)",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "path", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_merge_that_breaks_a_rule_is_refused_naming_the_path(
    raw: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(CatalogError) as err:
        merge_catalogs(demo_catalog(), items(raw))
    assert f"{path}: {message}" in "\n".join(err.value.lines()), err.value.lines()


# --------------------------------------------------------------------------------------------
# the service and the database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as u:
        yield u


def test_a_partial_directory_is_added_to_the_current_catalog(url: str, tmp_path: Path) -> None:
    first = services.import_catalog(UnitOfWork(url=url), demo_catalog(), source="demo", by="t")
    assert first.created
    assert first.changes.products.added == tuple(DEMO_SKUS)
    assert first.previous is None
    # a price book for kept products only: not a whole catalog, but a valid addition
    prices = {"price_books": [{"id": "EUR-2028", "currency": "EUR", "valid_from": "2028-01-01",
                               "prices": [{"item": "CMP-VSD-37", "price": 48000}]}]}  # fmt: skip
    with pytest.raises(CatalogError):
        services.read_catalog_dir(catalog_dir(tmp_path / "a", prices))
    out = services.import_catalog_dir(UnitOfWork(url=url), tmp_path / "a", by="t", now=NOW)
    assert out.created
    assert out.previous == 1
    assert out.version.version == 2
    assert out.version.product_count == 4
    assert out.changes.price_books.added == ("EUR-2028",)
    _, current = services.current_catalog(UnitOfWork(url=url))
    assert [p.sku for p in current.products] == DEMO_SKUS
    assert [b.id for b in current.price_books][-1] == "EUR-2028"
    # the same again: no new version, and it says that nothing changed
    again = services.import_catalog_dir(UnitOfWork(url=url), tmp_path / "a", by="t")
    assert not again.created
    assert again.version.version == 2
    assert again.changes.empty


def test_a_refused_merge_leaves_the_previous_version_current(url: str) -> None:
    services.import_catalog(UnitOfWork(url=url), demo_catalog(), source="demo", by="t")
    before, _ = services.current_catalog(UnitOfWork(url=url))
    broken = {
        "products": [product("NEW-1")],  # valid on its own, but the price book is not
        "price_books": [{"id": "X", "currency": "EUR", "valid_from": "2028-01-01",
                         "prices": [{"item": "NEW-2", "price": 1}]}],
    }  # fmt: skip
    with pytest.raises(CatalogError, match=r"price_books\[0\]\.prices\[0\]\.item: 'NEW-2'"):
        services.import_catalog_data(UnitOfWork(url=url), broken, source="t", by="t")
    after, catalog = services.current_catalog(UnitOfWork(url=url))
    assert after == before
    assert [v.version for v in services.catalog_versions(UnitOfWork(url=url))] == [1]
    assert catalog.product("NEW-1") is None


def test_replace_drops_what_the_import_does_not_name(url: str) -> None:
    services.import_catalog(UnitOfWork(url=url), demo_catalog(), source="demo", by="t")
    smaller = without(demo_json(), "CNC-5AX-600", "CNC-3AX-400")
    merged = services.import_catalog_data(UnitOfWork(url=url), smaller, source="t", by="t")
    # a merge keeps the CNC machines; a price book is replaced as a whole, by id
    assert merged.changes.products == ItemChanges(unchanged=4)
    assert merged.changes.price_books == ItemChanges(changed=("EUR-2026", "EUR-2027"), unchanged=2)
    assert merged.version.product_count == 4
    out = services.import_catalog_data(
        UnitOfWork(url=url), smaller, source="t", by="t", replace=True
    )
    assert out.created
    assert out.changes.mode == "replace"
    assert out.changes.products == ItemChanges(removed=("CNC-5AX-600", "CNC-3AX-400"), unchanged=2)
    assert out.changes.price_books == ItemChanges(unchanged=4)
    _, current = services.current_catalog(UnitOfWork(url=url))
    assert [p.sku for p in current.products] == ["CMP-VSD-37", "CMP-FS-37"]


def test_reprice_against_a_catalog_without_a_used_sku_names_it(url: str) -> None:
    services.import_catalog(UnitOfWork(url=url), demo_catalog(), source="demo", by="t")
    number = services.create_quote(UnitOfWork(url=url), demo_request(), by="t").summary.number
    smaller = without(demo_json(), "CMP-VSD-37", "FULLCARE")
    services.import_catalog_data(UnitOfWork(url=url), smaller, source="t", by="t", replace=True)
    with pytest.raises(NotFoundError) as err:
        services.revise_quote(UnitOfWork(url=url), number, {}, by="t", reprice=True)
    assert err.value.lines() == [
        "offers[0].equipment[0].sku: 'CMP-VSD-37' is not in the current catalog (version 2); "
        "it was removed from the catalog (this quote was priced with version 1)",
        "offers[0].service_plan: 'FULLCARE' is not in the current catalog (version 2); "
        "it was removed from the catalog (this quote was priced with version 1)",
    ]
    # without --reprice the saved snapshot still prices it
    view = services.revise_quote(UnitOfWork(url=url), number, {}, by="t")
    assert view.version.version == 2
    assert view.version.catalog_version == 1


# --------------------------------------------------------------------------------------------
# the command line


@pytest.fixture
def cli_db(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TCO_DATABASE_URL", url)
    monkeypatch.setenv("TCO_USER", "Anna Weber")
    return url


def run(*args: str) -> list[str]:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, (out.stdout, out.stderr)
    return out.stdout.splitlines()


def fails(*args: str) -> list[str]:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    return out.stderr.strip().splitlines()


def test_the_cli_prints_what_an_import_added_and_changed(cli_db: str, tmp_path: Path) -> None:
    first = run("catalog", "import", CATALOG)
    assert first[0] == "catalog version 1 imported: 4 products, 3 service plans"
    assert f"  products: added {', '.join(DEMO_SKUS)}; 0 unchanged" in first
    update = {
        "products": [demo_product("CMP-VSD-37", list_price="47990"), product("CMP-VSD-55")],
        "defaults": {"discount_rate": 0.08},
    }
    said = run("catalog", "import", catalog_dir(tmp_path / "update", update))
    assert said == [
        "catalog version 2 imported: 5 products, 3 service plans "
        f"(version 1 with {tmp_path / 'update'} merged in)",
        "  products: added CMP-VSD-55; changed CMP-VSD-37; 3 unchanged",
        "  service plans: 3 unchanged",
        "  price books: 4 unchanged",
        "  default assumptions: changed discount_rate",
    ]
    assert run("catalog", "import", str(tmp_path / "update")) == [
        "catalog unchanged: version 2 is identical",
        "nothing added, changed or removed",
    ]
    listing = "\n".join(run("catalog", "list"))
    assert "CMP-VSD-55" in listing
    assert "CNC-5AX-600" in listing


def test_the_cli_replace_removes_and_says_so(cli_db: str, tmp_path: Path) -> None:
    run("catalog", "import", CATALOG)
    smaller = catalog_dir(tmp_path / "small", without(demo_json(), "CNC-5AX-600", "BASIC"))
    said = run("catalog", "import", smaller, "--replace")
    assert said == [
        "catalog version 2 imported: 3 products, 2 service plans (replaces version 1)",
        "  products: removed CNC-5AX-600; 3 unchanged",
        "  service plans: removed BASIC; 2 unchanged",
        "  price books: changed EUR-2026, EUR-2027; 2 unchanged",
    ]
    assert "CNC-5AX-600" not in "\n".join(run("catalog", "list"))


def test_the_cli_refuses_a_merge_that_breaks_a_rule(cli_db: str, tmp_path: Path) -> None:
    run("catalog", "import", CATALOG)
    bad = catalog_dir(
        tmp_path / "bad", {"service_plans": [{"code": "CMP-FS-37", "name": "x", "fee_percent": 0}]}
    )
    assert fails("catalog", "import", bad) == [
        "error: catalog.json: service_plans[0].code: 'CMP-FS-37' is also a product sku"
    ]
    assert [v.version for v in services.catalog_versions(UnitOfWork(url=cli_db))] == [1]


def test_the_cli_names_the_removed_sku_when_repricing(cli_db: str, tmp_path: Path) -> None:
    run("catalog", "import", CATALOG)
    created = run("quote", "new", REQUEST)
    number = created[0].split()[1]
    smaller = catalog_dir(tmp_path / "small", without(demo_json(), "CMP-VSD-37"))
    run("catalog", "import", smaller, "--replace")
    changes = tmp_path / "changes.yaml"
    changes.write_text("assumptions: {downtime_cost_per_hour: 1000}\n", encoding="utf-8")
    assert fails("quote", "revise", number, str(changes), "--reprice") == [
        "error: offers[0].equipment[0].sku: 'CMP-VSD-37' is not in the current catalog "
        "(version 2); it was removed from the catalog (this quote was priced with version 1)"
    ]
    assert "revised" in run("quote", "revise", number, str(changes))[0]


# --------------------------------------------------------------------------------------------
# the API


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, tmp_path_factory.mktemp("import")) as u:
        yield u


@pytest.fixture(scope="module")
def http(api_url: str) -> Iterator[httpx.Client]:
    with (
        live_server(Settings(database_url=api_url, access_log=False)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        yield client


def test_the_api_merges_replaces_and_reports(api_url: str, http: httpx.Client) -> None:
    admin = auth(make_key(api_url, "imports", "admin"))
    r = http.put("/v1/catalog", json=demo_json(), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["previous_version"] is None
    assert r.json()["changes"]["products"]["added"] == DEMO_SKUS

    update = {"products": [demo_product("CMP-FS-37", name="Fixed speed 37"), product("NEW-1")]}
    r = http.put("/v1/catalog", json=update, headers=admin)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["version"]["version"] == 2
    assert doc["previous_version"] == 1
    assert doc["changes"]["mode"] == "merge"
    assert doc["changes"]["products"] == {
        "added": ["NEW-1"],
        "changed": ["CMP-FS-37"],
        "removed": [],
        "unchanged": 3,
    }
    again = http.put("/v1/catalog", json=update, headers=admin)
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["changes"]["products"]["unchanged"] == 5

    broken = {"price_books": [{"id": "X", "currency": "EUR", "valid_from": "2028-01-01",
                               "prices": [{"item": "NOPE", "price": 1}]}]}  # fmt: skip
    doc = problem(http.put("/v1/catalog", json=broken, headers=admin), 422)
    assert paths(doc) == ["price_books[0].prices[0].item"]
    # a part of a catalog is not a whole one
    doc = problem(
        http.put("/v1/catalog", json=broken, params={"replace": "true"}, headers=admin), 422
    )
    assert paths(doc) == ["price_books[0].prices[0].item"]

    r = http.put("/v1/catalog", json=demo_json(), params={"replace": "true"}, headers=admin)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["version"]["version"] == 3
    assert doc["changes"]["mode"] == "replace"
    assert doc["changes"]["products"]["removed"] == ["NEW-1"]
    assert doc["changes"]["products"]["changed"] == ["CMP-FS-37"]
    versions = http.get("/v1/catalog", headers=admin).json()["version"]["version"]
    assert versions == 3


def test_the_api_names_the_removed_sku_when_repricing(api_url: str, http: httpx.Client) -> None:
    admin = auth(make_key(api_url, "reprice", "admin"))
    assert http.put("/v1/catalog", json=demo_json(), headers=admin).status_code == 201
    request = json.loads(json.dumps(demo_request(), default=str))
    number = http.post("/v1/quotes", json=request, headers=admin).json()["quote"]["number"]
    smaller = without(demo_json(), "CMP-VSD-37")
    r = http.put("/v1/catalog", json=smaller, params={"replace": "true"}, headers=admin)
    assert r.status_code == 201, r.text
    doc = problem(
        http.post(
            f"/v1/quotes/{number}/revisions",
            json={"changes": {}, "reprice": True},
            headers=admin,
        ),
        422,
    )
    assert doc["problems"] == [
        {
            "path": "offers[0].equipment[0].sku",
            "message": "'CMP-VSD-37' is not in the current catalog (version 2); it was removed "
            "from the catalog (this quote was priced with version 1)",
        }
    ]
