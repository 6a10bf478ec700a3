"""PDF rendering time of the quote document for examples/compressor.yaml (3 offers)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tco.core.results import evaluate
from tco.core.scenario import load_scenario
from tco.presenters.document import render_pdf

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "compressor.yaml"
RUNS = 7


def run() -> dict[str, float]:
    """Median wall time of HTML + PDF rendering for the 3-offer example, after one warm-up."""
    scenario = load_scenario(EXAMPLE)
    result = evaluate(scenario)
    render_pdf(scenario, result)  # warm-up: fonts, templates, imports
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render_pdf(scenario, result)
        times.append((time.perf_counter() - start) * 1000.0)
    return {"pdf_render_median_ms": round(statistics.median(times), 1)}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
