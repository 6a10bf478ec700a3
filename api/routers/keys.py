"""API keys of the caller's tenant (admin): list, create, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api import quoting
from api.deps import AdminDep, DatabaseDep
from api.problems import problem_responses
from api.schemas import KeyInfo, KeyList, KeyRequest, NewKey

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get(
    "",
    summary="The tenant's keys",
    response_model=KeyList,
    responses=problem_responses(401, 403, 503),
)
def list_keys(database: DatabaseDep, caller: AdminDep) -> KeyList:
    return KeyList(items=quoting.list_keys(database, caller.tenant))


@router.post(
    "",
    status_code=201,
    summary="A new key (shown once)",
    response_model=NewKey,
    responses=problem_responses(401, 403, 422, 503),
)
def create_key(request: KeyRequest, database: DatabaseDep, caller: AdminDep) -> NewKey:
    return quoting.create_key(database, caller.tenant, request.role, request.label)


@router.delete(
    "/{key}",
    summary="Revoke a key by its id or prefix",
    response_model=KeyInfo,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def revoke_key(
    key: Annotated[str, Path(max_length=200)], database: DatabaseDep, caller: AdminDep
) -> KeyInfo:
    return quoting.revoke_key(database, caller.tenant, key)
