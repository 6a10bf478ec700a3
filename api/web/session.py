"""The web page's cookies: a server-side session once signed in, a signed visitor cookie before.

Signed in, the cookie ``tco_session`` holds only a random token; the session (user, tenant, CSRF
token, page language) is a database row found by the token's digest (:mod:`tco.store.sessions`),
so signing out, a new password or the idle time end it for every copy of the cookie. Before
signing in, ``tco_visitor`` holds the visitor's CSRF token and page language, signed
(itsdangerous) so the sign-in form can be checked without a database row per visitor.

Both cookies are HttpOnly, SameSite=Lax and, unless ``TCO_SECURE_COOKIES=false``, Secure. Every
form carries the CSRF token in a hidden field and every POST compares it with the session's.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from tco.store.sessions import SessionPolicy, SignedIn, find_session, set_session_language
from tco.store.sessions import end_session as end_stored_session
from tco.store.users import User

COOKIE = "tco_session"
VISITOR_COOKIE = "tco_visitor"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    """A visitor's (``user`` None) or a signed-in user's session."""

    csrf: str
    user: User | None = None
    language: str | None = None
    #: the server-side session's token (signed in only)
    token: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    def with_language(self, language: str) -> Session:
        return replace(self, language=language)


def new_visitor(language: str | None = None) -> Session:
    """A visitor's session with a new CSRF token."""
    return Session(csrf=secrets.token_urlsafe(32), language=language)


class SessionCookies:
    """Reads and writes the two cookies; the server-side sessions live in the database."""

    def __init__(
        self,
        secret: str,
        *,
        sessions: sessionmaker[DbSession],
        policy: SessionPolicy,
        secure: bool,
    ) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="tco-web-visitor")
        self._sessions = sessions
        self.policy = policy
        self.secure = secure
        self.max_age = int(policy.lifetime.total_seconds())

    def read(self, request: Request, *, now: datetime | None = None) -> Session | None:
        """The signed-in session of the request, else its visitor session, else None."""
        token = request.cookies.get(COOKIE)
        if token:
            with self._sessions() as db:
                live = find_session(db, token, now=now or datetime.now(UTC), policy=self.policy)
            if live is not None:
                return Session(csrf=live.csrf, user=live.user, language=live.language, token=token)
        return self._visitor(request)

    def _visitor(self, request: Request) -> Session | None:
        raw = request.cookies.get(VISITOR_COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        lang = data.get("lang")
        return Session(csrf=data["csrf"], language=lang if isinstance(lang, str) else None)

    def _set(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def write_visitor(self, response: Response, session: Session) -> None:
        data = {"csrf": session.csrf}
        if session.language:
            data["lang"] = session.language
        self._set(response, VISITOR_COOKIE, self._signer.dumps(data))

    def signed_in(self, response: Response, signed: SignedIn, previous: Session | None) -> None:
        """Hand the new session's token to the browser; a session it had before ends."""
        if previous is not None and previous.token is not None:
            with self._sessions() as db:
                end_stored_session(db, previous.token)
                db.commit()
        self._set(response, COOKIE, signed.token)

    def end(self, session: Session | None, response: Response) -> None:
        """Sign out: the server-side session ends and the browser forgets the cookie."""
        if session is not None and session.token is not None:
            with self._sessions() as db:
                end_stored_session(db, session.token)
                db.commit()
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)

    def set_language(self, session: Session, response: Response, language: str) -> None:
        if session.token is not None:
            with self._sessions() as db:
                set_session_language(db, session.token, language)
                db.commit()
        else:
            self.write_visitor(response, session.with_language(language))


def csrf_ok(session: Session | None, token: object) -> bool:
    return (
        session is not None
        and isinstance(token, str)
        and bool(token)
        and hmac.compare_digest(session.csrf, token)
    )
