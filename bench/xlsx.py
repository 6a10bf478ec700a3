"""Workbook export time for examples/cnc.yaml (3 offers, 20 years): render_workbook only."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tco.core.results import evaluate
from tco.core.scenario import load_scenario
from tco.presenters.xlsx import render_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cnc.yaml"


def run(repeats: int = 15) -> dict[str, float]:
    scenario = load_scenario(EXAMPLE)
    result = evaluate(scenario)
    render_workbook(scenario, result)  # warm-up: imports, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        render_workbook(scenario, result)
        times.append((time.perf_counter() - start) * 1000.0)
    return {"xlsx_export_median_ms": round(statistics.median(times), 1)}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
