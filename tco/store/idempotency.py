"""Idempotency keys: a retried request with the same key gets the first response, not a new effect.

:func:`run_once` records ``(tenant, key)`` under a unique constraint and does the work in the
same database transaction, then stores the response beside the key. A concurrent retry blocks on
the unique index until the first transaction ends (PostgreSQL row lock; SQLite's write lock) and
then reads the stored response; a failed first attempt rolls back both, so a retry runs again.
Nothing is saved twice and nothing is half-saved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Integer,
    String,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from tco.core.errors import Problem, TcoError
from tco.store.models import TENANT, Base

MAX_KEY_LENGTH = 200


class IdempotencyRow(Base):
    """One idempotency key of a tenant: the request's fingerprint and the stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("tenant", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(TENANT)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    operation: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    location: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyKeyReusedError(TcoError):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]
    location: str | None = None


def fingerprint(operation: str, payload: Any) -> str:
    """SHA-256 of the operation and the canonical JSON of the request payload."""
    text = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise TcoError(
            [Problem("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} printable characters")]
        )
    return key


def run_once(
    engine: Engine,
    *,
    tenant: str,
    key: str,
    operation: str,
    payload: Any,
    work: Callable[[sessionmaker[Session]], StoredResponse],
) -> tuple[StoredResponse, bool]:
    """Do ``work`` once per ``(tenant, key)``; returns the response and whether it was replayed.

    ``work`` gets a session factory bound to this transaction: its sessions' commits are folded
    into it (``join_transaction_mode="rollback_only"``), so the work and the stored response are
    committed together or not at all.
    """
    check_key(key)
    fp = fingerprint(operation, payload)
    try:
        with engine.connect() as conn, conn.begin():
            try:
                conn.execute(
                    insert(IdempotencyRow).values(
                        tenant=tenant,
                        key=key,
                        operation=operation,
                        fingerprint=fp,
                        status_code=0,
                        created_at=datetime.now(UTC),
                    )
                )
            except IntegrityError as exc:
                raise _TakenError() from exc
            sessions = sessionmaker(
                bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False
            )
            response = work(sessions)
            conn.execute(
                update(IdempotencyRow)
                .where(IdempotencyRow.tenant == tenant, IdempotencyRow.key == key)
                .values(
                    status_code=response.status_code,
                    response=response.body,
                    location=response.location,
                )
            )
        return response, False
    except _TakenError:
        pass
    with Session(engine) as session:
        row = session.scalars(
            select(IdempotencyRow).where(IdempotencyRow.tenant == tenant, IdempotencyRow.key == key)
        ).one()
        if row.operation != operation or row.fingerprint != fp or row.response is None:
            raise IdempotencyKeyReusedError(
                [
                    Problem(
                        "Idempotency-Key",
                        f"'{key}' was already used for a different request; "
                        "use a new key for a new request",
                    )
                ]
            )
        return StoredResponse(row.status_code, row.response, row.location), True


def stored_response(
    engine: Engine, *, tenant: str, key: str, operation: str
) -> StoredResponse | None:
    """The response stored for ``(tenant, key)`` by :func:`run_once` of ``operation``; None when
    the key has not been used for it (yet). A caller that can answer a used key before doing
    any other work asks here first; :func:`run_once` still decides a race."""
    with Session(engine) as session:
        row = session.scalars(
            select(IdempotencyRow).where(IdempotencyRow.tenant == tenant, IdempotencyRow.key == key)
        ).first()
    if row is None or row.operation != operation or row.response is None:
        return None
    return StoredResponse(row.status_code, row.response, row.location)


class _TakenError(Exception):
    """The key exists already (internal)."""
