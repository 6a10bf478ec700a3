"""The ledger's pages: the asset list, the asset page and its event form (idempotent, problems
shown by field), the follow-up list, the review downloads, another tenant's asset (404), German."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tco import ledger_services as ls
from tco import services
from tco.quoting.versions import QuoteStatus
from tco.store import db
from tco.store.uow import UnitOfWork
from tests.test_store_support import demo_request
from tests.websupport import OTHER, Site, client, csrf_of, make_site, sign_in, visible_text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("ledger-web"))
    yield s
    db.dispose(s.url)


@pytest.fixture(scope="module")
def asset_id(site: Site) -> int:
    """An accepted compressor quote of tenant acme: its first asset."""
    uow = UnitOfWork("acme", url=site.url)
    number = services.create_quote(uow, demo_request(), by="t").summary.number
    services.change_status(uow, number, QuoteStatus.sent, by="t")
    services.change_status(uow, number, QuoteStatus.accepted, by="t")
    assets, _ = ls.list_assets(UnitOfWork("acme", url=site.url))
    return assets[0].id


def figure(html: str, key: str) -> str:
    m = re.search(rf'data-testid="{key}" data-value="([^"]*)"', html)
    assert m is not None, key
    return m.group(1)


def test_the_asset_list_and_page_show_the_promise(site: Site, asset_id: int) -> None:
    c = client(site)
    sign_in(c)
    listing = c.get("/assets")
    assert listing.status_code == 200
    assert f'href="/assets/{asset_id}"' in listing.text
    assert "Müller Metallbau GmbH" in listing.text
    page = c.get(f"/assets/{asset_id}")
    assert page.status_code == 200
    assert float(figure(page.text, "actual-measured")) == 0
    assert float(figure(page.text, "quoted-mtbf")) == 12_000
    assert "Record an event" in page.text


def test_recording_an_event_changes_the_figures_once(site: Site, asset_id: int) -> None:
    c = client(site)
    token = sign_in(c)
    page = c.get(f"/assets/{asset_id}").text
    event_id = re.search(r'name="event_id" value="([^"]+)"', page)
    assert event_id is not None
    form: dict[str, Any] = {
        "csrf_token": csrf_of(page),
        "event_id": event_id.group(1),
        "kind": "repair",
        "date": date.today().isoformat(),
        "cost": "1200",
        "payer": "buyer",
        "downtime_hours": "4",
    }
    r = c.post(f"/assets/{asset_id}/events", data=form, follow_redirects=False)
    assert r.status_code == 303
    after = c.get(r.headers["location"]).text
    assert "The event was recorded." in after
    assert float(figure(after, "actual-measured")) == 1200 + 4 * 900
    assert figure(after, "failures") == "1"
    # the same form sent again (a double click, a reload) records nothing new
    again = c.post(f"/assets/{asset_id}/events", data=form, follow_redirects=True).text
    assert "already recorded" in again
    assert figure(again, "failures") == "1"
    bad = c.post(f"/assets/{asset_id}/events", data={**form, "event_id": "w2", "cost": ""})
    assert bad.status_code == 422
    assert 'data-error-for="cost"' in bad.text
    assert token


def test_the_commissioning_date_and_serial_number_are_edited(site: Site, asset_id: int) -> None:
    c = client(site)
    sign_in(c)
    page = c.get(f"/assets/{asset_id}").text
    data = {"csrf_token": csrf_of(page), "commissioned_on": "2026-03-15", "serial_number": "SN-7"}
    r = c.post(f"/assets/{asset_id}", data=data, follow_redirects=True)
    assert "SN-7" in r.text
    bad = c.post(f"/assets/{asset_id}", data={**data, "commissioned_on": "soon"})
    assert bad.status_code == 422


def test_forms_check_the_csrf_token(site: Site, asset_id: int) -> None:
    c = client(site)
    sign_in(c)
    r = c.post(f"/assets/{asset_id}/events", data={"csrf_token": "nope", "kind": "repair"})
    assert r.status_code == 403


def test_another_tenants_asset_is_not_found(site: Site, asset_id: int) -> None:
    c = client(site)
    token = sign_in(c, OTHER)
    assert c.get(f"/assets/{asset_id}").status_code == 404
    r = c.post(f"/assets/{asset_id}/events", data={"csrf_token": token, "kind": "repair"})
    assert r.status_code == 404
    assert "Müller" not in c.get("/assets").text
    assert c.get("/customers/Müller Metallbau GmbH/review.pdf").status_code == 404


def test_followup_and_review_downloads(site: Site, asset_id: int) -> None:
    c = client(site)
    sign_in(c)
    r = c.get("/followup?as_of=2031-01-01")
    assert r.status_code == 200
    text = visible_text(r.text)
    assert "Müller Metallbau GmbH" in text
    assert "No contact and no event" in text
    pdf = c.get("/customers/Müller Metallbau GmbH/review.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    html = c.get("/customers/Müller Metallbau GmbH/review.html")
    assert "Promised vs delivered" in html.text


def test_the_asset_pages_speak_german(site: Site, asset_id: int) -> None:
    c = client(site)
    token = sign_in(c)
    c.post("/language", data={"csrf_token": token, "language": "de", "back": "/assets"})
    page = visible_text(c.get(f"/assets/{asset_id}").text)
    for german in ("Zugesagt bis heute", "Ereignis erfassen", "Aktualisierte MTBF", "Reparatur"):
        assert german in page
    for english in ("Promised to date", "Record an event", "Updated MTBF", "Hour-meter"):
        assert english not in page
    listing = visible_text(c.get("/assets").text)
    assert "Installierte Anlagen" in listing
    fu = visible_text(c.get("/followup?as_of=2031-01-01").text)
    assert "Seit" in fu
    assert "No contact" not in fu
    assert datetime.now(UTC)


def test_the_review_of_a_customer_with_a_slash_in_its_name(site: Site) -> None:
    """The review URL carries the customer's name; a "/" in it (encoded as %2F) found no
    route before."""
    uow = UnitOfWork("acme", url=site.url)
    raw = {**demo_request(), "customer": {"name": "Schmidt/Söhne KG", "segment": "standard"}}
    number = services.create_quote(uow, raw, by="t").summary.number
    services.change_status(uow, number, QuoteStatus.sent, by="t")
    services.change_status(uow, number, QuoteStatus.accepted, by="t")
    c = client(site)
    sign_in(c)
    listing = c.get("/assets").text
    assert "/customers/Schmidt%2FS%C3%B6hne%20KG/review.html" in listing
    html = c.get("/customers/Schmidt%2FS%C3%B6hne%20KG/review.html")
    assert html.status_code == 200
    assert "Schmidt/Söhne KG" in html.text


def test_the_status_form_accepts_the_offer_the_customer_chose(site: Site) -> None:
    """Accepting asks which offer was accepted (the recommended one preselected); its units
    become the assets. Before, the page accepted the recommended offer only."""
    uow = UnitOfWork("acme", url=site.url)
    raw = {**demo_request(), "customer": {"name": "Weber Guss AG", "segment": "standard"}}
    number = services.create_quote(uow, raw, by="t").summary.number
    services.change_status(uow, number, QuoteStatus.sent, by="t")
    c = client(site)
    token = sign_in(c)
    ask = c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "accepted"})
    assert ask.status_code == 200
    assert re.search(r'<option value="ours" selected>', ask.text)
    assert '<option value="competitor">' in ask.text
    form = {"csrf_token": token, "status": "accepted", "confirm": "accepted"}
    bad = c.post(f"/quotes/{number}/status", data={**form, "offer": "nobody"})
    assert bad.status_code == 400
    done = c.post(f"/quotes/{number}/status", data={**form, "offer": "competitor"})
    assert done.status_code in (200, 303)
    assets, _ = ls.list_assets(UnitOfWork("acme", url=site.url))
    mine = [a for a in assets if a.quote_number == number]
    assert mine
    assert {a.offer_id for a in mine} == {"competitor"}
