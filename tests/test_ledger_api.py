"""The ledger over HTTP, on SQLite and PostgreSQL: assets after acceptance, idempotent events,
bulk imports that are all or nothing, tenant isolation (404), follow-up, field reliability and
the review document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tco import services
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, postgres_database, problem
from tests.test_store_support import demo_catalog
from tests.test_store_support import demo_request as _demo_request

HEADER = "event_id,asset_id,date,kind,hours,cost,payer,downtime_hours,kwh,contact,note\n"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgres":
        with postgres_database() as u:
            yield u
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('ledger-api') / 'tco.db'}"


@pytest.fixture(scope="module")
def base(url: str) -> Iterator[str]:
    with live_server(Settings(database_url=url, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def keys(url: str, base: str) -> dict[str, str]:
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


@pytest.fixture(scope="module")
def assets(http: httpx.Client, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Two units of our compressor, accepted over the API."""
    req: dict[str, Any] = json.loads(json.dumps(_demo_request(), default=str))
    req["offers"][0]["equipment"][0]["quantity"] = 2
    req["offers"][1]["equipment"][0]["quantity"] = 2
    sales = auth(keys["sales"])
    r = http.post("/v1/quotes", json=req, headers=sales)
    assert r.status_code == 201, r.text
    number = r.json()["quote"]["number"]
    for status in ("sent", "accepted"):
        r = http.post(f"/v1/quotes/{number}/status", json={"status": status}, headers=sales)
        assert r.status_code == 200, r.text
    r = http.get("/v1/assets", headers=sales)
    assert r.status_code == 200
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_accepting_over_the_api_creates_the_assets(
    http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]
) -> None:
    assert [a["unit"] for a in assets] == [1, 2]
    assert assets[0]["sku"] == "CMP-VSD-37"
    r = http.get(f"/v1/assets/{assets[0]['id']}?as_of=2027-03-02", headers=auth(keys["sales"]))
    assert r.status_code == 200
    doc = r.json()
    assert doc["status"]["reliability"]["prior_mtbf_hours"] == 12_000
    assert doc["promise"]["units"] == 2
    assert doc["status"]["years_elapsed"] == pytest.approx(
        (date(2027, 3, 2) - date.fromisoformat(assets[0]["commissioned_on"])).days / 365, abs=1
    )


def test_an_event_sent_twice_is_recorded_once(
    http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]
) -> None:
    sales = auth(keys["sales"])
    a = assets[0]["id"]
    body = {
        "event_id": "api-r1",
        "date": date.today().isoformat(),
        "kind": "repair",
        "cost": "250",
        "payer": "buyer",
        "downtime_hours": "3",
    }
    first = http.post(f"/v1/assets/{a}/events", json=body, headers=sales)
    assert first.status_code == 201, first.text
    again = http.post(f"/v1/assets/{a}/events", json=body, headers=sales)
    assert again.status_code == 200
    assert again.json() == {"recorded": 0, "already_recorded": 1}
    changed = http.post(f"/v1/assets/{a}/events", json={**body, "cost": "260"}, headers=sales)
    assert problem(changed, 409)["problems"][0]["path"] == "event_id"
    status = http.get(f"/v1/assets/{a}", headers=sales).json()["status"]
    assert status["failures"] == 1
    assert status["categories"]["repair"]["actual"] == 250
    events = http.get(f"/v1/assets/{a}/events", headers=sales).json()["items"]
    assert [e["event_id"] for e in events] == ["api-r1"]
    assert events[0]["cost"] == "250"
    bad = http.post(
        f"/v1/assets/{a}/events", json={**body, "event_id": "e2", "kwh": "5"}, headers=sales
    )
    assert problem(bad, 422)["problems"][0]["path"] == "kwh"


def test_a_bulk_import_is_all_or_nothing(
    http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]
) -> None:
    sales = {**auth(keys["sales"]), "Content-Type": "text/csv"}
    a, b = assets[0]["id"], assets[1]["id"]
    good = HEADER + f"csv-1,{a},2026-04-01,operating_hours,900,,,,,,\n"
    bad = good + f"csv-2,{b},2026-04-01,contact,,,,,,shout,\n"
    r = http.post("/v1/assets/events/import", content=bad.encode(), headers=sales)
    assert problem(r, 422)["problems"][0]["path"] == "line 3: contact"
    r = http.post("/v1/assets/events/import", content=good.encode(), headers=sales)
    assert r.status_code == 201
    assert r.json() == {"recorded": 1, "already_recorded": 0}
    r = http.post("/v1/assets/events/import", content=good.encode(), headers=sales)
    assert r.status_code == 200
    as_json = [
        {
            "event_id": "j1",
            "asset_id": b,
            "date": "2026-04-02",
            "kind": "contact",
            "contact": "visit",
        },
        {"event_id": "j2", "asset_id": b, "kind": "contact"},
    ]
    r = http.post("/v1/assets/events/import", json=as_json, headers=auth(keys["sales"]))
    paths = {p["path"] for p in problem(r, 422)["problems"]}
    assert paths == {"[1].date"}
    assert http.get(f"/v1/assets/{b}/events", headers=auth(keys["sales"])).json()["items"] == []


def test_another_tenant_gets_404(
    http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]
) -> None:
    other = auth(keys["other"])
    a = assets[0]["id"]
    assert http.get("/v1/assets", headers=other).json() == {"items": [], "total": 0}
    for path in (f"/v1/assets/{a}", f"/v1/assets/{a}/events"):
        problem(http.get(path, headers=other), 404)
    body = {"event_id": "g1", "date": "2026-05-01", "kind": "contact", "contact": "call"}
    problem(http.post(f"/v1/assets/{a}/events", json=body, headers=other), 404)
    problem(http.patch(f"/v1/assets/{a}", json={"serial_number": "X"}, headers=other), 404)
    csv = HEADER + f"g2,{a},2026-05-01,contact,,,,,,call,\n"
    r = http.post(
        "/v1/assets/events/import",
        content=csv.encode(),
        headers={**other, "Content-Type": "text/csv"},
    )
    assert problem(r, 422)["problems"][0]["message"] == f"no asset {a}"
    problem(http.get("/v1/customers/Müller Metallbau GmbH/review.pdf", headers=other), 404)


def test_roles(http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]) -> None:
    problem(http.get("/v1/assets", headers=auth(keys["configurator"])), 403)
    problem(http.get("/v1/assets"), 401)
    problem(http.post("/v1/field-reliability/calibrate", headers=auth(keys["sales"])), 403)


def test_edit_followup_customers_reliability_and_review(
    http: httpx.Client, keys: dict[str, str], assets: list[dict[str, Any]]
) -> None:
    sales = auth(keys["sales"])
    a = assets[1]["id"]
    r = http.patch(
        f"/v1/assets/{a}",
        json={"commissioned_on": "2026-04-01", "serial_number": "SN-2"},
        headers=sales,
    )
    assert r.status_code == 200
    assert (r.json()["commissioned_on"], r.json()["serial_number"]) == ("2026-04-01", "SN-2")
    problem(http.patch(f"/v1/assets/{a}", json={"colour": "red"}, headers=sales), 422)
    far = "2030-01-01"
    fu = http.get(f"/v1/followup?as_of={far}", headers=sales).json()
    reasons = {i["reason"] for c in fu["customers"] for i in c["items"]}
    assert "silence" in reasons
    customers = http.get("/v1/ledger/customers", headers=sales).json()["items"]
    assert customers[0]["customer"] == "Müller Metallbau GmbH"
    assert len(customers[0]["assets"]) == 2
    rel = http.get("/v1/field-reliability", headers=sales).json()
    assert rel["products"][0]["installations"] == 2
    r = http.post("/v1/field-reliability/calibrate", headers=auth(keys["admin"]))
    assert r.status_code == 201, r.text
    pdf = http.get("/v1/customers/Müller Metallbau GmbH/review.pdf?locale=de_DE", headers=sales)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    html = http.get("/v1/customers/Müller Metallbau GmbH/review.html", headers=sales)
    assert "Promised vs delivered" in html.text
