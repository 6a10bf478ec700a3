"""Rendering pages: the Jinja2 environment, the translator, security headers and page errors."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse

from api.web.i18n import translator
from tco.presenters.document import template_environment

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """An error shown as a page (404 for another tenant's quote, 403 for a bad CSRF token)."""

    def __init__(self, status_code: int, message: str, link: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        #: where to go from here: (url, label)
        self.link = link


class SignInRequiredError(Exception):
    """No valid session: GET requests are sent to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def render(template: str, *, language: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or fragment) from ``templates/web/``, with ``t`` translating labels."""
    html = (
        template_environment()
        .get_template(f"web/{template}")
        .render(t=translator(language), lang=language, **context)
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
