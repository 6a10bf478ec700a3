"""Helpers for the web page tests: a site with two tenants, sign-in, forms (no tests here)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from api.main import create_app
from api.settings import Settings
from tco import services
from tco.store import db
from tco.store.uow import UnitOfWork
from tco.store.users import UserRole, create_user
from tests.test_store_support import NOW, demo_catalog

with warnings.catch_warnings():  # starlette's TestClient announces a future move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
SALES = "anna@acme.example"
OTHER = "olga@other.example"


@dataclass(frozen=True)
class Site:
    url: str
    directory: Path


def make_site(directory: Path) -> Site:
    """A SQLite database with tenants ``acme`` and ``other``, the demo catalog in both, one
    salesperson each."""
    url = f"sqlite:///{directory / 'web.db'}"
    sessions = db.session_factory(url)
    for tenant, email in (("acme", SALES), ("other", OTHER)):
        uow = UnitOfWork(tenant, sessions=sessions)
        services.import_catalog(uow, demo_catalog(), source="demo", by="test", now=NOW)
        with sessions() as session:
            create_user(session, tenant, email, PASSWORD, UserRole.sales, name=email.split("@")[0])
            session.commit()
    return Site(url, directory)


def client(site: Site) -> TestClient:
    """A browser of the site over HTTPS (the cookies are Secure)."""
    return TestClient(
        create_app(Settings(database_url=site.url, access_log=False)), base_url="https://testserver"
    )


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m is not None, "no CSRF token on the page"
    return m.group(1)


def sign_in(c: TestClient, email: str = SALES, password: str = PASSWORD) -> str:
    """Sign in; returns the CSRF token of the new session."""
    token = csrf_of(c.get("/sign-in").text)
    r = c.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": "/quotes"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/quotes").text)


class _Form(HTMLParser):
    """The values a browser would send for the builder form (inputs, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "builder":
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name") and a.get("type") != "checkbox":
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif (
            tag == "option"
            and self._select is not None
            and ("selected" in a or self._select not in self.values)
        ):
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def builder_values(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.values


def compressor_quote(values: dict[str, str], **changes: str) -> dict[str, str]:
    """Our VSD compressor with FullCare and 8 % off against a fixed-speed competitor."""
    out = dict(values)
    out.update(
        customer_name="Müller Metallbau GmbH",
        title="Compressed air for hall 3",
        ours_sku="CMP-VSD-37",
        ours_plan="FULLCARE",
        ours_discount_pct="8",
        comp_name="Competitor fixed-speed 37 kW",
        comp_price="29500",
        comp_life_years="15",
        comp_power_kw="43.5",
        comp_load_pct="100",
        comp_mtbf_hours="6000",
        comp_repair_cost="3100",
        comp_downtime_hours="16",
        comp_maintenance_cost="1900",
        comp_installation_cost="3500",
        a_downtime_cost_per_hour="900",
    )
    out.update(changes)
    return out


def field_errors(html: str) -> dict[str, str]:
    """Messages shown next to fields (builder page) or listed by field (preview fragment)."""
    found = dict(re.findall(r'data-field-error="([^"]+)" data-message="([^"]*)"', html))
    for name, message in re.findall(r'data-error-for="([^"]+)">([^<]+)<', html):
        found.setdefault(name, message)
    return {name: unescape(message) for name, message in found.items()}


def lifetime_costs(html: str) -> dict[str, str]:
    """Offer id -> lifetime cost as a plain decimal, from the comparison on a page."""
    return dict(
        re.findall(r'data-testid="lifetime-cost" data-offer="([^"]+)" data-value="([^"]+)"', html)
    )


def quote_count(site: Site, tenant: str = "acme") -> int:
    with UnitOfWork(tenant, url=site.url) as uow:
        return uow.quotes.count()


def diff_rows(html: str, table: str = "diff") -> dict[str, tuple[str, str, str]]:
    """Label -> (before, after, change) of a table of version differences on a page."""
    m = re.search(rf'<table class="list" id="{table}">(.*?)</table>', html, re.S)
    assert m is not None, f"no table {table}"
    rows = re.findall(
        r'<tr data-path="[^"]*"><td>[^<]*</td><th scope="row">([^<]*)</th>'
        r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>',
        m.group(1),
    )
    return {unescape(label): (unescape(a), unescape(b), unescape(d)) for label, a, b, d in rows}


def visible_text(html: str) -> str:
    """The text of a page, tags removed, white space collapsed (non-breaking spaces too)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    body = re.sub(r"</?(a|strong|span|em|code|b|output)\b[^>]*>", "", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ").split())


def saved_request(site: Site, number: str, version: int | None = None) -> dict[str, Any]:
    with UnitOfWork("acme", url=site.url) as uow:
        return uow.quotes.version(number, version).request
