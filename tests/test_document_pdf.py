"""The quote document as PDF: it renders, poppler reads the headline saving from it, and page
one (headline, figures and both charts) turns into a PNG."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tco.money import round_money
from tco.render.document import render_pdf, write_document
from tco.results import ScenarioResult, evaluate
from tco.scenario import Scenario, load_scenario

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
    lcc = {o.id: round_money(o.lifetime_cost, result.currency) for o in result.offers}
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
