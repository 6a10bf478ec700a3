"""Quotes, catalog and keys over HTTP, on SQLite and on PostgreSQL: every endpoint, tenants,
roles, idempotent creates under concurrent retries, and problems for bad requests."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tco import services
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, paths, postgres_database, problem
from tests.test_store_support import demo_catalog, demo_changes
from tests.test_store_support import demo_request as _demo_request


def demo_request() -> dict[str, Any]:
    """The demo request as JSON data (dates as ISO strings)."""
    return json.loads(json.dumps(_demo_request(), default=str))


def demo_changes_json() -> dict[str, Any]:
    return json.loads(json.dumps(demo_changes(), default=str))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgres":
        with postgres_database() as u:
            yield u
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'tco.db'}"


@pytest.fixture(scope="module")
def base(url: str) -> Iterator[str]:
    with live_server(Settings(database_url=url, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def keys(url: str, base: str) -> dict[str, str]:
    """Keys of two tenants, each with the demo catalog; 'other' is a sales key of 'globex'."""
    for tenant in ("acme", "globex"):
        services.import_catalog(UnitOfWork(tenant, url=url), demo_catalog(), source="t", by="t")
    return {
        "configurator": make_key(url, "acme", "configurator"),
        "sales": make_key(url, "acme", "sales"),
        "admin": make_key(url, "acme", "admin"),
        "other": make_key(url, "globex", "sales"),
    }


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as c:
        yield c


def as_(keys: dict[str, str], role: str) -> dict[str, str]:
    return auth(keys[role])


def create(
    http: httpx.Client, keys: dict[str, str], role: str = "configurator", **headers: str
) -> httpx.Response:
    return http.post("/v1/quotes", json=demo_request(), headers={**as_(keys, role), **headers})


def test_a_configurator_creates_and_reads_a_quote(http: httpx.Client, keys: dict[str, str]) -> None:
    r = create(http, keys)
    assert r.status_code == 201, r.text
    doc = r.json()
    number = doc["quote"]["number"]
    assert r.headers["location"] == f"/v1/quotes/{number}"
    assert doc["quote"]["tenant"] == "acme"
    assert doc["quote"]["status"] == "draft"
    assert doc["version"]["version"] == 1
    sheet = doc["version"]["price_sheets"][0]
    assert isinstance(sheet["one_time_total"], str)  # money as strings
    got = http.get(f"/v1/quotes/{number}", headers=as_(keys, "configurator")).json()
    assert got["version"]["result"] == doc["version"]["result"]
    v1 = http.get(f"/v1/quotes/{number}/versions/1", headers=as_(keys, "sales")).json()
    assert v1["version"]["request"] == doc["version"]["request"]


def test_sales_revise_diff_change_status_and_list(http: httpx.Client, keys: dict[str, str]) -> None:
    number = create(http, keys).json()["quote"]["number"]
    sales = as_(keys, "sales")
    r = http.post(
        f"/v1/quotes/{number}/revisions",
        json={"changes": demo_changes_json(), "note": "10 %"},
        headers=sales,
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"]["version"] == 2
    diff = http.get(f"/v1/quotes/{number}/versions/1/diff/2", headers=sales).json()
    changed = {c["path"] for c in diff["changes"]}
    assert "assumptions.downtime_cost_per_hour" in changed
    r = http.post(f"/v1/quotes/{number}/status", json={"status": "sent"}, headers=sales)
    assert r.status_code == 200
    assert r.json()["status"] == "sent"
    doc = problem(
        http.post(f"/v1/quotes/{number}/status", json={"status": "bogus"}, headers=sales), 422
    )
    assert paths(doc) == ["status"]
    http.post(f"/v1/quotes/{number}/status", json={"status": "accepted"}, headers=sales)
    doc = problem(
        http.post(f"/v1/quotes/{number}/status", json={"status": "draft"}, headers=sales), 409
    )
    assert "accepted" in doc["detail"]
    problem(http.post(f"/v1/quotes/{number}/revisions", json={"changes": {}}, headers=sales), 409)
    page = http.get("/v1/quotes", params={"status": "accepted", "limit": 1}, headers=sales).json()
    assert page["items"][0]["number"] == number
    assert page["limit"] == 1
    everything = http.get("/v1/quotes", params={"limit": 500}, headers=sales).json()
    assert everything["total"] >= 2
    assert len(everything["items"]) == everything["total"]
    second = http.get("/v1/quotes", params={"limit": 1, "offset": 1}, headers=sales).json()
    assert second["items"][0] == everything["items"][1]
    problem(http.get("/v1/quotes", params={"limit": 0}, headers=sales), 422)


@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("html", "text/html; charset=utf-8", b"<!DOCTYPE html"),
        pytest.param("pdf", "application/pdf", b"%PDF", marks=pytest.mark.pdf),
    ],
)
def test_exports(
    http: httpx.Client, keys: dict[str, str], fmt: str, media: str, magic: bytes
) -> None:
    number = create(http, keys).json()["quote"]["number"]
    r = http.get(f"/v1/quotes/{number}/versions/1/export.{fmt}", headers=as_(keys, "configurator"))
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.content.lstrip()[: len(magic)].lower() == magic.lower()
    assert f"{number}-v1.{fmt}" in r.headers["content-disposition"]
    problem(
        http.get(f"/v1/quotes/{number}/versions/9/export.{fmt}", headers=as_(keys, "sales")), 404
    )


def test_another_tenants_quote_is_404(http: httpx.Client, keys: dict[str, str]) -> None:
    number = create(http, keys).json()["quote"]["number"]
    other = as_(keys, "other")
    for path in (
        f"/v1/quotes/{number}",
        f"/v1/quotes/{number}/versions/1",
        f"/v1/quotes/{number}/versions/1/diff/1",
        f"/v1/quotes/{number}/versions/1/export.html",
    ):
        doc = problem(http.get(path, headers=other), 404)
        assert "Müller" not in str(doc)
    problem(http.post(f"/v1/quotes/{number}/status", json={"status": "sent"}, headers=other), 404)
    problem(http.post(f"/v1/quotes/{number}/revisions", json={"changes": {}}, headers=other), 404)
    listed = http.get("/v1/quotes", params={"limit": 500}, headers=other).json()["items"]
    assert number not in {q["number"] for q in listed if q["tenant"] == "acme"}
    assert all(q["tenant"] == "globex" for q in listed)


def test_roles(http: httpx.Client, keys: dict[str, str]) -> None:
    number = create(http, keys).json()["quote"]["number"]
    conf = as_(keys, "configurator")
    problem(http.post(f"/v1/quotes/{number}/status", json={"status": "sent"}, headers=conf), 403)
    problem(http.post(f"/v1/quotes/{number}/revisions", json={"changes": {}}, headers=conf), 403)
    problem(http.put("/v1/catalog", json={}, headers=as_(keys, "sales")), 403)
    problem(http.get("/v1/keys", headers=as_(keys, "sales")), 403)
    problem(http.get("/v1/quotes"), 401)
    problem(http.get("/v1/catalog/products"), 401)


def test_catalog_reads_and_admin_import(http: httpx.Client, keys: dict[str, str]) -> None:
    conf = as_(keys, "configurator")
    products = http.get("/v1/catalog/products", headers=conf).json()
    assert "CMP-VSD-37" in {p["sku"] for p in products["items"]}
    assert isinstance(products["items"][0]["list_price"], str)
    plans = http.get("/v1/catalog/service-plans", headers=conf).json()
    assert "FULLCARE" in {p["code"] for p in plans["items"]}
    current = http.get("/v1/catalog", headers=conf).json()
    admin = as_(keys, "admin")
    again = http.put("/v1/catalog", json=current["catalog"], headers=admin)
    assert again.status_code == 200
    assert again.json()["created"] is False
    changed = copy.deepcopy(current["catalog"])
    changed["products"][0]["name"] = "Renamed product"
    r = http.put("/v1/catalog", json=changed, headers=admin)
    assert r.status_code == 201
    assert r.json()["version"]["version"] == current["version"]["version"] + 1
    broken = copy.deepcopy(current["catalog"])
    broken["products"][0]["life_years"] = "long"
    doc = problem(http.put("/v1/catalog", json=broken, headers=admin), 422)
    assert paths(doc) == ["products[0].life_years"]
    # the other tenant's catalog did not change
    theirs = http.get("/v1/catalog", headers=as_(keys, "other")).json()
    assert theirs["version"]["version"] == 1


def test_unknown_sku_or_plan_is_422_naming_it_and_nothing_is_saved(
    http: httpx.Client, keys: dict[str, str]
) -> None:
    conf = as_(keys, "configurator")
    before = http.get("/v1/quotes", params={"limit": 500}, headers=conf).json()["total"]
    req = demo_request()
    req["offers"][0]["equipment"][0]["sku"] = "NOPE-1"
    req["offers"][0]["service_plan"] = "NOPLAN"
    doc = problem(http.post("/v1/quotes", json=req, headers=conf), 422)
    assert {"offers[0].equipment[0].sku", "offers[0].service_plan"} <= set(paths(doc))
    assert "NOPE-1" in str(doc)
    bad = demo_request()
    bad["offers"][1]["colour"] = "red"
    bad.pop("seller")
    doc = problem(http.post("/v1/quotes", json=bad, headers=conf), 422)
    assert {"offers[1].colour", "seller"} <= set(paths(doc))
    problem(http.post("/v1/quotes", content=b"{oops", headers=conf), 422)
    assert http.get("/v1/quotes", params={"limit": 500}, headers=conf).json()["total"] == before
    number = create(http, keys).json()["quote"]["number"]
    doc = problem(
        http.post(f"/v1/quotes/{number}/status", content=b"\xff{", headers=as_(keys, "sales")), 422
    )
    assert paths(doc) == ["body"]


def test_a_renewal_without_a_plan_or_a_bad_period_is_422_and_nothing_is_saved(
    http: httpx.Client, keys: dict[str, str]
) -> None:
    conf = as_(keys, "configurator")
    before = http.get("/v1/quotes", params={"limit": 500}, headers=conf).json()["total"]
    req = demo_request()
    req["offers"][1]["renew"] = "to_end"  # the competitor has no plan
    doc = problem(http.post("/v1/quotes", json=req, headers=conf), 422)
    assert "'renew' applies to a service plan" in json.dumps(doc)
    req = demo_request()
    req["offers"][0]["renew"] = "forever"
    doc = problem(http.post("/v1/quotes", json=req, headers=conf), 422)
    assert any(p.startswith("offers[0].renew") for p in paths(doc))
    req = demo_request()
    req["assumptions"] = {**req.get("assumptions", {}), "buyer_hourly_rate": -5}
    doc = problem(http.post("/v1/quotes", json=req, headers=conf), 422)
    assert "assumptions.buyer_hourly_rate" in paths(doc)
    assert http.get("/v1/quotes", params={"limit": 500}, headers=conf).json()["total"] == before


def test_a_retried_create_returns_the_same_quote(http: httpx.Client, keys: dict[str, str]) -> None:
    first = create(http, keys, **{"Idempotency-Key": "order-1"})
    again = create(http, keys, **{"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    other = create(http, keys, **{"Idempotency-Key": "order-2"})
    assert other.json()["quote"]["number"] != first.json()["quote"]["number"]
    changed = demo_request()
    changed["title"] = "Something else"
    doc = problem(
        http.post(
            "/v1/quotes",
            json=changed,
            headers={**as_(keys, "configurator"), "Idempotency-Key": "order-1"},
        ),
        422,
    )
    assert paths(doc) == ["Idempotency-Key"]
    # the same key in another tenant is another request
    theirs = http.post(
        "/v1/quotes",
        json=demo_request(),
        headers={**as_(keys, "other"), "Idempotency-Key": "order-1"},
    )
    assert theirs.status_code == 201
    assert theirs.json()["quote"]["tenant"] == "globex"


def test_concurrent_retries_make_one_quote(base: str, keys: dict[str, str]) -> None:
    headers = {**as_(keys, "configurator"), "Idempotency-Key": "concurrent-1"}
    with httpx.Client(base_url=base, timeout=60) as c:
        before = c.get("/v1/quotes", params={"limit": 500}, headers=headers).json()["total"]

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as c:
            return c.post("/v1/quotes", json=demo_request(), headers=headers)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") != "true" for r in responses) == 1
    with httpx.Client(base_url=base, timeout=60) as c:
        after = c.get("/v1/quotes", params={"limit": 500}, headers=headers).json()["total"]
    assert after == before + 1


def test_admins_manage_the_tenants_keys(http: httpx.Client, keys: dict[str, str]) -> None:
    admin = as_(keys, "admin")
    r = http.post("/v1/keys", json={"role": "configurator", "label": "shop"}, headers=admin)
    assert r.status_code == 201
    new = r.json()
    assert new["tenant"] == "acme"
    assert new["key"].startswith(new["prefix"] + "_")
    assert http.get("/v1/catalog/products", headers=auth(new["key"])).status_code == 200
    listed = http.get("/v1/keys", headers=admin).json()["items"]
    assert new["prefix"] in {k["prefix"] for k in listed}
    assert "key" not in listed[0]
    problem(http.delete(f"/v1/keys/{new['prefix']}", headers=as_(keys, "other")), 403)
    revoked = http.delete(f"/v1/keys/{new['prefix']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    problem(http.get("/v1/catalog/products", headers=auth(new["key"])), 401)
    problem(http.delete(f"/v1/keys/{new['prefix']}", headers=admin), 409)
    problem(http.post("/v1/keys", json={"role": "boss"}, headers=admin), 422)


def test_unknown_quote_and_bad_path_parameters(http: httpx.Client, keys: dict[str, str]) -> None:
    sales = as_(keys, "sales")
    problem(http.get("/v1/quotes/Q-2099-99999", headers=sales), 404)
    problem(http.get("/v1/quotes/Q-1/versions/0", headers=sales), 422)
    problem(http.get("/v1/quotes/Q-1/versions/1/export.doc", headers=sales), 422)


def test_apikey_cli_prints_the_key_last_and_revokes_it(url: str, base: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tco.cli.main import _register_sales_commands, app

    _register_sales_commands()
    env = {"TCO_DATABASE_URL": url}
    made = CliRunner().invoke(
        app, ["apikey", "create", "--tenant", "initech", "--role", "sales"], env=env
    )
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("tco_")
    assert httpx.get(f"{base}/v1/quotes", headers=auth(key)).json()["total"] == 0
    prefix = key.rsplit("_", 1)[0]
    gone = CliRunner().invoke(app, ["apikey", "revoke", prefix], env=env)
    assert gone.exit_code == 0, gone.output
    problem(httpx.get(f"{base}/v1/quotes", headers=auth(key)), 401)
    bad = CliRunner().invoke(app, ["apikey", "create", "--tenant", "x", "--role", "boss"], env=env)
    assert bad.exit_code == 2


def demo_numbers(body: dict[str, Any]) -> list[str]:
    return [q["number"] for q in body["items"]]


def test_a_revision_note_is_stored_cleaned(http: httpx.Client, keys: dict[str, str]) -> None:
    """A NUL byte cannot be stored in PostgreSQL's text: a note is cleaned as every text."""
    number = create(http, keys).json()["quote"]["number"]
    r = http.post(
        f"/v1/quotes/{number}/revisions",
        json={"changes": demo_changes_json(), "note": "10 %\x00 off\u202e"},
        headers=as_(keys, "sales"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"]["note"] == "10 % off"
