"""``POST /v1/evaluate`` and ``POST /v1/evaluate/batch``: price scenarios, save nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from api import evaluation
from api.deps import EVALUATOR_SECURITY, EvaluatorDep, JsonBody, SettingsDep, read_json_body
from api.openapi import batch_body, scenario_body
from api.problems import problem_responses
from tco.results import ScenarioResult

router = APIRouter(prefix="/v1/evaluate", tags=["evaluate"])
MAX_BATCH = 1000


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
        "Amounts are unrounded numbers in the scenario's currency. Nothing is saved."
    ),
    response_class=Response,
    responses={
        200: {"model": ScenarioResult, "description": "The result"},
        **problem_responses(401, 413, 422),
    },
    openapi_extra={**scenario_body(), "security": EVALUATOR_SECURITY},
)
async def evaluate_scenario(request: Request, _caller: EvaluatorDep) -> Response:
    document = evaluation.evaluate_document(await read_json_body(request))
    return Response(evaluation.dumps(document), media_type="application/json")


@router.post(
    "/batch",
    summary="Evaluate up to 1,000 scenarios in one vectorized call",
    description=(
        '`{"scenarios": [...]}` in, `{"results": [...]}` out, in the same order. The batch is '
        "refused as a whole when any scenario is invalid; problems are named "
        "`scenarios[3].offers[0]...`."
    ),
    response_class=Response,
    responses={
        200: {"model": BatchResult, "description": "One result per scenario"},
        **problem_responses(401, 413, 422),
    },
    openapi_extra={**batch_body(MAX_BATCH), "security": EVALUATOR_SECURITY},
)
async def evaluate_scenarios(
    body: JsonBody, _caller: EvaluatorDep, settings: SettingsDep
) -> Response:
    document = evaluation.evaluate_batch_document(
        body, limit=min(MAX_BATCH, settings.max_batch_scenarios)
    )
    return Response(evaluation.dumps(document), media_type="application/json")
