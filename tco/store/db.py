"""Database engines and migrations.

The URL is ``TCO_DATABASE_URL``, else the SQLite file ``tco.db`` in the per-user data folder
(:mod:`tco.store.location`); ``postgresql://`` URLs use psycopg 3.
The schema is brought to the newest Alembic revision on first use, programmatically (no
``alembic.ini``); on PostgreSQL under an advisory lock, so several processes starting at once
migrate once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from tco.store.location import database_url as database_url

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 7_305_521_042  # advisory lock for migrations on PostgreSQL
#: Seconds to wait for a server connection, and for a free connection of the pool (PostgreSQL):
#: a database that does not answer fails requests in bounded time instead of piling them up.
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10

_engines: dict[str, Engine] = {}
_guard = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (SQLite: parent directory created, foreign keys on)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        # A connection the server dropped (a restart, a failover) is found when it is taken from
        # the pool and replaced; a disconnect seen by a statement invalidates the whole pool.
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: :func:`database_url`), migrated once."""
    url = url or database_url()
    with _guard:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            migrate(engine)
            _engines[url] = engine
        return engine


def dispose(url: str) -> None:
    """Forget and close the engine of ``url`` (tests drop their databases afterwards)."""
    with _guard:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)
