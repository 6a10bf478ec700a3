"""Persistence: SQLAlchemy tables, repositories, the unit of work and Alembic migrations.

Depends on the core; nothing in the core imports this package.
"""

from tco.store.db import database_url, get_engine, migrate
from tco.store.uow import DEFAULT_TENANT, UnitOfWork

__all__ = ["DEFAULT_TENANT", "UnitOfWork", "database_url", "get_engine", "migrate"]
