"""Request ids, structured access logs, Prometheus metrics and the body size limit (pure ASGI).

- ``X-Request-ID``: echoed when the client sends a sane one (1-128 of ``A-Za-z0-9._-``),
  generated otherwise; in every response and log line, and in ``request.state.request_id``.
- Access log: one JSON line per request on the ``tco.access`` logger.
- Metrics: ``tco_http_requests_total`` and ``tco_http_request_duration_seconds`` by method, route
  template (``/v1/quotes/{number}``, never the raw path) and status. With
  ``PROMETHEUS_MULTIPROC_DIR`` set (several workers), ``/metrics`` adds up every worker's.
- Bodies over the limit get 413 before the handler runs (``Content-Length``) or while it reads.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PROBLEM_JSON, BodyTooLargeError, problem_body
from tco.core.errors import Problem

access_log = logging.getLogger("tco.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The app's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tco_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tco_http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            buckets=_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        code = str(status)
        self.requests.labels(method, route, code).inc()
        self.latency.labels(method, route, code).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition format; every worker's numbers in multiprocess mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class AccessMiddleware:
    """Request id, access log line and metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, log_requests: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        given = _header(scope, b"x-request-id")
        rid = given if given is not None and _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        status = 500
        size = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = str(getattr(route, "path", "")) or "unmatched"
            method = str(scope.get("method", ""))
            self.metrics.observe(method, template, status, elapsed)
            if self.log_requests and access_log.isEnabledFor(logging.INFO):
                state: dict[str, Any] = scope.get("state", {})
                client = scope.get("client")
                line = {
                    "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "event": "request",
                    "request_id": rid,
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "response_bytes": size,
                    "client": client[0] if client else None,
                    "tenant": state.get("tenant"),
                    "key": state.get("key_prefix"),
                }
                access_log.info(json.dumps(line))


class BodyLimitMiddleware:
    """413 for request bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            body = problem_body(
                413,
                f"the request body is larger than {self.max_bytes} bytes",
                instance=scope.get("path"),
                request_id=scope.get("state", {}).get("request_id"),
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0
        limit = self.max_bytes

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, counted, send)


class RepeatedQueryMiddleware:
    """422 for an API request that gives a query parameter more than once (which of the values
    counts would be a guess: ``?customer=a&customer=b``), or whose path or query holds a NUL
    character, which no text may hold (PostgreSQL refuses it in text)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problems = _query_problems(scope) if scope["type"] == "http" else []
        if not problems:
            await self.app(scope, receive, send)
            return
        body = problem_body(
            422,
            _title(problems[0]),
            problems,
            instance=scope.get("path"),
            request_id=scope.get("state", {}).get("request_id"),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_NUL = "holds a NUL character (\\u0000), which no text may hold"


def _title(p: Problem) -> str:
    if p.path == "path":
        return p.message
    name = p.path.removeprefix("query.")
    if p.message == _NUL:
        return f"query parameter {name!r} holds a NUL character"
    return f"query parameter {name!r} is given more than once"


def _query_problems(scope: Scope) -> list[Problem]:
    path = str(scope.get("path", ""))
    if not path.startswith("/v1/"):
        return []
    if "\x00" in path:
        return [Problem("path", f"the path {_NUL}")]
    query = scope.get("query_string", b"")
    if not query:
        return []
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    counts = collections.Counter(k for k, _ in pairs)
    problems = [
        Problem(f"query.{k}", f"is given {counts[k]} times; give it once")
        for k in sorted(k for k, n in counts.items() if n > 1)
    ]
    nul = sorted({k for k, v in pairs if "\x00" in k or "\x00" in v})
    problems.extend(Problem(f"query.{k}", _NUL) for k in nul)
    return problems


def configure_access_log() -> None:
    """JSON lines on stderr, unless logging is configured already."""
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
