"""``tco user create|list|password``: the people who sign in to the web page; the demo user.

The password comes from a hidden prompt (asked twice) or, for scripts, from standard input
with ``--password-stdin`` (the first line). It is stored only as an argon2 hash.
:func:`ensure_demo_user` makes the development demo salesperson (``tco serve --demo``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated

import typer

from tco.core.errors import Problem, TcoError
from tco.store.location import DEMO_TENANT

user_app = typer.Typer(help="Create and list the users of the web page.", no_args_is_help=True)

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoUser:
    tenant: str
    email: str
    password: str


def ensure_demo_user(url: str, *, tenant: str = DEMO_TENANT) -> DemoUser:
    """The demo salesperson (``demo@example.com`` / ``demo-password``) of the demo tenant,
    with the demo catalog and quotes loaded; created when missing, its password reset when
    changed. Only for the embedded SQLite database: a known password has no place elsewhere."""
    from tco import services
    from tco.store.db import session_factory
    from tco.store.uow import UnitOfWork
    from tco.store.users import UserRole, authenticate, create_user, set_password

    if not url.startswith("sqlite:///"):
        raise TcoError(
            [Problem("--demo", "only for the embedded SQLite database (unset TCO_DATABASE_URL)")]
        )
    sessions = session_factory(url)
    services.load_demo(UnitOfWork(tenant, sessions=sessions))
    with sessions() as session:
        if authenticate(session, DEMO_EMAIL, DEMO_PASSWORD) is None:
            try:
                create_user(
                    session,
                    tenant,
                    DEMO_EMAIL,
                    DEMO_PASSWORD,
                    UserRole.sales,
                    name="Demo Salesperson",
                )
            except TcoError:
                set_password(session, DEMO_EMAIL, DEMO_PASSWORD)
        session.commit()
    return DemoUser(tenant, DEMO_EMAIL, DEMO_PASSWORD)


def _fail(exc: TcoError) -> typer.Exit:
    from tco.cli.common import fail

    return fail(exc)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("create")
def user_create(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant name (created if new)")],
    email: Annotated[str, typer.Option("--email", help="e-mail address, used to sign in")],
    role: Annotated[str, typer.Option("--role", help="sales, manager or admin")] = "sales",
    name: Annotated[str, typer.Option("--name", help="name shown on the page")] = "",
    locale: Annotated[str, typer.Option("--locale", help="en or de_DE")] = "en",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user; the password is asked for (or read with --password-stdin)."""
    from tco.store.db import session_factory
    from tco.store.users import UserRole, create_user

    try:
        chosen = UserRole(role)
    except ValueError:
        raise _fail(
            TcoError([Problem("role", f"'{role}' is not one of: sales, manager, admin")])
        ) from None
    password = _password(password_stdin)
    try:
        with session_factory()() as session:
            user = create_user(session, tenant, email, password, chosen, name=name, locale=locale)
            session.commit()
    except TcoError as exc:
        raise _fail(exc) from None
    print(f"user {user.email} ({user.role.value}) created in tenant '{user.tenant}'")


@user_app.command("password")
def user_password(
    email: Annotated[str, typer.Option("--email", help="the user's e-mail address")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a new password for a user; every session of theirs on the web page ends."""
    from tco.store.db import session_factory
    from tco.store.users import set_password

    password = _password(password_stdin)
    try:
        with session_factory()() as session:
            user = set_password(session, email, password)
            session.commit()
    except TcoError as exc:
        raise _fail(exc) from None
    print(f"password of {user.email} changed; their sessions on the web page have ended")


@user_app.command("list")
def user_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="only this tenant")] = None,
) -> None:
    """Users with their tenant, role and locale (never their passwords)."""
    from tco.store.db import session_factory
    from tco.store.users import list_users

    with session_factory()() as session:
        users = list_users(session, tenant=tenant)
    for u in users:
        print(f"{u.tenant}\t{u.email}\t{u.role.value}\t{u.locale}\t{u.name}")
