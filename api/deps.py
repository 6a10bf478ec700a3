"""Dependencies: settings, database, the caller's API key and role, the tenant's unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.database import Database
from api.evaluation import INLINE_BYTES, parse_json
from api.problems import ApiError, unauthorized
from api.settings import Settings
from tco.core.errors import InputFileError, Problem
from tco.core.scenario import input_limit_problems
from tco.store.apikeys import ApiKey, Role, verify_key
from tco.store.uow import UnitOfWork

bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key: `Authorization: Bearer tco_...`"
)
header_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key: `X-API-Key: tco_...`"
)


# Dependencies that do not block are ``async``: FastAPI runs plain ``def`` dependencies in a
# worker thread, a hop that costs more than the work itself.


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_database(request: Request) -> Database:
    return cast(Database, request.app.state.database)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
HeaderKeyDep = Annotated[str | None, Security(header_scheme)]


def _authenticate(database: Database, key: str | None) -> ApiKey:
    if not key:
        raise unauthorized("send an API key: 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    with database.sessions() as session:
        found = verify_key(session, key)
    if found is None:
        raise unauthorized("the API key is unknown or revoked")
    return found


def _remember(request: Request, caller: ApiKey) -> ApiKey:
    request.state.tenant = caller.tenant
    request.state.key_prefix = caller.prefix
    return caller


def _request_key(request: Request) -> str | None:
    """The key of ``Authorization: Bearer <key>`` or ``X-API-Key``, as the schemes read them."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            # a malformed Authorization header is refused, whatever else the request carries
            raise unauthorized("the Authorization header must be 'Bearer <key>'")
        return credentials.strip()
    return request.headers.get("x-api-key") or None


async def get_caller(
    request: Request, database: DatabaseDep, _bearer: BearerDep, _header: HeaderKeyDep
) -> ApiKey:
    """The verified key of the request, or 401. (The two schemes are parameters so that OpenAPI
    declares them; the key is read by :func:`_request_key`, as for the evaluate endpoints.)"""
    caller = await run_in_threadpool(_authenticate, database, _request_key(request))
    return _remember(request, caller)


#: What an operation using :func:`get_evaluator` declares in OpenAPI (the same schemes as the
#: other endpoints, which declare them through their dependencies).
EVALUATOR_SECURITY: list[dict[str, list[str]]] = [{"HTTPBearer": []}, {"APIKeyHeader": []}]


async def get_evaluator(request: Request) -> ApiKey | None:
    """Any valid key, or nobody when ``TCO_OPEN_EVALUATE`` opens the evaluate endpoints.

    One dependency that reads the headers and the app's state itself: the evaluate endpoints
    are the hot path, and every dependency FastAPI resolves costs time on each request. Their
    operations declare :data:`EVALUATOR_SECURITY` in OpenAPI.
    """
    key = _request_key(request)
    state = request.app.state
    if state.settings.open_evaluate and not key:
        return None
    caller = await run_in_threadpool(_authenticate, state.database, key)
    return _remember(request, caller)


CallerDep = Annotated[ApiKey, Depends(get_caller)]
EvaluatorDep = Annotated[ApiKey | None, Depends(get_evaluator)]


def require(role: Role) -> Callable[[ApiKey], Awaitable[ApiKey]]:
    """A dependency: the caller, if its role allows what ``role`` may do; 403 otherwise."""

    async def check(caller: CallerDep) -> ApiKey:
        if not caller.role.allows(role):
            raise ApiError(
                403,
                f"a {caller.role.value} key cannot do this; it needs a {role.value} key",
                [Problem("role", f"{caller.role.value} < {role.value}")],
            )
        return caller

    return check


ConfiguratorDep = Annotated[ApiKey, Depends(require(Role.configurator))]
SalesDep = Annotated[ApiKey, Depends(require(Role.sales))]
AdminDep = Annotated[ApiKey, Depends(require(Role.admin))]


async def get_uow(caller: CallerDep, database: DatabaseDep) -> UnitOfWork:
    """A unit of work scoped to the caller's tenant: other tenants' rows are invisible."""
    return database.uow(caller.tenant)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def actor(caller: ApiKey) -> str:
    """Who the audit trail names for a request made with ``caller``."""
    return f"apikey:tco_{caller.prefix}" + (f" ({caller.label})" if caller.label else "")


async def read_json_body(request: Request) -> object:
    """The request body parsed as JSON within the input limits (422 naming the line and column
    when it is not JSON, ``body`` when it nests too deeply, the path of a too long integer)."""
    raw = await request.body()
    if len(raw) > INLINE_BYTES:  # in a worker thread: the event loop keeps serving meanwhile
        return cast(object, await run_in_threadpool(parse_json, raw))
    return cast(object, parse_json(raw))


JsonBody = Annotated[object, Depends(read_json_body)]


def check_input_limits(data: object, *, source: str) -> None:
    """422 when data of a body FastAPI parsed (free-form ``changes``) is beyond the input
    limits: nested more than 64 levels, or holding an integer of more than 100 digits."""
    problems = input_limit_problems(data, source=source)
    if problems:
        raise InputFileError(problems)
