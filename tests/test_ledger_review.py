"""The customer review document, HTML and PDF, English and German: the figures are the ledger's
rounded once, the German document has no English words of its own, the renewal offer is there."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tco.core.scenario import Category
from tco.ledger.events import ContactKind, Event, EventKind, Payer
from tco.ledger.followup import follow_ups
from tco.ledger.review import ReviewData
from tco.ledger.tracking import asset_status, customer_statuses
from tco.presenters.review import build_review_view, render_review_html, write_review
from tests.test_ledger import PROMISE, asset


def review_data(as_of: date = date(2027, 1, 31)) -> ReviewData:
    events = [
        Event(
            "r1",
            1,
            EventKind.repair,
            date(2026, 6, 1),
            cost=Decimal(450),
            payer=Payer.buyer,
            downtime_hours=Decimal(5),
        ),
        Event("h1", 1, EventKind.operating_hours, date(2026, 12, 1), hours=Decimal(3_000)),
        Event("c1", 2, EventKind.contact, date(2026, 12, 2), contact=ContactKind.complaint),
    ]
    statuses = [
        asset_status(asset(1), PROMISE, [e for e in events if e.asset_id == 1], as_of),
        asset_status(asset(2), PROMISE, [e for e in events if e.asset_id == 2], as_of),
    ]
    promises = {1: PROMISE, 2: PROMISE}
    (customer,) = customer_statuses(statuses, {1: "EUR", 2: "EUR"})
    return ReviewData(customer, promises, tuple(follow_ups(statuses, promises, as_of)), as_of)


def test_the_view_shows_the_ledgers_figures_rounded_once() -> None:
    data = review_data()
    v = build_review_view(data, locale="en")
    first = v.summary_rows[0]
    s = data.customer.assets[0]
    assert first[3] == f"EUR\xa0{s.promised_measured:,.2f}"
    assert first[4] == "EUR\xa0950.00"  # 450 + 5 h x 100
    assert first[5] == f"1 ({s.expected_failures:.2f})"
    (section,) = v.quotes
    rows = {r[0]: r for r in section.rows}
    assert rows["Repair"][2] == "EUR\xa0450.00"
    assert rows["Acquisition"][4] == "as promised"
    assert section.renewal[0] == "Care: the term of years 1–2 ends on March 2, 2028."
    assert section.renewal[1].startswith("Renewal offer: the same cover for years 3–4 at EUR")
    r = s.reliability
    assert r is not None
    assert f"MTBF {r.mtbf_hours:,.0f} hours" in section.reliability[0]
    assert any("Asset 1: the measured cost to date" in line for line in v.followup)
    assert Category.repair in {c.category for c in data.customer.assets[0].categories}


GERMAN_ONLY = re.compile(
    r"\b(Promised|Actual|Failures|expected|hours|Asset|Renewal|offer|Measured|Quote|years|"
    r"Customer|review|delivered|promised|measured|commissioned|Downtime|Lifetime)\b"
)


def test_the_german_review_has_no_english_words_of_its_own() -> None:
    html = render_review_html(review_data(), locale="de_DE")
    text = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(style|title|svg)[^>]*>.*?</\1>", "", html, flags=re.S)
    )
    text = text.replace("Compressor", "").replace("Competitor", "")
    assert '<html lang="de">' in html
    assert GERMAN_ONLY.findall(text) == []
    assert "Zugesagt und geliefert" in text
    assert "Verlängerungsangebot" in text
    assert "950,00\xa0EUR" in text


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (poppler-utils)")
    return path


@pytest.mark.pdf
@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_the_pdf_renders_with_its_figures(tmp_path: Path, locale: str) -> None:
    pdf = tmp_path / "review.pdf"
    write_review(review_data(), pdf=pdf, locale=locale)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    money = "950,00 EUR" if locale == "de_DE" else "EUR 950.00"
    assert money in text.replace("\xa0", " ")
    title = "Kundenüberprüfung" if locale == "de_DE" else "Customer review"
    assert title in text
