"""``GET /healthz`` (the process is up) and ``GET /readyz`` (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import DatabaseDep
from api.problems import ApiError, problem_responses, retry_after

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/healthz", summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The database is reachable",
    description="200 while the database answers; 503 with `Retry-After` while it does not.",
    responses=problem_responses(503),
)
async def readyz(request: Request, database: DatabaseDep) -> Health:
    try:
        await run_in_threadpool(database.ping)
    except Exception as exc:
        raise ApiError(
            503,
            f"the database is not reachable ({type(exc).__name__})",
            headers={"Retry-After": retry_after(request)},
        ) from None
    return Health(status="ready")
