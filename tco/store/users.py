"""Users of the web page: salespeople and admins, each in one tenant, signing in by e-mail.

An e-mail address names one user across all tenants (it is what a person types to sign in).
Passwords are stored only as argon2id hashes (argon2-cffi's defaults: RFC 9106 low-memory
profile); a hash made with weaker parameters is replaced at the next successful sign-in.
Signing in with an unknown address costs as much time as with a known one.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tco.core.errors import ConflictError, NotFoundError, Problem, TcoError
from tco.store.apikeys import ensure_tenant
from tco.store.models import Base, WebSessionRow

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_LOCALES = ("en", "de_DE")
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against for an unknown address (made on first use: a hash takes a
    third of a second, which every process would otherwise spend on import)."""
    return _hasher.hash(secrets.token_urlsafe(16))


class UserRole(StrEnum):
    sales = "sales"
    manager = "manager"  # approves discounts above the salesperson's limit (docs/desk.md)
    admin = "admin"


class UserRow(Base):
    """A person who signs in to the web page: tenant, e-mail, argon2 hash, role, locale."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class User:
    """A signed-in person as the web page knows them (never the password hash)."""

    id: int
    tenant: str
    email: str
    name: str
    role: UserRole
    locale: str

    @property
    def display_name(self) -> str:
        return self.name or self.email


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        tenant=row.tenant,
        email=row.email,
        name=row.name,
        role=UserRole(row.role),
        locale=row.locale,
    )


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_new_user(email: str, password: str, locale: str) -> list[Problem]:
    """What is wrong with a new user's e-mail, password and locale (empty when nothing)."""
    problems = []
    if not _EMAIL.match(normal_email(email)) or len(email.strip()) > 254:
        problems.append(Problem("email", f"'{email}' is not an e-mail address"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters long")
        )
    if locale not in _LOCALES:
        problems.append(Problem("locale", f"'{locale}' is not one of: {', '.join(_LOCALES)}"))
    return problems


def create_user(
    session: Session,
    tenant: str,
    email: str,
    password: str,
    role: UserRole,
    *,
    name: str = "",
    locale: str = "en",
    now: datetime | None = None,
) -> User:
    """A new user of ``tenant`` (created if new), in the caller's transaction."""
    problems = check_new_user(email, password, locale)
    if problems:
        raise TcoError(problems)
    at = now or datetime.now(UTC)
    address = normal_email(email)
    if session.scalars(select(UserRow).where(UserRow.email == address)).first() is not None:
        raise ConflictError([Problem("email", f"a user {address} exists already")])
    ensure_tenant(session, tenant, now=at)
    row = UserRow(
        tenant=tenant,
        email=address,
        name=name.strip()[:200],
        password_hash=_hasher.hash(password),
        role=role.value,
        locale=locale,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return _user(row)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None (also for a disabled user)."""
    row = session.scalars(select(UserRow).where(UserRow.email == normal_email(email))).first()
    if row is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)  # same work as for a known address
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if row.disabled_at is not None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        session.flush()
    return _user(row)


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with this id, or None."""
    row = session.get(UserRow, user_id)
    if row is None or row.disabled_at is not None:
        return None
    return _user(row)


def set_password(session: Session, email: str, password: str) -> User:
    """A new password for a user, in the caller's transaction. Every session of the user on the
    web page ends: one signed in with the old password, or a copied cookie, stops working."""
    row = session.scalars(select(UserRow).where(UserRow.email == normal_email(email))).first()
    if row is None:
        raise NotFoundError([Problem("email", f"no user {normal_email(email)}")])
    problems = [p for p in check_new_user(row.email, password, row.locale) if p.path == "password"]
    if problems:
        raise TcoError(problems)
    row.password_hash = _hasher.hash(password)
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
    session.flush()
    return _user(row)


def list_users(session: Session, *, tenant: str | None = None) -> list[User]:
    stmt = select(UserRow).order_by(UserRow.tenant, UserRow.email)
    if tenant is not None:
        stmt = stmt.where(UserRow.tenant == tenant)
    return [_user(r) for r in session.scalars(stmt)]
