"""The relationship ledger on PostgreSQL: importing a 100,000-line CSV of service events, and the
follow-up over 10,000 assets.

A throwaway database on the server of ``TCO_BENCH_POSTGRES`` (default: the test server at
127.0.0.1:5432) gets the demo catalog and 50 accepted quotes of 200 units each (10,000 assets,
one customer per quote). ``ledger_import_events_per_s``: 100,000 events (10 per asset: meter
readings, repairs, maintenance visits, energy readings, contacts) imported from one CSV file,
all checked before any is written, divided by the wall time of the import.
``followup_ms``: the median of three follow-ups of all 10,000 assets with their events (promised
vs actual, field reliability and re-forecast of each, then the rules).
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from tco import ledger_services as ls
from tco import services
from tco.core.scenario import read_file
from tco.quoting.versions import QuoteStatus
from tco.store import db
from tco.store.uow import UnitOfWork

ADMIN_URL = os.environ.get("TCO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
QUOTES, UNITS, EVENTS_PER_ASSET = 50, 200, 10
ACCEPTED = date(2025, 1, 15)
AS_OF = date(2026, 6, 30)
HEADER = "event_id,asset_id,date,kind,hours,cost,payer,downtime_hours,kwh,contact,note\n"


@contextmanager
def _database() -> Iterator[str]:
    name = f"tco_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    try:
        yield url
    finally:
        db.dispose(url)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _assets(url: str) -> list[int]:
    uow = UnitOfWork("bench", url=url)
    catalog = services.read_catalog_dir(services.DEMO_DIR / "catalog")
    services.import_catalog(uow, catalog, source="demo", by="bench")
    request: Any = read_file(services.DEMO_DIR / "requests" / "compressor-fullcare.yaml")
    at = datetime.combine(ACCEPTED, datetime.min.time(), tzinfo=UTC)
    for k in range(QUOTES):
        request["customer"]["name"] = f"Customer {k + 1:02d}"
        for offer in request["offers"]:
            offer["equipment"][0]["quantity"] = UNITS
        number = services.create_quote(uow, request, by="bench", now=at).summary.number
        services.change_status(uow, number, QuoteStatus.sent, by="bench", now=at)
        services.change_status(uow, number, QuoteStatus.accepted, by="bench", now=at)
    assets, total = ls.list_assets(uow)
    assert total == QUOTES * UNITS
    return [a.id for a in assets]


def _csv(ids: list[int]) -> str:
    lines = [HEADER]
    for a in ids:
        for k in range(EVENTS_PER_ASSET):
            day = (ACCEPTED + timedelta(days=40 * k + a % 30)).isoformat()
            e = f"ev-{a}-{k}"
            kind = k % 5
            if kind == 0:
                lines.append(f"{e},{a},{day},operating_hours,{400 * (k + 1)},,,,,,\n")
            elif kind == 1:
                payer = "seller" if a % 3 else "buyer"
                lines.append(f"{e},{a},{day},repair,,{900 + a % 400}.50,{payer},{a % 9},,,\n")
            elif kind == 2:
                lines.append(f"{e},{a},{day},maintenance,,,,,,,annual service\n")
            elif kind == 3:
                lines.append(f"{e},{a},{day},energy,,{1800 + a % 50},,,{9000 + a % 700},,\n")
            else:
                lines.append(f"{e},{a},{day},contact,,,,,,call,\n")
    return "".join(lines)


def run() -> dict[str, float | str]:
    try:
        with _database() as url:
            ids = _assets(url)
            text = _csv(ids)
            uow = UnitOfWork("bench", url=url)
            start = time.perf_counter()
            out = ls.import_events_csv(uow, text, by="bench", today=AS_OF)
            import_s = time.perf_counter() - start
            assert out.recorded == len(ids) * EVENTS_PER_ASSET
            times = []
            for _ in range(3):
                start = time.perf_counter()
                groups = ls.followup(uow, as_of=AS_OF)
                times.append((time.perf_counter() - start) * 1000)
            assert groups
    except psycopg.OperationalError as exc:  # pragma: no cover - server down
        return {"ledger_import_events_per_s": f"skipped (PostgreSQL: {exc})"}
    return {
        "ledger_import_events_per_s": round(out.recorded / import_s),
        "ledger_import_s": round(import_s, 2),
        "followup_ms": round(statistics.median(times), 1),
        "followup_assets": len(ids),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
