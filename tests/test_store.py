"""Persistence on SQLite and PostgreSQL: migrations, catalog versions, numbering, immutable
versions, reproducible quotes and transactional writes. Each test uses a fresh database."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Float, func, inspect, select

import tco.store
from tco import services
from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.quoting.catalog import Catalog
from tco.quoting.versions import QuoteStatus
from tco.store import UnitOfWork, db
from tco.store.models import Base, QuoteCounterRow, QuoteRow, QuoteVersionRow
from tco.store.repository import QuoteRepository
from tests.test_store_support import NOW, database, demo_catalog, demo_request

# every module of tco.store that declares tables registers them on Base.metadata
for _module in pkgutil.iter_modules(tco.store.__path__):
    if _module.name != "migrations":
        importlib.import_module(f"tco.store.{_module.name}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as u:
        yield u


def uow(url: str, tenant: str = "default") -> UnitOfWork:
    return UnitOfWork(tenant=tenant, url=url)


def with_price(catalog: Catalog, sku: str, price: Decimal) -> Catalog:
    books = tuple(
        b.model_copy(
            update={
                "prices": tuple(
                    e.model_copy(update={"price": price}) if e.item == sku else e for e in b.prices
                )
            }
        )
        for b in catalog.price_books
    )
    return catalog.model_copy(update={"price_books": books})


def loaded(url: str, tenant: str = "default") -> None:
    services.import_catalog(uow(url, tenant), demo_catalog(), source="demo", by="test", now=NOW)


def test_the_migrated_schema_matches_the_models(url: str) -> None:
    engine = db.get_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"catalog_versions", "quotes", "quote_versions", "quote_counters"} <= tables
    db.migrate(engine)  # a second upgrade is a no-op


def test_money_columns_are_numeric_never_float() -> None:
    for table in Base.metadata.tables.values():
        for column in table.columns:
            assert not isinstance(column.type, Float), f"{table.name}.{column.name}"
    assert str(Base.metadata.tables["quote_versions"].c.one_time_total.type) == "NUMERIC(20, 6)"


def test_catalog_and_quote_tables_carry_a_tenant() -> None:
    for name in ("catalog_versions", "quotes", "quote_versions", "quote_counters"):
        assert "tenant" in Base.metadata.tables[name].c


def test_an_unchanged_catalog_makes_no_new_version_and_a_change_does(url: str) -> None:
    catalog = demo_catalog()
    first = services.import_catalog(uow(url), catalog, source="a", by="t", now=NOW)
    again = services.import_catalog(uow(url), catalog, source="a", by="t", now=NOW)
    changed = with_price(catalog, "CMP-VSD-37", Decimal("47000"))
    second = services.import_catalog(uow(url), changed, source="b", by="t", now=NOW)
    assert (first.created, again.created, second.created) == (True, False, True)
    assert [v.version for v in services.catalog_versions(uow(url))] == [1, 2]
    with uow(url) as u:
        _, old = u.catalogs.get(1)
    assert old == catalog  # version 1 was not overwritten


def test_numbers_count_per_tenant_and_year(url: str) -> None:
    loaded(url)
    loaded(url, "acme")
    req = demo_request()
    numbers = [services.create_quote(uow(url), req, by="t").summary.number for _ in range(3)]
    other = services.create_quote(uow(url, "acme"), req, by="t").summary.number
    next_year = services.create_quote(uow(url), {**req, "as_of": "2027-01-04"}, by="t")
    assert numbers == ["Q-2026-00001", "Q-2026-00002", "Q-2026-00003"]
    assert other == "Q-2026-00001"
    assert next_year.summary.number == "Q-2027-00001"
    assert [s.number for s in services.list_quotes(uow(url, "acme"))] == ["Q-2026-00001"]


def test_a_saved_version_cannot_be_updated_or_deleted(url: str) -> None:
    loaded(url)
    number = services.create_quote(uow(url), demo_request(), by="t").summary.number
    with uow(url) as u:
        session = u.quotes.session
        row = session.scalars(select(QuoteVersionRow)).one()
        row.recommendation = "changed"
        with pytest.raises(ConflictError, match="cannot change"):
            session.flush()
    with uow(url) as u:
        session = u.quotes.session
        session.delete(session.scalars(select(QuoteVersionRow)).one())
        with pytest.raises(ConflictError):
            session.flush()
    assert services.show_quote(uow(url), number).version.recommendation != "changed"


def test_a_revision_adds_a_version_and_leaves_the_first_unchanged(url: str) -> None:
    loaded(url)
    v1 = services.create_quote(uow(url), demo_request(), by="anna", now=NOW)
    number = v1.summary.number
    before = services.show_quote(uow(url), number, version=1).version
    changes = {"offers": [{"id": "ours", "equipment": [{"sku": "CMP-VSD-37", "discount": 0.12}]}]}
    v2 = services.revise_quote(uow(url), number, changes, by="ben")
    after = services.show_quote(uow(url), number, version=1).version
    assert v2.version.version == 2
    assert v2.summary.current_version == 2
    assert after == before
    assert v2.version.price_sheets[0].lines[0].net_unit_price == Decimal("40172.00")
    assert before.price_sheets[0].lines[0].net_unit_price == Decimal("41998.00")
    actions = [(e["action"], e["by"]) for e in services.quote_history(uow(url), number)]
    assert actions == [("created", "anna"), ("revised", "ben")]


def test_a_catalog_price_change_does_not_alter_a_saved_quote(url: str) -> None:
    loaded(url)
    view = services.create_quote(uow(url), demo_request(), by="t")
    number = view.summary.number
    saved = view.version.result
    dearer = with_price(demo_catalog(), "CMP-VSD-37", Decimal("52000"))
    services.import_catalog(uow(url), dearer, source="2027 prices", by="t")

    reopened = services.show_quote(uow(url), number).version
    assert reopened.result == saved
    assert reopened.catalog_version == 1
    assert services.reproduce(reopened) == saved  # same numbers from the stored snapshot
    # a new quote uses the new price; a revision keeps the saved prices unless repriced
    fresh = services.create_quote(uow(url), demo_request(), by="t").version
    assert fresh.price_sheets[0].lines[0].unit_price == Decimal("52000")
    kept = services.revise_quote(uow(url), number, {"title": "same prices"}, by="t").version
    assert kept.result == saved
    assert kept.catalog_version == 1
    repriced = services.revise_quote(uow(url), number, {}, by="t", reprice=True).version
    assert repriced.price_sheets[0].lines[0].unit_price == Decimal("52000")
    assert repriced.catalog_version == 2


def counts(url: str) -> tuple[int, int, int]:
    with uow(url) as u:
        s = u.quotes.session
        quotes = s.scalar(select(func.count()).select_from(QuoteRow)) or 0
        versions = s.scalar(select(func.count()).select_from(QuoteVersionRow)) or 0
        counter = s.scalar(select(func.coalesce(func.max(QuoteCounterRow.last_number), 0))) or 0
    return quotes, versions, counter


def test_a_failure_half_way_leaves_nothing_behind(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded(url)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(QuoteRepository, "_event", broken)
    with pytest.raises(RuntimeError):
        services.create_quote(uow(url), demo_request(), by="t")
    assert counts(url) == (0, 0, 0)
    monkeypatch.undo()
    assert services.create_quote(uow(url), demo_request(), by="t").summary.number == "Q-2026-00001"


def test_bad_input_saves_nothing_and_uses_no_number(url: str) -> None:
    loaded(url)
    bad = demo_request()
    bad["offers"][0]["equipment"][0]["sku"] = "CMP-NOPE"
    with pytest.raises(NotFoundError, match="CMP-NOPE"):
        services.create_quote(uow(url), bad, by="t")
    assert counts(url) == (0, 0, 0)


def test_a_quote_needs_an_imported_catalog(url: str) -> None:
    with pytest.raises(NotFoundError, match="no catalog imported"):
        services.create_quote(uow(url), demo_request(), by="t")


def test_status_changes_follow_the_lifecycle(url: str) -> None:
    loaded(url)
    number = services.create_quote(uow(url), demo_request(), by="t").summary.number
    today = datetime(2026, 3, 10, tzinfo=UTC)
    sent = services.change_status(uow(url), number, QuoteStatus.sent, by="t", now=today)
    assert sent.status == QuoteStatus.sent
    services.change_status(uow(url), number, QuoteStatus.accepted, by="t", now=today)
    with pytest.raises(ConflictError, match="accepted"):
        services.change_status(uow(url), number, QuoteStatus.draft, by="t", now=today)
    with pytest.raises(ConflictError, match="cannot be revised"):
        services.revise_quote(uow(url), number, {}, by="t")


def test_a_quote_past_its_validity_shows_and_filters_as_expired(url: str) -> None:
    loaded(url)
    number = services.create_quote(uow(url), demo_request(), by="t").summary.number
    later = datetime(2027, 6, 1, tzinfo=UTC).date()
    assert services.show_quote(uow(url), number, today=later).summary.status == "expired"
    expired = services.list_quotes(uow(url), status=QuoteStatus.expired, today=later)
    assert [s.number for s in expired] == [number]
    with pytest.raises(ConflictError, match="expired"):
        services.change_status(
            uow(url), number, QuoteStatus.accepted, by="t", now=datetime(2027, 6, 1, tzinfo=UTC)
        )


def test_list_filters_by_status_and_customer(url: str) -> None:
    loaded(url)
    a = services.create_quote(uow(url), demo_request(), by="t").summary.number
    b = services.create_quote(uow(url), demo_request("cnc-loan.yaml"), by="t").summary.number
    services.change_status(uow(url), b, QuoteStatus.sent, by="t", now=NOW)
    day = NOW.date()
    assert [s.number for s in services.list_quotes(uow(url), customer="müller", today=day)] == [a]
    sent = services.list_quotes(uow(url), status=QuoteStatus.sent, today=day)
    assert [s.number for s in sent] == [b]


def test_demo_load_is_idempotent(url: str) -> None:
    first = services.load_demo(uow(url), now=NOW)
    second = services.load_demo(uow(url), now=NOW)
    assert first.catalog.created
    assert len(first.quotes) == 2
    assert not second.catalog.created
    assert second.quotes == ()
    assert len(services.list_quotes(uow(url))) == 2


def test_an_unknown_quote_or_version_is_named(url: str) -> None:
    loaded(url)
    number = services.create_quote(uow(url), demo_request(), by="t").summary.number
    with pytest.raises(NotFoundError, match="no quote Q-2026-09999"):
        services.show_quote(uow(url), "Q-2026-09999")
    with pytest.raises(NotFoundError, match="no version 7"):
        services.show_quote(uow(url), number, version=7)
    with pytest.raises(TcoError):
        services.diff_quote(uow(url), number, 1, 2)


def test_money_round_trips_exactly(url: str) -> None:
    loaded(url)
    view = services.create_quote(uow(url), demo_request(), by="t")
    with uow(url) as u:
        row = u.quotes.session.scalars(select(QuoteVersionRow)).one()
        assert isinstance(row.one_time_total, Decimal)
        assert row.one_time_total == view.version.price_sheets[0].one_time_total
        stored = row.price_sheets[0]["one_time_total"]
    assert stored == "46898.00"  # money in JSON is a string
