"""Errors as RFC 9457 problem documents (``application/problem+json``).

Project errors carry their problems (a path such as ``offers[1].costs[2].every_years`` and a
message): :class:`~tco.core.errors.NotFoundError` is 404, :class:`~tco.core.errors.ConflictError`
409, any
other :class:`~tco.core.errors.TcoError` 422. Request validation is 422 with the same paths; a body
over the limit is 413. A database that cannot be reached (refused or dropped connections, a
server shutting down, a full connection pool) is a 503 with ``Retry-After``, answered on the same
kept-alive connection; anything else unexpected is a 500 problem without a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from tco.core.errors import ConflictError, NotFoundError, Problem, TcoError, format_path
from tco.core.scenario import TOO_DEEP, TOO_LONG

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("tco.api")

_TYPES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "A valid API key is required"),
    403: ("forbidden", "The API key's role does not allow this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict with the current state"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "The request cannot be processed as it is"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


class ProblemItem(BaseModel):
    """One thing wrong with the request: where (``path``) and what (``message``)."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(examples=["offers[1].costs[2].every_years"])
    message: str = Field(examples=["must be at least 1"])


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document with the list of problems and the request id."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(examples=["urn:tco:problem:invalid-input"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    problems: list[ProblemItem] = Field(default_factory=list)


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these status codes."""
    return {
        code: {
            "model": ProblemDocument,
            "description": _TYPES[code][1],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}},
        }
        for code in codes
    }


def problem_body(
    status: int,
    detail: str,
    problems: Iterable[Problem] = (),
    *,
    instance: str | None = None,
    request_id: str | None = None,
) -> bytes:
    slug, title = _TYPES.get(status, ("error", "Error"))
    doc = {
        "type": f"urn:tco:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": request_id,
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }
    return json.dumps(doc, ensure_ascii=False).encode()


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    problems: Iterable[Problem] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    instance = request.url.path if request is not None else None
    rid = getattr(request.state, "request_id", None) if request is not None else None
    body = problem_body(status, detail, problems, instance=instance, request_id=rid)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ApiError(HTTPException):
    """An HTTP error with problems, raised by dependencies (401, 403, 413, ...)."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        problems: Sequence[Problem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.problems = tuple(problems)


class BodyTooLargeError(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def unauthorized(detail: str) -> ApiError:
    return ApiError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="tco"'})


def status_of(exc: TcoError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 422


def _summary(problems: Sequence[Problem]) -> str:
    if not problems:
        return "the request cannot be processed"
    first = str(problems[0])
    more = len(problems) - 1
    return first if more == 0 else f"{first} (and {more} more problem{'s' if more > 1 else ''})"


def _validation_path(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:] or ["body"]
    elif parts and parts[0] in ("query", "path", "header"):
        parts = [f"{parts[0]}:{parts[1]}" if len(parts) > 1 else parts[0], *parts[2:]]
    return format_path(parts)


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    return str(err.get("msg", "invalid")).removeprefix("Value error, ")


async def _tco_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TcoError)
    return problem_response(request, status_of(exc), _summary(exc.problems), exc.problems)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [Problem(_validation_path(e["loc"]), _message(e)) for e in exc.errors()]
    return problem_response(request, 422, _summary(problems), problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # FastAPI could not read the body: as any malformed body, 422
        cause = exc.__cause__
        if isinstance(cause, RecursionError):
            message = TOO_DEEP
        elif isinstance(cause, ValueError) and "integer string conversion" in str(cause):
            message = TOO_LONG
        else:
            message = "cannot be read as JSON (UTF-8)"
        bad = [Problem("body", message)]
        return problem_response(request, 422, _summary(bad), bad)
    problems = getattr(exc, "problems", ())
    detail = exc.detail if isinstance(exc.detail, str) else _TYPES.get(exc.status_code, ("", ""))[1]
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return problem_response(request, exc.status_code, detail, problems, headers=headers)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """The methods some route of the request's path answers (Starlette's own 405 names only
    those of the first route it finds, and FastAPI makes one route per method)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


#: Exceptions that may mean the database is unreachable (see :func:`database_unavailable`).
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,  # SQLAlchemy's wrapper of every driver error, connection errors included
    sa_exc.TimeoutError,  # no connection free in the pool in time
    sa_exc.DisconnectionError,
    psycopg.OperationalError,  # the driver's own, when raised unwrapped
    psycopg.InterfaceError,
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be used now, rather than that a statement is
    wrong: a refused, failed or dropped connection, a server shutting down or starting up, a
    pool without a free connection, or (from the drivers' operational class) a lock or
    serialization conflict; retrying later may succeed."""
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return isinstance(
        exc,
        sa_exc.TimeoutError
        | sa_exc.DisconnectionError
        | psycopg.OperationalError
        | psycopg.InterfaceError,
    )


def retry_after(request: Request | None) -> str:
    """The ``Retry-After`` of a 503, in seconds (``TCO_RETRY_AFTER_SECONDS``)."""
    settings = getattr(request.app.state, "settings", None) if request is not None else None
    return str(getattr(settings, "retry_after_seconds", 1))


def unavailable(request: Request | None, exc: BaseException) -> Response:
    """503: the database is unreachable; the client should try again after ``Retry-After``."""
    kind = type(exc).__name__
    cause = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
    log.warning(
        "database unavailable: %s: %s",
        kind,
        cause,
        extra={"request_id": getattr(request.state, "request_id", None) if request else None},
    )
    seconds = retry_after(request)
    return problem_response(
        request,
        503,
        f"the database is unavailable ({kind}); try again in {seconds} s",
        [Problem("database", f"unavailable ({kind})")],
        headers={"Retry-After": seconds},
    )


async def _database_fault(request: Request, exc: Exception) -> Response:
    # Answered here rather than as an unexpected error: the response is a normal one, so the
    # server keeps the connection open (an error re-raised past the app makes it close it).
    if database_unavailable(exc):
        return unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error(
        "unexpected error",
        exc_info=exc,
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem_response(request, 500, "an unexpected error happened; it has been logged")


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``."""
    app.add_exception_handler(TcoError, _tco_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for fault in DATABASE_FAULTS:
        app.add_exception_handler(fault, _database_fault)
    app.add_exception_handler(Exception, _unexpected)
