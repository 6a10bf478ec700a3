"""Start-up of the command line and of ``tco serve``, and where the commands work.

``tco --help``, ``--version``, ``info`` and parse errors load neither the engine (numba) nor the
store (SQLAlchemy); the database is ``TCO_DATABASE_URL`` or one per-user file, whatever the
working directory; the tenant is ``TCO_TENANT`` or the demo tenant the web page and the API use.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tco.cli import keys
from tco.services import DEMO_DIR
from tco.store import db
from tco.store.location import DEMO_TENANT, data_dir, database_url, shown_url
from tests.websupport import Site as WebSite
from tests.websupport import client, sign_in

ROOT = Path(__file__).resolve().parent.parent
TCO = [sys.executable, "-m", "tco"]
REQUEST = str(DEMO_DIR / "requests" / "compressor-fullcare.yaml")
HEAVY = ("numba", "llvmlite", "sqlalchemy", "alembic", "scipy")


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment with its own per-user data folder and no database or tenant set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TCO_DATABASE_URL", "TCO_TENANT", "XDG_DATA_HOME")
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["HOME"] = str(tmp_path / "home")
    return env


def imported(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[int, set[str], str]:
    """Exit status, top-level packages imported (``-X importtime``) and stdout of ``tco ARGS``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tco", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return proc.returncode, modules, proc.stdout


def tco(
    *args: str, env: dict[str, str], cwd: Path = ROOT, code: int = 0
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*TCO, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc


# --------------------------------------------------------------------------------------------
# Start-up: what help, version and parse errors import


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        ([], 2),  # no command: the help, as a usage error
        (["--version"], 0),
        (["info"], 0),
        (["quote", "--help"], 0),
        (["evaluate"], 2),  # missing FILE
        (["evaluate", "x.yaml", "--valid-days", "many"], 2),
        (["quote", "show"], 2),
        (["quote", "list", "--nonsense"], 2),
        (["serve", "--workers", "0"], 2),
        (["nonsense"], 2),
    ],
)
def test_help_version_info_and_parse_errors_load_neither_engine_nor_store(
    home: dict[str, str], args: list[str], code: int
) -> None:
    status, modules, _ = imported(args, home)
    assert status == code
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_evaluate_prices_one_table_without_numba_and_the_json_with_it(
    home: dict[str, str],
) -> None:
    """The table of one small scenario is priced by the kernel run as Python (numba and the
    BLAS it loads take a second); the JSON, the numbers the API answers, by the compiled one."""
    path = str(ROOT / "examples" / "compressor.yaml")
    status, modules, out = imported(["evaluate", path], home)
    assert status == 0
    assert "Lifetime cost" in out
    assert "numba" not in modules
    assert not modules & {"sqlalchemy", "alembic"}
    status, modules, out = imported(["evaluate", path, "--json"], home)
    assert status == 0
    assert '"lifetime_cost"' in out
    assert "numba" in modules


def test_the_scenario_schema_does_not_load_the_engine(home: dict[str, str]) -> None:
    status, modules, out = imported(["schema"], home)
    assert status == 0
    assert '"offers"' in out
    assert "numba" not in modules


# --------------------------------------------------------------------------------------------
# Where the commands work


def test_version_and_info_name_the_database_and_the_tenant(home: dict[str, str]) -> None:
    expected = Path(home["XDG_DATA_HOME"]) / "tco" / "tco.db"
    version = tco("--version", env=home).stdout.splitlines()
    assert version == ["tco 0.1.0", f"database: sqlite:///{expected}", "tenant: demo"]
    info = tco("info", env=home).stdout
    assert f"database: sqlite:///{expected} (the per-user default" in info
    assert "not created yet" in info
    assert "tenant:   demo (the demo tenant" in info
    assert tco("info", "--data-dir", env=home).stdout.strip() == str(expected.parent)
    other = {**home, "TCO_DATABASE_URL": "postgresql://tco:s3cret@db.internal/tco"}
    other["TCO_TENANT"] = "acme"
    info = tco("info", env=other).stdout
    assert "database: postgresql+psycopg://tco:***@db.internal/tco (TCO_DATABASE_URL)" in info
    assert "s3cret" not in info
    assert "tenant:   acme (TCO_TENANT)" in info


def test_a_tenant_that_is_no_tenant_name_exits_2_naming_the_setting(
    home: dict[str, str],
) -> None:
    bad = {**home, "TCO_TENANT": "two words"}
    for args in (["info"], ["--version"], ["quote", "list"]):
        (line,) = tco(*args, env=bad, code=2).stderr.strip().splitlines()
        assert line.startswith("error: TCO_TENANT: 'two words' is not a tenant name")


def test_every_folder_finds_the_same_database_and_none_is_made_in_the_working_directory(
    home: dict[str, str], tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    tco("demo", "load", env=home, cwd=first)
    listing = tco("quote", "list", env=home, cwd=second).stdout
    assert "Quotes (2)" in listing
    assert "Q-2026-00001" in listing
    assert list(first.iterdir()) == []
    assert list(second.iterdir()) == []
    assert (Path(home["XDG_DATA_HOME"]) / "tco" / "tco.db").is_file()
    assert "not created yet" not in tco("info", env=home).stdout


def test_the_per_user_default_and_the_url_setting() -> None:
    assert database_url({}) == f"sqlite:///{data_dir() / 'tco.db'}"
    assert database_url({"TCO_DATABASE_URL": "postgresql://u@h/d"}) == "postgresql+psycopg://u@h/d"
    assert shown_url("postgresql+psycopg://u:pw@h:5432/d") == "postgresql+psycopg://u:***@h:5432/d"
    assert shown_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_quotes_from_the_command_line_join_the_demo_quotes_of_the_web_page(
    home: dict[str, str], tmp_path: Path
) -> None:
    """One demo tenant: a quote made from the command line continues the numbering of the demo
    quotes and shows on the demo salesperson's page."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**home, "TCO_DATABASE_URL": url}
    from tco.cli.users import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_user

    ensure_demo_user(url)
    created = tco("quote", "new", REQUEST, env=env).stdout
    assert created.startswith("created Q-2026-00003 version 1")
    c = client(WebSite(url, tmp_path))
    sign_in(c, DEMO_EMAIL, DEMO_PASSWORD)
    numbers = set(re.findall(r'href="/quotes/(Q-[^"]+)"', c.get("/quotes").text))
    assert numbers == {"Q-2026-00001", "Q-2026-00002", "Q-2026-00003"}
    assert DEMO_TENANT == "demo"
    db.dispose(url)


# --------------------------------------------------------------------------------------------
# tco serve


def test_serve_warms_the_kernel_once_and_gives_workers_time_to_start(
    home: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several workers: the parent compiles the kernel into numba's cache before starting them,
    and uvicorn waits longer than its default 5 s for a starting worker to answer."""
    import uvicorn

    import tco.core.results

    calls: list[dict[str, Any]] = []
    warmed: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr(tco.core.results, "warm_up", lambda: warmed.append(True))
    monkeypatch.setenv("TCO_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    keys.serve(host="127.0.0.1", port=8000, workers=4, demo=False)
    assert warmed == [True]
    (kw,) = calls
    assert kw["workers"] == 4
    assert kw["timeout_worker_healthcheck"] >= 30
    keys.serve(host="127.0.0.1", port=8000, workers=1, demo=False)
    assert warmed == [True]  # one worker warms up in its own start-up
    db.dispose(f"sqlite:///{tmp_path / 'serve.db'}")


def test_the_demo_key_is_kept_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'here' / 'tco.db'}"
    key = keys.demo_setup(url)
    assert (tmp_path / "here" / "demo-api-key").read_text().strip() == key
    assert keys.demo_setup(url) == key
    db.dispose(url)
