"""The salesperson's web page over HTTP (FastAPI's TestClient): sign-in and sessions, CSRF on
every form, tenant isolation, the builder's preview and validation messages, saving, revising,
status changes, downloads, the user command and the demo user."""

from __future__ import annotations

import copy
import dataclasses
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from api.web.forms import COMP, OURS, field_of, form_from_request, request_from_form
from api.web.views import comparison_view
from tco import services
from tco.quote import CoverageTerm, apply_changes, price_quote
from tco.results import evaluate
from tco.scenario import load_scenario
from tco.store import db
from tco.store.uow import UnitOfWork
from tco.store.users import UserRow, authenticate
from tco.usercli import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_user, user_app
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
    field_errors,
    lifetime_costs,
    make_site,
    quote_count,
    sign_in,
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
    return location.removeprefix("/quotes/")


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
    assert "offers[ours].equipment[0].discount" in page  # the diff of version 1 and 2
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
    c.post(f"/quotes/{number}/status", data={"csrf_token": token, "status": "accepted"})
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
    values = compressor_quote(builder_values(r.text), csrf_token=token)
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
