"""Persistence: SQLAlchemy tables, repositories, the unit of work and Alembic migrations.

Depends on the core; nothing in the core imports this package. Importing the package is light
(``tco --help`` and ``tco info`` import :mod:`tco.store.location` only): the names below load
their modules, and SQLAlchemy, on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tco.store.db import get_engine, migrate
    from tco.store.location import database_url
    from tco.store.uow import DEFAULT_TENANT, UnitOfWork

__all__ = ["DEFAULT_TENANT", "UnitOfWork", "database_url", "get_engine", "migrate"]
_HOMES = {
    "DEFAULT_TENANT": "tco.store.uow",
    "UnitOfWork": "tco.store.uow",
    "database_url": "tco.store.location",
    "get_engine": "tco.store.db",
    "migrate": "tco.store.db",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tco.store' has no attribute '{name}'")
    return getattr(importlib.import_module(home), name)
