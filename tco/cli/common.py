"""What every command shares: project errors print one line per problem on stderr and exit 2;
``tco --version`` and ``tco info`` say where the commands work (database and tenant)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from tco import __version__
from tco.core.errors import TcoError
from tco.store import location

if TYPE_CHECKING:
    from tco.store.uow import UnitOfWork

EXIT_INPUT = 2

T = TypeVar("T")

#: The ``--by`` option of the commands that change something.
By = Annotated[str | None, typer.Option("--by", help="who does this (default: $TCO_USER or $USER)")]


def fail(exc: TcoError) -> typer.Exit:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for line in exc.lines():
        err.print(f"error: {line}", markup=False)
    return typer.Exit(EXIT_INPUT)


def run(fn: Callable[[], T]) -> T:
    """``fn()``, a project error turned into one line per problem and exit status 2."""
    try:
        return fn()
    except TcoError as exc:
        raise fail(exc) from None


def by_whom(by: str | None) -> str:
    """Who does it: ``--by``, else ``$TCO_USER``, else ``$USER``."""
    return by or os.environ.get("TCO_USER") or os.environ.get("USER") or "salesperson"


def uow() -> UnitOfWork:
    """The unit of work of the command line's tenant (``TCO_TENANT``, default ``demo``)."""
    from tco.store.uow import UnitOfWork

    return UnitOfWork(tenant=location.cli_tenant())


def _tenant() -> str:
    try:
        return location.cli_tenant()
    except TcoError as exc:
        raise fail(exc) from None


def print_version() -> None:
    """``tco --version``: the version, the database (password hidden) and the tenant."""
    url, tenant = location.database_url(), _tenant()
    print(f"tco {__version__}")
    print(f"database: {location.shown_url(url)}")
    print(f"tenant: {tenant}")


def info_cmd(
    data_dir: Annotated[
        bool,
        typer.Option(
            "--data-dir",
            help="print only the folder of the files kept beside the database "
            "(development session secret, demo API key)",
        ),
    ] = False,
) -> None:
    """Where the commands work: the database, the folder beside it and the tenant."""
    url = location.database_url()
    tenant = _tenant()
    files = location.files_dir(url)
    if data_dir:
        print(files)
        return
    url_from = (
        "TCO_DATABASE_URL"
        if os.environ.get("TCO_DATABASE_URL")
        else "the per-user default; TCO_DATABASE_URL sets another"
    )
    tenant_from = (
        "TCO_TENANT"
        if os.environ.get("TCO_TENANT")
        else "the demo tenant of tco serve --demo; TCO_TENANT sets another"
    )
    path = location.sqlite_path(url)
    print(f"tco {__version__}")
    print(f"database: {location.shown_url(url)} ({url_from})")
    if path is not None and not path.is_file():
        print("          not created yet: the first command that needs it creates it")
    print(f"files:    {files} (development session secret, demo API key)")
    print(f"tenant:   {tenant} ({tenant_from})")
