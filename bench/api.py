"""HTTP API load benchmark: wrk against ``POST /v1/evaluate`` and a trivial endpoint, same run.

uvicorn with 2 workers on 127.0.0.1 (a free port), ``TCO_OPEN_EVALUATE=true``, access log off,
a throwaway SQLite database. ``wrk -t2 -c32 -d10s --latency`` POSTs ``examples/compressor.yaml``
as JSON to ``/v1/evaluate``, then the same body to ``POST /bench/trivial`` (same app, middleware
and body reading; it returns ``{"ok": true}``). Prints:

- ``api_evaluate_rps``: requests per second on ``/v1/evaluate``;
- ``api_evaluate_p99_ms``: 99th percentile latency (wrk ``--latency``);
- ``api_errors``: non-2xx responses plus socket errors, both runs;
- ``api_vs_trivial_ratio``: evaluate rps / trivial rps.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import Response

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compressor.yaml"
DURATION = "10s"
CONNECTIONS = 32

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


def _wrk(url: str, script: Path, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script), url],
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


def run() -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make system)")
    from tco.scenario import read_file

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="tco-bench-api-") as tmp:
        body = Path(tmp) / "compressor.json"
        body.write_text(json.dumps(read_file(EXAMPLE), default=str), encoding="utf-8")
        script = Path(tmp) / "post.lua"
        script.write_text(LUA, encoding="utf-8")
        env = {
            **os.environ,
            "TCO_OPEN_EVALUATE": "true",
            "TCO_ACCESS_LOG": "false",
            "TCO_DATABASE_URL": f"sqlite:///{tmp}/tco.db",
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
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return {
        "api_evaluate_rps": round(evaluate["rps"], 1),
        "api_evaluate_p99_ms": round(evaluate["p99_ms"], 2),
        "api_errors": evaluate["errors"] + trivial["errors"],
        "api_vs_trivial_ratio": round(evaluate["rps"] / trivial["rps"], 3),
        "api_trivial_rps": round(trivial["rps"], 1),
    }


if __name__ == "__main__":
    for k, v in run().items():
        print(f"{k}: {v}")
