"""HTTP API load benchmark: wrk against ``POST /v1/evaluate`` and a trivial endpoint, same run,
and the latency of small evaluations while large batches are priced.

uvicorn with 2 workers on 127.0.0.1 (a free port), ``TCO_OPEN_EVALUATE=true``, access log off,
a throwaway SQLite database. ``wrk -t2 -c32 -d10s --latency`` POSTs ``examples/compressor.yaml``
as JSON to ``/v1/evaluate``, then the same body to ``POST /bench/trivial`` (same app, middleware
and body reading; it returns ``{"ok": true}``). Then ``wrk -t1 -c4 -d3s --latency`` POSTs the
same scenario to ``/v1/evaluate`` three times alone and three times, in turn, while a client
posts batches of 1,000 such scenarios to ``/v1/evaluate/batch`` back to back (one at a time,
each on a new connection, so either worker may get it). Before those rounds, batches are posted
for :data:`WARM_S` seconds: each worker starts the child process that prices its large batches
on its first one (a one-off start-up, as the kernel's load is; the rounds measure the steady
state). Prints:

- ``api_evaluate_rps``: requests per second on ``/v1/evaluate``;
- ``api_evaluate_p99_ms``: 99th percentile latency (wrk ``--latency``);
- ``api_errors``: non-2xx responses plus socket errors, every wrk run and every batch;
- ``api_vs_trivial_ratio``: evaluate rps / trivial rps;
- ``api_small_p99_ms``, ``api_small_p99_under_batch_ms``: p99 of the small evaluations alone
  and while batches run (the median of the three runs of each); ``api_batches``: batches priced
  meanwhile, ``api_batch_median_ms`` their median duration;
- ``api_p99_under_batch_ratio``: p99 under batches / p99 alone (target: at most 2);
- ``api_batch_scenarios_per_s``: scenarios priced per second in batches of 1,000 varied
  scenarios (bench/batchfile.py's, three offers each, a 2.7 MB body) posted alone one after
  another for :data:`VARIED_S` seconds (1,000 / the median request's duration, reading the
  whole response included); ``api_varied_batches``: how many.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import Response

from bench.batchfile import varied_lines

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compressor.yaml"
DURATION = "10s"
CONNECTIONS = 32
#: The latency comparison: a light load of small evaluations, alone and beside batches.
#: Alone and beside batches in turn, ROUNDS times; the median p99 of each is compared.
SMALL_THREADS, SMALL_CONNECTIONS, SMALL_DURATION, ROUNDS = 1, 4, "3s", 3
BATCH_SCENARIOS = 1000
BATCH_CLIENTS = 1
#: Seconds of batches before the latency rounds (see the module docstring).
WARM_S = 4.0
#: Seconds of varied 1,000-scenario batches, posted alone one after another.
VARIED_S = 8.0

LUA = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("TCO_BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
"""


def bench_app() -> FastAPI:
    """The API's app plus ``POST /bench/trivial`` (uvicorn factory for this benchmark)."""
    from api.main import create_app

    app = create_app()

    @app.post("/bench/trivial", include_in_schema=False)
    async def trivial(request: Request) -> Response:
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not become ready")


def _unit_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(
    url: str,
    script: Path,
    env: dict[str, str],
    *,
    threads: int = 2,
    connections: int = CONNECTIONS,
    duration: str = DURATION,
) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    if rps is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        errors += float(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(float(x) for x in sock.groups())
    return {"rps": float(rps.group(1)), "p99_ms": _unit_ms(*p99.groups()), "errors": errors}


def _small(url: str, script: Path, env: dict[str, str]) -> dict[str, float]:
    """The light load of small evaluations whose latency is compared."""
    return _wrk(
        url,
        script,
        env,
        threads=SMALL_THREADS,
        connections=SMALL_CONNECTIONS,
        duration=SMALL_DURATION,
    )


class _Batches:
    """Clients posting large batches back to back (each on a new connection, so that the
    workers share them) until stopped; durations and failures are counted."""

    def __init__(self, port: int, body: bytes, clients: int) -> None:
        self.port = port
        self.body = body
        self.stop = threading.Event()
        self.durations: list[float] = []
        self.errors = 0
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(clients)]

    def _loop(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                conn.request(
                    "POST",
                    "/v1/evaluate/batch",
                    body=self.body,
                    headers={"Content-Type": "application/json", "Connection": "close"},
                )
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    self.errors += 1
                else:
                    self.durations.append(time.perf_counter() - start)
            except OSError:
                self.errors += 1
            finally:
                conn.close()

    def __enter__(self) -> _Batches:
        for t in self.threads:
            t.start()
            time.sleep(0.1)
        time.sleep(0.5)  # the first batches are being priced when the measurement starts
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)


def run() -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make system)")
    from tco.core.scenario import read_file

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="tco-bench-api-") as tmp:
        body = Path(tmp) / "compressor.json"
        body.write_text(json.dumps(read_file(EXAMPLE), default=str), encoding="utf-8")
        scenario = json.loads(body.read_text(encoding="utf-8"))
        batch = json.dumps({"scenarios": [scenario] * BATCH_SCENARIOS}).encode()
        varied = b'{"scenarios":[' + ",".join(varied_lines(BATCH_SCENARIOS)).encode() + b"]}"
        script = Path(tmp) / "post.lua"
        script.write_text(LUA, encoding="utf-8")
        env = {
            **os.environ,
            "TCO_OPEN_EVALUATE": "true",
            "TCO_ACCESS_LOG": "false",
            "TCO_DATABASE_URL": f"sqlite:///{tmp}/tco.db",
            "TCO_MAX_BODY_BYTES": str(2 * max(len(batch), len(varied))),
            "TCO_BENCH_BODY": str(body),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "bench.api:bench_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _wait_ready(base, proc)
            check = urllib.request.Request(
                f"{base}/v1/evaluate",
                data=body.read_bytes(),
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(check, timeout=30) as r:
                assert r.status == 200
            evaluate = _wrk(f"{base}/v1/evaluate", script, env)
            trivial = _wrk(f"{base}/bench/trivial", script, env)
            alone: list[dict[str, float]] = []
            beside: list[dict[str, float]] = []
            durations: list[float] = []
            with _Batches(port, batch, 4) as warming:  # four at once: both workers get some
                time.sleep(WARM_S)
            batch_errors = warming.errors
            for _ in range(ROUNDS):
                alone.append(_small(f"{base}/v1/evaluate", script, env))
                with _Batches(port, batch, BATCH_CLIENTS) as batches:
                    beside.append(_small(f"{base}/v1/evaluate", script, env))
                durations.extend(batches.durations)
                batch_errors += batches.errors
            with _Batches(port, varied, 1) as priced:  # alone, back to back
                time.sleep(VARIED_S)
            batch_errors += priced.errors
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    errors = sum(r["errors"] for r in (evaluate, trivial, *alone, *beside)) + batch_errors
    alone_p99 = statistics.median(r["p99_ms"] for r in alone)
    beside_p99 = statistics.median(r["p99_ms"] for r in beside)
    return {
        "api_evaluate_rps": round(evaluate["rps"], 1),
        "api_evaluate_p99_ms": round(evaluate["p99_ms"], 2),
        "api_errors": errors,
        "api_vs_trivial_ratio": round(evaluate["rps"] / trivial["rps"], 3),
        "api_trivial_rps": round(trivial["rps"], 1),
        "api_small_p99_ms": round(alone_p99, 2),
        "api_small_p99_under_batch_ms": round(beside_p99, 2),
        "api_batches": len(durations),
        "api_batch_median_ms": round(1000 * statistics.median(durations) if durations else 0.0, 1),
        "api_p99_under_batch_ratio": round(beside_p99 / alone_p99, 2),
        "api_batch_scenarios_per_s": round(
            BATCH_SCENARIOS / statistics.median(priced.durations) if priced.durations else 0.0
        ),
        "api_varied_batches": len(priced.durations),
    }


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k}: {v}")
