"""Dependencies of the web pages: the session, the signed-in user, the form and its CSRF check."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from api.database import Database
from api.web.pages import PageError, SignInRequiredError
from api.web.session import CSRF_FIELD, Session, SessionCookies, csrf_ok
from api.web.settings import WebSettings, session_secret
from tco.store.uow import UnitOfWork
from tco.store.users import User


class WebState:
    """The web page's share of the app: the database and, made on first use, the cookies
    (the development secret is written beside the database only when a page is first served)."""

    def __init__(self, settings: WebSettings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._cookies: SessionCookies | None = None
        self._lock = threading.Lock()

    @property
    def cookies(self) -> SessionCookies:
        with self._lock:
            if self._cookies is None:
                self._cookies = SessionCookies(
                    session_secret(self.settings, self.database.url),
                    sessions=self.database.sessions,
                    policy=self.settings.session_policy,
                    secure=self.settings.secure_cookies,
                )
            return self._cookies


@dataclass(frozen=True)
class Visitor:
    """Anyone: their session (if any) and the page language."""

    session: Session | None
    language: str


@dataclass(frozen=True)
class SignedIn:
    """A signed-in user, their session, the page language and their tenant's unit of work."""

    user: User
    session: Session
    language: str
    uow: UnitOfWork
    here: str
    database: Database
    settings: WebSettings

    @property
    def by(self) -> str:
        """Who the audit trail names."""
        return f"user:{self.user.email}"


def web_state(request: Request) -> WebState:
    return cast(WebState, request.app.state.web)


def language_of(session: Session | None, request: Request, user: User | None = None) -> str:
    if session is not None and session.language in ("en", "de"):
        return session.language
    if user is not None:
        return "de" if user.locale.startswith("de") else "en"
    accept = request.headers.get("accept-language", "")
    return "de" if accept.lower().startswith("de") else "en"


_UNREAD = object()


def session_of(request: Request) -> Session | None:
    """The request's session, read (from the database) once per request."""
    session = getattr(request.state, "web_session", _UNREAD)
    if session is _UNREAD:
        session = web_state(request).cookies.read(request)
        request.state.web_session = session
    return cast(Session | None, session)


def visitor(request: Request) -> Visitor:
    session = session_of(request)
    return Visitor(session, language_of(session, request, session.user if session else None))


def signed_in(request: Request) -> SignedIn:
    """The signed-in user, or :class:`SignInRequiredError` (a redirect to the sign-in page)."""
    state = web_state(request)
    session = session_of(request)
    user = session.user if session is not None else None
    if session is None or user is None:
        path = request.url.path
        query = request.url.query
        raise SignInRequiredError(path + (f"?{query}" if query and request.method == "GET" else ""))
    return SignedIn(
        user=user,
        session=session,
        language=language_of(session, request, user),
        uow=state.database.uow(user.tenant),
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        database=state.database,
        settings=state.settings,
    )


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


VisitorDep = Annotated[Visitor, Depends(visitor)]
SignedInDep = Annotated[SignedIn, Depends(signed_in)]
FormDep = Annotated[dict[str, str], Depends(form_fields)]


def check_csrf(session: Session | None, form: dict[str, str]) -> None:
    if not csrf_ok(session, form.get(CSRF_FIELD)):
        raise PageError(
            403, "This form has expired or did not come from this site; reload the page."
        )
