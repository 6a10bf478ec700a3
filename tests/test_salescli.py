"""The salesperson's command line, as a new user would use it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from tco.cli.sales import catalog_app, demo_app, quote_app
from tco.services import DEMO_DIR
from tests.test_store_support import database

runner = CliRunner()
app = typer.Typer()
app.add_typer(catalog_app, name="catalog")
app.add_typer(quote_app, name="quote")
app.add_typer(demo_app, name="demo")
TCO = str(Path(sys.executable).parent / "tco")
CATALOG = str(DEMO_DIR / "catalog")
REQUEST = str(DEMO_DIR / "requests" / "compressor-fullcare.yaml")
CHANGES = str(DEMO_DIR / "changes" / "compressor-discount.yaml")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        monkeypatch.setenv("TCO_DATABASE_URL", url)
        monkeypatch.setenv("TCO_USER", "Anna Weber")
        yield url


def run(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, (out.stdout, out.stderr)
    return out.stdout


def fails(*args: str) -> list[str]:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    return out.stderr.strip().splitlines()


def lifetime_costs(number: str, version: int) -> dict[str, float]:
    data = json.loads(run("quote", "show", number, "--version", str(version), "--json"))
    return {o["id"]: o["lifetime_cost"] for o in data["version"]["result"]["offers"]}


def test_the_readme_walkthrough(db_env: str, tmp_path: Path) -> None:
    assert "catalog version 1 imported: 4 products, 3 service plans" in run(
        "catalog", "import", CATALOG
    )
    assert "catalog unchanged" in run("catalog", "import", CATALOG)
    listing = run("catalog", "list")
    assert "CMP-VSD-37" in listing
    assert "FullCare" in listing

    created = run("quote", "new", REQUEST)
    assert created.startswith("created Q-2026-00001 version 1")
    assert "Recommendation: Over 10 years VSD compressor 37 kW with FullCare costs EUR" in created
    assert "Net savings" in created

    revised = run("quote", "revise", "Q-2026-00001", CHANGES, "--note", "10 % discount")
    assert "revised Q-2026-00001: version 2" in revised
    diff = run("quote", "diff", "Q-2026-00001", "1", "2")
    assert "offers[ours].equipment[0].discount" in diff
    assert "-913.00" in diff  # acquisition: 41,998.00 -> 41,085.00

    before = lifetime_costs("Q-2026-00001", 1)
    # a catalog price change: version 2 of the catalog; the saved quote keeps its numbers
    changed = tmp_path / "catalog"
    changed.mkdir()
    for f in Path(CATALOG).iterdir():
        (changed / f.name).write_text(f.read_text().replace("45650", "49990"))
    assert "catalog version 2 imported" in run("catalog", "import", str(changed))
    assert lifetime_costs("Q-2026-00001", 1) == before
    shown = run("quote", "show", "Q-2026-00001", "--version", "1")
    assert "45,650.00" in shown
    assert "catalog version 1" in shown

    assert "is now sent" in run("quote", "status", "Q-2026-00001", "sent")
    listed = run("quote", "list", "--status", "sent", "--customer", "müller")
    assert "Q-2026-00001" in listed
    assert "Q-2026-00001" not in run("quote", "list", "--status", "draft")
    history = run("quote", "history", "Q-2026-00001")
    assert "Anna Weber" in history
    assert "draft -> sent" in history

    out = tmp_path / "quote.json"
    assert f"wrote {out}" in run("quote", "export", "Q-2026-00001", "--json", str(out))
    exported = json.loads(out.read_text())
    assert exported["quote"]["number"] == "Q-2026-00001"
    assert exported["quote"]["version"] == 2


def test_demo_load_is_idempotent(db_env: str) -> None:
    first = run("demo", "load")
    assert "demo quotes created: Q-2026-00001, Q-2026-00002" in first
    second = run("demo", "load")
    assert "already loaded" in second
    assert "none added" in second


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with database("sqlite", tmp_path) as url:
        monkeypatch.setenv("TCO_DATABASE_URL", url)
        yield url


def test_an_unknown_sku_is_one_line_naming_it_and_where(sqlite_env: str, tmp_path: Path) -> None:
    run("catalog", "import", CATALOG)
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(REQUEST).read_text().replace("sku: CMP-VSD-37", "sku: CMP-VSD-99"))
    assert fails("quote", "new", str(bad)) == [
        "error: offers[0].equipment[0].sku: unknown sku 'CMP-VSD-99' in offer 'ours' "
        "(the catalog has: CNC-5AX-600, CNC-3AX-400, CMP-VSD-37, CMP-FS-37)"
    ]
    assert "Quotes (0)" in run("quote", "list")


def test_an_unknown_plan_is_one_line(sqlite_env: str, tmp_path: Path) -> None:
    run("catalog", "import", CATALOG)
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(REQUEST).read_text().replace("FULLCARE", "PLATINUM"))
    (line,) = fails("quote", "new", str(bad))
    assert line.startswith("error: offers[0].service_plan: unknown service plan 'PLATINUM'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quote", "new", "missing.yaml"], "error: missing.yaml: no such file"),
        (["quote", "show", "Q-2026-00042"], "error: number: no quote Q-2026-00042"),
        (["quote", "status", "Q-2026-00001", "won"], "error: status: 'won' is not one of"),
        (
            ["quote", "diff", "Q-2026-00001", "1", "5"],
            "error: version: quote Q-2026-00001 has no version 5",
        ),
        (["catalog", "import", "nowhere"], "error: nowhere: is not a directory"),
        (["quote", "export", "Q-2026-00001"], "error: export: give at least one of"),
    ],
)
def test_bad_input_exits_2_with_one_line(sqlite_env: str, args: list[str], message: str) -> None:
    run("demo", "load")
    lines = fails(*args)
    assert len(lines) == 1
    assert lines[0].startswith(message)


def test_without_a_catalog_the_user_is_told_what_to_run(sqlite_env: str) -> None:
    (line,) = fails("quote", "new", REQUEST)
    assert "run 'tco catalog import DIR'" in line


def test_the_installed_command_prints_no_traceback(sqlite_env: str, tmp_path: Path) -> None:
    env = {"TCO_DATABASE_URL": sqlite_env, "PATH": str(Path(sys.executable).parent)}
    proc = subprocess.run(
        [TCO, "quote", "show", "Q-2026-00001"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: number: no quote Q-2026-00001"
    demo = subprocess.run(
        [TCO, "demo", "load"], capture_output=True, text=True, env=env, check=False
    )
    assert demo.returncode == 0, demo.stderr


def test_export_writes_a_workbook_of_the_saved_version(sqlite_env: str, tmp_path: Path) -> None:
    pytest.importorskip("tco.presenters.xlsx")
    openpyxl = pytest.importorskip("openpyxl")
    run("demo", "load")
    out = tmp_path / "quote.xlsx"
    assert f"wrote {out}" in run("quote", "export", "Q-2026-00001", "--xlsx", str(out))
    book = openpyxl.load_workbook(out)
    cells = [
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    assert any("Q-2026-00001" in c for c in cells)


@pytest.mark.pdf
def test_export_writes_the_document_of_the_saved_version(sqlite_env: str, tmp_path: Path) -> None:
    run("demo", "load")
    html, pdf = tmp_path / "quote.html", tmp_path / "quote.pdf"
    said = run("quote", "export", "Q-2026-00001", "--html", str(html), "--pdf", str(pdf))
    assert f"wrote {html}" in said
    assert f"wrote {pdf}" in said
    page = html.read_text(encoding="utf-8")
    assert "Q-2026-00001" in page
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Q-2026-00001" in text


def test_a_quote_without_the_buyers_effort_settings_exits_2_naming_them(
    db_env: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    defaults = yaml.safe_load((catalog / "defaults.yaml").read_text())
    del defaults["defaults"]["buyer_hourly_rate"]
    (catalog / "defaults.yaml").write_text(yaml.safe_dump(defaults))
    run("catalog", "import", str(catalog), "--replace")
    lines = fails("quote", "new", REQUEST)
    assert any(
        line.startswith("error: assumptions.buyer_hourly_rate: required")
        and "0 leaves it out" in line
        for line in lines
    ), lines
    assert "Quotes (0)" in run("quote", "list")  # nothing saved


def test_a_quote_with_ranges_shows_them_and_its_workbook_has_a_risk_sheet(
    sqlite_env: str, tmp_path: Path
) -> None:
    """The demo products carry default ranges (MTBF, energy): a demo quote is simulated with
    the quote's seed, and shows and exports what was saved."""
    openpyxl = pytest.importorskip("openpyxl")
    run("demo", "load")
    data = json.loads(run("quote", "show", "Q-2026-00001", "--json"))
    block = data["version"]["result"]["uncertainty"]
    assert (block["draws"], block["seed"]) == (2000, 1)
    shown = run("quote", "show", "Q-2026-00001")
    assert "Range over 2,000 draws (Latin hypercube, seed 1)" in shown
    p10 = block["offers"]["ours"]["lifetime_cost"]["p10"]
    assert f"{round(p10, 2):,.2f}" in shown
    out = tmp_path / "quote.xlsx"
    run("quote", "export", "Q-2026-00001", "--xlsx", str(out))
    assert any(ws.title.startswith(("Risk", "Risiko")) for ws in openpyxl.load_workbook(out))
