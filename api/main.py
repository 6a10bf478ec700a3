"""The app factory: ``uvicorn --factory api.main:create_app`` (``tco serve`` does this)."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import openapi, problems, web
from api.database import Database
from api.middleware import (
    AccessMiddleware,
    BodyLimitMiddleware,
    Metrics,
    RepeatedQueryMiddleware,
    configure_access_log,
)
from api.routers import assets, catalog, customers, desk, evaluate, health, keys, metrics, quotes
from api.settings import Settings
from tco import __version__
from tco.core.results import warm_up

#: The interpreter's thread switch interval while the app runs (see the lifespan).
GIL_SWITCH_INTERVAL_S = 0.001

DESCRIPTION = """\
Price configurations and create quotes for capital equipment on their total cost of ownership.

Every request needs an API key (`Authorization: Bearer tco_...` or `X-API-Key`), made with
`tco apikey create --tenant NAME --role configurator|sales|admin`; the evaluate endpoints may be
opened with `TCO_OPEN_EVALUATE=true`. Errors are RFC 9457 problem documents
(`application/problem+json`) naming the path of every problem.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application; settings from the environment (``TCO_*``) unless given."""
    settings = settings or Settings()
    database = Database(settings.resolved_database_url())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm_up()  # the compiled kernel loads now, not during the first request
        # What the process holds after start-up lives as long as it does: out of the collector's
        # sight, full collections stay short (they would otherwise walk every module's objects).
        gc.collect()
        gc.freeze()
        # While a worker thread prices a batch, the event loop waits for the GIL each time it
        # wakes up, up to one switch interval (5 ms by default): a shorter one keeps the small
        # requests served beside a batch quick.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, GIL_SWITCH_INTERVAL_S))
        try:
            yield
        finally:
            sys.setswitchinterval(switch_interval)
            database.close()

    app = FastAPI(
        title="TCO quoting API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = Metrics()
    problems.install(app)
    for module in (health, evaluate, quotes, catalog, keys, metrics, assets, customers, desk):
        app.include_router(module.router)
    web.install(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RepeatedQueryMiddleware)
    app.add_middleware(
        AccessMiddleware, metrics=app.state.metrics, log_requests=settings.access_log
    )
    if settings.access_log:
        configure_access_log()
    openapi.install(app, openapi.model_components(), batch_limit=settings.max_batch_scenarios)
    return app
