"""Uncertainty benchmarks: a Monte Carlo run against the engine alone on the same offers.

- ``mc_10k_ms``: :func:`tco.core.simulation.simulate` on the 3-offer, 20-year CNC example
  (examples/cnc.yaml) with five uncertain inputs (electricity price, both machines' MTBF, the
  discount rate, the downtime cost; one rank correlation) and 10,000 draws: sampling, the
  copies of the batch, the engine, percentiles, chances, sensitivity and switching values.
- ``mc_engine_ms``: :func:`tco.core.engine.evaluate_batch` alone on the same 10,000 copies
  (30,000 offers) with the same draws, built beforehand.
- ``mc_vs_batch_ratio``: the first over the second. The two are timed in alternation, best
  of each over at least 7 rounds and about 3 seconds (a shared machine's second core comes
  and goes).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import yaml

from tco.core.engine import evaluate_batch
from tco.core.scenario import Scenario, parse_scenario
from tco.core.simulation import Replicas, simulate
from tco.core.uncertainty import resolve, sample

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 7
WINDOW_S = 3.0

UNCERTAINTY: dict[str, Any] = {
    "draws": 10_000,
    "seed": 7,
    "inputs": [
        {
            "name": "Electricity price",
            "applies_to": [{"category": "energy"}],
            "factor": {"distribution": "triangular", "low": 0.8, "mode": 1.0, "high": 1.4},
        },
        {
            "name": "Our MTBF",
            "applies_to": [{"offer": "ours", "field": "failures.mtbf_hours"}],
            "factor": {"distribution": "pert", "low": 0.6, "mode": 1.0, "high": 1.1},
        },
        {
            "name": "Competitor MTBF",
            "applies_to": [{"offer": "competitor", "field": "failures.mtbf_hours"}],
            "factor": {"distribution": "pert", "low": 0.7, "mode": 1.0, "high": 1.3},
        },
        {
            "name": "Discount rate",
            "applies_to": [{"field": "assumptions.discount_rate"}],
            "value": {"distribution": "uniform", "low": 0.03, "high": 0.09},
        },
        {
            "name": "Downtime cost",
            "applies_to": [{"field": "assumptions.downtime_cost_per_hour"}],
            "factor": {"distribution": "lognormal", "median": 1.0, "sigma": 0.3},
        },
    ],
    "correlations": [["Electricity price", "Discount rate", 0.3]],
}


def cnc_with_uncertainty() -> Scenario:
    data = yaml.safe_load((ROOT / "examples" / "cnc.yaml").read_text())
    data = json.loads(json.dumps(data, default=str))
    data["uncertainty"] = UNCERTAINTY
    return parse_scenario(data)


def run() -> dict[str, float]:
    scenario = cnc_with_uncertainty()
    assert scenario.uncertainty is not None
    targets, _ = resolve(scenario.uncertainty, scenario)
    prebuilt = Replicas(scenario, targets).batch(sample(scenario.uncertainty))

    def mc() -> None:
        simulate(scenario)

    def engine() -> None:
        evaluate_batch(prebuilt)

    mc()  # warm up
    engine()
    t_mc = t_engine = math.inf
    rounds, start = 0, time.perf_counter()
    while rounds < ROUNDS or (time.perf_counter() - start < WINDOW_S and rounds < 4 * ROUNDS):
        t0 = time.perf_counter()
        mc()
        t1 = time.perf_counter()
        engine()
        t2 = time.perf_counter()
        t_mc, t_engine = min(t_mc, t1 - t0), min(t_engine, t2 - t1)
        rounds += 1
    return {
        "mc_10k_ms": round(t_mc * 1e3, 1),
        "mc_engine_ms": round(t_engine * 1e3, 1),
        "mc_vs_batch_ratio": round(t_mc / t_engine, 2),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
