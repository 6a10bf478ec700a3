"""The API's handle on the database: one engine per worker, created (and migrated) on first use."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tco.store import db
from tco.store.uow import UnitOfWork


class Database:
    """Engine, session factory and units of work for one database URL (lazily)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return db.get_engine(self.url)

    @property
    def sessions(self) -> sessionmaker[Session]:
        with self._lock:
            if self._sessions is None:
                self._sessions = db.session_factory(self.url)
            return self._sessions

    def uow(self, tenant: str) -> UnitOfWork:
        return UnitOfWork(tenant=tenant, sessions=self.sessions)

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        with self._lock:
            self._sessions = None
        db.dispose(self.url)
