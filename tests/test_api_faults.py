"""Database faults over HTTP: 503 problems with ``Retry-After`` on kept-alive connections, never a
500; ``/readyz`` follows the database; the service recovers by itself when the database returns.

The outage test runs a private PostgreSQL cluster in a temporary folder (never the shared server),
stops it under load and starts it again.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from api.main import create_app
from api.settings import Settings
from tco.core.scenario import read_file
from tests.apisupport import free_port, live_server, make_key

ROOT = Path(__file__).resolve().parent.parent


def scenario_json() -> bytes:
    return json.dumps(read_file(ROOT / "examples" / "compressor.yaml"), default=str).encode()


def post_headers(key: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def _problem_503(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 503, body
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) >= 1
    doc = json.loads(body)
    assert doc["status"] == 503
    assert doc["type"] == "urn:tco:problem:unavailable"
    assert "database" in doc["detail"]
    assert "Traceback" not in body.decode()


def test_an_unreachable_database_is_503_with_retry_after_on_a_kept_alive_connection() -> None:
    # nothing listens on this port: every connection attempt is refused at once
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/tco"
    settings = Settings(database_url=url, open_evaluate=True, access_log=False)
    with live_server(settings) as base:
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        try:
            _ask_while_unreachable(conn)
        finally:
            conn.close()


def _ask_while_unreachable(conn: http.client.HTTPConnection) -> None:
    """Requests needing the database: 503 with Retry-After, on one kept-alive connection."""
    requests: list[tuple[str, str, bytes | None, dict[str, str]]] = [
        ("GET", "/v1/quotes", None, {"Authorization": "Bearer tco_nosuchkey"}),
        ("GET", "/readyz", None, {}),
        ("POST", "/v1/quotes", b"{}", post_headers("tco_nosuchkey")),
        ("GET", "/v1/catalog", None, {"X-API-Key": "tco_nosuchkey"}),
    ]
    sockets = set()
    for method, path, body, headers in requests * 2:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        _problem_503(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        assert r.getheader("connection") != "close"
        sockets.add(id(conn.sock))
    # the process is up, and pricing needs no database
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    assert (r.status, json.loads(r.read())) == (200, {"status": "ok"})
    conn.request("POST", "/v1/evaluate", body=scenario_json(), headers=post_headers())
    r = conn.getresponse()
    assert r.status == 200
    r.read()
    sockets.add(id(conn.sock))
    assert len(sockets) == 1, "the server closed a kept-alive connection"


def _raise(exc: Exception) -> Callable[[], None]:
    def route() -> None:
        raise exc

    return route


def test_connection_faults_are_503_other_database_errors_500() -> None:
    app = create_app(Settings(access_log=False, retry_after_seconds=7))
    faults: dict[str, Exception] = {
        "pool": sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
        "driver": psycopg.OperationalError("server closed the connection unexpectedly"),
        "wrapped": sa_exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("gone")),
        "invalidated": sa_exc.DBAPIError(
            "SELECT 1", {}, psycopg.DatabaseError("lost"), connection_invalidated=True
        ),
        "integrity": sa_exc.IntegrityError("INSERT", {}, psycopg.IntegrityError("duplicate")),
    }
    for name, exc in faults.items():
        app.add_api_route(f"/fault/{name}", _raise(exc))

    async def ask() -> dict[str, httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return {name: await client.get(f"/fault/{name}") for name in faults}

    answers = asyncio.run(ask())
    for name in ("pool", "driver", "wrapped", "invalidated"):
        r = answers[name]
        _problem_503(r.status_code, dict(r.headers), r.content)
        assert r.headers["retry-after"] == "7"
        assert r.json()["problems"][0]["path"] == "database"
    assert answers["integrity"].status_code == 500
    assert answers["integrity"].json()["type"] == "urn:tco:problem:internal"


# -- a private PostgreSQL cluster, stopped and started under load ---------------------------------


def _pg_bin() -> Path | None:
    """The server binaries: Debian's /usr/lib/postgresql/N/bin (newest), else those on PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3])
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class Cluster:
    """A throwaway PostgreSQL cluster in ``directory`` on ``port`` (127.0.0.1)."""

    def __init__(self, bindir: Path, directory: Path, port: int) -> None:
        self.bindir = bindir
        self.directory = directory
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse root: run them as postgres
            cmd = ["su", "postgres", "-c", " ".join(_quote(c) for c in cmd)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.directory), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.directory / "log")
        self._run("pg_ctl", "-D", str(self.directory), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory), "-m", "fast", "-w", "stop")

    def accepting(self) -> bool:
        cmd = [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"]
        return subprocess.run(cmd, capture_output=True, timeout=10).returncode == 0


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    bindir = _pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="tco-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(bindir, directory / "data", free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            if (cluster.directory / "postmaster.pid").exists():
                cluster._run(
                    "pg_ctl", "-D", str(cluster.directory), "-m", "immediate", "-w", "stop"
                )
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Seen:
    """What one client thread saw: (monotonic time, request, status or error, Retry-After)."""

    name: str
    results: list[tuple[float, str, int | str, str | None]] = field(default_factory=list)
    sockets: set[int] = field(default_factory=set)


def _client(
    base: str, name: str, requests: list[tuple[str, str, bytes | None, dict[str, str]]]
) -> tuple[Seen, threading.Event, threading.Thread]:
    seen = Seen(name)
    stop = threading.Event()

    def loop() -> None:
        conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
        i = 0
        while not stop.is_set():
            method, path, body, headers = requests[i % len(requests)]
            i += 1
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                if r.status == 503:
                    _problem_503(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
                outcome: int | str = r.status
                retry_after = r.getheader("retry-after")
                if r.getheader("connection") == "close":
                    outcome = f"{r.status} with Connection: close"
            except Exception as exc:  # a dropped connection, a malformed 503, ...
                outcome, retry_after = f"{type(exc).__name__}: {exc}", None
                conn.close()
            seen.results.append((time.monotonic(), path, outcome, retry_after))
            if conn.sock is not None:
                seen.sockets.add(id(conn.sock))
            time.sleep(0.005)
        conn.close()

    thread = threading.Thread(target=loop, daemon=True)
    return seen, stop, thread


@pytest.mark.postgres
@pytest.mark.slow
def test_a_database_outage_is_503_and_the_service_recovers_by_itself() -> None:
    with private_cluster() as cluster:
        key = make_key(cluster.url, "acme", "configurator")
        auth = {"Authorization": f"Bearer {key}"}
        body = scenario_json()
        plans: dict[str, list[tuple[str, str, bytes | None, dict[str, str]]]] = {
            "quotes": [("GET", "/v1/quotes", None, auth)],
            "evaluate": [("POST", "/v1/evaluate", body, post_headers(key))],
            "mixed": [
                ("GET", "/readyz", None, {}),
                ("GET", "/v1/quotes?limit=5", None, auth),
                ("POST", "/v1/quotes", b'{"customer": 1}', post_headers(key)),
            ],
        }
        settings = Settings(database_url=cluster.url, access_log=False)
        with live_server(settings) as base:
            clients = [_client(base, name, plan) for name, plan in plans.items()]
            for _, _, thread in clients:
                thread.start()
            try:
                time.sleep(1.0)
                down_at = time.monotonic()
                cluster.stop()
                time.sleep(3.0)
                cluster.start()
                while not cluster.accepting():  # pg_ctl -w returns once it accepts; be sure
                    time.sleep(0.01)
                up_at = time.monotonic()
                deadline = up_at + 15
                recovered: dict[str, float] = {}
                while len(recovered) < len(clients) and time.monotonic() < deadline:
                    for seen, _, _ in clients:
                        ok = [t for t, _, s, _ in list(seen.results) if t > up_at and s == 200]
                        if ok and seen.name not in recovered:
                            recovered[seen.name] = ok[0] - up_at
                    time.sleep(0.01)
                time.sleep(0.5)
            finally:
                for _, stop, _ in clients:
                    stop.set()
                for _, _, thread in clients:
                    thread.join(timeout=30)

    results = [(seen.name, *r) for seen, _, _ in clients for r in seen.results]
    bad = [r for r in results if not (r[3] in (200, 201, 422) or (r[3] == 503 and r[4]))]
    assert not bad, f"responses other than 2xx, 422 or 503 with Retry-After: {bad[:10]}"
    outage = [r for r in results if down_at < r[1] < up_at]
    assert any(r[3] == 503 for r in outage), "no request saw the outage"
    ready = [(r[1], r[3]) for r in results if r[2] == "/readyz"]
    assert any(s == 503 for t, s in ready if down_at < t < up_at)
    assert any(s == 200 for t, s in ready if t > up_at)
    for seen, _, _ in clients:
        assert len(seen.sockets) == 1, f"{seen.name}: the server closed a kept-alive connection"
    assert set(recovered) == set(plans), f"no success after the restart: {recovered}"
    recovery = max(recovered.values())
    print(
        f"\nrecovery after the database accepted connections again: {recovery * 1000:.0f} ms "
        f"({', '.join(f'{k} {v * 1000:.0f} ms' for k, v in sorted(recovered.items()))}); "
        f"{len(results)} requests, {sum(r[3] == 503 for r in results)} answered 503"
    )
    assert recovery < 10.0  # the target is under 2 s; the bound leaves room for a noisy machine
