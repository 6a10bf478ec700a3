"""The desk's pages over HTTPS (TestClient): customer records, the pipeline on the quote list,
the builder's customer records and competitor library, copies, templates, discount approval,
sending by e-mail through a real local SMTP server and the company profile; another tenant's
records are a 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest

from tco.store import db
from tco.store.uow import UnitOfWork
from tco.store.users import UserRole, create_user
from tests.desksupport import Inbox, png, smtp_server
from tests.websupport import (
    OTHER,
    PASSWORD,
    Site,
    TestClient,
    builder_values,
    client,
    compressor_quote,
    csrf_of,
    field_errors,
    make_site,
    quote_count,
    sign_in,
    visible_text,
)

MANAGER = "max@acme.example"
ADMIN = "ada@acme.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("desk-web"))
    with db.session_factory(s.url)() as session:
        create_user(session, "acme", MANAGER, PASSWORD, UserRole.manager, name="Max Manager")
        create_user(session, "acme", ADMIN, PASSWORD, UserRole.admin, name="Ada Admin")
        session.commit()
    yield s
    db.dispose(s.url)


@pytest.fixture
def anna(site: Site) -> tuple[TestClient, str]:
    c = client(site)
    return c, sign_in(c)


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as (inbox, env):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        yield inbox


def number_of(location: str) -> str:
    return re.sub(r"^/quotes/|\?.*$", "", location)


def save_quote(c: TestClient, token: str, **changes: str) -> str:
    """A quote saved through the builder (warnings confirmed); its number."""
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), csrf_token=token, **changes
    )
    r = c.post("/quotes", data=values, follow_redirects=False)
    if r.status_code == 422:  # warnings to confirm (a discount above the limit)
        m = re.search(r'name="numbers_checked" value="([0-9a-f]+)"', r.text)
        assert m is not None, field_errors(r.text)
        r = c.post(
            "/quotes", data={**values, "numbers_checked": m.group(1)}, follow_redirects=False
        )
    assert r.status_code == 303, field_errors(r.text)
    return number_of(r.headers["location"])


def new_customer(c: TestClient, token: str, name: str, **fields: str) -> int:
    data = {"csrf_token": token, "name": name, "segment": "standard", **fields}
    r = c.post("/customers", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(re.sub(r"^/customers/|\?.*$", "", r.headers["location"]))


# --------------------------------------------------------------------------------------------
# Customer records


def test_a_customer_record_is_made_and_edited_on_its_page(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    bad = {
        "csrf_token": token,
        "name": "",
        "segment": "standard",
        "contact_name_0": "Eva Einkauf",
        "contact_email_0": "eva-at-mueller",
    }
    r = c.post("/customers", data=bad)
    assert r.status_code == 422
    errors = field_errors(r.text)
    assert set(errors) == {"name", "contact_email_0"}
    assert "is not an e-mail address" in errors["contact_email_0"]
    assert 'id="f-contact_email_0"' in r.text  # what was typed is kept
    assert 'value="eva-at-mueller"' in r.text

    cid = new_customer(
        c,
        token,
        "Müller Metallbau GmbH",
        reference="K-1001",
        site_name_0="Hall 3",
        site_address_0="Industriestraße 5\n12345 Musterstadt",
        site_country_0="DE",
        contact_name_0="Eva Einkauf",
        contact_email_0="eva@mueller.example",
        contact_site_0="Hall 3",
    )
    page = c.get(f"/customers/{cid}?saved=1").text
    assert "Saved." in page
    assert 'value="K-1001"' in page
    # the saved contact and a blank row for another one
    assert 'id="f-contact_name_0"' in page
    assert 'id="f-contact_name_2"' in page
    listed = visible_text(c.get("/customers?q=mueller").text) + visible_text(
        c.get("/customers?q=K-1001").text
    )
    assert "Müller Metallbau GmbH" in listed
    r = c.post(
        f"/customers/{cid}",
        data={"csrf_token": token, "name": "Müller Metallbau GmbH & Co. KG", "segment": "dealer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Müller Metallbau GmbH &amp; Co. KG" in c.get(f"/customers/{cid}").text

    other = client_of(c)
    assert other.get(f"/customers/{cid}").status_code == 404
    assert "Müller" not in other.get("/customers").text


def client_of(c: TestClient) -> TestClient:
    """A browser signed in to the other tenant (same site as ``c``)."""
    other = TestClient(c.app, base_url="https://testserver")
    sign_in(other, OTHER)
    return other


# --------------------------------------------------------------------------------------------
# The pipeline and the builder


def test_the_quote_list_shows_the_pipeline_with_totals_and_filters(
    anna: tuple[TestClient, str],
) -> None:
    c, token = anna
    cid = new_customer(c, token, "Pipeline Kunde AG")
    start = builder_values(c.get(f"/quotes/new?customer={cid}").text)
    assert (start["customer_id"], start["customer_name"]) == (str(cid), "Pipeline Kunde AG")
    values = compressor_quote(
        start, csrf_token=token, customer_name="Pipeline Kunde AG", valid_days="5"
    )
    r = c.post("/quotes", data=values, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    soon = number_of(r.headers["location"])
    later = save_quote(
        c, token, customer_id=str(cid), customer_name="Pipeline Kunde AG", valid_days="60"
    )

    # the name must be the record's
    wrong = compressor_quote(
        start, csrf_token=token, customer_name="Someone Else GmbH", form_token="another-form-0001"
    )
    r = c.post("/quotes", data=wrong)
    assert r.status_code == 422
    assert "is not the name of customer" in field_errors(r.text)["customer_name"]

    page = c.get(f"/quotes?customer_id={cid}").text
    rows = dict(re.findall(r'<tr data-number="([^"]+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {soon, later}
    for html in rows.values():
        assert re.search(r'data-testid="value">EUR\xa0[\d,]+\.\d\d<', html)
        assert re.search(r'data-testid="saving">EUR\xa0[\d,]+\.\d\d<', html)
        assert "anna" in html  # the owner
    assert "in 5 days" in visible_text(rows[soon])
    total = re.search(r'data-testid="total-value">([^<]+)<', page)
    assert total is not None
    parts = re.findall(r'data-testid="value">EUR\xa0([\d,.]+)<', page)
    assert (
        unescape(total.group(1)) == f"EUR\xa0{sum(float(p.replace(',', '')) for p in parts):,.2f}"
    )
    week = c.get(f"/quotes?customer_id={cid}&expiring=7").text
    assert re.findall(r'<tr data-number="([^"]+)">', week) == [soon]
    assert 'id="customer-quotes"' in c.get(f"/customers/{cid}").text


def test_the_builder_offers_the_competitor_library_instead_of_our_machines_figures(
    anna: tuple[TestClient, str],
) -> None:
    c, token = anna
    new = builder_values(c.get("/quotes/new").text)
    for name in ("comp_power_kw", "comp_load_pct", "comp_mtbf_hours", "comp_repair_cost"):
        assert new[name] == "", name  # our machine's performance is not copied
    entry = {
        "csrf_token": token,
        "number_locale": "en",
        "code": "KS-FS37",
        "maker": "Kompressor AG",
        "name": "FS 37",
        "currency": "EUR",
        "price": "29,500",
        "life_years": "15",
        "power_kw": "43.5",
        "load_pct": "100",
        "mtbf_hours": "6,000",
        "repair_cost": "3100",
        "downtime_hours": "16",
        "source": "Data sheet FS 37, rev. 4",
        "source_date": "2025-11-01",
    }
    r = c.post("/competitors", data={**entry, "mtbf_hours": "6k"})
    assert r.status_code == 422
    assert field_errors(r.text) == {"mtbf_hours": "enter a number"}
    r = c.post("/competitors", data=entry, follow_redirects=False)
    assert r.status_code == 303
    page = c.get("/quotes/new").text
    m = re.search(r'<option value="KS-FS37" data-fill="([^"]+)">([^<]+)</option>', page)
    assert m is not None
    fill = unescape(m.group(1))
    assert '"comp_mtbf_hours":"6,000"' in fill
    assert '"comp_price":"29,500"' in fill
    assert "Data sheet FS 37, rev. 4" in unescape(m.group(2))
    # a quote built from the entry keeps its code as the competitor's sku
    number = save_quote(c, token, comp_library="KS-FS37")
    with UnitOfWork("acme", url=site_url(c)) as uow:
        request = uow.quotes.version(number).request
    assert request["offers"][1]["equipment"][0]["product"]["sku"] == "KS-FS37"
    assert client_of(c).get("/competitors/1").status_code == 404


def site_url(c: TestClient) -> str:
    return str(c.app.state.settings.database_url)


# --------------------------------------------------------------------------------------------
# Copies and templates


def test_a_copy_is_made_once_per_form_and_a_template_starts_a_quote(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    number = save_quote(c, token, ours_discount_pct="5")
    page = c.get(f"/quotes/{number}").text
    copy_token = re.search(r'id="copy-form">.*?name="form_token" value="([^"]+)"', page, re.S)
    assert copy_token is not None
    count = quote_count(site)
    form = {"csrf_token": token, "form_token": copy_token.group(1), "customer_id": ""}
    first = c.post(f"/quotes/{number}/copy", data=form, follow_redirects=False)
    again = c.post(f"/quotes/{number}/copy", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert quote_count(site) == count + 1
    copied = number_of(first.headers["location"])
    assert copied != number
    shown = visible_text(c.get(first.headers["location"]).text)
    assert f"Quote {copied} is a copy of {number}, dated today." in shown

    r = c.post(
        f"/quotes/{number}/template",
        data={"csrf_token": token, "name": "VSD 37, 5 %"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    listed = c.get(r.headers["location"]).text
    assert "Template saved." in listed
    tid = re.search(r'href="/quotes/new\?template=(\d+)"', listed)
    assert tid is not None
    start = builder_values(c.get(f"/quotes/new?template={tid.group(1)}").text)
    assert start["ours_discount_pct"] == "5"
    assert start["customer_name"] == ""
    assert start["as_of"] == date.today().isoformat()
    assert client_of(c).get(f"/quotes/new?template={tid.group(1)}").status_code == 404
    r = c.post(f"/quotes/{number}/template", data={"csrf_token": token, "name": "vsd 37, 5 %"})
    assert r.status_code == 409  # the name is taken


# --------------------------------------------------------------------------------------------
# Approval and sending


def test_a_high_discount_is_approved_by_a_manager_then_sent_with_both_files(
    site: Site, anna: tuple[TestClient, str], mail: Inbox
) -> None:
    c, token = anna
    cid = new_customer(
        c,
        token,
        "Mail Kunde GmbH",
        contact_name_0="Eva Einkauf",
        contact_email_0="eva@mailkunde.example",
    )
    number = save_quote(
        c, token, customer_id=str(cid), customer_name="Mail Kunde GmbH", ours_discount_pct="20"
    )
    page = c.get(f"/quotes/{number}").text
    text = visible_text(page)
    assert "A discount of 20 % is above the salesperson's limit of 15 %" in text
    assert "Waiting for a manager's approval." in text
    assert 'id="send-form"' not in page
    assert 'id="approve-form"' not in page  # a salesperson cannot approve it
    r = c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "sent"})
    assert r.status_code == 409
    assert "a manager must approve it before it is sent" in visible_text(r.text)
    r = c.post(f"/quotes/{number}/approve", data={"csrf_token": token, "reason": "please"})
    assert r.status_code == 409

    m = TestClient(c.app, base_url="https://testserver")
    mtoken = sign_in(m, MANAGER)
    assert 'id="approve-form"' in m.get(f"/quotes/{number}").text
    r = m.post(
        f"/quotes/{number}/approve",
        data={"csrf_token": mtoken, "reason": "Key account, 3 units"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(f"/quotes/{number}").text
    assert "Approved by user:max@acme.example on" in visible_text(page)
    history = re.search(r'<table class="list" id="history">(.*?)</table>', page, re.S)
    assert history is not None
    assert "Key account, 3 units" in history.group(1)

    send = re.search(r'id="send-form">.*?name="form_token" value="([^"]+)"', page, re.S)
    assert send is not None
    assert '<option value="eva@mailkunde.example">' in page  # the customer's contact
    form = {
        "csrf_token": token,
        "form_token": send.group(1),
        "recipient": "eva@mailkunde.example",
        "recipient_other": "",
        "message": "Guten Tag Frau Einkauf,",
    }
    first = c.post(f"/quotes/{number}/send", data=form, follow_redirects=False)
    again = c.post(f"/quotes/{number}/send", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert len(mail.messages) == 1  # the second submit sent nothing
    msg = mail.messages[0]
    assert msg["To"] == "eva@mailkunde.example"
    assert msg["Reply-To"] == "anna@acme.example"
    assert set(mail.attachments()) == {f"{number}-v1.pdf", f"{number}-v1.xlsx"}
    shown = c.get(first.headers["location"]).text
    assert f"Quote {number} was sent to eva@mailkunde.example." in visible_text(shown)
    assert 'id="quote-status">sent<' in shown
    assert "to eva@mailkunde.example" in shown  # in the history
    other = client_of(c)
    assert (
        other.post(
            f"/quotes/{number}/send",
            data={**form, "csrf_token": csrf_of(other.get("/quotes").text)},
        ).status_code
        == 404
    )


def test_the_company_profile_is_changed_by_an_admin_and_printed_on_the_documents(
    anna: tuple[TestClient, str],
) -> None:
    c, token = anna
    assert 'id="company-form"' not in c.get("/company").text
    r = c.post("/company", data={"csrf_token": token, "name": "X"})
    assert r.status_code == 403
    a = TestClient(c.app, base_url="https://testserver")
    atoken = sign_in(a, ADMIN)
    fields = {
        "csrf_token": atoken,
        "name": "Acme Kompressoren GmbH",
        "address": "Hauptstraße 1\n80331 München",
        "phone": "+49 89 123456",
        "email": "vertrieb@acme.example",
        "website": "www.acme.example",
    }
    r = a.post("/company", data=fields, files={"logo": ("logo.gif", b"GIF89a", "image/gif")})
    assert r.status_code == 422
    assert "must be a PNG or JPEG image" in r.text
    r = a.post(
        "/company",
        data=fields,
        files={"logo": ("logo.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Remove the logo" in a.get("/company").text
    number = save_quote(c, token)
    html = c.get(f"/quotes/{number}/versions/1/quote.html").text
    assert "Acme Kompressoren GmbH" in html
    assert "data:image/png;base64," in html


def test_pages_in_german(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    c.post("/language", data={"csrf_token": token, "language": "de", "back": "/customers"})
    for path in (
        "/customers",
        "/customers/new",
        "/competitors",
        "/competitors/new",
        "/templates",
        "/company",
        "/quotes",
    ):
        text = visible_text(c.get(path).text)
        for english in (
            "Customer record",
            "New customer",
            "Competitor library",
            "Expiring within",
            "Quote templates",
        ):
            assert english not in text, (path, english)
    assert "Läuft ab innerhalb von" in visible_text(c.get("/quotes").text)
