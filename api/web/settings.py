"""Settings of the web page (prefix ``TCO_``) and the secret that signs its session cookies.

``TCO_SESSION_SECRET`` signs the cookies; every host of one deployment needs the same one. When
it is not set (development), a random secret is generated once and kept in ``session-secret``
beside the SQLite database (``var/`` by default), readable only by its owner.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.web.checks import Limits

SECRET_FILE = "session-secret"


class WebSettings(BaseSettings):
    """``TCO_SESSION_SECRET``, ``TCO_SESSION_HOURS``, ``TCO_SECURE_COOKIES``,
    ``TCO_DISCOUNT_LIMIT_PERCENT``, ``TCO_PRICE_DEVIATION_PERCENT``."""

    model_config = SettingsConfigDict(env_prefix="TCO_", extra="ignore", frozen=True)

    session_secret: str | None = Field(
        default=None, min_length=32, description="signs the session cookies"
    )
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30, description="session lifetime")
    secure_cookies: bool = Field(
        default=False, description="send cookies over HTTPS only (set behind TLS)"
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
    def limits(self) -> Limits:
        return Limits(
            discount=self.discount_limit_percent / 100,
            price_deviation=self.price_deviation_percent / 100,
        )


def _secret_dir(database_url: str) -> Path:
    if database_url.startswith("sqlite:///") and not database_url.endswith(":memory:"):
        return Path(database_url.removeprefix("sqlite:///")).parent
    return Path("var")


def session_secret(settings: WebSettings, database_url: str) -> str:
    """The configured secret, or the development secret kept beside the database."""
    if settings.session_secret:
        return settings.session_secret
    path = _secret_dir(database_url) / SECRET_FILE
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
