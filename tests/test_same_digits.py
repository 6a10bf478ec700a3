"""One figure, the same digits everywhere: CLI table, HTML, PDF, workbook, web page, diff.

Every example scenario and every golden quote is rendered through each presenter a buyer or a
seller reads: the terminal table of ``tco evaluate``, the HTML document, the PDF's text
(poppler's ``pdftotext``), the workbook as LibreOffice shows it after recalculating every
formula (printed to PDF, then ``pdftotext``: what a buyer sees, ``###`` included), and, for the
quotes, the web page. Each figure (every offer's lifetime cost and its present value by
category, every net saving) is rounded here, independently of the project's code, from the
engine's unrounded value: to the currency's minor unit, half away from zero, grouped by
thousands (English); the same digits must appear in every output. A figure one cent off in any
of them fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tco.core.results import ScenarioResult, evaluate
from tco.core.scenario import Scenario, load_scenario, read_file
from tests import libreoffice

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
QUOTES = sorted((ROOT / "tests" / "golden" / "quotes").glob("*.yaml"))

pytestmark = pytest.mark.skipif(
    not libreoffice.available() or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler (make system installs them)",
)


def shown(value: float) -> str:
    """The digits a person must see: two decimals (every case is in a two-decimal currency),
    half away from zero, thousands grouped, without sign."""
    d = Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{abs(d):,.2f}"


def figures(result: ScenarioResult) -> dict[str, str]:
    """What each figure is called (for the failure message) -> its digits."""
    out: dict[str, str] = {}
    for o in result.offers:
        out[f"{o.id} lifetime cost"] = shown(o.lifetime_cost)
        for cat, pv in o.by_category.items():
            if abs(pv) >= 0.005:
                out[f"{o.id} {cat}"] = shown(pv)
    for oid, c in result.comparison.offers.items():
        if oid != result.comparison.baseline:
            out[f"{oid} net savings"] = shown(c.net_savings)
    return out


def line_figures(result: ScenarioResult) -> dict[str, str]:
    """Every cost line's present value (the document's and the workbook's line items)."""
    return {
        f"{o.id} line {line.name} ({line.source})": shown(line.present_value)
        for o in result.offers
        for line in o.lines
        if abs(line.present_value) >= 0.005
    }


def headline_figures(result: ScenarioResult) -> dict[str, str]:
    """The figures the web page shows: lifetime costs and net savings."""
    return {k: v for k, v in figures(result).items() if k.endswith(("lifetime cost", "savings"))}


def amounts(text: str) -> set[str]:
    """Every money-like token of a text: 1,234.56 (grouped, two decimals)."""
    return set(re.findall(r"(?<![\d,.])\d{1,3}(?:,\d{3})*\.\d{2}(?![\d])", text))


@dataclass
class Rendered:
    name: str
    result: ScenarioResult
    outputs: dict[str, str] = field(default_factory=dict)


def _scenario_of_quote(path: Path) -> tuple[Scenario, dict[str, Any]]:
    from tco.quoting.builder import price_quote
    from tco.quoting.catalog import parse_catalog

    case: dict[str, Any] = read_file(path)
    priced = price_quote(case["request"], parse_catalog(case["catalog"]))
    return priced.built.scenario, case


def _cli(path: Path, out: Path) -> tuple[str, Path, Path, Path]:
    from tco.cli.main import app

    html, pdf, xlsx = out / f"{path.stem}.html", out / f"{path.stem}.pdf", out / f"{path.stem}.xlsx"
    run = CliRunner().invoke(
        app,
        ["evaluate", str(path), "--html", str(html), "--pdf", str(pdf), "--xlsx", str(xlsx)],
        env={"COLUMNS": "240", "NO_COLOR": "1"},
    )
    assert run.exit_code == 0, run.output
    return run.stdout, html, pdf, xlsx


def _pdftotext(pdf: Path) -> str:
    proc = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return proc.stdout


def _html_text(path: Path) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", path.read_text("utf-8"), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ")


def _workbook_pdfs(books: list[Path], out: Path) -> dict[str, str]:
    """Each workbook printed by LibreOffice after a full recalculation, as text."""
    pdfs = libreoffice.convert(books, out / "printed", "pdf")
    return {p.stem: _pdftotext(p) for p in pdfs}


def _revised_diff(uow: Any, case: dict[str, Any], number: str, now: datetime) -> Diff:
    """Version 2 of a saved quote with a 5 % discount on its last offer's first equipment line,
    the version diff's result rows and version 2's result."""
    from tco import services

    last = case["request"]["offers"][-1]
    equipment = [dict(e) for e in last["equipment"]]
    equipment[0]["discount"] = 0.05
    changes = {"offers": [{"id": last["id"], "equipment": equipment}]}
    v2 = services.revise_quote(uow, number, changes, by="test", now=now)
    rows = services.diff_quote(uow, number, 1, 2)
    return Diff({c.path: c.new or "" for c in rows if c.section == "result"}, v2.version.result)


@dataclass(frozen=True)
class Diff:
    new: dict[str, str]
    result: ScenarioResult


diffs: dict[str, Diff] = {}
saving_boxes: dict[str, str] = {}


def _web_pages(cases: dict[str, dict[str, Any]], directory: Path) -> dict[str, tuple[str, str]]:
    """Each golden quote saved in a tenant of its own and its page fetched signed in: the page
    and, for a revision that changes a discount, the version diff's text."""
    from api.main import create_app
    from api.settings import Settings
    from tco import services
    from tco.quoting.catalog import parse_catalog
    from tco.store import db
    from tco.store.uow import UnitOfWork
    from tco.store.users import UserRole, create_user
    from tests.websupport import csrf_of, visible_text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    url = f"sqlite:///{directory / 'digits.db'}"
    sessions = db.session_factory(url)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    pages: dict[str, tuple[str, str]] = {}
    for i, (name, case) in enumerate(cases.items()):
        tenant, email = f"t{i}", f"seller{i}@example.com"
        uow = UnitOfWork(tenant, sessions=sessions)
        services.import_catalog(
            uow, parse_catalog(case["catalog"]), source="golden", by="test", now=now
        )
        view = services.create_quote(uow, case["request"], by="test", now=now)
        with sessions() as session:
            create_user(session, tenant, email, "correct horse battery", UserRole.sales, name="S")
            session.commit()
        c = TestClient(
            create_app(Settings(database_url=url, access_log=False)),
            base_url="https://testserver",
        )
        token = csrf_of(c.get("/sign-in").text)
        r = c.post(
            "/sign-in",
            data={"csrf_token": token, "email": email, "password": "correct horse battery"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        page = c.get(f"/quotes/{view.summary.number}")
        assert page.status_code == 200, page.text
        pages[name] = (visible_text(page.text), view.summary.number)
        box = re.search(r'data-testid="saving">([^<]*)<', page.text)
        saving_boxes[name] = unescape(box.group(1)) if box else ""
        diffs[name] = _revised_diff(uow, case, view.summary.number, now)
    return pages


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    out = Path(tempfile.mkdtemp(prefix="digits-"))
    cases: dict[str, Rendered] = {}
    quotes: dict[str, dict[str, Any]] = {}
    for path in EXAMPLES:
        cases[path.stem] = Rendered(path.stem, evaluate(load_scenario(path)))
    for path in QUOTES:
        scenario, case = _scenario_of_quote(path)
        target = out / f"quote-{path.stem}.json"
        target.write_text(scenario.model_dump_json(exclude_none=True), "utf-8")
        cases[target.stem] = Rendered(target.stem, evaluate(scenario))
        quotes[target.stem] = case
    books = []
    for name in cases:
        src = (
            out / f"{name}.json"
            if name.startswith("quote-")
            else ROOT / "examples" / f"{name}.yaml"
        )
        table, html, pdf, xlsx = _cli(src, out)
        cases[name].outputs.update(cli=table, html=_html_text(html), pdf=_pdftotext(pdf))
        books.append(xlsx)
    for name, text in _workbook_pdfs(books, out).items():
        cases[name].outputs["workbook"] = text
    for name, (page, _) in _web_pages(quotes, out).items():
        cases[name].outputs["web"] = page
    return cases


CASE_NAMES = [p.stem for p in EXAMPLES] + [f"quote-{p.stem}" for p in QUOTES]


def test_there_are_cases_of_both_kinds() -> None:
    assert len(EXAMPLES) >= 3
    assert len(QUOTES) >= 2


@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_figure_has_the_same_digits_in_every_output(
    rendered: dict[str, Rendered], name: str
) -> None:
    case = rendered[name]
    everywhere = figures(case.result)
    missing: list[str] = []
    for where, text in case.outputs.items():
        found = amounts(text)
        want = headline_figures(case.result) if where == "web" else everywhere
        if where in ("html", "pdf", "workbook"):
            want = {**want, **line_figures(case.result)}
        missing += [
            f"{where}: {what} {digits}" for what, digits in want.items() if digits not in found
        ]
    assert not missing, "figures not shown with the engine's digits:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_no_figure_is_shown_one_cent_off(rendered: dict[str, Rendered], name: str) -> None:
    """A neighbour of a figure (one cent up or down) in an output is the same quantity rounded
    differently somewhere: the defect this file exists for."""
    case = rendered[name]
    wanted = set(figures(case.result).values()) | set(line_figures(case.result).values())
    for where, text in case.outputs.items():
        found = amounts(text)
        for digits in wanted:
            d = Decimal(digits.replace(",", ""))
            for n in (d - Decimal("0.01"), d + Decimal("0.01")):
                neighbour = f"{n:,.2f}"
                assert neighbour not in found or neighbour in wanted, (
                    f"{where} shows {neighbour} next to the engine's {digits}"
                )


@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_printed_workbook_has_no_overflowing_cell(
    rendered: dict[str, Rendered], name: str
) -> None:
    assert "###" not in rendered[name].outputs["workbook"]


@pytest.mark.parametrize("name", [f"quote-{p.stem}" for p in QUOTES])
def test_a_version_diff_shows_the_revision_with_the_same_digits(
    rendered: dict[str, Rendered], name: str
) -> None:
    diff = diffs[name]
    revised = {o.id: o for o in diff.result.offers}
    last = rendered[name].result.offers[-1].id
    key = f"offers[{last}].lifetime_cost"
    assert key in diff.new, f"the diff shows no change of {key}: {sorted(diff.new)}"
    want = shown(revised[last].lifetime_cost).replace(",", "")
    assert diff.new[key].replace(",", "").lstrip("-") == want
    for oid, c in diff.result.comparison.offers.items():
        key = f"offers[{oid}].net_savings"
        if key in diff.new:
            assert diff.new[key].replace(",", "").lstrip("-") == shown(c.net_savings).replace(
                ",", ""
            )


@pytest.mark.parametrize("name", [f"quote-{p.stem}" for p in QUOTES])
def test_the_pages_saving_box_is_the_lead_rounded_once(
    rendered: dict[str, Rendered], name: str
) -> None:
    """The box says how much less the recommended offer costs than the next cheapest: that
    difference of unrounded lifetime costs, rounded once (not the difference of two rounded
    totals, which can be a cent off)."""
    result = rendered[name].result
    best = next(o for o in result.offers if o.id == result.comparison.recommended)
    runner = min((o for o in result.offers if o is not best), key=lambda o: o.lifetime_cost)
    assert shown(runner.lifetime_cost - best.lifetime_cost) in amounts(saving_boxes[name])


def test_the_web_page_is_part_of_the_check(rendered: dict[str, Rendered]) -> None:
    assert {n for n, c in rendered.items() if "web" in c.outputs} == {
        f"quote-{p.stem}" for p in QUOTES
    }
