"""Helpers for the API tests: a real uvicorn server in a thread, databases, keys (no tests here)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from api.main import create_app
from api.settings import Settings
from tco.store import db
from tco.store.apikeys import Role, create_key
from tests.test_store_support import postgres_database

__all__ = ["postgres_database"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """The app on a real uvicorn server in a thread; its base URL. Stopped afterwards."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def make_key(url: str, tenant: str, role: Role | str) -> str:
    with db.session_factory(url)() as session:
        _, key = create_key(session, tenant, Role(role), label=f"test {role}")
        session.commit()
    return key


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response's problem document, after checking its status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    doc = response.json()
    assert isinstance(doc, dict)
    assert doc["status"] == status
    assert doc["title"]
    assert doc["detail"]
    assert doc["type"].startswith("urn:tco:problem:")
    assert "Traceback" not in response.text
    return doc


def paths(doc: dict[str, Any]) -> list[str]:
    return [p["path"] for p in doc["problems"]]
