"""``POST /v1/evaluate`` and ``POST /v1/evaluate/batch``: price scenarios, save nothing.

Batches, and scenarios over :data:`~api.evaluation.INLINE_BYTES`, are parsed, validated, priced
and written in a worker thread, so a large batch does not hold up the other requests of the
worker (:func:`~api.evaluation.evaluate_batch_body` keeps the GIL in short stretches); a small
scenario, about a millisecond's work, is priced on the event loop, which costs less than the
hand-over to a thread and back. Batches of at least ``TCO_BATCH_PROCESS_BYTES`` are priced in a
child process of the worker (:class:`~api.evaluation.BatchProcess`), which has a GIL of its own
and a lower CPU priority (``TCO_BATCH_PROCESS_NICE``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import Response

from api import evaluation
from api.deps import EVALUATOR_SECURITY, EvaluatorDep, SettingsDep
from api.openapi import batch_body, scenario_body
from api.problems import problem_responses
from tco.core.results import ScenarioResult

router = APIRouter(prefix="/v1/evaluate", tags=["evaluate"])


class BatchResult(BaseModel):
    """One result per scenario of the batch, in order."""

    results: list[ScenarioResult]


@router.post(
    "",
    summary="Evaluate one scenario",
    description=(
        "A scenario (assumptions and offers, docs/scenario.md) in; every offer's lifetime cost "
        "and the "
        "comparison with the baseline out: the document `tco evaluate FILE --json` prints. "
        "Amounts are unrounded numbers in the scenario's currency. Nothing is saved. A "
        "scenario with an `uncertainty` section also gets its `uncertainty` block; it may ask "
        "for at most `TCO_MAX_DRAWS` draws (422 above)."
    ),
    response_class=Response,
    responses={
        200: {"model": ScenarioResult, "description": "The result"},
        **problem_responses(401, 413, 422, 503),
    },
    openapi_extra={**scenario_body(), "security": EVALUATOR_SECURITY},
)
async def evaluate_scenario(
    request: Request, _caller: EvaluatorDep, settings: SettingsDep
) -> Response:
    raw = await request.body()
    limit = settings.max_draws
    # a millisecond at most, cheaper than a thread hop; draws of an uncertainty run are not
    if len(raw) <= evaluation.INLINE_BYTES and b'"uncertainty"' not in raw:
        out = evaluation.evaluate_body(raw, max_draws=limit)
    else:
        out = await run_in_threadpool(evaluation.evaluate_body, raw, max_draws=limit)
    return Response(out, media_type="application/json")


@router.post(
    "/batch",
    summary="Evaluate a batch of scenarios in one request",
    description=(
        '`{"scenarios": [...]}` in, `{"results": [...]}` out, in the same order. The batch is '
        "refused as a whole when any scenario is invalid; problems are named "
        "`scenarios[3].offers[0]...`. The draws of all its scenarios' `uncertainty` sections "
        "add up to at most `TCO_MAX_DRAWS`."
    ),
    response_class=Response,
    responses={
        200: {"model": BatchResult, "description": "One result per scenario"},
        **problem_responses(401, 413, 422, 503),
    },
    openapi_extra={**batch_body(), "security": EVALUATOR_SECURITY},
)
async def evaluate_scenarios(
    request: Request, _caller: EvaluatorDep, settings: SettingsDep
) -> Response:
    raw = await request.body()
    limit, max_draws = settings.max_batch_scenarios, settings.max_draws
    if 0 < settings.batch_process_bytes <= len(raw):
        out = await evaluation.BATCH_PROCESS.evaluate(
            raw, limit=limit, max_draws=max_draws, nice=settings.batch_process_nice
        )
    else:
        out = await run_in_threadpool(
            evaluation.evaluate_batch_body, raw, limit=limit, max_draws=max_draws
        )
    return Response(out, media_type="application/json")
