"""Sessions of the web page live in the database: signing out, a new password and the idle time
end them for every copy of the cookie; sign-in is throttled per account and per client address,
shared by all workers; cookies are Secure unless a setting says otherwise. SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from api.main import create_app
from api.settings import Settings
from api.web.session import COOKIE, VISITOR_COOKIE
from tco.cli import keys
from tco.cli.users import user_app
from tco.store import db
from tco.store.models import SignInThrottleRow, WebSessionRow
from tco.store.sessions import (
    Locked,
    Refused,
    SessionPolicy,
    SignedIn,
    ThrottlePolicy,
    find_session,
    sign_in,
)
from tco.store.users import UserRole, create_user
from tests.test_store_support import database
from tests.websupport import PASSWORD, SALES, TestClient, csrf_of

OTHER_USER = "bert@acme.example"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
THROTTLE = ThrottlePolicy(
    account_failures=5,
    address_failures=20,
    window=timedelta(minutes=15),
    lock=timedelta(minutes=15),
)
POLICY = SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(hours=12))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with the users anna and bert of tenant acme."""
    with database(request.param, tmp_path) as u:
        with db.session_factory(u)() as session:
            for email in (SALES, OTHER_USER):
                create_user(session, "acme", email, PASSWORD, UserRole.sales)
            session.commit()
        yield u


def browser(url: str, *, https: bool = True) -> TestClient:
    """A browser of a new app (a worker) on the database."""
    app = create_app(Settings(database_url=url, access_log=False))
    return TestClient(app, base_url="https://testserver" if https else "http://testserver")


def post_sign_in(c: TestClient, email: str = SALES, password: str = PASSWORD) -> Any:
    token = csrf_of(c.get("/sign-in").text)
    return c.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": "/quotes"},
        follow_redirects=False,
    )


def signed_in(c: TestClient, email: str = SALES) -> str:
    """Sign in; the CSRF token of the session."""
    r = post_sign_in(c, email)
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/quotes").text)


def can_see_quotes(c: TestClient) -> bool:
    r = c.get("/quotes", follow_redirects=False)
    assert r.status_code in (200, 303)
    return r.status_code == 200


def with_cookie(url: str, value: str) -> TestClient:
    other = browser(url)
    other.cookies.set(COOKIE, value)
    return other


def session_rows(url: str) -> list[WebSessionRow]:
    with db.session_factory(url)() as session:
        return list(session.scalars(select(WebSessionRow)))


# --------------------------------------------------------------------------------------------
# Sessions


def test_the_cookie_holds_a_random_token_and_the_database_only_its_digest(url: str) -> None:
    c = browser(url)
    r = post_sign_in(c)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    token = c.cookies[COOKIE]
    assert len(token) >= 40
    assert "." not in token  # no signed data: nothing to read, nothing to forge
    (row,) = session_rows(url)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.digest, row.csrf}


def test_a_copied_cookie_stops_working_when_its_user_signs_out(url: str) -> None:
    c = browser(url)
    token = signed_in(c)
    copy = with_cookie(url, c.cookies[COOKIE])  # another machine, another worker
    assert can_see_quotes(copy)
    r = c.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/sign-in")
    assert not can_see_quotes(c)
    assert not can_see_quotes(copy)
    assert session_rows(url) == []


def test_a_new_password_ends_every_session_of_the_user(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna, anna_elsewhere, bert = browser(url), browser(url), browser(url)
    signed_in(anna)
    signed_in(anna_elsewhere)
    signed_in(bert, OTHER_USER)
    monkeypatch.setenv("TCO_DATABASE_URL", url)
    out = CliRunner().invoke(
        user_app, ["password", "--email", SALES, "--password-stdin"], input="a new password 42\n"
    )
    assert out.exit_code == 0, out.output
    assert "sessions on the web page have ended" in out.stdout
    assert not can_see_quotes(anna)
    assert not can_see_quotes(anna_elsewhere)
    assert can_see_quotes(bert)  # another user's session goes on
    assert post_sign_in(browser(url), SALES, "a new password 42").status_code == 303


def test_a_session_ends_after_the_idle_time_and_at_the_end_of_its_lifetime(url: str) -> None:
    c = browser(url)
    signed_in(c)
    assert can_see_quotes(c)
    with db.session_factory(url)() as session:
        session.execute(
            update(WebSessionRow).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=61))
        )
        session.commit()
    assert not can_see_quotes(c)
    assert session_rows(url) == []

    signed_in(c)
    with db.session_factory(url)() as session:
        session.execute(
            update(WebSessionRow).values(created_at=datetime.now(UTC) - timedelta(hours=13))
        )
        session.commit()
    assert not can_see_quotes(c)


def test_use_keeps_a_session_alive(url: str) -> None:
    sessions = db.session_factory(url)
    outcome = sign_in(
        sessions, SALES, PASSWORD, "10.0.0.1", now=NOW, throttle=THROTTLE, session_policy=POLICY
    )
    assert isinstance(outcome, SignedIn)
    later = NOW
    for _ in range(5):  # a request every 50 minutes: never idle for an hour
        later += timedelta(minutes=50)
        with sessions() as session:
            assert find_session(session, outcome.token, now=later, policy=POLICY) is not None
    with sessions() as session:
        assert (
            find_session(session, outcome.token, now=later + timedelta(hours=2), policy=POLICY)
            is None
        )


def test_signing_in_again_ends_the_previous_session(url: str) -> None:
    c = browser(url)
    signed_in(c)
    first = c.cookies[COOKIE]
    signed_in(c)
    assert c.cookies[COOKIE] != first
    assert not can_see_quotes(with_cookie(url, first))
    assert len(session_rows(url)) == 1


# --------------------------------------------------------------------------------------------
# Throttling


def test_after_five_failures_even_the_right_password_gets_429_with_retry_after(url: str) -> None:
    c = browser(url)
    for _ in range(5):
        r = post_sign_in(c, password="wrong password")
        assert r.status_code == 400
        assert "The e-mail address or the password is wrong." in r.text
    r = post_sign_in(c)  # the right password, during the lock
    assert r.status_code == 429
    assert 14 * 60 < int(r.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins. Try again in 15 minutes." in r.text
    assert 'name="password"' in r.text  # the sign-in page, readable, with the form
    assert COOKIE not in c.cookies
    assert not can_see_quotes(c)
    # the lock is the account's: another user signs in from elsewhere ... and after it, anna too
    assert post_sign_in(browser(url), OTHER_USER).status_code == 303
    with db.session_factory(url)() as session:
        session.execute(
            update(SignInThrottleRow).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert post_sign_in(c).status_code == 303


def test_the_lock_is_shared_by_all_workers(url: str) -> None:
    workers = [browser(url) for _ in range(3)]
    for k in range(5):
        assert post_sign_in(workers[k % 3], password="wrong password").status_code == 400
    for w in workers:
        assert post_sign_in(w).status_code == 429


def test_a_success_clears_the_accounts_failures(url: str) -> None:
    c = browser(url)
    for _ in range(4):
        assert post_sign_in(c, password="wrong password").status_code == 400
    assert post_sign_in(c).status_code == 303
    for _ in range(4):
        assert post_sign_in(c, password="wrong password").status_code == 400
    assert post_sign_in(c).status_code == 303


def test_one_address_trying_many_accounts_is_locked(url: str) -> None:
    sessions = db.session_factory(url)
    policy = ThrottlePolicy(
        account_failures=5, address_failures=6, window=THROTTLE.window, lock=THROTTLE.lock
    )

    def attempt(email: str, password: str, address: str, now: datetime = NOW) -> object:
        return sign_in(
            sessions, email, password, address, now=now, throttle=policy, session_policy=POLICY
        )

    for k in range(6):  # one guess at each of six accounts, known or not
        assert isinstance(attempt(f"nobody{k}@acme.example", "guess", "10.0.0.9"), Refused)
    assert attempt(SALES, PASSWORD, "10.0.0.9") == Locked(15 * 60)
    assert isinstance(attempt(SALES, PASSWORD, "10.0.0.10"), SignedIn)
    later = NOW + timedelta(minutes=15)
    assert isinstance(attempt(SALES, PASSWORD, "10.0.0.9", later), SignedIn)


def test_failures_outside_the_window_are_forgotten(url: str) -> None:
    sessions = db.session_factory(url)
    at = NOW
    for _ in range(3):  # four failures every 20 minutes: never five in a window
        for _ in range(4):
            out = sign_in(
                sessions,
                SALES,
                "wrong",
                "10.0.0.1",
                now=at,
                throttle=THROTTLE,
                session_policy=POLICY,
            )
            assert isinstance(out, Refused)
        at += timedelta(minutes=20)
    ok = sign_in(
        sessions, SALES, PASSWORD, "10.0.0.1", now=at, throttle=THROTTLE, session_policy=POLICY
    )
    assert isinstance(ok, SignedIn)


def test_concurrent_attempts_check_at_most_the_limit(url: str) -> None:
    """Thirty wrong passwords at once from several workers: five are checked, the others are
    refused unchecked; then the right one is refused too."""
    sessions = db.session_factory(url)

    def attempt(k: int) -> object:
        return sign_in(
            sessions,
            SALES,
            f"wrong {k}",
            f"10.1.0.{k}",
            now=NOW,
            throttle=THROTTLE,
            session_policy=POLICY,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert sum(isinstance(o, Refused) for o in outcomes) == 5
    assert sum(isinstance(o, Locked) for o in outcomes) == 25
    right = sign_in(
        sessions, SALES, PASSWORD, "10.2.0.1", now=NOW, throttle=THROTTLE, session_policy=POLICY
    )
    assert isinstance(right, Locked)


# --------------------------------------------------------------------------------------------
# Secure cookies


def test_cookies_are_secure_unless_the_setting_says_plain_http(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = browser(url)
    assert "secure" in c.get("/sign-in").headers["set-cookie"].lower()
    monkeypatch.setenv("TCO_SECURE_COOKIES", "false")
    plain = browser(url, https=False)
    visitor = plain.get("/sign-in").headers["set-cookie"]
    assert visitor.startswith(f"{VISITOR_COOKIE}=")
    assert "secure" not in visitor.lower()
    signed_in(plain)
    assert can_see_quotes(plain)


def test_serve_demo_uses_plain_http_cookies_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("TCO_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("TCO_SECURE_COOKIES", "unset below; restored afterwards")
    monkeypatch.delenv("TCO_SECURE_COOKIES")
    keys.serve(host="127.0.0.1", port=8000, workers=1, demo=True)
    assert os.environ["TCO_SECURE_COOKIES"] == "false"
    monkeypatch.setenv("TCO_SECURE_COOKIES", "true")
    keys.serve(host="127.0.0.1", port=8000, workers=1, demo=True)
    assert os.environ["TCO_SECURE_COOKIES"] == "true"
    db.dispose(f"sqlite:///{tmp_path / 'demo.db'}")
