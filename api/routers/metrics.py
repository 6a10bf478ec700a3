"""``GET /metrics``: Prometheus text exposition (request counts and latencies)."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.middleware import Metrics

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    body, content_type = cast(Metrics, request.app.state.metrics).exposition()
    return Response(body, media_type=content_type)
