"""``python -m tco.warm``: compile the evaluation kernel into numba's on-disk cache, in a process
of its own.

A process that compiles the kernel itself can round the last bit of a few uncertainty figures
differently from the processes that load the compiled code from the cache (seen with numba
0.68.1: the simulation's copies, compiled in the process and loaded from the cache, differ in
the last units of a few percentiles and means; every process that loads the cache gets the same
bytes). So that every process of a run (test workers, API workers and their batch children,
Dask workers, the command line) uses the same code, ``make run``, ``make test`` and ``make
bench`` run this first, and a host that runs Dask workers runs it once before starting them
(docs/batch.md). When the cache is current it only loads it, in about a second.
"""

from __future__ import annotations

import copy

from tco.core.results import _WARM_UP, evaluate_json, warm_up
from tco.core.scenario import parse_scenario

#: The warm-up scenario with an uncertainty section: its draws compile the copies' pass.
_UNCERTAIN = {
    **copy.deepcopy(_WARM_UP),
    "uncertainty": {
        "draws": 200,
        "seed": 1,
        "inputs": [
            {
                "name": "energy use",
                "applies_to": [{"category": "energy"}],
                "factor": {"distribution": "triangular", "low": 0.9, "mode": 1.0, "high": 1.2},
            }
        ],
    },
}


def main() -> None:
    warm_up()  # the batch pass
    evaluate_json(parse_scenario(_UNCERTAIN))  # the copies of the uncertainty runs


if __name__ == "__main__":
    main()
