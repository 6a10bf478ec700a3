"""Settings of the web page (prefix ``TCO_``) and the secret that signs its visitor cookie.

Sessions are kept in the database (:mod:`tco.store.sessions`); the session cookie holds only a
random token. Before signing in, a visitor's CSRF token and page language travel in a cookie
signed with ``TCO_SESSION_SECRET``; every host of one deployment needs the same one. When it is
not set (development), a random secret is generated once and kept in ``session-secret`` beside
the SQLite database (``tco info --data-dir``), readable only by its owner.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.web.checks import Limits
from tco.store.location import files_dir
from tco.store.sessions import SessionPolicy, ThrottlePolicy

SECRET_FILE = "session-secret"


class WebSettings(BaseSettings):
    """``TCO_SESSION_SECRET``, ``TCO_SESSION_HOURS``, ``TCO_SESSION_IDLE_MINUTES``,
    ``TCO_SECURE_COOKIES``, ``TCO_SIGN_IN_*``, ``TCO_DISCOUNT_LIMIT_PERCENT``,
    ``TCO_PRICE_DEVIATION_PERCENT``."""

    model_config = SettingsConfigDict(env_prefix="TCO_", extra="ignore", frozen=True)

    session_secret: str | None = Field(
        default=None, min_length=32, description="signs the visitor cookie (before sign-in)"
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="a session ends this long after sign-in"
    )
    session_idle_minutes: float = Field(
        default=60.0,
        gt=0,
        le=24 * 60 * 30,
        description="a session ends after this long without a request",
    )
    secure_cookies: bool = Field(
        default=True,
        description="cookies are sent over HTTPS only; false only for plain-HTTP development "
        "(tco serve --demo sets it)",
    )
    sign_in_failures: int = Field(
        default=5, ge=1, le=1000, description="failed sign-ins per account in the window"
    )
    sign_in_address_failures: int = Field(
        default=20, ge=1, le=100_000, description="failed sign-ins per client address in the window"
    )
    sign_in_window_minutes: float = Field(
        default=15.0, gt=0, le=24 * 60, description="the window failed sign-ins are counted in"
    )
    sign_in_lock_minutes: float = Field(
        default=15.0, gt=0, le=24 * 60, description="how long a key at its limit is locked"
    )
    discount_limit_percent: Decimal = Field(
        default=Decimal(15),
        ge=0,
        le=100,
        description="a discount above this asks the salesperson to confirm the numbers",
    )
    price_deviation_percent: Decimal = Field(
        default=Decimal(50),
        gt=0,
        description="the other offer's price this far from our product's list price asks to "
        "confirm the numbers",
    )

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.session_idle_minutes),
            lifetime=timedelta(hours=self.session_hours),
        )

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            account_failures=self.sign_in_failures,
            address_failures=self.sign_in_address_failures,
            window=timedelta(minutes=self.sign_in_window_minutes),
            lock=timedelta(minutes=self.sign_in_lock_minutes),
        )

    @property
    def limits(self) -> Limits:
        return Limits(
            discount=self.discount_limit_percent / 100,
            price_deviation=self.price_deviation_percent / 100,
        )


def session_secret(settings: WebSettings, database_url: str) -> str:
    """The configured secret, or the development secret kept beside the database."""
    if settings.session_secret:
        return settings.session_secret
    path = files_dir(database_url) / SECRET_FILE
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if len(text) >= 32:
            return text
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    try:
        os.link(tmp, path)  # the first process to get here wins; the others read its secret
    except FileExistsError:
        secret = path.read_text(encoding="utf-8").strip()
    finally:
        tmp.unlink()
    return secret
