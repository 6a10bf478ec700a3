"""Settings of the HTTP API, from the environment (prefix ``TCO_``) through pydantic-settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tco.store.db import database_url

#: The most draws (``uncertainty.draws``) one request may ask for, unless TCO_MAX_DRAWS says.
DEFAULT_MAX_DRAWS = 100_000
#: How much lower the priority of the child process that prices large batches is (``nice``).
DEFAULT_BATCH_PROCESS_NICE = 19


class Settings(BaseSettings):
    """``TCO_DATABASE_URL``, ``TCO_OPEN_EVALUATE``, ``TCO_MAX_BODY_BYTES``,
    ``TCO_BATCH_PROCESS_BYTES``, ``TCO_BATCH_PROCESS_NICE``, ..."""

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
    batch_process_bytes: int = Field(
        default=128 * 1024,
        ge=0,
        description="batch bodies of at least this many bytes are priced in a child process of "
        "the worker, so that they do not hold up its other requests; 0: never",
    )
    batch_process_nice: int = Field(
        default=DEFAULT_BATCH_PROCESS_NICE,
        ge=0,
        le=19,
        description="how much lower the batch process's CPU priority is than the worker's "
        "(nice): small requests first where cores are scarce; on a machine saturated by other "
        "work a batch at 19 gets little of it",
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
