"""The unit of work: one transaction, the repositories that share it, an explicit commit.

Leaving the ``with`` block without :meth:`UnitOfWork.commit` rolls everything back, so a
failure half way leaves nothing behind.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from tco.store.db import session_factory
from tco.store.location import DEMO_TENANT
from tco.store.repository import CatalogRepository, QuoteRepository

#: The tenant of a unit of work made without one: the demo tenant, as on the command line.
DEFAULT_TENANT = DEMO_TENANT


class UnitOfWork:
    """``with UnitOfWork(tenant=...) as uow: ...; uow.commit()``."""

    catalogs: CatalogRepository
    quotes: QuoteRepository

    def __init__(
        self,
        tenant: str = DEFAULT_TENANT,
        *,
        url: str | None = None,
        sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self.tenant = tenant
        self._sessions = sessions if sessions is not None else session_factory(url)
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self.catalogs = CatalogRepository(self._session, self.tenant)
        self.quotes = QuoteRepository(self._session, self.tenant)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        assert self._session is not None, "commit inside 'with UnitOfWork() as uow:'"
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None
        self._session.rollback()
