"""The kernel's two paths: compiled by numba, and the very same functions run as Python
(tco.core.kernel.interpreted, which a one-shot ``tco evaluate`` of a small scenario uses so as
not to import numba). They give the same numbers to 1e-12 relative: on the examples and the
published golden scenarios (evaluated as Python in a fresh process that never imports numba),
and on generated scenarios. And the uncertainty runs' copies, evaluated from the base tables
chunk by chunk (tco.core.kernel.evaluate_copies), give bit for bit the lifetime costs of the
same copies materialised as one batch."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from tco.core import engine, kernel, simulation
from tco.core.engine import BatchResult, compile_batch, evaluate_batch
from tco.core.scenario import parse_scenario, read_file
from tco.core.uncertainty import resolve, sample
from tests.scenarios import scenarios

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "published"
RELATIVE = 1e-12
#: The arrays of a result compared, and those holding counts or years (compared exactly).
FIELDS = (
    "line_pv",
    "residual_pv",
    "repair_pv",
    "downtime_pv",
    "order_pv",
    "offer_nominal",
    "offer_pv",
    "category_pv",
)
EXACT = (
    "simple_payback_year",
    "discounted_payback_year",
    "savings_negative_again_year",
    "savings_recovered_year",
    "sign_changes",
    "is_baseline",
)


def plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def published() -> list[tuple[str, dict[str, Any]]]:
    """The examples and the scenarios of the published golden cases, by name."""
    out = [(p.name, plain(read_file(p))) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for path in sorted(GOLDEN.glob("*.yaml")):
        data = read_file(path)
        for k, case in enumerate(data.get("cases", [data])):
            raw = (
                read_file(ROOT / case["scenario_file"])
                if "scenario_file" in case
                else case["scenario"]
            )
            out.append((f"{path.stem}[{k}]", plain(raw)))
    return out


def arrays(r: BatchResult) -> dict[str, np.ndarray]:
    m = r.measures
    got = {name: np.array(getattr(r, name), dtype=float) for name in FIELDS}
    got.update({name: np.array(getattr(m, name), dtype=float) for name in m.__slots__})
    return got


def cancelled(r: dict[str, np.ndarray], batch: Any) -> np.ndarray:
    """Per offer: whether its SIR divides numbers that cancel out (operating savings or added
    investment within 1e-6 of the scenario's largest lifetime cost of zero, differences of
    larger sums): there the last bits of the sums decide the ratio's leading digits, and the
    sign of an SIR near 0 whether the AIRR exists. Such offers' SIR and AIRR are ill-conditioned
    and left out of the comparison (every amount they come from is compared)."""
    inv = r["category_pv"][:, engine.INVEST].sum(axis=1)
    base = batch.baseline_offer[batch.offer_scenario]
    added = inv - inv[base]
    operating = (r["lifetime_cost"][base] - inv[base]) - (r["lifetime_cost"] - inv)
    scale = np.abs(r["lifetime_cost"]).max(initial=0.0)
    small = 1e-6 * scale
    out: np.ndarray = (np.abs(added) < small) | (np.abs(operating) < small)
    return out


def assert_close(
    a: dict[str, np.ndarray],
    b: dict[str, np.ndarray],
    where: str,
    ill_conditioned: np.ndarray | None = None,
) -> None:
    """Equal NaN where NaN, counts and years exactly, other numbers within RELATIVE of the
    larger of the two (of the scenario's largest lifetime cost, for amounts that cancel out
    to near zero; of 1 for rates). SIR and AIRR are not compared for ``ill_conditioned``
    offers (:func:`cancelled`)."""
    scale = float(np.nanmax(np.abs(b["lifetime_cost"]), initial=0.0))
    for name, want in b.items():
        got = a[name]
        if ill_conditioned is not None and name in ("sir", "airr"):
            got, want = got[~ill_conditioned], want[~ill_conditioned]
        assert np.array_equal(np.isnan(got), np.isnan(want)), (where, name, got, want)
        if name in EXACT:
            assert np.array_equal(got, want, equal_nan=True), (where, name, got, want)
            continue
        floor = 1.0 if name in ("sir", "airr", "irr") else scale
        ok = np.isnan(want) | (
            np.abs(got - want)
            <= RELATIVE * np.maximum(np.maximum(np.abs(got), np.abs(want)), floor)
        )
        assert ok.all(), (where, name, got, want)


@contextmanager
def python_passes() -> Iterator[list[bool]]:
    """The list yielded gets True for each pass of :func:`tco.core.kernel.evaluate_scenarios`
    completed as Python (not handed to the compiled kernel)."""
    done: list[bool] = []
    original = kernel.evaluate_scenarios.py_func

    def counted(*args: Any) -> None:
        original(*args)
        done.append(True)

    kernel.evaluate_scenarios.py_func = counted
    try:
        yield done
    finally:
        kernel.evaluate_scenarios.py_func = original


@contextmanager
def python_pass() -> Iterator[list[bool]]:
    """Within it, the kernel runs as Python in this thread (:func:`python_passes`)."""
    with python_passes() as done, kernel.interpreted():
        yield done


# --------------------------------------------------------------------------------------------
# The examples and the golden scenarios, as Python in a process without numba

_CHILD = """
import json, pickle, sys
import numpy as np
from tco.core.engine import compile_batch, evaluate_batch, small_batches_interpreted
from tco.core.scenario import parse_scenario
from tests.test_kernel_paths import arrays, published
out = {}
with small_batches_interpreted():
    for name, raw in published():
        out[name] = arrays(evaluate_batch(compile_batch([parse_scenario(raw)])))
assert "numba" not in sys.modules, "the interpreted path imported numba"
sys.stdout.buffer.write(pickle.dumps(out))
"""


def test_examples_and_golden_scenarios_as_python_equal_the_compiled_kernel() -> None:
    import pickle

    proc = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, cwd=ROOT, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    as_python = pickle.loads(proc.stdout)
    cases = published()
    assert len(cases) >= 8
    assert set(as_python) == {name for name, _ in cases}
    for name, raw in cases:
        compiled = arrays(evaluate_batch(compile_batch([parse_scenario(raw)])))
        assert_close(as_python[name], compiled, name)


@pytest.mark.parametrize(("name", "raw"), published(), ids=[n for n, _ in published()])
def test_each_published_scenario_as_python_in_this_process(name: str, raw: dict[str, Any]) -> None:
    batch = compile_batch([parse_scenario(raw)])
    compiled = arrays(evaluate_batch(batch))
    with python_pass() as done:
        as_python = arrays(evaluate_batch(batch))
    assert done == [True]
    assert_close(as_python, compiled, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios())
def test_generated_scenarios_as_python_equal_the_compiled_kernel(raw: dict[str, Any]) -> None:
    batch = compile_batch([parse_scenario(raw)])
    compiled = arrays(evaluate_batch(batch))
    with python_pass() as done:
        as_python = arrays(evaluate_batch(batch))
    assume(done)  # else Python raised where numba gives inf or NaN, and numba gave these
    assert_close(as_python, compiled, "generated", cancelled(compiled, batch))


def test_a_batch_of_several_scenarios_runs_as_python_in_one_pass() -> None:
    raws = [raw for _, raw in published()]
    batch = compile_batch([parse_scenario(raw) for raw in raws])
    compiled = arrays(evaluate_batch(batch, part_offers=1))  # split over threads
    with python_pass() as done:
        as_python = arrays(evaluate_batch(batch, part_offers=1))
    assert done == [True]
    assert_close(as_python, compiled, "batch")


def test_where_python_raises_the_compiled_kernel_evaluates_the_batch() -> None:
    """Python raises where numba gives inf or NaN (math.exp overflowing, say): the pass is
    handed to the compiled kernel, whose numbers are the result."""
    batch = compile_batch([parse_scenario(published()[0][1])])
    compiled = arrays(evaluate_batch(batch))
    original = kernel.evaluate_scenarios.py_func

    def overflowing(*args: Any) -> None:
        raise OverflowError("math range error")

    kernel.evaluate_scenarios.py_func = overflowing
    try:
        with kernel.interpreted():
            fallen_back = arrays(evaluate_batch(batch))
    finally:
        kernel.evaluate_scenarios.py_func = original
    for name, want in compiled.items():
        assert np.array_equal(fallen_back[name], want, equal_nan=True), name


def test_small_batches_run_as_python_only_until_the_compiled_kernel_is_loaded() -> None:
    batch = compile_batch([parse_scenario(published()[0][1])])
    evaluate_batch(batch)  # loads the compiled kernel in this process
    assert kernel.loaded()
    with python_passes() as done, engine.small_batches_interpreted():
        evaluate_batch(batch)
    assert done == []


def test_tco_evaluate_of_a_small_scenario_does_not_import_numba() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tco", "evaluate", "examples/cnc.yaml"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Lifetime cost" in proc.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert not imported & {"numba", "llvmlite", "scipy"}, sorted(imported & {"numba", "scipy"})


def test_the_table_is_the_same_on_both_paths_and_the_json_is_the_compiled_result() -> None:
    """A fresh ``tco evaluate`` prints the table of a small scenario from the kernel run as
    Python: the same text as from the compiled kernel (in this process, which has loaded it).
    ``--json`` prints the compiled kernel's numbers, exactly those of /v1/evaluate."""
    from typer.testing import CliRunner

    from tco.cli.main import app
    from tco.core.results import evaluate_json

    evaluate_batch(compile_batch([parse_scenario(published()[0][1])]))
    assert kernel.loaded()
    for name in ("compressor.yaml", "cnc.yaml", "pump.yaml", "blcc-femp-energy.yaml"):
        path = f"examples/{name}"
        fresh = subprocess.run(
            [sys.executable, "-m", "tco", "evaluate", path],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        here = CliRunner().invoke(app, ["evaluate", str(ROOT / path)])
        assert here.exit_code == 0, here.output
        assert fresh.stdout == here.stdout, name
        as_json = subprocess.run(
            [sys.executable, "-m", "tco", "evaluate", path, "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        want = evaluate_json(parse_scenario(plain(read_file(ROOT / path))))
        assert json.loads(as_json.stdout) == want, name


# --------------------------------------------------------------------------------------------
# The uncertainty runs' copies


PUMP_INPUTS = [
    {"name": name, "applies_to": [sel], kind: {"distribution": "uniform", "low": lo, "high": hi}}
    for name, sel, kind, lo, hi in (
        ("amount", {"offer": "ours", "line": "Electricity"}, "value", 25000, 35000),
        ("maintenance", {"category": "maintenance"}, "factor", 0.7, 1.6),
        ("mtbf", {"field": "failures.mtbf_hours"}, "factor", 0.5, 1.5),
        ("shape", {"offer": "ours", "field": "failures.shape"}, "value", 0.8, 2.0),
        ("repair", {"offer": "ours", "field": "failures.repair_cost"}, "factor", 0.5, 2.0),
        (
            "repair value",
            {"offer": "competitor", "field": "failures.repair_cost"},
            "value",
            1000,
            5000,
        ),
        ("downtime", {"field": "failures.downtime_hours"}, "factor", 0.5, 2.0),
        ("rate", {"field": "assumptions.discount_rate"}, "value", 0.0, 0.12),
        ("hours", {"field": "assumptions.operating_hours_per_year"}, "value", 3000, 8000),
        ("downtime cost", {"field": "assumptions.downtime_cost_per_hour"}, "factor", 0.5, 2.0),
        ("labor", {"field": "assumptions.escalation.labor"}, "value", -0.02, 0.06),
    )
]


def pump_replicas(draws: int) -> tuple[simulation.Replicas, np.ndarray]:
    raw = {**plain(read_file(ROOT / "examples" / "pump.yaml"))}
    raw["uncertainty"] = {"draws": draws, "seed": 5, "inputs": PUMP_INPUTS}
    sc = parse_scenario(raw)
    assert sc.uncertainty is not None
    targets, _ = resolve(sc.uncertainty, sc)
    rows = sample(sc.uncertainty)
    rows[::7, 3] = np.nan  # some inputs at base in some copies
    rows[::5, :] = np.nan
    return simulation.Replicas(sc, targets), rows


@pytest.mark.parametrize("chunk_offers", [1, 7, 301, simulation.CHUNK_OFFERS, 1 << 20])
def test_copies_from_the_base_tables_equal_the_copies_materialised(
    chunk_offers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulation, "CHUNK_OFFERS", chunk_offers)
    monkeypatch.setattr(simulation, "CHUNK_LINES", 1 << 30)
    replicas, rows = pump_replicas(1000)
    got = replicas.lifetime_costs(rows)
    want = evaluate_batch(replicas.batch(rows)).measures.lifetime_cost.reshape(got.shape)
    assert np.array_equal(got, want)  # bit for bit


def test_copies_split_over_threads_and_runs_give_the_same_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replicas, rows = pump_replicas(3000)
    one = replicas.lifetime_costs(rows)
    monkeypatch.setattr(simulation, "_CPUS", 4)
    monkeypatch.setattr(simulation, "MIN_PART_OFFERS", 16)
    monkeypatch.setattr(simulation, "RUN_OFFERS", 1000)
    heard: list[tuple[int, int]] = []
    several = replicas.lifetime_costs(rows, lambda done, total: heard.append((done, total)))
    assert np.array_equal(one, several)
    assert heard[-1] == (3000, 3000)
    assert len(heard) > 1


def test_copies_as_python_equal_the_compiled_copies() -> None:
    replicas, rows = pump_replicas(100)
    compiled = replicas.lifetime_costs(rows[:40])
    with kernel.interpreted(), np.errstate(all="ignore"):
        as_python = replicas.lifetime_costs(rows[:40])
    assert np.allclose(as_python, compiled, rtol=RELATIVE, atol=0.0)
