"""Helpers for the quote, store and CLI tests: demo data and fresh databases (no tests here).

Every test gets its own database: a SQLite file under ``tmp_path``, or a throwaway PostgreSQL
database ``tco_test_<random>`` created on the server at 127.0.0.1:5432 and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tco.core.scenario import read_file
from tco.quoting.catalog import Catalog
from tco.services import DEMO_DIR, read_catalog_dir
from tco.store import db

ADMIN_URL = os.environ.get("TCO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def demo_catalog() -> Catalog:
    return read_catalog_dir(DEMO_DIR / "catalog")


def demo_request(name: str = "compressor-fullcare.yaml") -> dict[str, Any]:
    data = read_file(DEMO_DIR / "requests" / name)
    assert isinstance(data, dict)
    return data


def demo_changes() -> dict[str, Any]:
    data = read_file(DEMO_DIR / "changes" / "compressor-discount.yaml")
    assert isinstance(data, dict)
    return data


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test; its SQLAlchemy URL. Dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"tco_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:  # pragma: no cover - server down
        if os.environ.get("CI"):  # CI starts the server: a missing one is a failure there
            pytest.fail(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    try:
        yield url
    finally:
        db.dispose(url)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    url = f"sqlite:///{directory / 'tco.db'}"
    try:
        yield url
    finally:
        db.dispose(url)


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database(directory) as url:
            yield url


#: parametrize a ``db_kind`` fixture over both databases
BOTH = pytest.mark.parametrize(
    "db_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
