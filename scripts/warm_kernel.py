"""Compile the evaluation kernel into numba's on-disk cache, in a process of its own.

A process that compiles the kernel itself can round the last bit of a few uncertainty figures
differently from the processes that load the compiled code from the cache (seen with numba
0.68.1: the simulation's copies compiled in the process and loaded from the cache differ in
the last units of a few percentiles and means, while every process that loads the cache gets
the same bytes). So that
every process of a run (test workers, API workers and their batch children, Dask workers, the
command line) uses the same code, ``make run``, ``make test`` and ``make bench`` run this first:
when the cache is current it only loads it (about a second).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tco.core.results import evaluate_json, warm_up
from tco.core.scenario import parse_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    warm_up()  # the batch pass
    data = json.loads(
        json.dumps(yaml.safe_load((ROOT / "examples" / "cnc.yaml").read_text()), default=str)
    )
    data["uncertainty"] = {
        "draws": 200,
        "seed": 1,
        "inputs": [
            {
                "name": "energy use",
                "applies_to": [{"category": "energy"}],
                "factor": {"distribution": "triangular", "low": 0.9, "mode": 1.0, "high": 1.2},
            }
        ],
    }
    evaluate_json(parse_scenario(data))  # the copies of the uncertainty runs


if __name__ == "__main__":
    main()
