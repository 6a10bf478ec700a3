"""The salesperson's web page over HTTP (FastAPI's TestClient): sign-in and sessions, CSRF on
every form, tenant isolation, the builder's preview and validation messages, saving, revising,
status changes, downloads, the user command and the demo user."""

from __future__ import annotations

import copy
import dataclasses
import io
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from api.web.forms import COMP, OURS, field_of, form_from_request, request_from_form
from api.web.numbers import NumberError, format_number, parse_number
from api.web.views import comparison_view
from tco import services
from tco.cli.users import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_user, user_app
from tco.core.errors import ConflictError
from tco.core.results import evaluate
from tco.core.scenario import load_scenario
from tco.quoting.builder import CoverageTerm, price_quote
from tco.quoting.versions import apply_changes
from tco.store import db
from tco.store.uow import UnitOfWork
from tco.store.users import UserRow, authenticate
from tests.test_store_support import demo_catalog, demo_request
from tests.websupport import (
    OTHER,
    PASSWORD,
    SALES,
    Site,
    TestClient,
    builder_values,
    client,
    compressor_quote,
    csrf_of,
    diff_rows,
    field_errors,
    lifetime_costs,
    make_site,
    quote_count,
    saved_request,
    sign_in,
    visible_text,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the module: tests look only at the quotes they make themselves."""
    s = make_site(tmp_path_factory.mktemp("web"))
    yield s
    db.dispose(s.url)


@pytest.fixture
def anna(site: Site) -> tuple[TestClient, str]:
    c = client(site)
    return c, sign_in(c)


def new_quote(c: TestClient, token: str, **changes: str) -> str:
    """Save the compressor quote from the builder; returns its number."""
    values = compressor_quote(builder_values(c.get("/quotes/new").text), **changes)
    r = c.post("/quotes", data={**values, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    location = r.headers["location"]
    assert location.startswith("/quotes/Q-")
    assert location.endswith("?saved=1")
    return location.removeprefix("/quotes/").removesuffix("?saved=1")


# --------------------------------------------------------------------------------------------
# Signing in


def test_pages_send_visitors_to_the_sign_in_page_and_back(site: Site) -> None:
    c = client(site)
    r = c.get("/quotes/new", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/sign-in?next=%2Fquotes%2Fnew"
    page = c.get(r.headers["location"]).text
    assert 'name="next" value="/quotes/new"' in page
    r = c.post(
        "/sign-in",
        data={
            "csrf_token": csrf_of(page),
            "email": SALES,
            "password": PASSWORD,
            "next": "/quotes/new",
        },
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, "/quotes/new")


def test_a_wrong_password_gets_a_message_and_no_session(site: Site) -> None:
    c = client(site)
    token = csrf_of(c.get("/sign-in").text)
    r = c.post("/sign-in", data={"csrf_token": token, "email": SALES, "password": "wrong one!"})
    assert r.status_code == 400
    assert "The e-mail address or the password is wrong." in r.text
    assert c.get("/quotes", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_signed_httponly_and_samesite_lax(site: Site) -> None:
    c = client(site)
    token = csrf_of(c.get("/sign-in").text)
    r = c.post(
        "/sign-in",
        data={"csrf_token": token, "email": SALES.upper(), "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("tco_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert c.get("/quotes").status_code == 200
    value = c.cookies["tco_session"]
    c.cookies.set("tco_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert c.get("/quotes", follow_redirects=False).status_code == 303


def test_sign_in_follows_only_paths_on_this_site(site: Site) -> None:
    c = client(site)
    token = csrf_of(c.get("/sign-in?next=//evil.example/x").text)
    r = c.post(
        "/sign-in",
        data={"csrf_token": token, "email": SALES, "password": PASSWORD, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/quotes"


def test_sign_out_ends_the_session(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    r = c.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/sign-in")
    assert c.get("/quotes", follow_redirects=False).status_code == 303


def test_signing_in_starts_a_new_csrf_token(site: Site) -> None:
    c = client(site)
    before = csrf_of(c.get("/sign-in").text)
    after = sign_in(c)
    assert before != after


# --------------------------------------------------------------------------------------------
# CSRF


@pytest.mark.parametrize(
    "path",
    [
        "/quotes",
        "/quotes/preview",
        "/sign-out",
        "/language",
        "/quotes/{n}/status",
        "/quotes/{n}/revise",
    ],
)
@pytest.mark.parametrize("token", ["", "forged-token"])
def test_every_post_checks_the_csrf_token(
    anna: tuple[TestClient, str], path: str, token: str
) -> None:
    c, good = anna
    number = new_quote(c, good)
    before = quote_count_of(c)
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    values["status"] = "sent"
    r = c.post(path.replace("{n}", number), data=values, follow_redirects=False)
    assert r.status_code == 403
    assert "reload the page" in r.text
    assert c.get("/quotes", follow_redirects=False).status_code == 200  # still signed in
    assert quote_count_of(c) == before
    assert 'id="quote-status">draft<' in c.get(f"/quotes/{number}").text


def quote_count_of(c: TestClient) -> int:
    return len(set(re.findall(r'href="/quotes/(Q-\d{4}-\d{5})"', c.get("/quotes").text)))


def test_sign_in_needs_the_token_of_the_sign_in_page(site: Site) -> None:
    c = client(site)
    c.get("/sign-in")
    r = c.post("/sign-in", data={"csrf_token": "x", "email": SALES, "password": PASSWORD})
    assert r.status_code == 403


# --------------------------------------------------------------------------------------------
# Builder: preview and validation


def test_the_builder_starts_from_the_catalog_defaults(anna: tuple[TestClient, str]) -> None:
    c, _ = anna
    values = builder_values(c.get("/quotes/new").text)
    assert values["a_study_period_years"] == "10"
    assert values["a_discount_rate_pct"] == "7"
    assert values["a_downtime_cost_per_hour"] == "500"
    assert values["a_energy_price_per_kwh"] == "0.2"
    assert values["seller"] == "anna"
    page = c.get("/quotes/new").text
    for name in ("ours_sku", "ours_plan", "comp_price", "a_discount_rate_pct"):
        assert f'<label for="f-{name}">' in page, name  # every input has its label


def test_the_preview_prices_the_form_and_saves_nothing(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    count = quote_count(site)
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    r = c.post("/quotes/preview", data=values)
    assert r.status_code == 200
    costs = lifetime_costs(r.text)
    assert set(costs) == {OURS, COMP}
    assert float(costs[OURS]) < float(costs[COMP])
    saving = re.search(r'data-testid="saving">([^<]+)<', r.text)
    assert saving is not None
    assert saving.group(1).startswith("EUR")
    assert "<svg" in r.text
    assert "Crossover" in r.text
    assert quote_count(site) == count
    # the same request priced by the core gives the same lifetime costs
    request, _ = request_from_form(values)
    priced = price_quote(request, demo_catalog())
    for o in priced.result.offers:
        assert abs(float(costs[o.id]) - o.lifetime_cost) < 0.006


def test_adding_the_service_plan_changes_the_comparison(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    with_plan = lifetime_costs(c.post("/quotes/preview", data=values).text)
    without = lifetime_costs(c.post("/quotes/preview", data={**values, "ours_plan": ""}).text)
    assert with_plan[COMP] == without[COMP]
    assert float(with_plan[OURS]) < float(without[OURS])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ours_discount_pct": "120"}, "ours_discount_pct", "must be below 100 %"),
        ({"comp_mtbf_hours": "abc"}, "comp_mtbf_hours", "enter a number"),
        ({"customer_name": ""}, "customer_name", "required"),
        ({"comp_price": ""}, "comp_price", "required"),
        ({"ours_quantity": "1.5"}, "ours_quantity", "enter a whole number"),
        (
            {"ours_financing": "loan", "ours_loan_rate_pct": "4.5", "ours_term_years": "15"},
            "ours_term_years",
            "15 years is longer than the study period (10)",
        ),
        (
            {"ours_financing": "loan", "ours_term_years": "5"},
            "ours_loan_rate_pct",
            "required",
        ),
        (
            {"ours_financing": "lease", "ours_lease_payment": "9000"},
            "ours_term_years",
            "required",
        ),
        (
            {"customer_name": "x" * 201},
            "customer_name",
            "String should have at most 200 characters",
        ),
        ({"a_energy_price_per_kwh": "-1"}, "a_energy_price_per_kwh", "must be at least 0"),
        ({"customer_segment": "no such segment!"}, "customer_segment", "String should match"),
    ],
)
def test_a_problem_is_shown_next_to_its_field(
    site: Site, anna: tuple[TestClient, str], changes: dict[str, str], field: str, message: str
) -> None:
    c, token = anna
    count = quote_count(site)
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    values.update(changes)
    preview = c.post("/quotes/preview", data=values)
    assert field_errors(preview.text)[field].startswith(message)
    assert "lifetime-cost" not in preview.text
    saved = c.post("/quotes", data=values, follow_redirects=False)
    assert saved.status_code == 422
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', saved.text), (
        "the field is marked invalid"
    )
    assert field_errors(saved.text)[field].startswith(message)
    assert quote_count(site) == count


def test_problem_paths_find_their_fields() -> None:
    ids, roles = ["ours", "competitor"], {"ours": OURS, "competitor": COMP}
    assert field_of("offers[1].equipment[0].product.failures.mtbf_hours", ids, roles) == (
        "comp_mtbf_hours"
    )
    assert field_of("offers[0].equipment[0].discount", ids, roles) == "ours_discount_pct"
    assert field_of("offers[1].service.repair_covered", ids, roles) == "comp_repair_covered_pct"
    assert field_of("assumptions.discount_rate", ids, roles) == "a_discount_rate_pct"
    assert field_of("customer.name", ids, roles) == "customer_name"
    assert field_of("offers[2].costs[0].amount", [*ids, "keep"], roles) is None
    assert field_of("", ids, roles) is None


def test_the_form_shows_the_demo_quote_and_prices_it_the_same() -> None:
    """A saved request shown in the builder and sent back unchanged gives the same numbers."""
    catalog = demo_catalog()
    original = {**demo_request(), "as_of": "2026-03-02"}
    values = form_from_request(original, catalog)
    assert values is not None
    assert values["comp_name"] == "Competitor fixed-speed compressor 37 kW"
    assert values["ours_discount_pct"] == "8"
    changes, errors = request_from_form(values)
    assert not errors
    assert changes is not None
    again = price_quote(apply_changes(original, changes), catalog).result
    before = price_quote(original, catalog).result
    assert [round(o.lifetime_cost, 6) for o in again.offers] == [
        round(o.lifetime_cost, 6) for o in before.offers
    ]


# --------------------------------------------------------------------------------------------
# Saving, the quote page, revisions, status, downloads


def test_save_revise_and_download_the_workbook(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    number = new_quote(c, token)
    page = c.get(f"/quotes/{number}").text
    shown = lifetime_costs(page)
    assert "Version 1" in page
    assert 'id="revise"' in page

    values = builder_values(c.get(f"/quotes/{number}/revise").text)
    assert values["comp_name"] == "Competitor fixed-speed 37 kW"
    values.update(ours_discount_pct="10", note="10 % off", csrf_token=token)
    r = c.post(f"/quotes/{number}/revise", data=values, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    page = c.get(f"/quotes/{number}").text
    assert re.search(r'id="version-shown">2 of 2<', page)
    assert diff_rows(page)["Our offer · Discount"] == (
        "8\xa0%",
        "10\xa0%",
        "+2\xa0percentage points",
    )
    assert "10 % off" in page
    revised = lifetime_costs(page)
    assert float(revised[OURS]) < float(shown[OURS])
    assert lifetime_costs(c.get(f"/quotes/{number}?version=1").text) == shown

    r = c.get(f"/quotes/{number}/versions/2/quote.xlsx")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{number}-v2.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(r.content), data_only=True)
    for offer_id, text in revised.items():
        ((sheet, ref),) = wb.defined_names[f"lifetime_cost_{offer_id}"].destinations
        assert round(wb[sheet][ref.replace("$", "")].value, 2) == pytest.approx(float(text))
    html = c.get(f"/quotes/{number}/versions/1/quote.html")
    assert html.status_code == 200
    assert number in html.text


@pytest.mark.pdf
def test_the_pdf_of_a_version_downloads(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    number = new_quote(c, token)
    r = c.get(f"/quotes/{number}/versions/1/quote.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_status_changes_follow_the_lifecycle(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    number = new_quote(c, token)
    r = c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "sent"})
    assert 'id="quote-status">sent<' in r.text
    data = {"csrf_token": token, "status": "accepted", "confirm": "accepted"}
    c.post(f"/quotes/{number}/status", data=data)
    page = c.get(f"/quotes/{number}").text
    assert 'id="quote-status">accepted<' in page
    assert 'id="revise"' not in page
    assert 'action="/quotes/' + number + '/status"' not in page
    r = c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "draft"})
    assert "accepted; it cannot become draft" in r.text


def test_the_list_searches_filters_and_shows_newest_first(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    first = new_quote(c, token, customer_name="Listed Alpha Druckluft AG")
    second = new_quote(c, token, customer_name="Listed Beta Metall GmbH")

    def listed(query: str) -> list[str]:
        return re.findall(r'<a href="/quotes/(Q-[^"]+)">', c.get(f"/quotes?{query}").text)

    assert listed("q=LISTED") == [second, first]
    assert listed("q=listed+beta") == [second]
    assert listed(f"q={first}") == [first]
    c.post(f"/quotes/{first}/status", data={"csrf_token": token, "status": "sent"})
    assert listed("q=listed&status=sent") == [first]
    assert listed("q=listed&status=draft") == [second]


def test_another_tenants_quote_is_not_found(site: Site, anna: tuple[TestClient, str]) -> None:
    c, token = anna
    number = new_quote(c, token)
    olga = client(site)
    other_token = sign_in(olga, OTHER)
    assert number not in olga.get("/quotes").text
    for path in (
        f"/quotes/{number}",
        f"/quotes/{number}/revise",
        f"/quotes/{number}/versions/1/quote.xlsx",
    ):
        assert olga.get(path).status_code == 404, path
    data = {"csrf_token": other_token, "status": "rejected"}
    assert olga.post(f"/quotes/{number}/status", data=data).status_code == 404
    values = compressor_quote(builder_values(olga.get("/quotes/new").text), csrf_token=other_token)
    assert olga.post(f"/quotes/{number}/revise", data=values).status_code == 404
    assert olga.post("/quotes/preview", data={**values, "number": number}).status_code == 404
    assert 'id="quote-status">draft<' in c.get(f"/quotes/{number}").text


def test_the_page_speaks_german(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    r = c.post("/language", data={"csrf_token": token, "language": "de", "back": "/quotes/new"})
    assert r.url.path == "/quotes/new"
    assert '<html lang="de">' in r.text
    assert "Unser Angebot" in r.text
    assert "Kalkulationszins" in r.text
    values = compressor_quote(builder_values(r.text), csrf_token=token, comp_power_kw="43,5")
    preview = c.post("/quotes/preview", data=values).text
    assert "Lebenszykluskosten (Barwert)" in preview
    assert re.search(r'data-testid="saving">[\d.]+,\d\d\xa0EUR<', preview)


# --------------------------------------------------------------------------------------------
# Users


def test_user_create_stores_only_an_argon2_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    monkeypatch.setenv("TCO_DATABASE_URL", url)
    runner = CliRunner()
    args = ["create", "--tenant", "acme", "--email", "Ben@Acme.example", "--role", "admin"]
    out = runner.invoke(user_app, [*args, "--password-stdin"], input="a long password\n")
    assert out.exit_code == 0, out.output
    assert "user ben@acme.example (admin) created in tenant 'acme'" in out.stdout
    with db.session_factory(url)() as session:
        row = session.query(UserRow).one()
        assert row.password_hash.startswith("$argon2id$")
        assert "a long password" not in row.password_hash
        assert authenticate(session, "BEN@acme.example", "a long password") is not None
        assert authenticate(session, "ben@acme.example", "a long passwor") is None
    again = runner.invoke(user_app, [*args, "--password-stdin"], input="a long password\n")
    assert again.exit_code == 2
    assert "a user ben@acme.example exists already" in again.stderr
    short = runner.invoke(
        user_app,
        ["create", "--tenant", "acme", "--email", "c@acme.example", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 2
    assert "password: must be at least 10 characters long" in short.stderr
    role = runner.invoke(user_app, [*args[:-1], "boss", "--password-stdin"], input="x" * 12)
    assert role.exit_code == 2
    db.dispose(url)


def test_the_demo_user_signs_in_to_the_demo_quotes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = ensure_demo_user(url)
    again = ensure_demo_user(url)
    assert first == again
    assert (first.email, first.password) == (DEMO_EMAIL, DEMO_PASSWORD)
    c = client(Site(url, tmp_path))
    sign_in(c, DEMO_EMAIL, DEMO_PASSWORD)
    assert len(set(re.findall(r'href="/quotes/(Q-[^"]+)"', c.get("/quotes").text))) == 2
    assert 'id="revise"' in c.get("/quotes/Q-2026-00001").text
    db.dispose(url)
    with pytest.raises(Exception, match="only for the embedded SQLite database"):
        ensure_demo_user("postgresql+psycopg://nobody@127.0.0.1/none")


# --------------------------------------------------------------------------------------------
# Paybacks, their reversal and the coverage terms on the quote page


def reversal_request() -> dict[str, Any]:
    """The demo compressor quote with a 90,000 airend replacement of ours in year 4: ours pays
    back in year 1, is dearer again from year 4 and cheaper again from year 6."""
    request = copy.deepcopy(demo_request())
    request["offers"][0]["extra_costs"] = [
        {"name": "Airend replacement", "category": "replacement", "amount": 90000, "year": 4}
    ]
    return request


def saved_quote(site: Site, request: dict[str, Any]) -> str:
    return services.create_quote(
        UnitOfWork("acme", url=site.url), request, by="test"
    ).summary.number


def cells(html: str, testid: str) -> dict[str, str]:
    """Offer id -> text of the comparison cells marked ``data-testid``."""
    return dict(re.findall(rf'data-testid="{testid}" data-offer="([^"]+)">([^<]*)<', html))


def headline(html: str) -> str:
    m = re.search(r'<p class="headline" id="headline">(.*?)</p>', html, re.S)
    assert m is not None
    return " ".join(unescape(re.sub(r"<[^>]+>", "", m.group(1))).replace("\xa0", " ").split())


def test_the_quote_page_states_the_payback_and_its_reversal(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    request = reversal_request()
    ours = price_quote(request, demo_catalog()).result.comparison.offers["ours"]
    years = (ours.discounted_payback_year, ours.savings_negative_again_year)
    assert (*years, ours.savings_recovered_year) == (1, 4, 6)
    number = saved_quote(site, request)
    page = c.get(f"/quotes/{number}").text
    assert cells(page, "payback") == {"ours": "1", "competitor": "baseline"}
    assert cells(page, "dearer-again") == {"ours": "4", "competitor": "baseline"}
    assert cells(page, "cheaper-again") == {"ours": "6", "competitor": "baseline"}
    assert headline(page).endswith(
        "it pays back in year 1; after the Airend replacement in year 4 it is dearer again until "
        "year 6."
    )
    c.post("/language", data={"csrf_token": token, "language": "de", "back": "/quotes"})
    german = c.get(f"/quotes/{number}").text
    assert "Wieder teurer ab Jahr" in german
    assert "Wieder günstiger ab Jahr" in german
    assert headline(german).endswith(
        "es amortisiert sich im Jahr 1; nach der Position „Airend replacement“ im Jahr 4 ist es "
        "bis zum Jahr 6 wieder teurer."
    )
    c.post("/language", data={"csrf_token": token, "language": "en", "back": "/quotes"})


def test_the_builder_preview_shows_the_reversal_rows_only_when_there_is_one(
    anna: tuple[TestClient, str],
) -> None:
    c, token = anna
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    preview = c.post("/quotes/preview", data=values).text
    assert cells(preview, "payback") == {OURS: "1", COMP: "baseline"}
    assert "Dearer again from year" not in preview
    assert cells(preview, "dearer-again") == {}


def test_the_quote_page_shows_the_coverage_terms_of_the_version(
    site: Site, anna: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page shows the terms the service layer gives for the version's documents (here
    added to what it gives today), the years they cover, and the buyer's effort note."""
    c, _ = anna
    number = saved_quote(site, demo_request())
    terms = (
        CoverageTerm(offer_id="ours", kind="warranty", name="Warranty", from_year=1,
                     until_year=2, repair_covered=1.0),
        CoverageTerm(offer_id="ours", kind="service_plan", name="FullCare", code="FULLCARE",
                     from_year=1, until_year=5, repair_covered=1.0, maintenance_covered=1.0,
                     response_hours=8, downtime_hours=10, uptime_promise=0.98,
                     annual_fee=Decimal("2400")),
    )  # fmt: skip
    real = services.export_data

    def with_terms(uow: UnitOfWork, number: str, version: int | None = None) -> Any:
        data = real(uow, number, version)
        info = data.info.model_copy(update={"coverage": terms, "buyer_effort_counted": False})
        return dataclasses.replace(data, info=info)

    monkeypatch.setattr(services, "export_data", with_terms)
    page = c.get(f"/quotes/{number}").text
    assert 'id="coverage"' in page
    assert "Warranty and service cover" in page
    rows = re.findall(r'<span class="key"[^>]*>([A-Z+]+)</span> ([^<]+?) *<', page)
    assert rows == [("A", "Warranty"), ("B", "FullCare")]
    strip = dict(re.findall(r'data-year="(\d+)"[^>]*>([^<]*)<', page))
    n = demo_request()["assumptions"].get("study_period_years", 10)
    assert strip == {str(y): "A+B" if y <= 2 else "B" if y <= 5 else "–" for y in range(1, n + 1)}
    text = " ".join(unescape(page).replace("\xa0", " ").split())
    assert f"Covered in years 1–5 of the {n}-year study period; not covered in years 6–{n}." in text
    assert "EUR 2,400.00" in text
    assert "98 %" in text
    assert "The buyer's own procurement effort (raising purchase and repair orders) is not " in text


def test_without_terms_from_the_service_layer_the_page_shows_the_scenarios_periods() -> None:
    sc = load_scenario(Path(__file__).resolve().parents[1] / "examples" / "pump.yaml")
    view = comparison_view(sc, evaluate(sc), "de")
    ours = view.doc.coverage[0]
    assert [r.name for r in ours.rows] == ["Warranty + FullCare", "FullCare"]
    assert [cell.key for cell in ours.strip[0]] == ["A"] * 2 + ["B"] * 3 + ["–"] * 10
    assert ours.years.startswith("Abgedeckt in den Jahren 1–5")
    assert view.doc.effort_note == ""  # counted unless the quote says otherwise


def test_a_plan_renewal_chosen_in_the_builder_is_saved_and_shown_again(
    anna: tuple[TestClient, str], site: Site
) -> None:
    c, token = anna
    options = c.get("/quotes/new").text
    assert "5 years term" in options  # the plan's term is stated where it is chosen
    short = new_quote(c, token)  # FullCare's five years only
    renewed = new_quote(c, token, ours_renew="to_end")
    with UnitOfWork("acme", url=site.url) as uow:
        requests = {n: uow.quotes.version(n, None).request for n in (short, renewed)}
    assert requests[short]["offers"][0].get("renew") is None
    assert requests[renewed]["offers"][0]["renew"] == "to_end"
    costs = {n: float(lifetime_costs(c.get(f"/quotes/{n}").text)[OURS]) for n in (short, renewed)}
    assert costs[short] != costs[renewed]  # years 6-10 covered or not
    assert builder_values(c.get(f"/quotes/{renewed}/revise").text)["ours_renew"] == "to_end"
    values = compressor_quote(builder_values(c.get("/quotes/new").text), ours_renew="forever")
    r = c.post("/quotes", data={**values, "csrf_token": token}, follow_redirects=False)
    assert "ours_renew" in field_errors(r.text)


# --------------------------------------------------------------------------------------------
# Numbers in the page's locale


def german(c: TestClient, token: str) -> None:
    c.post("/language", data={"csrf_token": token, "language": "de", "back": "/quotes"})


def test_number_parsing_follows_the_locale_and_refuses_what_it_cannot_read() -> None:
    assert parse_number("8,5", "de") == Decimal("8.5")
    assert parse_number("29.500", "de") == Decimal(29500)
    assert parse_number("29.500,00", "de") == Decimal(29500)
    assert parse_number("29,500.00", "en") == Decimal(29500)
    assert parse_number("8.5", "en") == Decimal("8.5")
    assert parse_number(" −3 ", "en") == Decimal(-3)
    assert parse_number("", "de") is None
    for text, language in [
        ("29k5OO", "de"),
        ("29k5OO", "en"),
        ("43.5", "de"),  # the point groups thousands in German: 3 digits must follow
        ("29,500.00", "de"),
        ("8,5", "en"),
        ("1e5", "en"),
        ("NaN", "de"),
        ("29 500", "de"),
        ("1.2.3", "en"),
        (",", "de"),
    ]:
        with pytest.raises(NumberError):
            parse_number(text, language)
    assert format_number(Decimal(29500), "de") == "29.500"
    assert format_number(0.2, "de") == "0,2"
    assert format_number("45650.50", "en") == "45,650.5"


def test_a_german_form_reads_and_shows_numbers_the_german_way(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    german(c, token)
    page = c.get("/quotes/new").text
    values = builder_values(page)
    assert values["number_locale"] == "de"
    assert values["a_energy_price_per_kwh"] == "0,2"
    assert values["a_operating_hours_per_year"] == "4.000"
    assert 'type="number"' not in page  # numbers are typed as text in the page's format
    values = compressor_quote(
        values, csrf_token=token, ours_discount_pct="8,5", comp_price="29.500", comp_power_kw="43,5"
    )
    r = c.post("/quotes", data=values, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    number = r.headers["location"].removeprefix("/quotes/").split("?")[0]
    request = saved_request(site, number)
    ours, comp = request["offers"]
    assert Decimal(ours["equipment"][0]["discount"]) == Decimal("0.085")
    assert Decimal(comp["equipment"][0]["unit_price"]) == Decimal(29500)
    assert comp["equipment"][0]["product"]["energy"]["power_kw"] == 43.5
    # the revise form shows them the same way, and sending it back changes nothing
    again = builder_values(c.get(f"/quotes/{number}/revise").text)
    assert (again["ours_discount_pct"], again["comp_price"], again["comp_power_kw"]) == (
        "8,5",
        "29.500",
        "43,5",
    )
    r = c.post(f"/quotes/{number}/revise", data={**again, "csrf_token": token})
    assert r.status_code == 200, field_errors(r.text)
    assert "Nichts geändert." in r.text  # version 2 has the inputs of version 1


@pytest.mark.parametrize(
    ("language", "field", "text", "message"),
    [
        ("de", "comp_price", "29k5OO", "Bitte eine Zahl wie 29.500,00 eingeben"),
        ("en", "comp_price", "29k5OO", "enter a number such as 29,500.00"),
        ("de", "ours_discount_pct", "8.5", "Bitte eine Zahl wie 8,5 eingeben"),
        ("en", "ours_discount_pct", "8,5", "enter a number such as 8.5"),
        ("de", "comp_power_kw", "43.5", "Bitte eine Zahl wie 4.000,5 eingeben"),
        ("en", "comp_life_years", "1e1", "enter a whole number such as 4,000"),
        ("en", "comp_mtbf_hours", "NaN", "enter a number such as 4,000.5"),
    ],
)
def test_a_number_the_page_cannot_read_is_refused_in_its_language(
    site: Site,
    anna: tuple[TestClient, str],
    language: str,
    field: str,
    text: str,
    message: str,
) -> None:
    c, token = anna
    if language == "de":
        german(c, token)
    count = quote_count(site)
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    values["comp_power_kw"] = "43,5" if language == "de" else "43.5"
    values[field] = text
    assert field_errors(c.post("/quotes/preview", data=values).text)[field] == message
    saved = c.post("/quotes", data=values, follow_redirects=False)
    assert saved.status_code == 422
    assert field_errors(saved.text)[field] == message
    assert f'value="{text}"' in saved.text  # what was typed is shown again, as typed
    assert quote_count(site) == count


def test_a_form_keeps_reading_numbers_in_the_locale_it_was_made_in(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    """The page language switched in another tab: a German form still means 29.500 euros."""
    c, token = anna
    german(c, token)
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text),
        csrf_token=token,
        comp_price="29.500",
        comp_power_kw="43,5",
    )
    c.post("/language", data={"csrf_token": token, "language": "en", "back": "/quotes"})
    r = c.post("/quotes", data=values, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    number = r.headers["location"].removeprefix("/quotes/").split("?")[0]
    comp = saved_request(site, number)["offers"][1]
    assert Decimal(comp["equipment"][0]["unit_price"]) == Decimal(29500)


# --------------------------------------------------------------------------------------------
# Plausibility warnings


def test_a_discount_above_the_limit_must_be_confirmed(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    count = quote_count(site)
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), csrf_token=token, ours_discount_pct="20"
    )
    preview = c.post("/quotes/preview", data=values).text
    m = re.search(r'id="preview-checks" data-digest="([0-9a-f]+)"', preview)
    assert m is not None
    digest = m.group(1)
    assert "20 % is above your discount limit of 15 %" in visible_text(preview)
    assert "lifetime-cost" in preview  # a warning, not an error: the comparison is shown
    r = c.post("/quotes", data=values, follow_redirects=False)
    assert r.status_code == 422
    assert quote_count(site) == count
    text = visible_text(r.text)
    assert "Please check these numbers: Discount: 20 % is above your discount limit of 15 %" in text
    assert "Tick “I checked the numbers” once you have checked them; then save again." in text
    assert f'name="numbers_checked" value="{digest}"' in r.text
    # a tick given for other warnings (another discount) does not count
    other = c.post("/quotes", data={**values, "ours_discount_pct": "25", "numbers_checked": digest})
    assert other.status_code == 422
    r = c.post("/quotes", data={**values, "numbers_checked": digest}, follow_redirects=False)
    assert r.status_code == 303
    assert quote_count(site) == count + 1


def test_a_price_far_from_the_list_price_is_questioned(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), csrf_token=token, comp_price="29.50"
    )
    text = visible_text(c.post("/quotes/preview", data=values).text)
    assert (
        "Price: EUR 29.50 is 100 % below the list price of VSD compressor 37 kW (EUR 45,650.00)"
        in text
    )
    german(c, token)
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text),
        csrf_token=token,
        comp_price="99.000",
        comp_power_kw="43,5",
    )
    text = visible_text(c.post("/quotes/preview", data=values).text)
    assert (
        "Preis: 99.000,00 EUR liegt 117 % über dem Listenpreis von VSD compressor 37 kW "
        "(45.650,00 EUR)" in text
    )
    fine = compressor_quote(values, comp_price="29.500", comp_power_kw="43,5")
    assert "preview-checks" not in c.post("/quotes/preview", data=fine).text


def test_the_discount_limit_is_a_setting(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCO_DISCOUNT_LIMIT_PERCENT", "25")
    c = client(site)
    token = sign_in(c)
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), csrf_token=token, ours_discount_pct="20"
    )
    assert "preview-checks" not in c.post("/quotes/preview", data=values).text
    values["ours_discount_pct"] = "30"
    assert "30 % is above your discount limit of 25 %" in visible_text(
        c.post("/quotes/preview", data=values).text
    )


# --------------------------------------------------------------------------------------------
# Revisions made on a version that is no longer the latest


def test_revise_quote_refuses_changes_made_on_an_older_version(site: Site) -> None:
    uow = UnitOfWork("acme", url=site.url)
    number = services.create_quote(uow, demo_request(), by="test").summary.number
    services.revise_quote(uow, number, {"title": "first"}, by="a", expected_version=1)
    with pytest.raises(ConflictError) as info:
        services.revise_quote(uow, number, {"title": "second"}, by="b", expected_version=1)
    assert info.value.problems[0].path == "version"
    assert "is at version 2; these changes were made on version 1" in str(info.value)
    assert services.show_quote(uow, number).summary.current_version == 2
    # without the argument a revision applies to the latest version, as before
    services.revise_quote(uow, number, {"title": "third"}, by="c")
    assert services.show_quote(uow, number).version.request["title"] == "third"


def test_a_second_tab_gets_a_conflict_page_and_saves_nothing(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    number = new_quote(c, token)
    first = builder_values(c.get(f"/quotes/{number}/revise").text)
    second = builder_values(c.get(f"/quotes/{number}/revise").text)
    assert first["base_version"] == second["base_version"] == "1"
    assert first["form_token"] != second["form_token"]
    r = c.post(
        f"/quotes/{number}/revise",
        data={**first, "ours_discount_pct": "12", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    second.update(title="Air for hall 4", note="new hall", csrf_token=token)
    preview = visible_text(c.post("/quotes/preview", data=second).text)
    assert "Version 2 of this quote was saved meanwhile by user:anna@acme.example" in preview
    r = c.post(f"/quotes/{number}/revise", data=second)
    assert r.status_code == 409
    assert saved_request(site, number)["title"] == "Compressed air for hall 3"
    assert 'id="version-shown">2 of 2<' in c.get(f"/quotes/{number}").text
    text = visible_text(r.text)
    assert "Nothing was saved. You started from version 1; version 2 was saved meanwhile by" in text
    assert diff_rows(r.text, "theirs")["Our offer · Discount"] == (
        "8\xa0%",
        "12\xa0%",
        "+4\xa0percentage points",
    )
    yours = re.findall(r'<tr data-field="([^"]+)"><th scope="row">([^<]+)</th>', r.text)
    assert yours == [("title", "Title")]
    assert "Air for hall 4" in text
    assert f'href="/quotes/{number}/revise" id="reload-latest"' in r.text
    assert "Load version 2 into the form" in text


# --------------------------------------------------------------------------------------------
# One quote per submitted form


def test_a_form_submitted_twice_saves_one_quote(site: Site, anna: tuple[TestClient, str]) -> None:
    c, token = anna
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    count = quote_count(site)
    first = c.post("/quotes", data=values, follow_redirects=False)
    again = c.post("/quotes", data=values, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    number = first.headers["location"].split("?")[0]
    assert again.headers["location"] == f"{number}?saved=1&again=same"
    assert quote_count(site) == count + 1
    page = c.get(again.headers["location"]).text
    assert "This form had already been saved: quote" in visible_text(page)
    changed = c.post("/quotes", data={**values, "customer_name": "Other"}, follow_redirects=False)
    assert changed.headers["location"] == f"{number}?saved=1&again=changed"
    assert quote_count(site) == count + 1
    # a revision form, twice: one version
    rev = {**builder_values(c.get(f"{number}/revise").text), "csrf_token": token}
    rev["ours_discount_pct"] = "10"
    locations = [
        c.post(f"{number}/revise", data=rev, follow_redirects=False).headers["location"]
        for _ in range(2)
    ]
    assert locations == [f"{number}?saved=2", f"{number}?saved=2&again=same"]
    assert 'id="version-shown">2 of 2<' in c.get(number).text


def test_a_double_click_saves_one_quote(site: Site, anna: tuple[TestClient, str]) -> None:
    """Two requests with the same form at the same time (two app instances, one database)."""
    c, token = anna
    values = compressor_quote(builder_values(c.get("/quotes/new").text), csrf_token=token)
    count = quote_count(site)
    clients = [c, client(site)]
    clients[1].cookies = c.cookies
    barrier = threading.Barrier(2)

    def submit(k: int) -> str:
        barrier.wait()
        r = clients[k].post("/quotes", data=values, follow_redirects=False)
        return str(r.headers["location"]).split("?")[0]

    with ThreadPoolExecutor(2) as pool:
        numbers = list(pool.map(submit, range(2)))
    assert numbers[0] == numbers[1]
    assert quote_count(site) == count + 1


# --------------------------------------------------------------------------------------------
# Another service plan while revising


def test_another_plan_while_revising_asks_for_the_current_catalog(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    c, token = anna
    number = new_quote(c, token)  # FullCare: the snapshot holds no other plan
    values = {**builder_values(c.get(f"/quotes/{number}/revise").text), "csrf_token": token}
    values["ours_plan"] = "STANDARD"
    preview = c.post("/quotes/preview", data=values).text
    assert 'data-reprice-needed="yes"' in preview
    assert "lifetime-cost" in preview  # priced with the current catalog, as it will be saved
    assert "unknown service plan" not in preview
    text = visible_text(preview)
    assert "“Standard” (STANDARD) is not among the prices saved with version 1" in text
    r = c.post(f"/quotes/{number}/revise", data=values)
    assert r.status_code == 422
    assert re.search(r'id="f-reprice"[^>]*checked', r.text)  # pre-ticked
    assert "Check it and save again." in visible_text(r.text)
    assert 'id="version-shown">1 of 1<' in c.get(f"/quotes/{number}").text
    r = c.post(f"/quotes/{number}/revise", data={**values, "reprice": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert saved_request(site, number)["offers"][0]["service_plan"] == "STANDARD"


# --------------------------------------------------------------------------------------------
# Final statuses, readable differences, messages after saving


@pytest.mark.parametrize("final", ["accepted", "rejected"])
def test_a_final_status_is_confirmed_first(anna: tuple[TestClient, str], final: str) -> None:
    c, token = anna
    number = new_quote(c, token)
    c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "sent"})
    r = c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": final})
    assert r.status_code == 200
    assert f"Mark quote {number} as {final}?" in visible_text(r.text)
    assert f'name="confirm" value="{final}"' in r.text
    assert 'id="quote-status">sent<' in c.get(f"/quotes/{number}").text
    r = c.post(
        f"/quotes/{number}/status", data={"csrf_token": token, "status": final, "confirm": final}
    )
    assert f'id="quote-status">{final}<' in r.text


def test_version_differences_are_labelled_and_formatted(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    number = new_quote(c, token)
    values = {**builder_values(c.get(f"/quotes/{number}/revise").text), "csrf_token": token}
    values.update(ours_discount_pct="12", comp_price="31,000", a_discount_rate_pct="6.5")
    assert c.post(f"/quotes/{number}/revise", data=values).status_code == 200
    page = c.get(f"/quotes/{number}").text
    rows = diff_rows(page)
    assert rows["Our offer · Discount"] == ("8\xa0%", "12\xa0%", "+4\xa0percentage points")
    assert rows["Compared with · Price"] == (
        "EUR\xa029,500.00",
        "EUR\xa031,000.00",
        "EUR\xa0+1,500.00",
    )
    assert rows["Assumptions · Discount rate"][:2] == ("7\xa0%", "6.5\xa0%")
    old, new, delta = rows["Our offer · Lifetime cost (present value)"]
    assert old.startswith("EUR\xa0")
    assert new.startswith("EUR\xa0")
    assert delta.startswith("EUR\xa0+")  # a lower discount rate: more present value
    assert "offers[" not in visible_text(page)  # no raw paths
    german(c, token)
    rows = diff_rows(c.get(f"/quotes/{number}").text)
    assert rows["Unser Angebot · Rabatt"] == ("8\xa0%", "12\xa0%", "+4\xa0Prozentpunkte")
    assert rows["Verglichen mit · Preis"] == (
        "29.500,00\xa0EUR",
        "31.000,00\xa0EUR",
        "+1.500,00\xa0EUR",
    )
    assert rows["Annahmen · Kalkulationszins"][:2] == ("7\xa0%", "6,5\xa0%")
    assert "Unser Angebot · Lebenszykluskosten (Barwert)" in rows


def test_saving_says_so_and_a_missing_version_names_the_versions(
    anna: tuple[TestClient, str],
) -> None:
    c, token = anna
    number = new_quote(c, token)
    page = c.get(f"/quotes/{number}?saved=1").text
    assert f"Quote {number} saved as version 1." in visible_text(page)
    assert 'data-clear-drafts="tco-draft:' in page
    values = {**builder_values(c.get(f"/quotes/{number}/revise").text), "csrf_token": token}
    values["ours_discount_pct"] = "9"
    r = c.post(f"/quotes/{number}/revise", data=values)
    assert f"Quote {number} saved as version 2." in visible_text(r.text)
    r = c.get(f"/quotes/{number}?version=99")
    assert r.status_code == 404
    assert f"Version 99 of quote {number} does not exist; it has versions 1–2." in visible_text(
        r.text
    )
    assert f'href="/quotes/{number}" id="error-link">Show the latest version (2)<' in r.text
    german(c, token)
    r = c.get(f"/quotes/{number}?version=99")
    assert f"Version 99 des Angebots {number} gibt es nicht; es hat die Versionen 1–2." in (
        visible_text(r.text)
    )
    assert c.get("/quotes/Q-2026-99999?version=2").status_code == 404
