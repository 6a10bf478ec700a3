"""Text from users loses bidi controls and control characters where it enters the models, so a
name holding U+202E (right-to-left override) shows as typed in documents, workbooks and pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import openpyxl
import pytest

from tco import services
from tco.core.results import evaluate
from tco.core.scenario import parse_scenario, read_file
from tco.core.text import clean_text
from tco.presenters.document import render_html
from tco.presenters.info import QuoteInfo
from tco.presenters.xlsx import render_workbook
from tco.quoting.requests import parse_request
from tco.store import db
from tco.store.uow import UnitOfWork
from tests.conftest import EXAMPLES
from tests.test_store_support import demo_catalog, demo_request
from tests.websupport import (
    Site,
    TestClient,
    builder_values,
    client,
    compressor_quote,
    field_errors,
    make_site,
    sign_in,
)

RLO = "\u202e"  # right-to-left override: "Acme \u202eGmbH" displays as "Acme HbmG"
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CUSTOMER = f"Evil{RLO} Corp"
OFFER = f"Rival {RLO}3 kW"


def all_text(workbook: openpyxl.Workbook) -> str:
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )


# --------------------------------------------------------------------------------------------
# The cleaning function


@pytest.mark.parametrize("control", list(CONTROLS))
def test_every_bidi_override_embedding_and_isolate_is_removed(control: str) -> None:
    assert clean_text(f"Acme{control} GmbH") == "Acme GmbH"


def test_control_characters_go_and_line_breaks_become_spaces_in_names() -> None:
    assert clean_text("Acme\x00\x1b[31m\x7f\x9b GmbH") == "Acme[31m GmbH"
    assert clean_text("Acme\tGmbH\r\nHall 3\u2028B") == "Acme GmbH  Hall 3 B"


def test_notes_keep_their_line_breaks_and_tabs() -> None:
    assert clean_text(f"line 1\r\n{RLO}line 2\tend\x07", multiline=True) == "line 1\nline 2\tend"


def test_bidi_marks_stay_in_right_to_left_text_only() -> None:
    hebrew = "\u05e9\u05dc\u05d5\u05dd\u200f (2026)"
    assert clean_text(hebrew) == hebrew
    assert clean_text("Acme\u200f GmbH\u200e") == "Acme GmbH"


def test_text_of_every_script_stays_as_typed() -> None:
    for text in ("Müller Metallbau GmbH", "東京電力", "مصنع الأمل", "👷‍♀️ Team", "a\u200db"):
        assert clean_text(text) == text


# --------------------------------------------------------------------------------------------
# Where text enters: scenario, quote request, document header


def test_scenario_names_are_cleaned_when_read() -> None:
    raw = demo_scenario()
    raw["offers"][0]["name"] = OFFER
    raw["offers"][0]["costs"][0]["name"] = f"Compressor{RLO}"
    scenario = parse_scenario(raw)
    assert scenario.offers[0].name == "Rival 3 kW"
    assert scenario.offers[0].costs[0].name == "Compressor"


def test_quote_request_texts_are_cleaned_when_read() -> None:
    raw = demo_request()
    raw["customer"] = {"name": CUSTOMER}
    raw["seller"] = f"Anna{RLO} Berg"
    raw["title"] = f"{RLO}Compressed air"
    raw["offers"][1]["name"] = OFFER
    request, _ = parse_request(raw, demo_catalog())
    assert request.customer.name == "Evil Corp"
    assert request.seller == "Anna Berg"
    assert request.title == "Compressed air"
    assert request.offers[1].name == "Rival 3 kW"


def test_a_name_of_bidi_controls_only_is_missing() -> None:
    raw = demo_request()
    raw["customer"] = {"name": RLO * 3}
    with pytest.raises(Exception, match=r"customer\.name"):
        parse_request(raw, demo_catalog())


def test_document_and_workbook_headers_from_options_are_cleaned() -> None:
    info = QuoteInfo(customer=CUSTOMER, seller=f"{RLO}Anna", title=f"Offer{RLO}")
    assert (info.customer, info.seller, info.title) == ("Evil Corp", "Anna", "Offer")
    scenario = parse_scenario(demo_scenario())
    result = evaluate(scenario)
    html = render_html(scenario, result, locale="en", info=info)
    assert RLO not in html
    assert "Evil Corp" in unescape(html)
    book = openpyxl.load_workbook(
        io.BytesIO(render_workbook(scenario, result, locale="en", info=info))
    )
    text = all_text(book)
    assert RLO not in text
    assert "Evil Corp" in text


def demo_scenario() -> dict[str, Any]:
    data = read_file(EXAMPLES / "compressor.yaml")
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------------------------
# Through the web page: quote page, HTML document and workbook


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("bidi"))
    yield s
    db.dispose(s.url)


@pytest.fixture
def signed_in(site: Site) -> tuple[TestClient, str]:
    c = client(site)
    return c, sign_in(c)


def test_a_customer_and_an_offer_with_an_override_show_as_typed_everywhere(
    signed_in: tuple[TestClient, str],
) -> None:
    c, token = signed_in
    values = compressor_quote(
        builder_values(c.get("/quotes/new").text), customer_name=CUSTOMER, comp_name=OFFER
    )
    r = c.post("/quotes", data={**values, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, field_errors(r.text)
    number = re.sub(r"^/quotes/|\?.*$", "", r.headers["location"])
    page = c.get(f"/quotes/{number}").text
    assert RLO not in page
    assert "Evil Corp" in unescape(page)
    assert "Rival 3 kW" in unescape(page)
    assert "Evil Corp" in unescape(c.get("/quotes").text)
    html = c.get(f"/quotes/{number}/versions/1/quote.html").text
    assert RLO not in html
    assert "Evil Corp" in unescape(html)
    assert "Rival 3 kW" in unescape(html)
    xlsx = c.get(f"/quotes/{number}/versions/1/quote.xlsx").content
    text = all_text(openpyxl.load_workbook(io.BytesIO(xlsx)))
    assert RLO not in text
    assert "Evil Corp" in text
    assert "Rival 3 kW" in text


def test_a_revision_note_is_cleaned_and_keeps_its_lines(site: Site) -> None:
    uow = UnitOfWork("acme", url=site.url)
    number = services.create_quote(uow, demo_request(), by="test").summary.number
    view = services.revise_quote(
        uow, number, {}, by="test", note=f"Price agreed\r\nwith {RLO}Bob\x00"
    )
    assert view.version.note == "Price agreed\nwith Bob"
    assert services.show_quote(uow, number).version.note == "Price agreed\nwith Bob"
