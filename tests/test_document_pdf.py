"""The quote document as PDF: it renders, poppler reads the headline saving from it, and page
one (headline, figures and both charts) turns into a PNG."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tco.cli.main import app
from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, load_scenario, parse_scenario
from tco.presenters.document import build_view, render_pdf, write_document
from tco.presenters.info import QuoteInfo
from tco.quoting.builder import CoverageTerm
from tests.test_document import LONG_NAMES, many_offers

pytestmark = pytest.mark.pdf

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed; `make system` installs it")
    return path


@pytest.fixture(scope="module")
def compressor() -> tuple[Scenario, ScenarioResult]:
    sc = load_scenario(EXAMPLES / "compressor.yaml")
    return sc, evaluate(sc)


def _saving(result: ScenarioResult) -> Decimal:
    lcc = {o.id: _cents(o.lifetime_cost) for o in result.offers}
    return lcc[result.comparison.baseline] - lcc[result.comparison.recommended]


def _text(pdf: Path, *pages: str) -> str:
    out = subprocess.run(
        [_poppler("pdftotext"), *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(out.replace("\u00a0", " ").split())


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_pdf_renders_and_pdftotext_finds_the_headline_saving(
    tmp_path: Path, compressor: tuple[Scenario, ScenarioResult], locale: str
) -> None:
    sc, result = compressor
    pdf = tmp_path / "quote.pdf"
    write_document(sc, result, pdf=pdf, locale=locale)
    assert pdf.read_bytes().startswith(b"%PDF-")
    saving = f"{_saving(result):,.2f}"
    if locale == "en":
        expected = f"EUR {saving} less than"
    else:
        german = saving.replace(",", " ").replace(".", ",").replace(" ", ".")
        expected = f"{german} EUR weniger als"
    page_one = _text(pdf, "-f", "1", "-l", "1")
    assert expected in page_one
    # the one-page argument: both charts are on page one too
    chart = "Cumulative discounted cost" if locale == "en" else "Kumulierte diskontierte Kosten"
    assert chart in page_one


def test_pdftoppm_turns_page_one_into_a_png(
    tmp_path: Path, compressor: tuple[Scenario, ScenarioResult]
) -> None:
    sc, result = compressor
    pdf = tmp_path / "quote.pdf"
    pdf.write_bytes(render_pdf(sc, result))
    subprocess.run(
        [_poppler("pdftoppm"), "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(tmp_path / "page1")],
        check=True,
    )  # fmt: skip
    png = (tmp_path / "page1.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait


def test_pdf_and_html_are_written_together(
    tmp_path: Path, compressor: tuple[Scenario, ScenarioResult]
) -> None:
    sc, result = compressor
    write_document(sc, result, html=tmp_path / "q.html", pdf=tmp_path / "q.pdf", locale="de_DE")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.html", "q.pdf"]
    assert "Lebenszykluskosten" in _text(tmp_path / "q.pdf")


@pytest.fixture(scope="module")
def cnc() -> tuple[Scenario, ScenarioResult]:
    sc = load_scenario(EXAMPLES / "cnc.yaml")
    return sc, evaluate(sc)


#: A full header, the buyer's effort left out: the most page one carries.
FULL_INFO = QuoteInfo(
    number="Q-2026-00042",
    version=2,
    customer="Berger Werkzeugbau AG",
    seller="Jonas Keller",
    issued=date(2026, 4, 15),
    valid_until=date(2027, 4, 15),
    buyer_effort_counted=False,
)


@pytest.mark.parametrize(
    ("locale", "sentence", "chart"),
    [
        (
            "en",
            "it pays back in year {p}; after the Spindle replacement in year {a} it is dearer "
            "again until year {r}.",
            "Cumulative discounted cost",
        ),
        (
            "de_DE",
            "es amortisiert sich im Jahr {p}; nach der Position „Spindle replacement“ im Jahr {a} "
            "ist es bis zum Jahr {r} wieder teurer.",
            "Kumulierte diskontierte Kosten",
        ),
    ],
)
def test_pdf_page_one_states_the_reversal_and_keeps_both_charts(
    tmp_path: Path, cnc: tuple[Scenario, ScenarioResult], locale: str, sentence: str, chart: str
) -> None:
    sc, result = cnc
    ours = result.comparison.offers["ours"]
    expected = sentence.format(
        p=ours.discounted_payback_year,
        a=ours.savings_negative_again_year,
        r=ours.savings_recovered_year,
    )
    for info in (None, FULL_INFO):
        pdf = tmp_path / "quote.pdf"
        write_document(sc, result, pdf=pdf, locale=locale, info=info)
        page_one = _text(pdf, "-f", "1", "-l", "1")
        assert expected in page_one
        assert chart in page_one  # the reversal rows and notes leave both charts on page one


def test_pdf_shows_the_coverage_of_the_quote_and_the_buyer_effort_note(tmp_path: Path) -> None:
    sc = load_scenario(EXAMPLES / "pump.yaml")
    result = evaluate(sc)
    plan: dict[str, Any] = {
        "offer_id": "ours",
        "kind": "service_plan",
        "name": "FullCare",
        "repair_covered": 1.0,
        "maintenance_covered": 1.0,
        "response_hours": 8,
        "downtime_hours": 12,
        "annual_fee": Decimal(2900),
    }
    info = FULL_INFO.model_copy(
        update={"coverage": (CoverageTerm(**plan, from_year=1, until_year=5),)}
    )
    pdf = tmp_path / "quote.pdf"
    write_document(sc, result, pdf=pdf, locale="en", info=info)
    text = _text(pdf)
    assert "Warranty and service cover" in text
    assert "Covered in years 1–5 of the 15-year study period; not covered in years 6–15." in text
    assert "The buyer's own procurement effort (raising purchase and repair orders) is not " in text
    write_document(sc, result, pdf=pdf, locale="de_DE", info=info)
    text = _text(pdf)
    assert "Abgedeckt in den Jahren 1–5 des 15-jährigen Betrachtungszeitraums" in text
    assert "Beschaffungsaufwand des Käufers" in text


# --------------------------------------------------------------------------------------------
# The printed offer: its header, and many offers on a bounded number of pages, nothing
# overprinted


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            (
                "Prepared for Berger Werkzeugbau AG", "Prepared by Jonas Keller",
                "Prepared on April 15, 2026", "Valid until May 15, 2026",
                "This quote is valid until May 15, 2026.",
            ),
        ),
        (
            "de_DE",
            (
                "Erstellt für Berger Werkzeugbau AG", "Erstellt von Jonas Keller",
                "Erstellt am 15. April 2026", "Gültig bis 15. Mai 2026",
                "Dieses Angebot ist gültig bis 15. Mai 2026.",
            ),
        ),
    ],
)  # fmt: skip
def test_the_pdf_of_tco_evaluate_states_customer_seller_date_and_validity(
    tmp_path: Path, locale: str, expected: tuple[str, ...]
) -> None:
    pdf = tmp_path / "quote.pdf"
    args = ["evaluate", str(EXAMPLES / "cnc.yaml"), "--pdf", str(pdf), "--locale", locale]
    args += ["--customer", "Berger Werkzeugbau AG", "--seller", "Jonas Keller"]
    out = CliRunner().invoke(app, [*args, "--date", "2026-04-15"])
    assert out.exit_code == 0, out.output
    page_one = _text(pdf, "-f", "1", "-l", "1")
    for field in expected[:4]:
        assert field in page_one
    assert expected[4] in _text(pdf)
    # without a customer the header says so
    out = CliRunner().invoke(app, [*args[:6], "--date", "2026-04-15"])
    assert out.exit_code == 0, out.output
    no_customer = "Prepared for no customer named" if locale == "en" else "Erstellt für kein Kunde"
    assert no_customer in _text(pdf, "-f", "1", "-l", "1")


Box = tuple[float, float, float, float, str]


def _words(pdf: Path, page: int) -> list[Box]:
    """The words of a page and their boxes (pdftotext -bbox)."""
    out = subprocess.run(
        [_poppler("pdftotext"), "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (float(a), float(b), float(c), float(d), html.unescape(w))
        for a, b, c, d, w in re.findall(pattern, out)
    ]


def _pages(pdf: Path) -> int:
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]


@pytest.mark.parametrize("locale", ["en", "de_DE"])
def test_eight_offers_print_on_few_pages_and_nothing_overprints(
    tmp_path: Path, locale: str
) -> None:
    sc = parse_scenario(many_offers(8))
    pdf = tmp_path / "quote.pdf"
    write_document(sc, evaluate(sc), pdf=pdf, locale=locale, info=FULL_INFO)
    pages = _pages(pdf)
    assert pages <= 10  # about one page per offer and a little more, never a page per column
    for page in range(1, pages + 1):
        words = _words(pdf, page)
        assert words
        for i, a in enumerate(words):
            assert a[2] <= 210 / 25.4 * 72 - 30  # within the right margin (14 mm, less a bit)
            for b in words[i + 1 :]:
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (page, a, b)
    text = _text(pdf)
    for name in LONG_NAMES:  # every name in full, in the charts' key and in the tables
        assert name in text
    assert "…" not in text


@pytest.mark.parametrize(
    ("offers", "locale", "fits"), [(3, "en", True), (3, "de_DE", True), (8, "en", False)]
)
def test_both_charts_are_on_page_one_exactly_where_the_view_says_they_fit(
    tmp_path: Path, offers: int, locale: str, fits: bool
) -> None:
    sc = parse_scenario(many_offers(offers))
    result = evaluate(sc)
    assert build_view(sc, result, locale=locale, info=FULL_INFO).charts_fit is fits
    pdf = tmp_path / "quote.pdf"
    write_document(sc, result, pdf=pdf, locale=locale, info=FULL_INFO)
    chart = "Cumulative discounted cost" if locale == "en" else "Kumulierte diskontierte Kosten"
    assert (chart in _text(pdf, "-f", "1", "-l", "1")) is fits
    if not fits:  # the charts follow on page two, whole
        assert chart in _text(pdf, "-f", "2", "-l", "2")


def _cents(x: float) -> Decimal:
    """The engine's value to the cent, half away from zero (written here, not the project's)."""
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
