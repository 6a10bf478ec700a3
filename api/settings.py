"""Settings of the HTTP API, from the environment (prefix ``TCO_``) through pydantic-settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tco.store.db import database_url

#: The most draws (``uncertainty.draws``) one request may ask for, unless TCO_MAX_DRAWS says.
DEFAULT_MAX_DRAWS = 100_000


class Settings(BaseSettings):
    """``TCO_DATABASE_URL``, ``TCO_OPEN_EVALUATE``, ``TCO_MAX_BODY_BYTES``, ..."""

    model_config = SettingsConfigDict(env_prefix="TCO_", extra="ignore", frozen=True)

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default the SQLite file tco.db in the per-user data folder",
    )
    open_evaluate: bool = Field(
        default=False, description="let requests without a key call the evaluate endpoints"
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1, description="larger bodies get 413")
    max_batch_scenarios: int = Field(
        default=1000, ge=1, le=100_000, description="the most scenarios one batch may hold"
    )
    max_draws: int = Field(
        default=DEFAULT_MAX_DRAWS,
        ge=100,
        le=1_000_000,
        description="the most uncertainty draws one request may ask for, in all its scenarios",
    )
    retry_after_seconds: int = Field(
        default=1,
        ge=1,
        le=3600,
        description="Retry-After of the 503 answers while the database is unavailable",
    )
    access_log: bool = Field(default=True, description="one JSON line per request on stderr")

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL the API uses (``postgresql://`` becomes psycopg 3)."""
        return database_url({"TCO_DATABASE_URL": self.database_url or ""})
