"""The salesperson's web page, served by the API's application at ``/``.

:func:`install` adds the pages, their static files and their error handlers to an app made by
:func:`api.main.create_app` (it needs ``app.state.settings`` and ``app.state.database``).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from api.database import Database
from api.web.deps import WebState, visitor
from api.web.desk import router as desk_router
from api.web.ledger import router as ledger_router
from api.web.pages import PageError, SignInRequiredError, render
from api.web.routes import router
from api.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"
_HEADINGS = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Not possible"}


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    if request.method != "GET":
        back = exc.next_path
        if back in ("/quotes", "/quotes/preview"):
            back = "/quotes/new"
        back = back.removesuffix("/status")
        return render(
            "error.html.j2",
            language=visitor(request).language,
            status_code=401,
            heading="Signed out",
            message="Your session has ended; sign in again. The builder keeps what you typed "
            "in this browser and offers to restore it.",
            link=("/sign-in?" + urlencode({"next": back}), "Sign in"),
        )
    return RedirectResponse("/sign-in?" + urlencode({"next": exc.next_path}), status_code=303)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    language = visitor(request).language
    heading = _HEADINGS.get(exc.status_code, "Error")
    return render(
        "error.html.j2",
        language=language,
        status_code=exc.status_code,
        heading=heading,
        message=exc.message,
        link=exc.link,
    )


def install(app: FastAPI) -> None:
    """Add the web page to ``app``: routes at ``/``, static files at ``/static/web``."""
    database = cast(Database, app.state.database)
    app.state.web = WebState(WebSettings(), database)
    app.include_router(desk_router)  # before the quote pages: /quotes/{number}/copy, ...
    app.include_router(router)
    app.include_router(ledger_router)
    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(PageError, _page_error)
