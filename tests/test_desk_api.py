"""The desk over HTTP, on SQLite and on PostgreSQL: customer records, quotes pointing to them and
the pipeline's filters and totals, copies, templates, the competitor library, discount approval,
sending by e-mail through a real local SMTP server (aiosmtpd) and the seller's company profile.
Every resource of one tenant is a 404 for another tenant's key."""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest

from api.settings import Settings
from tco import services
from tco.store.uow import UnitOfWork
from tests.apisupport import auth, live_server, make_key, paths, postgres_database, problem
from tests.desksupport import Inbox, png, smtp_server
from tests.test_store_support import demo_catalog
from tests.test_store_support import demo_request as _demo_request

MUELLER = {
    "name": "Müller Metallbau GmbH",
    "segment": "standard",
    "reference": "K-1001",
    "sites": [
        {"name": "Hall 3", "address": "Industriestraße 5\n12345 Musterstadt", "country": "DE"}
    ],
    "contacts": [
        {
            "name": "Eva Einkauf",
            "email": "Eva@Mueller.example",
            "position": "buyer",
            "site": "Hall 3",
        }
    ],
}
SHEET = {
    "code": "KS-FS37",
    "maker": "Kompressor AG",
    "name": "FS 37 fixed speed",
    "currency": "EUR",
    "price": "29500",
    "life_years": 15,
    "power_kw": 43.5,
    "load_factor": 1.0,
    "mtbf_hours": 6000,
    "repair_cost": "3100",
    "downtime_hours": 16,
    "maintenance_per_year": "1900",
    "installation_cost": "3500",
    "source": "Kompressor AG data sheet FS 37, rev. 4",
    "source_date": "2025-11-01",
}


def demo_request(**changes: Any) -> dict[str, Any]:
    """The demo request as JSON data, dated today (so it is valid whatever the day)."""
    req: dict[str, Any] = json.loads(json.dumps(_demo_request(), default=str))
    req["as_of"] = date.today().isoformat()
    req.update(changes)
    return req


def with_discount(req: dict[str, Any], discount: str) -> dict[str, Any]:
    out = copy.deepcopy(req)
    out["offers"][0]["equipment"][0]["discount"] = discount
    return out


@pytest.fixture(scope="module")
def mail() -> Iterator[Inbox]:
    with smtp_server() as (inbox, env), pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        yield inbox


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgres":
        with postgres_database() as u:
            yield u
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('desk') / 'tco.db'}"


@pytest.fixture(scope="module")
def base(url: str, mail: Inbox) -> Iterator[str]:
    with live_server(Settings(database_url=url, access_log=False)) as b:
        yield b


@pytest.fixture(scope="module")
def keys(url: str, base: str) -> dict[str, dict[str, str]]:
    for tenant in ("acme", "globex"):
        services.import_catalog(UnitOfWork(tenant, url=url), demo_catalog(), source="t", by="t")
    return {
        role: auth(make_key(url, "acme", role))
        for role in ("configurator", "sales", "manager", "admin")
    } | {"other": auth(make_key(url, "globex", "sales"))}


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=120) as c:
        yield c


def new_customer(http: httpx.Client, keys: dict[str, dict[str, str]], **changes: Any) -> int:
    r = http.post("/v1/customers", json={**MUELLER, **changes}, headers=keys["sales"])
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def new_quote(http: httpx.Client, keys: dict[str, dict[str, str]], req: dict[str, Any]) -> str:
    r = http.post("/v1/quotes", json=req, headers=keys["sales"])
    assert r.status_code == 201, r.text
    return str(r.json()["quote"]["number"])


# --------------------------------------------------------------------------------------------
# Customers


def test_customer_records_are_created_read_replaced_and_kept_per_tenant(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    r = http.post(
        "/v1/customers", json={**MUELLER, "name": "Berger Werkzeugbau AG"}, headers=keys["sales"]
    )
    assert r.status_code == 201
    record = r.json()
    assert r.headers["location"] == f"/v1/customers/{record['id']}"
    assert record["contacts"][0]["email"] == "eva@mueller.example"  # kept in lower case
    assert record["sites"][0]["address"] == "Industriestraße 5\n12345 Musterstadt"

    got = http.get(f"/v1/customers/{record['id']}", headers=keys["sales"])
    assert got.json()["customer"] == record
    assert got.json()["quotes"] == 0
    listed = http.get("/v1/customers?q=berger", headers=keys["sales"]).json()
    assert [c["name"] for c in listed["items"]] == ["Berger Werkzeugbau AG"]

    changed = {**MUELLER, "name": "Berger Werkzeugbau AG", "segment": "dealer", "contacts": []}
    r = http.put(f"/v1/customers/{record['id']}", json=changed, headers=keys["sales"])
    assert r.status_code == 200
    assert (r.json()["segment"], r.json()["contacts"]) == ("dealer", [])

    # another tenant sees nothing of it
    assert problem(http.get(f"/v1/customers/{record['id']}", headers=keys["other"]), 404)
    assert problem(
        http.put(f"/v1/customers/{record['id']}", json=changed, headers=keys["other"]), 404
    )
    assert http.get("/v1/customers?q=berger", headers=keys["other"]).json()["items"] == []
    # a configurator key may not read customer records
    assert problem(http.get("/v1/customers", headers=keys["configurator"]), 403)


def test_a_customer_record_is_refused_naming_each_problem(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    bad = {
        "name": "",
        "sites": [{"name": "Hall 3"}, {"name": "Hall 3"}],
        "contacts": [{"name": "Eva", "email": "not-an-address"}],
    }
    doc = problem(http.post("/v1/customers", json=bad, headers=keys["sales"]), 422)
    assert set(paths(doc)) >= {"name", "contacts[0].email"}
    dup = {
        "name": "X GmbH",
        "sites": [{"name": "A"}, {"name": "A"}],
        "contacts": [{"name": "E", "site": "B"}],
    }
    doc = problem(http.post("/v1/customers", json=dup, headers=keys["sales"]), 422)
    assert set(paths(doc)) == {"sites[1].name", "contacts[0].site"}
    new_customer(http, keys, name="Same Name GmbH")
    doc = problem(
        http.post("/v1/customers", json={"name": "same name gmbh"}, headers=keys["sales"]), 409
    )
    assert paths(doc) == ["name"]


def test_a_quote_points_to_a_customer_and_the_list_filters_and_totals_by_it(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    cid = new_customer(http, keys, name="Pipeline Kunde AG")
    req = demo_request(customer={"id": cid})
    r = http.post("/v1/quotes", json=req, headers=keys["sales"])
    assert r.status_code == 201, r.text
    quote = r.json()["quote"]
    assert (quote["customer"], quote["customer_id"]) == ("Pipeline Kunde AG", cid)
    assert r.json()["version"]["request"]["customer"] == {
        "id": cid,
        "name": "Pipeline Kunde AG",
        "reference": "K-1001",
    }
    second = new_quote(http, keys, with_discount(demo_request(customer={"id": cid}), "0.1"))
    # a request that names the customer only stays valid and points to no record
    plain = http.post("/v1/quotes", json=demo_request(), headers=keys["sales"]).json()["quote"]
    assert plain["customer_id"] is None

    page = http.get(f"/v1/quotes?customer_id={cid}", headers=keys["sales"]).json()
    assert {q["number"] for q in page["items"]} == {quote["number"], second}
    assert page["total"] == 2
    [eur] = page["totals"]
    values = [Decimal(q["value"]) for q in page["items"]]
    assert Decimal(eur["value"]) == sum(values)  # exact: one-time totals are Decimal
    assert eur["saving"] == pytest.approx(sum(q["saving"] for q in page["items"]), abs=1e-6)
    assert (eur["count"], eur["open_count"]) == (2, 2)
    # the value is the recommended offer's one-time total, the saving its lead (engine figures)
    doc = http.get(f"/v1/quotes/{quote['number']}", headers=keys["sales"]).json()
    sheets = {s["offer_id"]: s for s in doc["version"]["price_sheets"]}
    recommended = doc["version"]["result"]["comparison"]["recommended"]
    assert Decimal(doc["quote"]["value"]) == Decimal(sheets[recommended]["one_time_total"])
    net = doc["version"]["result"]["comparison"]["offers"][recommended]["net_savings"]
    assert doc["quote"]["saving"] == pytest.approx(net, abs=1e-6)

    shown = http.get(f"/v1/customers/{cid}", headers=keys["sales"]).json()
    assert shown["quotes"] == 2
    assert shown["totals"] == page["totals"]

    # the record's name follows into the quote headers when it changes
    http.put(
        f"/v1/customers/{cid}", json={**MUELLER, "name": "Pipeline Kunde SE"}, headers=keys["sales"]
    )
    renamed = http.get(f"/v1/quotes/{second}", headers=keys["sales"]).json()["quote"]
    assert renamed["customer"] == "Pipeline Kunde SE"


def test_a_quote_for_a_customer_record_must_agree_with_it(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    cid = new_customer(http, keys, name="Strict Kunde AG")
    other_tenant = http.post(
        "/v1/customers", json={**MUELLER, "name": "Globex Kunde"}, headers=keys["other"]
    )
    foreign = other_tenant.json()["id"]
    cases = [
        ({"id": cid, "name": "Someone Else GmbH"}, "customer.name"),
        ({"id": cid, "segment": "dealer"}, "customer.segment"),
        ({"id": 999_999}, "customer.id"),
        ({"id": foreign}, "customer.id"),  # another tenant's record is no record
        ({"id": None, "name": "X"}, "customer.id"),
    ]
    for customer, path in cases:
        doc = problem(
            http.post("/v1/quotes", json=demo_request(customer=customer), headers=keys["sales"]),
            422,
        )
        assert paths(doc) == [path], customer
    ok = demo_request(customer={"id": cid, "name": "strict kunde ag "})
    assert http.post("/v1/quotes", json=ok, headers=keys["sales"]).status_code == 201


def test_the_list_filters_quotes_expiring_soon(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    cid = new_customer(http, keys, name="Expiry Kunde AG")
    soon = new_quote(http, keys, demo_request(customer={"id": cid}, valid_days=5))
    later = new_quote(http, keys, demo_request(customer={"id": cid}, valid_days=60))
    gone = new_quote(
        http,
        keys,
        demo_request(
            customer={"id": cid},
            as_of=(date.today() - timedelta(days=40)).isoformat(),
            valid_days=30,
        ),
    )
    week = http.get(
        f"/v1/quotes?customer_id={cid}&expiring_within_days=7", headers=keys["sales"]
    ).json()
    assert [q["number"] for q in week["items"]] == [soon]
    quarter = http.get(
        f"/v1/quotes?customer_id={cid}&expiring_within_days=90", headers=keys["sales"]
    ).json()
    assert {q["number"] for q in quarter["items"]} == {soon, later}  # not the expired one
    every = http.get(f"/v1/quotes?customer_id={cid}", headers=keys["sales"]).json()
    statuses = {q["number"]: q["status"] for q in every["items"]}
    assert statuses[gone] == "expired"
    assert every["totals"][0]["open_count"] == 2
    problem(http.get("/v1/quotes?expiring_within_days=-1", headers=keys["sales"]), 422)


# --------------------------------------------------------------------------------------------
# Copies and templates


def test_a_copy_is_version_1_of_a_new_number_from_the_latest_request(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    old = demo_request(as_of=(date.today() - timedelta(days=20)).isoformat())
    number = new_quote(http, keys, old)
    changes = {"offers": [{"id": "ours", "equipment": [{"sku": "CMP-VSD-37", "discount": 0.1}]}]}
    assert (
        http.post(
            f"/v1/quotes/{number}/revisions", json={"changes": changes}, headers=keys["sales"]
        ).status_code
        == 201
    )
    cid = new_customer(http, keys, name="Copy Kunde GmbH")
    headers = {**keys["sales"], "Idempotency-Key": "copy-1"}
    r = http.post(f"/v1/quotes/{number}/copy", json={"customer": {"id": cid}}, headers=headers)
    assert r.status_code == 201, r.text
    copied = r.json()
    assert copied["quote"]["number"] != number
    assert copied["version"]["version"] == 1
    assert copied["version"]["note"] == f"copy of {number} version 2"
    assert copied["quote"]["as_of"] == date.today().isoformat()
    assert copied["quote"]["customer"] == "Copy Kunde GmbH"
    assert copied["version"]["request"]["offers"][0]["equipment"][0]["discount"] == "0.1"
    again = http.post(f"/v1/quotes/{number}/copy", json={"customer": {"id": cid}}, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["quote"]["number"] == copied["quote"]["number"]
    assert problem(http.post(f"/v1/quotes/{number}/copy", json={}, headers=keys["other"]), 404)
    assert problem(http.post("/v1/quotes/Q-1999-00001/copy", json={}, headers=keys["sales"]), 404)


def test_templates_are_saved_from_a_quote_and_start_new_quotes(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    number = new_quote(http, keys, with_discount(demo_request(), "0.05"))
    r = http.post(
        "/v1/templates",
        json={"name": "VSD 37 with FullCare", "from_quote": number},
        headers=keys["sales"],
    )
    assert r.status_code == 201, r.text
    kept = r.json()
    assert "customer" not in kept["request"]
    assert "as_of" not in kept["request"]
    assert (kept["source_number"], kept["source_version"]) == (number, 1)
    # the same name again, another tenant, a missing quote
    assert problem(
        http.post(
            "/v1/templates",
            json={"name": "vsd 37 with fullcare", "from_quote": number},
            headers=keys["sales"],
        ),
        409,
    )
    assert problem(http.get(f"/v1/templates/{kept['id']}", headers=keys["other"]), 404)
    doc = problem(
        http.post(
            "/v1/templates", json={"name": "X", "from_quote": "Q-1999-00001"}, headers=keys["sales"]
        ),
        422,
    )
    assert paths(doc) == ["from_quote"]

    start = http.post(
        f"/v1/templates/{kept['id']}/quotes",
        json={"customer": {"name": "Neu Kunde KG"}, "title": "Air for hall 7"},
        headers=keys["sales"],
    )
    assert start.status_code == 201, start.text
    made = start.json()
    assert made["quote"]["customer"] == "Neu Kunde KG"
    assert made["quote"]["as_of"] == date.today().isoformat()
    assert made["version"]["request"]["offers"][0]["equipment"][0]["discount"] == "0.05"
    doc = problem(
        http.post(f"/v1/templates/{kept['id']}/quotes", json={}, headers=keys["sales"]), 422
    )
    assert paths(doc) == ["customer"]
    assert problem(
        http.post(
            f"/v1/templates/{kept['id']}/quotes",
            json={"customer": {"name": "X"}},
            headers=keys["other"],
        ),
        404,
    )

    # a template from a request given whole is checked against the catalog
    req = demo_request()
    req["offers"][0]["equipment"][0]["sku"] = "NO-SUCH-SKU"
    doc = problem(
        http.post("/v1/templates", json={"name": "Broken", "request": req}, headers=keys["sales"]),
        422,
    )
    assert any(p.startswith("request.offers[0]") or p.startswith("offers[0]") for p in paths(doc))
    assert http.delete(f"/v1/templates/{kept['id']}", headers=keys["other"]).status_code == 404
    assert http.delete(f"/v1/templates/{kept['id']}", headers=keys["sales"]).status_code == 204
    assert problem(http.get(f"/v1/templates/{kept['id']}", headers=keys["sales"]), 404)


# --------------------------------------------------------------------------------------------
# The competitor library


def test_the_competitor_library_keeps_data_sheets_with_their_source(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    r = http.post("/v1/competitors", json=SHEET, headers=keys["sales"])
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["sheet"]["source_date"] == "2025-11-01"
    assert entry["sheet"]["mtbf_hours"] == 6000.0
    assert problem(http.get(f"/v1/competitors/{entry['id']}", headers=keys["other"]), 404)
    assert problem(
        http.put(f"/v1/competitors/{entry['id']}", json=SHEET, headers=keys["other"]), 404
    )
    assert problem(http.post("/v1/competitors", json=SHEET, headers=keys["sales"]), 409)
    changed = {**SHEET, "mtbf_hours": 5500, "source_date": "2026-01-15"}
    r = http.put(f"/v1/competitors/{entry['id']}", json=changed, headers=keys["sales"])
    assert r.json()["sheet"]["mtbf_hours"] == 5500.0
    future = {
        **SHEET,
        "code": "KS-X",
        "source_date": (date.today() + timedelta(days=3)).isoformat(),
    }
    assert paths(
        problem(http.post("/v1/competitors", json=future, headers=keys["sales"]), 422)
    ) == ["source_date"]
    bad = {**SHEET, "code": "KS-Y", "load_factor": 1.5, "price": "-1"}
    assert set(
        paths(problem(http.post("/v1/competitors", json=bad, headers=keys["sales"]), 422))
    ) == {"load_factor", "price"}
    assert [
        e["sheet"]["code"]
        for e in http.get("/v1/competitors", headers=keys["other"]).json()["items"]
    ] == []


# --------------------------------------------------------------------------------------------
# Approval and sending


def test_a_discount_above_the_limit_is_sent_only_after_a_managers_approval(
    http: httpx.Client, keys: dict[str, dict[str, str]], url: str, mail: Inbox
) -> None:
    number = new_quote(http, keys, with_discount(demo_request(), "0.2"))
    state = http.get(f"/v1/quotes/{number}/approval", headers=keys["sales"]).json()
    assert (state["discount"], state["limit"], state["needed"], state["missing"]) == (
        "0.2",
        "0.15",
        True,
        True,
    )
    doc = problem(
        http.post(f"/v1/quotes/{number}/status", json={"status": "sent"}, headers=keys["sales"]),
        409,
    )
    assert paths(doc) == ["approval"]
    doc = problem(
        http.post(
            f"/v1/quotes/{number}/send",
            json={"recipient": "eva@mueller.example"},
            headers=keys["sales"],
        ),
        409,
    )
    assert paths(doc) == ["approval"]
    assert mail.messages == [] or all(m["Subject"].find(number) < 0 for m in mail.messages)

    assert problem(
        http.post(f"/v1/quotes/{number}/approval", json={"reason": "ok"}, headers=keys["sales"]),
        403,
    )
    assert problem(
        http.post(f"/v1/quotes/{number}/approval", json={"reason": "ok"}, headers=keys["other"]),
        403,
    )
    assert problem(
        http.post(f"/v1/quotes/{number}/approval", json={"reason": ""}, headers=keys["manager"]),
        422,
    )
    r = http.post(
        f"/v1/quotes/{number}/approval",
        json={"reason": "Strategic account, 3 units"},
        headers=keys["manager"],
    )
    assert r.status_code == 201, r.text
    approval = r.json()
    assert (approval["version"], approval["discount"], approval["role"]) == (1, "0.2", "manager")
    assert approval["approved_by"].startswith("apikey:tco_")
    assert problem(
        http.post(
            f"/v1/quotes/{number}/approval", json={"reason": "again"}, headers=keys["manager"]
        ),
        409,
    )
    with UnitOfWork("acme", url=url) as uow:
        events = uow.quotes.events(number)
    assert [(e["action"], e["note"]) for e in events] == [
        ("created", None),
        ("approved", "Strategic account, 3 units"),
    ]
    assert (
        http.post(
            f"/v1/quotes/{number}/status", json={"status": "sent"}, headers=keys["sales"]
        ).status_code
        == 200
    )

    # a revision needs a new approval; above the manager's limit (30 %) only an admin approves
    changes = {"offers": [{"id": "ours", "equipment": [{"sku": "CMP-VSD-37", "discount": 0.4}]}]}
    http.post(f"/v1/quotes/{number}/revisions", json={"changes": changes}, headers=keys["sales"])
    assert (
        http.get(f"/v1/quotes/{number}/approval", headers=keys["sales"]).json()["missing"] is True
    )
    doc = problem(
        http.post(
            f"/v1/quotes/{number}/approval", json={"reason": "deep"}, headers=keys["manager"]
        ),
        409,
    )
    assert paths(doc) == ["role"]
    assert (
        http.post(
            f"/v1/quotes/{number}/approval",
            json={"reason": "board decision"},
            headers=keys["admin"],
        ).status_code
        == 201
    )
    # within the limit: nothing to approve
    low = new_quote(http, keys, with_discount(demo_request(), "0.1"))
    assert problem(
        http.post(f"/v1/quotes/{low}/approval", json={"reason": "x"}, headers=keys["manager"]), 409
    )
    assert problem(http.get(f"/v1/quotes/{number}/approval", headers=keys["other"]), 404)


def test_sending_emails_the_pdf_and_the_workbook_and_records_it(
    http: httpx.Client, keys: dict[str, dict[str, str]], url: str, mail: Inbox
) -> None:
    cid = new_customer(http, keys, name="Mail Kunde GmbH")
    number = new_quote(http, keys, demo_request(customer={"id": cid}))
    before = len(mail.messages)
    assert problem(
        http.post(
            f"/v1/quotes/{number}/send",
            json={"recipient": "eva@mueller.example"},
            headers=keys["other"],
        ),
        404,
    )
    doc = problem(
        http.post(
            f"/v1/quotes/{number}/send", json={"recipient": "not an address"}, headers=keys["sales"]
        ),
        422,
    )
    assert paths(doc) == ["recipient"]
    assert len(mail.messages) == before

    headers = {**keys["sales"], "Idempotency-Key": f"send-{number}"}
    body = {
        "recipient": "Eva@Mueller.example",
        "message": "Guten Tag Frau Einkauf,\nanbei unser Angebot.",
    }
    r = http.post(f"/v1/quotes/{number}/send", json=body, headers=headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["quote"]["status"] == "sent"
    assert out["sending"]["recipient"] == "eva@mueller.example"
    assert len(mail.messages) == before + 1
    msg = mail.messages[-1]
    assert mail.envelopes[-1] == ("quotes@acme.example", ["eva@mueller.example"])
    assert msg["To"] == "eva@mueller.example"
    assert msg["Subject"] == f"Angebot {number}, Version 1: Compressed air for hall 3"  # de_DE
    assert msg["Message-ID"] == out["sending"]["message_id"]
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None
    assert "anbei unser Angebot" in text.get_content()
    files = mail.attachments()
    assert set(files) == {f"{number}-v1.pdf", f"{number}-v1.xlsx"}
    assert files[f"{number}-v1.pdf"][0] == "application/pdf"
    assert files[f"{number}-v1.pdf"][1].startswith(b"%PDF")
    book = openpyxl.load_workbook(io.BytesIO(files[f"{number}-v1.xlsx"][1]))
    assert book.sheetnames  # a real workbook

    again = http.post(f"/v1/quotes/{number}/send", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["sending"] == out["sending"]
    assert len(mail.messages) == before + 1  # the retry sent nothing

    listed = http.get(f"/v1/quotes/{number}/sendings", headers=keys["sales"]).json()["items"]
    assert [(s["recipient"], s["version"]) for s in listed] == [("eva@mueller.example", 1)]
    assert problem(http.get(f"/v1/quotes/{number}/sendings", headers=keys["other"]), 404)
    with UnitOfWork("acme", url=url) as uow:
        events = uow.quotes.events(number)
    assert (events[-1]["action"], events[-1]["to_status"], events[-1]["note"]) == (
        "sent",
        "sent",
        "to eva@mueller.example",
    )


def test_a_refused_message_records_nothing(
    http: httpx.Client, keys: dict[str, dict[str, str]], mail: Inbox
) -> None:
    number = new_quote(http, keys, demo_request())
    mail.refuse = True
    try:
        doc = problem(
            http.post(
                f"/v1/quotes/{number}/send",
                json={"recipient": "eva@mueller.example"},
                headers=keys["sales"],
            ),
            422,
        )
    finally:
        mail.refuse = False
    assert paths(doc) == ["recipient"]
    assert (
        http.get(f"/v1/quotes/{number}", headers=keys["sales"]).json()["quote"]["status"] == "draft"
    )
    assert http.get(f"/v1/quotes/{number}/sendings", headers=keys["sales"]).json()["items"] == []


# --------------------------------------------------------------------------------------------
# The seller's company profile


def test_the_company_profile_is_set_by_an_admin_and_printed_on_the_documents(
    http: httpx.Client, keys: dict[str, dict[str, str]]
) -> None:
    profile = {
        "name": "Acme Kompressoren GmbH",
        "address": "Hauptstraße 1\n80331 München",
        "phone": "+49 89 123456",
        "email": "vertrieb@acme.example",
        "website": "www.acme.example",
        "logo": base64.b64encode(png()).decode(),
    }
    assert problem(http.put("/v1/company", json=profile, headers=keys["sales"]), 403)
    r = http.put("/v1/company", json=profile, headers=keys["admin"])
    assert r.status_code == 200, r.text
    assert r.json()["logo_type"] == "image/png"
    assert problem(http.get("/v1/company", headers=keys["other"]), 404)
    bad = {**profile, "logo": base64.b64encode(b"GIF89a....").decode()}
    assert paths(problem(http.put("/v1/company", json=bad, headers=keys["admin"]), 422)) == ["logo"]
    number = new_quote(http, keys, demo_request())
    html = http.get(f"/v1/quotes/{number}/versions/1/export.html", headers=keys["sales"]).text
    assert 'id="letterhead"' in html
    assert "Acme Kompressoren GmbH" in html
    assert "80331 München" in html
    assert "data:image/png;base64," in html
    other = new_quote_other(http, keys)
    assert (
        'id="letterhead"'
        not in http.get(f"/v1/quotes/{other}/versions/1/export.html", headers=keys["other"]).text
    )


def new_quote_other(http: httpx.Client, keys: dict[str, dict[str, str]]) -> str:
    r = http.post("/v1/quotes", json=demo_request(), headers=keys["other"])
    assert r.status_code == 201
    return str(r.json()["quote"]["number"])
