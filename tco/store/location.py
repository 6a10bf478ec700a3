"""Where the data is: the database URL, the folder for files kept beside it, and the tenant the
command line works on. Light to import (no SQLAlchemy): ``tco --version`` and ``tco info`` use it.

- Database: ``TCO_DATABASE_URL`` (any SQLAlchemy URL; ``postgresql://`` uses psycopg 3), else the
  SQLite file ``tco.db`` in the per-user data folder (``platformdirs``: ``~/.local/share/tco``
  on Linux, or ``$XDG_DATA_HOME/tco``; ``~/Library/Application Support/tco`` on macOS;
  ``%LOCALAPPDATA%\\tco`` on Windows). Never the working directory: every command and
  ``tco serve`` find the same database from any folder.
- Files beside the database (the development session secret, the demo API key): the folder of
  the SQLite file, or the per-user data folder for a server database.
- Tenant of the command line: ``TCO_TENANT``, else ``demo``, the tenant ``tco serve --demo``
  loads and the demo salesperson of the web page belongs to; quotes made from the command line
  and on the page share one numbering.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_path

from tco.core.errors import Problem, TcoError

APP_NAME = "tco"
DATABASE_FILE = "tco.db"
#: The demo tenant: what ``tco serve --demo`` loads and the command line works on by default.
DEMO_TENANT = "demo"
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def data_dir() -> Path:
    """The per-user data folder (not created here)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_url() -> str:
    """The SQLite file of the per-user data folder."""
    return f"sqlite:///{data_dir() / DATABASE_FILE}"


def database_url(env: Mapping[str, str] | None = None) -> str:
    """The configured URL: ``TCO_DATABASE_URL`` or :func:`default_url` (``postgresql://``
    becomes ``postgresql+psycopg://``)."""
    url = (env if env is not None else os.environ).get("TCO_DATABASE_URL") or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    elif url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (a server database, or SQLite in memory)."""
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///"))
    return None


def files_dir(url: str) -> Path:
    """The folder for files kept beside the database: the SQLite file's, else
    :func:`data_dir`."""
    path = sqlite_path(url)
    return path.parent if path is not None else data_dir()


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    head, at, host = url.rpartition("@")
    if not at or ":" not in head.partition("://")[2]:
        return url
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.split(':', 1)[0]}:***@{host}"


def cli_tenant(env: Mapping[str, str] | None = None) -> str:
    """The command line's tenant: ``TCO_TENANT`` or :data:`DEMO_TENANT`; a :class:`TcoError`
    naming ``TCO_TENANT`` when it is not a tenant name."""
    name = (env if env is not None else os.environ).get("TCO_TENANT") or DEMO_TENANT
    if not _TENANT.match(name):
        raise TcoError(
            [
                Problem(
                    "TCO_TENANT",
                    f"'{name}' is not a tenant name (a letter or digit first, then letters, "
                    "digits, '_', '.' or '-'; at most 64 characters)",
                )
            ]
        )
    return name
