"""The builder's range presets: what they ask of the quote, the range the preview shows, and a
saved quote's ranges shown again on the revision form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import TYPE_CHECKING, Any

import pytest

from api.web.forms import COMP, OURS, form_from_request, request_from_form
from tco.core.money import round_money
from tco.quoting.builder import price_quote
from tco.store import db
from tests.test_store_support import demo_catalog, demo_request
from tests.websupport import (
    Site,
    builder_values,
    client,
    compressor_quote,
    make_site,
    saved_request,
    sign_in,
)

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("web-ranges"))
    yield s
    db.dispose(s.url)


@pytest.fixture
def anna(site: Site) -> tuple[TestClient, str]:
    c = client(site)
    return c, sign_in(c)


def ranges_of(request: dict[str, Any]) -> set[tuple[str, str | None, float]]:
    return {(r["input"], r.get("offer"), r["spread"]) for r in request["uncertainty"]["ranges"]}


def cells(html: str, testid: str) -> list[str]:
    return [unescape(x) for x in re.findall(rf'data-testid="{testid}">([^<]*)<', html)]


def test_a_new_form_starts_with_the_catalogs_ranges_and_asks_for_no_other(
    anna: tuple[TestClient, str],
) -> None:
    c, _ = anna
    values = builder_values(c.get("/quotes/new").text)
    assert values["u_ours_mtbf"] == "catalog"
    assert values["u_energy_price"] == ""
    request, errors = request_from_form(compressor_quote(values))
    assert not errors
    assert request is not None
    assert request["uncertainty"] == {"ranges": []}
    priced = price_quote(request, demo_catalog())
    unc = priced.built.scenario.uncertainty
    assert unc is not None  # the demo product's default ranges
    assert {i.name for i in unc.inputs} == {
        "VSD compressor 37 kW: energy use",
        "VSD compressor 37 kW: time between failures",
    }


def test_presets_become_ranges_and_none_removes_the_catalogs(
    anna: tuple[TestClient, str],
) -> None:
    c, _ = anna
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text),
        u_energy_price="0.2",
        u_ours_mtbf="0",
        u_comp_mtbf="0.3",
        u_discount_rate="0.1",
    )
    request, errors = request_from_form(values)
    assert not errors
    assert request is not None
    assert ranges_of(request) == {
        ("energy_price", None, 0.2),
        ("mtbf", OURS, 0.0),
        ("mtbf", COMP, 0.3),
        ("discount_rate", None, 0.1),
    }
    unc = price_quote(request, demo_catalog()).built.scenario.uncertainty
    assert unc is not None
    names = {i.name for i in unc.inputs}
    assert "VSD compressor 37 kW: time between failures" not in names
    assert "Electricity price" in names


def test_the_preview_shows_each_offers_range_and_chances(anna: tuple[TestClient, str]) -> None:
    c, token = anna
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), csrf_token=token, u_energy_price="0.3"
    )
    r = c.post("/quotes/preview", data=values)
    assert r.status_code == 200, r.text
    request, _ = request_from_form(values)
    priced = price_quote(request, demo_catalog())
    block = priced.result.uncertainty
    assert block is not None
    shown = cells(r.text, "range")
    assert len(shown) == 2
    for text, offer in zip(shown, priced.result.offers, strict=True):
        spread = block.offers[offer.id].lifetime_cost
        low, high = (round_money(x, "EUR") for x in (spread.p10, spread.p90))
        assert f"{low:,.2f}" in text
        assert f"{high:,.2f}" in text
    chances = cells(r.text, "chance-lowest")
    expected = [f"{block.offers[o.id].probability_lowest_cost:.0%}" for o in priced.result.offers]
    assert [x.replace("\u00a0", "").replace(" ", "") for x in chances] == expected
    assert "2,000 simulated futures" in r.text
    # without ranges the rows are not there
    off = c.post(
        "/quotes/preview",
        data={**values, "u_energy_price": "", "u_ours_mtbf": "0", "u_ours_energy_use": "0"},
    )
    assert cells(off.text, "range") == []


def test_a_saved_quotes_ranges_come_back_on_the_revision_form(
    site: Site, anna: tuple[TestClient, str]
) -> None:
    req = demo_request()
    req["uncertainty"] = {
        "seed": 9,
        "ranges": [
            {"input": "energy_price", "spread": 0.2},
            {"input": "mtbf", "offer": "ours", "spread": 0.3},
            {"input": "repair_cost", "offer": "competitor", "low": 0.9, "high": 1.4},
        ],
    }
    values = form_from_request(req, demo_catalog())
    assert values is not None
    assert (values["u_energy_price"], values["u_ours_mtbf"]) == ("0.2", "0.3")
    assert values["u_ours_energy_use"] == "catalog"
    again, errors = request_from_form(values)
    assert not errors
    assert again is not None
    assert again["uncertainty"]["seed"] == 9
    assert again["uncertainty"]["ranges"] == [
        {"input": "repair_cost", "offer": "competitor", "low": 0.9, "high": 1.4},
        {"input": "energy_price", "spread": 0.2},
        {"input": "mtbf", "offer": "ours", "spread": 0.3},
    ]
    # saving through the page keeps them, and a preset set back to none removes its range
    c, token = anna
    page = c.get("/quotes/new").text
    new = compressor_quote(builder_values(page), csrf_token=token, u_energy_price="0.2")
    r = c.post("/quotes", data=new, follow_redirects=False)
    assert r.status_code == 303, r.text
    number = r.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    assert ranges_of(saved_request(site, number)) == {("energy_price", None, 0.2)}
    form = builder_values(c.get(f"/quotes/{number}/revise").text)
    assert form["u_energy_price"] == "0.2"
    form.update(csrf_token=token, u_energy_price="")
    r = c.post(f"/quotes/{number}/revise", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert saved_request(site, number).get("uncertainty", {}).get("ranges", []) == []
