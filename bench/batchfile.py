"""File-to-file batch benchmarks: ``tco batch run`` (tco.batch) against the kernel alone.

- ``batch_file_offers_per_s``: a JSON Lines file of 100,002 offers (33,334 three-offer
  scenarios made from examples/cnc.yaml, each with its own amounts, discount rate, energy
  escalation, MTBF and downtime cost) to written results (JSON Lines), in chunks of 5,000
  scenarios, in this process: reading, JSON parsing, validation, the engine, the results'
  JSON and the part files and their assembly. The kernel is loaded beforehand.
- ``batch_file_vs_kernel``: that rate over the rate of :func:`tco.core.engine.evaluate_batch`
  alone on the same offers, compiled beforehand into one batch (best of 3), as
  bench/engine.py times the kernel. The issue's target is at least 0.3; reading the JSON alone
  (``columnar_read_vs_kernel``) bounds it, and writing each result as JSON text dominates.
- ``batch_file_parquet_offers_per_s`` (``..._vs_kernel``): the same JSON Lines file to Parquet
  results (the result columns built from the engine's arrays).
- ``batch_parquet_file_offers_per_s`` (``..._vs_kernel``): the same scenarios as a Parquet file
  with nested columns (row groups of 5,000) to Parquet results: no JSON on either side.
- ``columnar_read_offers_per_s``, ``columnar_check_offers_per_s``, ``compile_offers_per_s``: the
  columnar path's stages on the file (best of 3): pyarrow reading the JSON into columns,
  checking them, and packing the engine's batch from them; ``compile_objects_offers_per_s`` is
  ``compile_batch`` from scenario objects on 12,000 of them, for comparison.
- ``batch_columnar_vs_objects``: the object path's time (``TCO_COLUMNAR=0``) over the columnar
  path's on 12,000 scenarios, JSON Lines out; ``batch_columnar_same_bytes``: 1 when both
  outputs are the same bytes.
- ``dask_local2_vs_one``: the rate of a Dask LocalCluster of 2 worker processes (started by
  the run, and counted in it) over the rate of one process (best of 2), on a file of 12,000
  scenarios in chunks of 1,000. Above 1: the cluster is faster. ``dask_local2_startup_s`` is
  what starting such a cluster and loading the kernel in its workers takes by itself, and
  ``dask_local2_warm_vs_one`` the same ratio on a cluster started and warmed beforehand (best
  of 2 runs, used through its scheduler's address, as a cluster of several hosts is).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tco.batch.run import BatchOptions, run_batch
from tco.core.engine import compile_batch, evaluate_batch
from tco.core.scenario import parse_scenario

ROOT = Path(__file__).resolve().parent.parent
N_SCENARIOS = 33_334  # three offers each: 100,002 offers
DASK_SCENARIOS = 12_000
DASK_CHUNK = 1000


def cnc() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "examples" / "cnc.yaml").read_text())
    return json.loads(json.dumps(data, default=str))


def varied_lines(n: int) -> Iterator[str]:
    """n scenarios from the CNC example, as JSON Lines, each with its own figures."""
    base = cnc()
    amounts = [[float(c["amount"]) for c in o["costs"]] for o in base["offers"]]
    mtbf = [float(o["failures"]["mtbf_hours"]) for o in base["offers"]]
    for i in range(n):
        scale = 0.8 + 0.4 * ((i * 7919) % 1000) / 1000
        d = base  # changed in place, written at once
        d["assumptions"]["discount_rate"] = round(0.02 + 0.08 * ((i * 104729) % 997) / 997, 6)
        d["assumptions"]["escalation"]["energy"] = [0.04, 0.03, 0.01 + (i % 30) / 1000]
        d["assumptions"]["downtime_cost_per_hour"] = 200 + i % 300
        for o, offer in enumerate(d["offers"]):
            for c, line in enumerate(offer["costs"]):
                line["amount"] = round(amounts[o][c] * scale, 2)
            offer["failures"]["mtbf_hours"] = round(mtbf[o] * (0.7 + 0.6 * (i % 101) / 100), 1)
        yield json.dumps(d)


def write_file(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for line in varied_lines(n):
            f.write(line + "\n")
    return path


def write_parquet(jsonl: Path, path: Path) -> Path:
    """The scenarios of a JSON Lines file as a Parquet file with nested columns (row groups of
    5,000 rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with jsonl.open(encoding="utf-8") as f:
        table = pa.Table.from_pylist([json.loads(line) for line in f])
    pq.write_table(table, path, row_group_size=5000)
    return path


def timed_run(options: BatchOptions) -> float:
    t0 = time.perf_counter()
    summary = run_batch(options)
    seconds = time.perf_counter() - t0
    assert summary.refused == 0
    assert summary.written == summary.scenarios
    return seconds


def kernel_seconds(path: Path, rounds: int = 3) -> tuple[float, int]:
    """The kernel alone on the file's offers, compiled beforehand: best of ``rounds``."""
    with path.open(encoding="utf-8") as f:
        batch = compile_batch([parse_scenario(json.loads(line)) for line in f])
    evaluate_batch(batch)  # warm up
    best = math.inf
    for _ in range(rounds):
        t0 = time.perf_counter()
        evaluate_batch(batch)
        best = min(best, time.perf_counter() - t0)
    return best, batch.n_offers


def _warm() -> None:
    import tco.batch.run  # noqa: F401  (what the chunks' tasks import)
    from tco.core.results import warm_up

    warm_up()


def warm_cluster_seconds(small: Path, out: Path) -> tuple[float, float]:
    """Seconds to start a LocalCluster of 2 workers and load the kernel in each, and of a run
    on that warm cluster (through its scheduler's address, as a remote cluster is used)."""
    from tco.batch.run import dask_client

    t0 = time.perf_counter()
    with dask_client("local", 2) as client:
        client.run(_warm)
        t_start = time.perf_counter() - t0
        address = client.scheduler.address
        options = BatchOptions(small, out, chunk=DASK_CHUNK, dask=address)
        t_run = min(timed_run(options) for _ in range(2))
    return t_start, t_run


def compile_seconds(path: Path, rounds: int = 3) -> dict[str, float]:
    """The columnar path's stages on the file's rows (best of ``rounds``): reading the JSON
    into Arrow columns, checking and gathering them (``read_columns``), and packing the batch
    from the checked columns (``Columns.batch``, what ``compile_batch`` does from scenario
    objects, which is timed beside it)."""
    from tco.batch import columnar

    payloads = path.read_bytes().splitlines()
    best = {"read": math.inf, "check": math.inf, "pack": math.inf}
    for _ in range(rounds):
        t0 = time.perf_counter()
        table = columnar.read_table(payloads)
        t1 = time.perf_counter()
        cols = columnar.read_columns(table)
        t2 = time.perf_counter()
        assert not cols.doubted.any()
        batch = cols.batch(np.arange(cols.n.size))
        t3 = time.perf_counter()
        for key, seconds in (("read", t1 - t0), ("check", t2 - t1), ("pack", t3 - t2)):
            best[key] = min(best[key], seconds)
    scenarios = [parse_scenario(json.loads(p)) for p in payloads[:DASK_SCENARIOS]]
    t0 = time.perf_counter()
    objects = compile_batch(scenarios)
    best["objects"] = (time.perf_counter() - t0) * batch.n_offers / objects.n_offers
    best["offers"] = batch.n_offers
    return best


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tco-bench-batch-") as tmp:
        d = Path(tmp)
        warm = write_file(d / "warm.jsonl", 100)
        timed_run(BatchOptions(warm, d / "warm.out.jsonl"))  # loads the kernel
        timed_run(BatchOptions(warm, d / "warm.out.parquet"))
        big = write_file(d / "big.jsonl", N_SCENARIOS)
        t_file = timed_run(BatchOptions(big, d / "big.out.jsonl"))
        t_parquet = timed_run(BatchOptions(big, d / "big.out.parquet"))
        in_mb, out_mb = big.stat().st_size / 1e6, (d / "big.out.jsonl").stat().st_size / 1e6
        parquet_mb = (d / "big.out.parquet").stat().st_size / 1e6
        nested = write_parquet(big, d / "big.parquet")
        nested_mb = nested.stat().st_size / 1e6
        t_nested = timed_run(BatchOptions(nested, d / "nested.out.parquet"))
        t_kernel, n_offers = kernel_seconds(big)
        stages = compile_seconds(big)
        small = write_file(d / "small.jsonl", DASK_SCENARIOS)
        t_one = min(
            timed_run(BatchOptions(small, d / "one.jsonl", chunk=DASK_CHUNK)) for _ in range(2)
        )
        os.environ["TCO_COLUMNAR"] = "0"
        try:
            t_objects = timed_run(BatchOptions(small, d / "objects.jsonl", chunk=DASK_CHUNK))
        finally:
            del os.environ["TCO_COLUMNAR"]
        same_paths = (d / "one.jsonl").read_bytes() == (d / "objects.jsonl").read_bytes()
        t_dask = timed_run(
            BatchOptions(small, d / "dask.jsonl", chunk=DASK_CHUNK, dask="local", workers=2)
        )
        same = (d / "one.jsonl").read_bytes() == (d / "dask.jsonl").read_bytes()
        t_start, t_warm = warm_cluster_seconds(small, d / "warm-dask.jsonl")
        same = same and (d / "one.jsonl").read_bytes() == (d / "warm-dask.jsonl").read_bytes()
    file_rate = n_offers / t_file
    parquet_rate = n_offers / t_parquet
    kernel_rate = n_offers / t_kernel
    offers = stages["offers"]
    return {
        "batch_file_offers_per_s": round(file_rate),
        "batch_file_s": round(t_file, 2),
        "batch_file_in_mb": round(in_mb, 1),
        "batch_file_out_mb": round(out_mb, 1),
        "batch_kernel_ms": round(t_kernel * 1e3, 1),
        "batch_file_vs_kernel": round(file_rate / kernel_rate, 4),
        "batch_file_parquet_offers_per_s": round(parquet_rate),
        "batch_file_parquet_s": round(t_parquet, 2),
        "batch_file_parquet_mb": round(parquet_mb, 1),
        "batch_file_parquet_vs_kernel": round(parquet_rate / kernel_rate, 4),
        "batch_parquet_file_offers_per_s": round(n_offers / t_nested),
        "batch_parquet_file_s": round(t_nested, 2),
        "batch_parquet_file_in_mb": round(nested_mb, 1),
        "batch_parquet_file_vs_kernel": round(n_offers / t_nested / kernel_rate, 4),
        "columnar_read_offers_per_s": round(offers / stages["read"]),
        "columnar_read_vs_kernel": round(offers / stages["read"] / kernel_rate, 3),
        "columnar_check_offers_per_s": round(offers / stages["check"]),
        "compile_offers_per_s": round(offers / stages["pack"]),
        "compile_objects_offers_per_s": round(offers / stages["objects"]),
        "batch_columnar_vs_objects": round(t_objects / t_one, 2),
        "batch_columnar_same_bytes": float(same_paths),
        "batch_one_process_s": round(t_one, 2),
        "batch_dask_local2_s": round(t_dask, 2),
        "dask_local2_vs_one": round(t_one / t_dask, 2),
        "dask_local2_startup_s": round(t_start, 2),
        "dask_local2_warm_s": round(t_warm, 2),
        "dask_local2_warm_vs_one": round(t_one / t_warm, 2),
        "dask_local2_same_bytes": float(same),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}", flush=True)
