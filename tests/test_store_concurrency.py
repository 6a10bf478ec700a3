"""Several processes creating quotes at once never get a duplicate number or lose a quote."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tco import services
from tco.store import UnitOfWork
from tco.store.models import QuoteRow, QuoteVersionRow
from tests.test_store_support import NOW, database, demo_catalog, demo_request

WORKER = r"""
import json, sys, time
from pathlib import Path
from tco.services import create_quote
from tco.store import UnitOfWork

url, request_file, barrier, index, count = sys.argv[1:6]
request = json.loads(Path(request_file).read_text())
UnitOfWork(url=url)  # connect and migrate before the start signal
Path(barrier, f"ready-{index}").touch()
while not Path(barrier, "go").exists():
    time.sleep(0.005)
for _ in range(int(count)):
    print(create_quote(UnitOfWork(url=url), request, by=f"worker-{index}").summary.number)
"""

PROCESSES = 4
QUOTES_EACH = 5


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as u:
        yield u


def test_concurrent_creation_gives_unique_consecutive_numbers(url: str, tmp_path: Path) -> None:
    services.import_catalog(UnitOfWork(url=url), demo_catalog(), source="demo", by="t", now=NOW)
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(demo_request(), default=str))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                url,
                str(request_file),
                str(barrier),
                str(i),
                str(QUOTES_EACH),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    deadline = time.monotonic() + 120
    while len(list(barrier.glob("ready-*"))) < PROCESSES:
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.02)
    (barrier / "go").touch()
    printed: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        printed.extend(out.split())

    total = PROCESSES * QUOTES_EACH
    assert len(printed) == total
    assert len(set(printed)) == total, "a number was given out twice"
    assert sorted(printed) == [f"Q-2026-{k:05d}" for k in range(1, total + 1)]
    with UnitOfWork(url=url) as u:
        session = u.quotes.session
        stored = session.scalars(select(QuoteRow.number)).all()
        versions = session.scalars(select(QuoteVersionRow.id)).all()
    assert sorted(stored) == sorted(printed)
    assert len(versions) == total
