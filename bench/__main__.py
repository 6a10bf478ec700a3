"""Run every benchmark; each section prints `key: value` lines."""

from __future__ import annotations

import importlib
import sys

SECTIONS = [
    "bench.engine",
    "bench.uncertainty",
    "bench.xlsx",
    "bench.pdf",
    "bench.api",
    "bench.cli",
    "bench.ledger",
    "bench.batchfile",
]


def main() -> int:
    for name in SECTIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for key, value in module.run().items():
            print(f"{key}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
