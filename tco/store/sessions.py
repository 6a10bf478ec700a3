"""Sessions of the web page and sign-in throttling, in the database so every worker shares them.

**Sessions.** Signing in makes a random token (256 bits) for the browser's cookie and a row keyed
by its SHA-256 digest holding the user, the tenant, the CSRF token and the page language. A
session ends when the user signs out (its row is deleted: a copied cookie stops working at
once), when the user's password changes or the user is disabled (all their rows), when it has
not been used for the idle time, and at the latest after its lifetime.

**Throttling.** Every attempt to sign in counts, before the password is checked, as a failure of
the account (the e-mail address as typed, known or not) and of the client address; a success
takes the attempt back and clears the account's failures. When a key reaches its limit within
the window, it is locked for the lock time: every attempt for it is refused unchecked, the right
password too, and the caller is told how long to wait. Counting before checking keeps the limit
exact under concurrent attempts from several workers: each key's counter is changed by one
atomic ``UPDATE``.

Time is an argument (``now``, timezone-aware UTC): the functions never read the clock.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tco.store.models import SignInThrottleRow, WebSessionRow
from tco.store.users import User, authenticate, get_user, normal_email

#: A session's ``last_seen_at`` is written at most this often (not on every page).
TOUCH_INTERVAL = timedelta(seconds=60)
#: Throttle rows whose window started this long ago, and which are not locked, are removed.
THROTTLE_KEPT = timedelta(days=1)


def _utc(value: datetime) -> datetime:
    """SQLite hands timezone-aware columns back without their zone: they are stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Sessions


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: ``idle`` without a request, ``lifetime`` at most."""

    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class WebSession:
    """A live session: its user (active), CSRF token and page language."""

    user: User
    csrf: str
    language: str | None
    created_at: datetime


def start_session(
    db: Session, user: User, *, now: datetime, language: str | None = None
) -> tuple[str, WebSession]:
    """A new session of ``user``, in the caller's transaction: the token for the cookie (shown
    nowhere else) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        WebSessionRow(
            digest=_digest(token),
            user_id=user.id,
            tenant=user.tenant,
            csrf=csrf,
            language=language,
            created_at=now,
            last_seen_at=now,
        )
    )
    db.flush()
    return token, WebSession(user=user, csrf=csrf, language=language, created_at=now)


def find_session(
    db: Session, token: str, *, now: datetime, policy: SessionPolicy
) -> WebSession | None:
    """The live session of ``token``, or None (unknown, ended, idle too long, past its lifetime,
    or its user disabled or moved to another tenant); an expired row is deleted. Its last use is
    recorded (at most every :data:`TOUCH_INTERVAL`). Commits what it changes."""
    if not token or len(token) > 100:
        return None
    row = db.get(WebSessionRow, _digest(token))
    if row is None:
        return None
    last_seen, created = _utc(row.last_seen_at), _utc(row.created_at)
    user = get_user(db, row.user_id)
    if (
        user is None
        or user.tenant != row.tenant
        or now - last_seen > policy.idle
        or now - created > policy.lifetime
    ):
        db.delete(row)
        db.commit()
        return None
    if now - last_seen >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.commit()
    return WebSession(user=user, csrf=row.csrf, language=row.language, created_at=created)


def end_session(db: Session, token: str) -> None:
    """Sign out: the session of ``token`` ends (nothing happens for an unknown token)."""
    db.execute(delete(WebSessionRow).where(WebSessionRow.digest == _digest(token)))


def set_session_language(db: Session, token: str, language: str) -> None:
    db.execute(
        update(WebSessionRow)
        .where(WebSessionRow.digest == _digest(token))
        .values(language=language)
    )


def purge_sessions(db: Session, *, now: datetime, policy: SessionPolicy) -> None:
    """Remove the rows of sessions that have ended by time."""
    db.execute(
        delete(WebSessionRow).where(
            or_(
                WebSessionRow.last_seen_at < now - policy.idle,
                WebSessionRow.created_at < now - policy.lifetime,
            )
        )
    )


# --------------------------------------------------------------------------------------------
# Sign-in throttling


@dataclass(frozen=True)
class ThrottlePolicy:
    """At most ``account_failures`` failed sign-ins per account and ``address_failures`` per
    client address within ``window``; a key that reaches its limit is locked for ``lock``."""

    account_failures: int
    address_failures: int
    window: timedelta
    lock: timedelta


@dataclass(frozen=True)
class Locked:
    """Sign-in refused unchecked: too many failures; try again in ``retry_after_s`` seconds."""

    retry_after_s: int


@dataclass(frozen=True)
class Refused:
    """The e-mail address or the password is wrong (or the user is disabled)."""


@dataclass(frozen=True)
class SignedIn:
    """A new session: its token for the cookie and the session."""

    token: str
    session: WebSession


def account_key(email: str) -> str:
    return f"account:{normal_email(email)[:254]}"


def address_key(address: str) -> str:
    return f"address:{address[:200]}"


def _count(db: Session, key: str, limit: int, *, now: datetime, policy: ThrottlePolicy) -> bool:
    """Count one attempt against ``key`` in one atomic statement; False (nothing counted) when
    the key is locked."""
    t = SignInThrottleRow
    over = or_(t.window_started_at <= now - policy.window, t.locked_until <= now)
    failures = case((over, 1), else_=t.failures + 1)
    counted = db.execute(
        update(t)
        .where(t.key == key, or_(t.locked_until.is_(None), t.locked_until <= now))
        .values(
            failures=failures,
            window_started_at=case((over, now), else_=t.window_started_at),
            locked_until=case((failures >= limit, now + policy.lock), else_=None),
        )
        .returning(t.key)
        .execution_options(synchronize_session=False)
    ).first()
    if counted is not None:
        return True
    if db.get(SignInThrottleRow, key) is not None:
        return False  # locked
    db.add(
        SignInThrottleRow(
            key=key,
            failures=1,
            window_started_at=now,
            locked_until=now + policy.lock if limit <= 1 else None,
        )
    )
    db.flush()
    return True


def _locked_for(db: Session, keys: list[str], now: datetime) -> int:
    until = [
        _utc(row.locked_until)
        for row in db.scalars(select(SignInThrottleRow).where(SignInThrottleRow.key.in_(keys)))
        if row.locked_until is not None and _utc(row.locked_until) > now
    ]
    return max(1, math.ceil(max((u - now for u in until), default=timedelta()).total_seconds()))


def _reserve(
    sessions: sessionmaker[Session], email: str, address: str, now: datetime, p: ThrottlePolicy
) -> Locked | None:
    keys = [(account_key(email), p.account_failures), (address_key(address), p.address_failures)]
    for attempt in range(3):  # a concurrent first attempt may insert the same new key
        with sessions() as db:
            try:
                _purge_throttle(db, now)
                for key, limit in keys:
                    if not _count(db, key, limit, now=now, policy=p):
                        db.rollback()
                        return Locked(_locked_for(db, [k for k, _ in keys], now))
                db.commit()
                return None
            except IntegrityError:
                db.rollback()
                if attempt == 2:
                    raise
    return None  # pragma: no cover - the loop returns or raises


def _settle_success(
    db: Session, email: str, address: str, now: datetime, p: ThrottlePolicy
) -> None:
    """A successful sign-in: the account's failures are cleared, the address's attempt is taken
    back."""
    t = SignInThrottleRow
    db.execute(delete(t).where(t.key == account_key(email)))
    db.execute(
        update(t)
        .where(t.key == address_key(address), t.failures > 0)
        .values(
            failures=t.failures - 1,
            locked_until=case((t.failures - 1 >= p.address_failures, t.locked_until)),
        )
        .execution_options(synchronize_session=False)
    )


def _purge_throttle(db: Session, now: datetime) -> None:
    """Remove the counts of keys whose window is long over and which are not locked."""
    t = SignInThrottleRow
    db.execute(
        delete(t).where(
            t.window_started_at < now - THROTTLE_KEPT,
            or_(t.locked_until.is_(None), t.locked_until < now),
        )
    )


def sign_in(
    sessions: sessionmaker[Session],
    email: str,
    password: str,
    address: str,
    *,
    now: datetime,
    throttle: ThrottlePolicy,
    session_policy: SessionPolicy,
    language: str | None = None,
) -> SignedIn | Refused | Locked:
    """Sign in with an e-mail address and a password from a client address: a new session, a
    refusal, or a lock (checked before the password, so the right one is refused too)."""
    locked = _reserve(sessions, email, address, now, throttle)
    if locked is not None:
        return locked
    with sessions() as db:
        user = authenticate(db, email, password)
        if user is None:
            db.commit()
            return Refused()
        _settle_success(db, email, address, now, throttle)
        purge_sessions(db, now=now, policy=session_policy)
        token, session = start_session(db, user, now=now, language=language)
        db.commit()
    return SignedIn(token, session)
