"""The command line: tables, JSON, schema and clean errors (exit 2, one line per problem)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco.cli.main import app
from tco.core.results import evaluate, result_json
from tco.core.scenario import load_scenario
from tests.scenarios import overflowing

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TCO = [sys.executable, "-m", "tco"]


def test_json_output_has_the_contract_shape(examples_dir: Path) -> None:
    out = runner.invoke(app, ["evaluate", str(examples_dir / "compressor.yaml"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["currency"] == "EUR"
    assert data["study_period_years"] == 10
    offer = data["offers"][0]
    for key in (
        "id",
        "name",
        "lifetime_cost",
        "equivalent_annual_cost",
        "by_category",
        "lines",
        "cash_flows",
    ):
        assert key in offer
    assert len(offer["cash_flows"]["nominal"]) == 11
    assert len(offer["cash_flows"]["present_value"]) == 11
    comp = data["comparison"]
    assert comp["baseline"] == "competitor"
    for key in ("net_savings", "sir", "airr", "simple_payback_year", "discounted_payback_year"):
        assert key in comp["offers"]["ours"]
    assert "competitor" not in comp["offers"]


def test_json_output_is_the_library_result(examples_dir: Path) -> None:
    path = examples_dir / "cnc.yaml"
    out = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert json.loads(out.stdout) == result_json(evaluate(load_scenario(path)))


def test_the_table_shows_offers_categories_and_measures(examples_dir: Path) -> None:
    out = runner.invoke(
        app, ["evaluate", str(examples_dir / "compressor.yaml")], terminal_width=200
    )
    assert out.exit_code == 0, out.output
    for text in ("Lifetime cost", "energy", "Net savings", "payback", "Price headroom", "baseline"):
        assert text in out.stdout
    assert "297,150.80" in out.stdout  # the lifetime cost of 'ours', rounded to the cent


def test_bad_scenario_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "assumptions: {currency: EUR, study_period_years: 5, discount_rate: 0.05}\n"
        "offers:\n"
        "  - id: a\n"
        "    costs:\n"
        "      - {name: x, category: fuel, amount: 1, year: 9}\n"
        "      - {name: y, category: energy, amount: 1, every_years: 0}\n"
    )
    proc = subprocess.run(
        [*TCO, "evaluate", str(bad)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert any(line.startswith("error: offers[0].costs[0].category:") for line in lines)
    assert any(line.startswith("error: offers[0].costs[0].year:") for line in lines)
    assert any(line.startswith("error: offers[0].costs[1].every_years:") for line in lines)
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("assumptions: [unclosed\n", "invalid YAML at line"),
        ('{"assumptions": }', "invalid JSON at line 1"),
        ("", "must be a mapping"),
    ],
)
def test_unparseable_files_exit_2(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(content)
    out = runner.invoke(app, ["evaluate", str(f)])
    assert out.exit_code == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_and_unreadable_files_exit_2(tmp_path: Path) -> None:
    out = runner.invoke(app, ["evaluate", str(tmp_path / "nope.yaml")])
    assert out.exit_code == 2
    assert "no such file" in out.stderr
    out = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert out.exit_code == 2
    assert "is a directory" in out.stderr
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    out = runner.invoke(app, ["evaluate", str(binary)])
    assert out.exit_code == 2
    assert "not UTF-8" in out.stderr


def test_schema_lists_the_contract_fields() -> None:
    out = runner.invoke(app, ["schema"])
    schema = json.loads(out.stdout)
    line = schema["$defs"]["CostLine"]["properties"]
    for field in (
        "name",
        "category",
        "amount",
        "year",
        "every_years",
        "from_year",
        "until_year",
        "escalation",
        "life_years",
        "residual_fraction",
    ):
        assert field in line
    assert schema["$defs"]["CostLine"]["additionalProperties"] is False
    assert set(schema["$defs"]["FailureModel"]["properties"]) >= {
        "mtbf_hours",
        "shape",
        "repair_cost",
        "escalation",
        "downtime_hours",
        "covered_fraction",
    }


def test_yaml_and_json_read_alike(tmp_path: Path, examples_dir: Path) -> None:
    import yaml

    data = yaml.safe_load((examples_dir / "compressor.yaml").read_text())
    as_json = tmp_path / "c.json"
    as_json.write_text(json.dumps(data))
    assert evaluate(load_scenario(as_json)) == evaluate(
        load_scenario(examples_dir / "compressor.yaml")
    )


def test_outputs_are_written_whole_with_normal_permissions(
    tmp_path: Path, examples_dir: Path
) -> None:
    out = runner.invoke(
        app,
        [
            "evaluate",
            str(examples_dir / "compressor.yaml"),
            "--xlsx",
            str(tmp_path / "q.xlsx"),
            "--html",
            str(tmp_path / "q.html"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.html", "q.xlsx"]
    for p in tmp_path.iterdir():
        assert p.stat().st_mode & 0o044 == 0o044  # readable by others, like any file we write


def test_an_unwritable_output_exits_2_and_leaves_nothing(
    tmp_path: Path, examples_dir: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = runner.invoke(
        app, ["evaluate", str(examples_dir / "compressor.yaml"), "--xlsx", str(blocker / "q.xlsx")]
    )
    assert out.exit_code == 2
    assert "cannot be written" in out.stderr
    assert list(tmp_path.iterdir()) == [blocker]


def test_a_scenario_whose_numbers_overflow_is_refused_by_name(tmp_path: Path) -> None:
    f = tmp_path / "extreme.json"
    f.write_text(json.dumps(overflowing()))
    out = runner.invoke(app, ["evaluate", str(f), "--json"])
    assert out.exit_code == 2
    assert out.stderr.startswith("error: offers[1]: its cash flows overflow")
    assert out.stdout == ""


def table_rows(output: str) -> dict[str, list[str]]:
    """Label -> cells of the rows of the evaluate table (rich box drawing)."""
    rows: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


def test_the_table_shows_paybacks_and_their_reversal(examples_dir: Path) -> None:
    """CNC: ours pays back in year 8, is dearer again from year 10 and cheaper again from 13;
    keeping the old machine adds no investment, so it has nothing to pay back (never "0")."""
    path = examples_dir / "cnc.yaml"
    out = runner.invoke(app, ["evaluate", str(path)], terminal_width=200)
    assert out.exit_code == 0, out.output
    comp = evaluate(load_scenario(path)).comparison.offers
    ours, keep = comp["ours"], comp["keep_old"]
    assert keep.sir is None  # the contract's mark of an offer that adds no investment
    rows = table_rows(out.stdout)
    assert rows["Simple payback year"] == [str(ours.simple_payback_year), "baseline", "–¹"]
    assert rows["Discounted payback year"] == [str(ours.discounted_payback_year), "baseline", "–¹"]
    assert rows["Dearer again from year"] == [
        str(ours.savings_negative_again_year),
        "baseline",
        "–",
    ]
    assert rows["Cheaper again from year"] == [str(ours.savings_recovered_year), "baseline", "–"]
    assert (ours.discounted_payback_year, ours.savings_negative_again_year) == (8, 10)
    assert ours.savings_recovered_year == 13
    assert "–¹ no added investment: nothing to pay back" in out.stdout
    assert "–²" not in out.stdout


def test_the_table_has_no_reversal_rows_without_a_reversal(examples_dir: Path) -> None:
    out = runner.invoke(
        app, ["evaluate", str(examples_dir / "compressor.yaml")], terminal_width=200
    )
    rows = table_rows(out.stdout)
    assert rows["Discounted payback year"] == ["1", "1", "baseline"]
    assert "Dearer again from year" not in rows
    assert "Cheaper again from year" not in rows
    assert "–¹" not in out.stdout


def test_the_table_marks_a_payback_that_never_comes_and_one_that_does_not_recover(
    tmp_path: Path, examples_dir: Path
) -> None:
    import yaml

    data = yaml.safe_load((examples_dir / "cnc.yaml").read_text())
    # keep_old with an expensive rebuild: it now invests more and never pays back
    data["offers"][2]["costs"][0]["amount"] = 400000
    # ours: a spindle replacement in year 10 so dear that it does not recover from it
    (spindle,) = [c for c in data["offers"][0]["costs"] if c["name"] == "Spindle replacement"]
    spindle["amount"] = 150000
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    comp = evaluate(load_scenario(f)).comparison.offers
    ours, keep = comp["ours"], comp["keep_old"]
    assert keep.sir is not None
    assert keep.discounted_payback_year is None
    assert ours.savings_negative_again_year is not None
    assert ours.savings_recovered_year is None
    out = runner.invoke(app, ["evaluate", str(f)], terminal_width=200)
    rows = table_rows(out.stdout)
    assert rows["Discounted payback year"][2] == "–²"
    assert rows["Cheaper again from year"] == ["not by year 20", "baseline", "–"]
    assert "–² does not pay back within the 20-year study period" in out.stdout


# --------------------------------------------------------------------------------------------
# The header of the documents: who the quote is for, who made it, when, how long it is valid


def _all_cells(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return " ".join(
        str(cell.value) for ws in book.worksheets for row in ws.iter_rows() for cell in row
    )


def test_evaluate_puts_customer_seller_title_date_and_validity_into_the_documents(
    tmp_path: Path, examples_dir: Path
) -> None:
    html, xlsx = tmp_path / "q.html", tmp_path / "q.xlsx"
    out = runner.invoke(
        app,
        [
            "evaluate", str(examples_dir / "compressor.yaml"), "--html", str(html),
            "--xlsx", str(xlsx), "--customer", "Berger Werkzeugbau AG", "--seller",
            "Jonas Keller", "--title", "Compressed air for hall 3", "--date", "2026-04-15",
            "--valid-days", "45",
        ],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    page = " ".join(html.read_text(encoding="utf-8").split())
    assert "<title>Compressed air for hall 3</title>" in page
    for key, value in (
        ("Prepared for", "Berger Werkzeugbau AG"),
        ("Prepared by", "Jonas Keller"),
        ("Prepared on", "April 15, 2026"),
        ("Valid until", "May 30, 2026"),  # 45 days later
    ):
        assert f'<span class="k">{key}</span> <span class="v">{value}</span>' in page
    cells = _all_cells(xlsx)
    for value in ("Berger Werkzeugbau AG", "Jonas Keller", "Compressed air for hall 3"):
        assert value in cells
    assert "2026-04-15" in cells
    assert "2026-05-30" in cells


def test_evaluate_dates_the_documents_today_and_30_days_by_default(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Today(date):
        @classmethod
        def today(cls) -> Today:
            return cls(2026, 12, 10)

    monkeypatch.setattr("tco.cli.main.date", Today)
    html = tmp_path / "q.html"
    out = runner.invoke(
        app,
        ["evaluate", str(examples_dir / "compressor.yaml"), "--html", str(html), "--locale", "de"],
    )
    assert out.exit_code == 0, out.output
    page = " ".join(html.read_text(encoding="utf-8").split())
    assert '<span class="k">Erstellt am</span> <span class="v">10. Dezember 2026</span>' in page
    assert '<span class="k">Gültig bis</span> <span class="v">9. Januar 2027</span>' in page
    assert '<span class="k">Erstellt für</span> <span class="v">kein Kunde angegeben</span>' in page


def test_the_quote_info_of_the_options_is_checked_and_trimmed() -> None:
    from tco.cli.main import quote_info

    info = quote_info(
        customer="  ACME  ", seller=" ", title=None, issued=" 2026-02-28 ", valid_days=0,
        today=date(2030, 1, 1),
    )  # fmt: skip
    assert (info.customer, info.seller, info.title) == ("ACME", None, None)
    assert (info.issued, info.valid_until) == (date(2026, 2, 28), date(2026, 2, 28))


@pytest.mark.parametrize("bad", ["2026-13-01", "15.04.2026", "tomorrow", "2026-W16-3", "20260415"])
def test_a_bad_date_exits_2_with_one_readable_line(
    tmp_path: Path, examples_dir: Path, bad: str
) -> None:
    html = tmp_path / "q.html"
    out = runner.invoke(
        app, ["evaluate", str(examples_dir / "compressor.yaml"), "--html", str(html), "--date", bad]
    )
    assert out.exit_code == 2
    assert out.stderr == f"error: --date: '{bad}' is not a date; give it as YYYY-MM-DD, e.g. 2026-04-15\n"  # fmt: skip
    assert "Traceback" not in out.output
    assert out.stdout == ""
    assert not html.exists()


@pytest.mark.parametrize(("days", "message"), [
    ("-1", "error: --valid-days: must be between 0 and 3650, got -1\n"),
    ("3651", "error: --valid-days: must be between 0 and 3650, got 3651\n"),
])  # fmt: skip
def test_a_validity_out_of_range_exits_2_with_one_readable_line(
    tmp_path: Path, examples_dir: Path, days: str, message: str
) -> None:
    out = runner.invoke(
        app,
        ["evaluate", str(examples_dir / "compressor.yaml"), "--html", str(tmp_path / "q.html"),
         "--valid-days", days],
    )  # fmt: skip
    assert out.exit_code == 2
    assert out.stderr == message
    assert list(tmp_path.iterdir()) == []


def test_a_bad_date_exits_2_from_the_installed_command(tmp_path: Path, examples_dir: Path) -> None:
    done = subprocess.run(
        [*TCO, "evaluate", str(examples_dir / "compressor.yaml"), "--date", "2026-02-30"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: --date: '2026-02-30' is not a date; give it as YYYY-MM-DD, e.g. 2026-04-15"
    ]
