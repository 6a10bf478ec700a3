"""Tenants and API keys: who may call the HTTP API, for which tenant, in which role.

A key is ``tco_<prefix>_<secret>``: the prefix (8 characters) is stored in clear and names the key
for listing and revocation; the whole key is stored only as its SHA-256 digest (the secret holds
256 random bits, so a fast hash is enough; nothing reversible is kept). Roles are ordered:
``configurator`` (evaluate, create and read quotes) < ``sales`` (manage quotes) < ``manager``
(approve discounts) < ``admin`` (catalog changes and keys).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tco.core.errors import ConflictError, NotFoundError, Problem, TcoError
from tco.store.models import TENANT, Base

KEY_PREFIX_LENGTH = 8
_KEY = re.compile(r"^tco_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,100})$")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class Role(StrEnum):
    configurator = "configurator"
    sales = "sales"
    manager = "manager"  # approves discounts above the salesperson's limit (docs/desk.md)
    admin = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """Whether a key of this role may do what ``needed`` may do."""
        return self.rank >= needed.rank


_RANK = {Role.configurator: 0, Role.sales: 1, Role.manager: 2, Role.admin: 3}


class TenantRow(Base):
    """A tenant: the owner of a catalog, quotes and keys."""

    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(TENANT, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """An API key: its tenant, role, clear prefix and SHA-256 digest; revoked keys stay listed."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("prefix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class ApiKey:
    """What the API knows about a caller once its key is verified (never the key itself)."""

    id: int
    tenant: str
    role: Role
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _info(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        tenant=row.tenant,
        role=Role(row.role),
        prefix=row.prefix,
        label=row.label,
        created_at=_utc(row.created_at),
        revoked_at=_utc(row.revoked_at) if row.revoked_at is not None else None,
    )


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh key and its prefix."""
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(KEY_PREFIX_LENGTH))
    return f"tco_{prefix}_{secrets.token_urlsafe(32)}", prefix


def check_tenant(name: str) -> str:
    if not _TENANT.match(name):
        raise TcoError(
            [Problem("tenant", f"'{name}' is not a tenant name (letters, digits, _ . -; 1-64)")]
        )
    return name


def ensure_tenant(session: Session, name: str, *, now: datetime) -> None:
    """Create the tenant unless it exists (in the caller's transaction)."""
    check_tenant(name)
    if session.get(TenantRow, name) is None:
        session.add(TenantRow(name=name, created_at=now))
        session.flush()


def create_key(
    session: Session, tenant: str, role: Role, *, label: str = "", now: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key for ``tenant`` (created if new); returns its record and the key, shown once."""
    at = now or datetime.now(UTC)
    ensure_tenant(session, tenant, now=at)
    key, prefix = new_key()
    row = ApiKeyRow(
        tenant=tenant,
        prefix=prefix,
        digest=digest(key),
        role=role.value,
        label=label[:200],
        created_at=at,
    )
    session.add(row)
    session.flush()
    return _info(row), key


def verify_key(session: Session, key: str) -> ApiKey | None:
    """The active key record for ``key``, or None (unknown, malformed or revoked)."""
    m = _KEY.match(key)
    if m is None:
        return None
    row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == m.group(1))).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.digest, digest(key)):
        return None
    return _info(row)


def find_key(session: Session, id_or_prefix: str, *, tenant: str | None = None) -> ApiKeyRow:
    """A key by its number or its prefix (``tco_abcd2345`` or ``abcd2345``)."""
    text = id_or_prefix.strip()
    m = re.match(r"^(?:tco_)?([A-Za-z0-9]{8})(?:_.*)?$", text)
    stmt = select(ApiKeyRow)
    if re.fullmatch(r"[0-9]+", text):  # ASCII digits ("³" is a digit to str.isdigit)
        if len(text) > 9:  # beyond the ids a table holds (and PostgreSQL's integer)
            raise NotFoundError([Problem("key", f"no key '{id_or_prefix}'")])
        stmt = stmt.where(ApiKeyRow.id == int(text))
    elif m is not None:
        stmt = stmt.where(ApiKeyRow.prefix == m.group(1))
    else:
        raise NotFoundError([Problem("key", f"'{id_or_prefix}' is neither a key id nor a prefix")])
    if tenant is not None:
        stmt = stmt.where(ApiKeyRow.tenant == tenant)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFoundError([Problem("key", f"no key '{id_or_prefix}'")])
    return row


def revoke_key(
    session: Session, id_or_prefix: str, *, tenant: str | None = None, now: datetime | None = None
) -> ApiKey:
    row = find_key(session, id_or_prefix, tenant=tenant)
    if row.revoked_at is not None:
        raise ConflictError([Problem("key", f"key {row.id} (tco_{row.prefix}) is already revoked")])
    row.revoked_at = now or datetime.now(UTC)
    session.flush()
    return _info(row)


def list_keys(session: Session, *, tenant: str | None = None) -> list[ApiKey]:
    stmt = select(ApiKeyRow).order_by(ApiKeyRow.id)
    if tenant is not None:
        stmt = stmt.where(ApiKeyRow.tenant == tenant)
    return [_info(r) for r in session.scalars(stmt)]


def count_keys(session: Session, tenant: str) -> int:
    return len(list_keys(session, tenant=tenant))
