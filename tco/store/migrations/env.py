"""Alembic environment: runs on the connection handed over by :func:`tco.store.db.migrate`."""

from __future__ import annotations

from alembic import context

from tco.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through tco.store.db.migrate
    raise RuntimeError("run migrations through tco.store.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
