"""The HTTP API's commands: ``tco serve`` and ``tco apikey create|revoke|list``.

``tco serve --demo`` is for development on the embedded SQLite database: on first start it creates
the ``demo`` tenant, loads the demo catalog and quotes and makes an admin key, kept in
``demo-api-key`` beside the database (``tco info --data-dir``) and printed on every start.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import TYPE_CHECKING, Annotated

import typer

from tco.core.errors import Problem, TcoError
from tco.store.location import DEMO_TENANT, files_dir, shown_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
#: Seconds a worker of ``tco serve --workers N`` may take to answer the supervisor's health check
#: (uvicorn's default is 5): on a machine with fewer cores than workers, starting workers share
#: the cores while each imports the app and loads the compiled kernel, and one that is slow to
#: answer must not be killed and started again, which only adds load.
WORKER_HEALTHCHECK_TIMEOUT_S = 60


def _fail(exc: TcoError) -> typer.Exit:
    from tco.cli.common import fail

    return fail(exc)


def _sessions() -> sessionmaker[Session]:
    from tco.store.db import session_factory

    return session_factory()


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant name (created if new)")],
    role: Annotated[str, typer.Option("--role", help="configurator, sales, manager or admin")],
    label: Annotated[str, typer.Option("--label", help="what the key is for")] = "",
) -> None:
    """Make a key; it is printed once, alone on the last line, and stored only as a hash."""
    from tco.store.apikeys import Role, create_key

    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(
            TcoError(
                [Problem("role", f"'{role}' is not one of: configurator, sales, manager, admin")]
            )
        ) from None
    try:
        with _sessions()() as session:
            info, key = create_key(session, tenant, chosen, label=label)
            session.commit()
    except TcoError as exc:
        raise _fail(exc) from None
    print(f"key {info.id} (tco_{info.prefix}) for tenant '{info.tenant}', role {info.role.value}")
    print("store it now: it cannot be shown again")
    print(key)


@apikey_app.command("revoke")
def apikey_revoke(
    key: Annotated[str, typer.Argument(help="key id or prefix (tco_abcd2345)")],
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    from tco.store.apikeys import revoke_key

    try:
        with _sessions()() as session:
            info = revoke_key(session, key)
            session.commit()
    except TcoError as exc:
        raise _fail(exc) from None
    print(f"revoked key {info.id} (tco_{info.prefix}) of tenant '{info.tenant}'")


@apikey_app.command("list")
def apikey_list(
    tenant: Annotated[str | None, typer.Option("--tenant", help="only this tenant")] = None,
) -> None:
    """Keys with their id, prefix, tenant, role and state (never the keys themselves)."""
    from tco.store.apikeys import list_keys

    with _sessions()() as session:
        keys = list_keys(session, tenant=tenant)
    for k in keys:
        state = "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d}"
        print(f"{k.id}\ttco_{k.prefix}\t{k.tenant}\t{k.role.value}\t{state}\t{k.label}")


def demo_setup(url: str) -> str:
    """Demo tenant, catalog, quotes and admin key on the embedded database; returns the key."""
    from tco import services
    from tco.store.apikeys import Role, create_key, verify_key
    from tco.store.db import session_factory
    from tco.store.uow import UnitOfWork

    if not url.startswith("sqlite:///"):
        raise TcoError(
            [Problem("--demo", "only for the embedded SQLite database (unset TCO_DATABASE_URL)")]
        )
    key_file = files_dir(url) / "demo-api-key"
    sessions = session_factory(url)
    services.load_demo(UnitOfWork(DEMO_TENANT, sessions=sessions))
    with sessions() as session:
        if key_file.is_file():
            key = key_file.read_text(encoding="utf-8").strip()
            if verify_key(session, key) is not None:
                return key
        _, key = create_key(session, DEMO_TENANT, Role.admin, label="demo (tco serve --demo)")
        session.commit()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes")] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="development: demo tenant, catalog and key (SQLite); cookies over plain HTTP",
        ),
    ] = False,
) -> None:
    """Run the HTTP API with uvicorn (stateless workers; migrations run once, here).

    The web page's cookies are Secure (sent over HTTPS only) unless TCO_SECURE_COOKIES=false;
    with --demo, which serves plain HTTP for development, that is the default.
    """
    import uvicorn

    from tco.store.db import database_url, get_engine

    url = database_url()
    try:
        get_engine(url)  # migrate once, before the workers start
        key = demo_setup(url) if demo else None
        if demo:
            from tco.cli.users import ensure_demo_user

            user = ensure_demo_user(url)
    except TcoError as exc:
        raise _fail(exc) from None
    if demo:  # plain HTTP on this machine: a browser would not send Secure cookies back
        os.environ.setdefault("TCO_SECURE_COOKIES", "false")
    if workers > 1:
        # Compile the kernel into numba's on-disk cache once, here, so that the workers load it
        # instead of each compiling it at the same time on a cold cache.
        from tco.core.results import warm_up

        warm_up()
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tco-metrics-")
    print(f"TCO API on http://{host}:{port} (docs: /docs), database {shown_url(url)}")
    if demo:
        print(f"sales web page: http://{host}:{port}/ (sign in as {user.email} / {user.password})")
    if key is not None:
        print(f"demo tenant '{DEMO_TENANT}', admin key (development only):", flush=True)
        print(key, flush=True)
    sys.stdout.flush()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_graceful_shutdown=10,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT_S,
        proxy_headers=False,
    )
