"""``tco batch run``: files of scenarios to results, chunked, resumable, here or on Dask.

Every result equals the engine's batch entry point on the same scenario (JSON Lines and Parquet,
in and out); refused rows are reported and do not stop the others; ``--strict`` stops; a run
killed with SIGKILL resumes without redoing its chunks and writes the same bytes; a changed
input is refused; the output does not depend on the chunk size or on Dask.
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
import yaml
from rich.console import Console
from typer.testing import CliRunner

from tco.batch.run import BatchOptions, run_batch
from tco.cli.batch import _progress_bar, batch_app
from tco.core.errors import TcoError
from tco.core.results import evaluate, evaluate_many_json, result_json
from tco.core.scenario import parse_scenario
from tests.scenarios import overflowing

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("compressor", "cnc", "pump", "blcc-femp-energy")
runner = CliRunner()
app = typer.Typer()  # tco with only its batch commands
app.add_typer(batch_app, name="batch")

UNCERTAINTY: dict[str, Any] = {
    "draws": 200,
    "seed": 3,
    "inputs": [
        {
            "name": "Electricity price",
            "applies_to": [{"category": "energy"}],
            "factor": {"distribution": "triangular", "low": 0.8, "mode": 1.0, "high": 1.4},
        },
        {
            "name": "Discount rate",
            "applies_to": [{"field": "assumptions.discount_rate"}],
            "value": {"distribution": "uniform", "low": 0.03, "high": 0.09},
        },
    ],
}


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
    return json.loads(json.dumps(data, default=str))


def varied(base: dict[str, Any], i: int) -> dict[str, Any]:
    """The example with its amounts scaled and its discount rate changed."""
    d = copy.deepcopy(base)
    d["assumptions"]["discount_rate"] = round(0.02 + 0.003 * (i % 17), 4)
    scale = 0.8 + 0.01 * (i % 41)
    for offer in d["offers"]:
        for line in offer.get("costs", []):
            line["amount"] = round(float(line["amount"]) * scale, 2)
    return d


def scenarios(n: int = 30, *, names: tuple[str, ...] = EXAMPLES) -> list[dict[str, Any]]:
    bases = [example(name) for name in names]
    out = [varied(bases[i % len(bases)], i) for i in range(n)]
    if n > 5:
        out[5] = {**varied(example("cnc"), 5), "uncertainty": UNCERTAINTY}
    return out


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


def expected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's batch entry point on each scenario: what ``tco evaluate --json`` gives."""
    return [evaluate_many_json([parse_scenario(r)], named_in_batch=True)[0] for r in rows]


def jsonl_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def parquet_results(path: Path) -> list[dict[str, Any]]:
    """The results of a Parquet output as --json documents: the ``result`` struct read back,
    its ``uncertainty`` block (JSON text) put back in."""
    table = pq.read_table(path)
    assert table.column_names == [
        "row",
        "recommended",
        "offer_ids",
        "lifetime_cost",
        "result",
        "uncertainty",
    ]
    out = []
    for rec in table.to_pylist(maps_as_pydicts="strict"):
        result = rec["result"]
        if rec["uncertainty"] is not None:
            result["uncertainty"] = json.loads(rec["uncertainty"])
        assert rec["recommended"] == result["comparison"]["recommended"]
        assert rec["offer_ids"] == [o["id"] for o in result["offers"]]
        assert rec["lifetime_cost"] == [o["lifetime_cost"] for o in result["offers"]]
        out.append({"row": rec["row"], "result": result})
    return out


def run(inp: Path, out: Path, **options: Any) -> Any:
    return run_batch(BatchOptions(input=inp, output=out, **options))


# --------------------------------------------------------------------------------------------
# Results: the engine's, per scenario, in every format


def test_jsonl_results_are_the_engines_per_scenario(tmp_path: Path) -> None:
    rows = scenarios()
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    summary = run(inp, tmp_path / "out.jsonl", chunk=8)
    assert (summary.scenarios, summary.written, summary.refused) == (30, 30, 0)
    got = jsonl_results(tmp_path / "out.jsonl")
    assert [g["row"] for g in got] == list(range(1, 31))
    assert [g["result"] for g in got] == expected(rows)
    assert "uncertainty" in got[5]["result"]
    assert "uncertainty" not in got[4]["result"]
    assert (tmp_path / "out.jsonl.refused.jsonl").read_bytes() == b""
    assert not (tmp_path / "out.jsonl.parts").exists()
    # exactly the shape of tco evaluate --json
    assert got[1]["result"] == result_json(evaluate(parse_scenario(rows[1])))


def test_parquet_in_and_out(tmp_path: Path) -> None:
    rows = scenarios(20)
    table = pa.table({"id": list(range(20)), "scenario": [json.dumps(r) for r in rows]})
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=6)
    run(tmp_path / "in.parquet", tmp_path / "out.parquet", chunk=7)
    got = parquet_results(tmp_path / "out.parquet")
    assert [g["row"] for g in got] == list(range(1, 21))
    assert [g["result"] for g in got] == expected(rows)
    run(tmp_path / "in.parquet", tmp_path / "out.jsonl", chunk=4)
    assert jsonl_results(tmp_path / "out.jsonl") == got


def test_parquet_nested_columns(tmp_path: Path) -> None:
    """Columns that mirror the scenario's fields (structs, lists); a null is an absent field."""
    rows = [varied(example("cnc"), i) for i in range(9)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "nested.parquet", row_group_size=4)
    run(tmp_path / "nested.parquet", tmp_path / "out.jsonl", chunk=5)
    got = jsonl_results(tmp_path / "out.jsonl")
    assert [g["result"] for g in got] == expected(rows)


# --------------------------------------------------------------------------------------------
# Refused rows


def test_refused_rows_are_reported_and_the_good_ones_written(tmp_path: Path) -> None:
    good = scenarios(6)
    bad_schema = varied(example("compressor"), 1)
    bad_schema["offers"][0]["costs"][1]["every_years"] = 0
    lines: list[Any] = [
        good[0],
        "{not json",
        good[1],
        "",  # blank lines are skipped but counted
        bad_schema,
        overflowing(),  # valid, but its cash flows overflow: refused by the engine
        good[2],
        "[1, 2]",
        good[3],
        good[4],
        good[5],
    ]
    inp = write_jsonl(tmp_path / "in.jsonl", lines)
    out = runner.invoke(
        app, ["batch", "run", str(inp), str(tmp_path / "out.jsonl"), "--chunk", "4"]
    )
    assert out.exit_code == 1, out.output
    assert "10 scenarios, 4 refused" in out.stdout
    report = jsonl_results(tmp_path / "out.jsonl.refused.jsonl")
    assert report == [
        {
            "row": 2,
            "path": "",
            "message": "invalid JSON at column 2: Expecting property name enclosed in double quotes",
        },
        {
            "row": 5,
            "path": "offers[0].costs[1].every_years",
            "message": "must be at least 1, got 0",
        },
        {
            "row": 6,
            "path": "offers[1]",
            "message": "its cash flows overflow (not finite numbers); the discount or escalation "
            "rates are too extreme for the study period",
        },
        {
            "row": 8,
            "path": "",
            "message": "a scenario must be a mapping with 'assumptions' and 'offers'",
        },
    ]
    got = jsonl_results(tmp_path / "out.jsonl")
    assert [g["row"] for g in got] == [1, 3, 7, 9, 10, 11]
    assert [g["result"] for g in got] == expected(good)


def test_strict_stops_at_the_first_refused_row(tmp_path: Path) -> None:
    rows: list[Any] = scenarios(12)
    rows[8] = "{broken"
    rows[10] = {"offers": []}
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out_file = tmp_path / "out.jsonl"
    out = runner.invoke(app, ["batch", "run", str(inp), str(out_file), "--chunk", "3", "--strict"])
    assert out.exit_code == 1
    assert out.stderr.splitlines()[0] == (
        "error: line 9: invalid JSON at column 2: Expecting property name enclosed in double quotes"
    )
    assert "stopped there (--strict)" in out.stderr
    assert not out_file.exists()
    # the chunks before it are kept: a run without --strict resumes from them
    summary = run(inp, out_file, chunk=3)
    assert (summary.resumed, summary.refused) == (3, 2)
    assert [g["row"] for g in jsonl_results(out_file)] == [1, 2, 3, 4, 5, 6, 7, 8, 10, 12]


# --------------------------------------------------------------------------------------------
# Resuming


KILL_AFTER_TWO_CHUNKS = """
import os, signal, sys
from pathlib import Path
from tco.batch.run import BatchOptions, run_batch

done = []

def on_chunk(index):
    done.append(index)
    if len(done) == 2:
        os.kill(os.getpid(), signal.SIGKILL)

run_batch(BatchOptions(Path(sys.argv[1]), Path(sys.argv[2]), chunk=5), on_chunk=on_chunk)
"""


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet"])
def test_resume_after_kill_redoes_nothing_and_writes_the_same_bytes(
    tmp_path: Path, name: str
) -> None:
    rows: list[Any] = scenarios(23)
    rows[12] = "{broken"
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    whole = tmp_path / "whole" / name
    whole.parent.mkdir()
    run(inp, whole, chunk=5)

    out = tmp_path / name
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_TWO_CHUNKS, str(inp), str(out)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    parts = tmp_path / f"{name}.parts"
    assert sorted(p.name for p in parts.glob("*.done.json")) == [
        "000000.done.json",
        "000001.done.json",
    ]
    assert not out.exists()

    evaluated: list[int] = []
    summary = run_batch(BatchOptions(inp, out, chunk=5), on_chunk=evaluated.append)
    assert evaluated == [2, 3, 4]  # chunks 0 and 1 are not redone
    assert (summary.resumed, summary.chunks, summary.scenarios, summary.refused) == (2, 5, 23, 1)
    assert out.read_bytes() == whole.read_bytes()
    assert (tmp_path / f"{name}.refused.jsonl").read_bytes() == (
        whole.with_name(f"{name}.refused.jsonl").read_bytes()
    )
    assert not parts.exists()


class SimulatedStopError(Exception):
    pass


def interrupt_after(n: int) -> Any:
    done: list[int] = []

    def on_chunk(index: int) -> None:
        done.append(index)
        if len(done) == n:
            raise SimulatedStopError

    return on_chunk


def test_a_changed_input_is_refused_on_resume(tmp_path: Path) -> None:
    rows = scenarios(12)
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    with pytest.raises(SimulatedStopError):
        run_batch(BatchOptions(inp, out, chunk=4), on_chunk=interrupt_after(1))
    write_jsonl(inp, [*rows, rows[0]])
    with pytest.raises(TcoError, match="has changed since the interrupted run"):
        run(inp, out, chunk=4)
    res = runner.invoke(app, ["batch", "run", str(inp), str(out), "--chunk", "4"])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1
    assert "its size" in res.stderr
    assert "delete" in res.stderr
    # other options than the interrupted run's are refused too
    write_jsonl(inp, rows[:6])
    (tmp_path / "out.jsonl.parts").rename(tmp_path / "keep")
    with pytest.raises(SimulatedStopError):
        run_batch(BatchOptions(inp, out, chunk=4), on_chunk=interrupt_after(1))
    with pytest.raises(TcoError, match="--chunk 4 --format jsonl"):
        run(inp, out, chunk=5)


# --------------------------------------------------------------------------------------------
# The same output whatever the chunks and wherever they ran


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet"])
def test_the_chunk_size_does_not_change_the_output(tmp_path: Path, name: str) -> None:
    rows: list[Any] = scenarios(40)
    rows[20] = {"offers": "none"}
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    outputs = []
    for chunk in (7, 5000):
        out = tmp_path / str(chunk) / name
        out.parent.mkdir()
        run(inp, out, chunk=chunk)
        outputs.append((out.read_bytes(), Path(f"{out}.refused.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].count(b'"row": 21,') == 2  # its two problems


def test_a_dask_local_cluster_of_two_workers_writes_the_same_bytes(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    rows: list[Any] = scenarios(40)
    rows[3] = "{broken"
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    (tmp_path / "one").mkdir()
    run(inp, tmp_path / "one" / "out.jsonl", chunk=6)
    summary = run(inp, tmp_path / "out.jsonl", chunk=6, dask="local", workers=2)
    assert (summary.chunks, summary.scenarios, summary.refused) == (7, 40, 1)
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "one" / "out.jsonl").read_bytes()
    assert (tmp_path / "out.jsonl.refused.jsonl").read_bytes() == (
        (tmp_path / "one" / "out.jsonl.refused.jsonl").read_bytes()
    )


# --------------------------------------------------------------------------------------------
# The command: usage, summary, progress


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chunk", "0"], "error: --chunk: must be within 1..1,000,000, got 0"),
        (["--format", "xml"], "error: --format: 'xml' is not one of: jsonl, parquet"),
        (["--workers", "2"], "error: --workers: applies only with --dask local"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", scenarios(2))
    out = runner.invoke(app, ["batch", "run", str(inp), str(tmp_path / "o.jsonl"), *args])
    assert out.exit_code == 2
    assert out.stderr.splitlines() == [message]


def test_unreadable_inputs_are_one_line_and_exit_2(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 and nothing else")
    cases = {
        "missing.jsonl": "no such file",
        "other.parquet": "a Parquet input needs a 'scenario' column",
        "broken.parquet": "cannot be read as Parquet",
    }
    for name, message in cases.items():
        proc = subprocess.run(
            [sys.executable, "-m", "tco", "batch", "run", name, "out.jsonl"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith(f"error: {name}: {message}")


def test_summary_line_and_exit_0(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", scenarios(3))
    out = runner.invoke(app, ["batch", "run", str(inp), str(tmp_path / "o.parquet")])
    assert out.exit_code == 0, out.output
    line = out.stdout.strip()
    assert line.startswith("3 scenarios, 0 refused, ")
    assert line.endswith(" scenarios/s")
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 3


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    inp = write_jsonl(tmp_path / "in.jsonl", scenarios(6))
    seen: list[tuple[int, int]] = []
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with _progress_bar(console) as bar:
        assert bar is not None

        def progress(done: int, total: int) -> None:
            seen.append((done, total))
            bar(done, total)

        run_batch(BatchOptions(inp, tmp_path / "o.jsonl", chunk=4), progress=progress)
    assert seen == [(0, 6), (4, 6), (6, 6)]
    with _progress_bar(Console(file=io.StringIO())) as none:
        assert none is None


def test_help_loads_neither_the_engine_nor_pyarrow_nor_dask() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tco", "batch", "run", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "--dask" in proc.stdout
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert not loaded & {"numba", "pyarrow", "dask", "distributed"}
