"""Start-up times: the command line and ``tco serve --workers 4``.

Each figure is the best of :data:`RUNS` runs in a new process (the least disturbed by other load
on the machine), with numba's on-disk cache of the compiled kernel filled beforehand (a first
run on a new machine or after an upgrade compiles it once, which takes longer). Prints:

- ``cli_help_ms``: ``tco --help`` (target: at most 500); it loads neither the engine (numba) nor
  the store (SQLAlchemy);
- ``cli_evaluate_cold_ms``: ``tco evaluate examples/compressor.yaml`` in a new process (target:
  at most 1,500): interpreter start, imports, the scenario priced by the kernel run as Python
  (one small scenario's table does not import numba: tco.core.engine.small_batches_interpreted),
  the table;
- ``serve_workers4_ready_s``: from starting ``tco serve --workers 4`` on a new SQLite database
  until all four workers have finished their start-up and ``/readyz`` answers 200 (one run),
  and ``serve_workers4_restarts``: workers the supervisor killed and started again meanwhile
  (expected: 0).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compressor.yaml"
TCO = [sys.executable, "-m", "tco"]
RUNS = 5
WORKERS = 4
READY_TIMEOUT_S = 180.0


def _best_ms(args: list[str], env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
        best = min(best, (time.perf_counter() - start) * 1000.0)
    return round(best, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def serve_ready(env: dict[str, str]) -> tuple[float, int]:
    """Seconds until ``tco serve --workers 4`` has every worker started and answers
    ``/readyz``, and how many workers were restarted meanwhile."""
    port = _free_port()
    lines: list[str] = []
    start = time.monotonic()
    proc = subprocess.Popen(
        [*TCO, "serve", "--workers", str(WORKERS), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout
    threading.Thread(target=lambda: lines.extend(out), daemon=True).start()
    try:
        while time.monotonic() - start < READY_TIMEOUT_S:
            started = sum("Application startup complete" in line for line in lines)
            if started >= WORKERS and _ready(f"http://127.0.0.1:{port}/readyz"):
                break
            if proc.poll() is not None:
                raise RuntimeError("tco serve exited:\n" + "".join(lines))
            time.sleep(0.05)
        else:
            raise RuntimeError("tco serve was not ready in time:\n" + "".join(lines))
        ready = time.monotonic() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return round(ready, 2), sum(" died" in line for line in lines)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "TCO_DATABASE_URL": f"sqlite:///{tmp}/tco.db",
            "TCO_ACCESS_LOG": "false",
        }
        # fill numba's cache (and the file system's) once; the figures are for later starts
        subprocess.run(
            [*TCO, "evaluate", str(EXAMPLE)], env=env, cwd=ROOT, check=True, capture_output=True
        )
        figures: dict[str, float] = {
            "cli_help_ms": _best_ms([*TCO, "--help"], env),
            "cli_evaluate_cold_ms": _best_ms([*TCO, "evaluate", str(EXAMPLE)], env),
        }
        ready, restarts = serve_ready(env)
        figures["serve_workers4_ready_s"] = ready
        figures["serve_workers4_restarts"] = restarts
        return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
