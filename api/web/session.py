"""The session cookie: signed (itsdangerous), HttpOnly, SameSite=Lax, with a CSRF token.

The cookie holds the user id, the tenant, the page language and a random CSRF token; it is
signed with a timestamp, so a cookie older than the session lifetime is refused. Every form
carries the token in a hidden field and every POST compares it with the cookie's.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "tco_session"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    csrf: str
    user_id: int | None = None
    tenant: str | None = None
    language: str | None = None

    def with_language(self, language: str) -> Session:
        return replace(self, language=language)


def new_session(user_id: int | None = None, tenant: str | None = None) -> Session:
    """A fresh session with a new CSRF token (signing in always starts one)."""
    return Session(csrf=secrets.token_urlsafe(32), user_id=user_id, tenant=tenant)


class SessionCodec:
    def __init__(self, secret: str, *, max_age_seconds: int, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="tco-web-session")
        self.max_age = max_age_seconds
        self.secure = secure

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        uid, tenant, lang = data.get("uid"), data.get("tenant"), data.get("lang")
        return Session(
            csrf=data["csrf"],
            user_id=uid if isinstance(uid, int) else None,
            tenant=tenant if isinstance(tenant, str) else None,
            language=lang if isinstance(lang, str) else None,
        )

    def write(self, response: Response, session: Session) -> None:
        data = {"csrf": session.csrf, "uid": session.user_id, "tenant": session.tenant}
        if session.language:
            data["lang"] = session.language
        response.set_cookie(
            COOKIE,
            self._signer.dumps(data),
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure)


def csrf_ok(session: Session | None, token: object) -> bool:
    return (
        session is not None
        and isinstance(token, str)
        and bool(token)
        and hmac.compare_digest(session.csrf, token)
    )
