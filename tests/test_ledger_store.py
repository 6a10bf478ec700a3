"""The ledger on SQLite and PostgreSQL: accepting a quote creates its assets in the same
transaction, events are idempotent and append-only, a bad CSV line imports nothing, tenants are
isolated, promised to date is the saved version's profile summed to date, the field-calibrated
catalog prices new quotes and their documents say what it is based on; the command line."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

import tco.store
from tco import ledger_services as ls
from tco import services
from tco.cli.ledger import asset_app, event_app, followup, review
from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.core.profile import cost_profile
from tco.core.scenario import Category
from tco.ledger.dates import add_years
from tco.quoting.versions import QuoteStatus
from tco.store import db
from tco.store.ledger_models import AssetEventRow
from tco.store.models import Base
from tco.store.uow import UnitOfWork
from tests.test_store_support import NOW, database, demo_catalog, demo_request

# every module of tco.store that declares tables registers them on Base.metadata
for _module in pkgutil.iter_modules(tco.store.__path__):
    if _module.name != "migrations":
        importlib.import_module(f"tco.store.{_module.name}")

ACCEPTED = date(2026, 3, 2)
TODAY = date(2028, 1, 1)
HEADER = "event_id,asset_id,date,kind,hours,cost,payer,downtime_hours,kwh,contact,note\n"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as u:
        yield u


def uow(url: str, tenant: str = "acme") -> UnitOfWork:
    return UnitOfWork(tenant=tenant, url=url)


def accepted_quote(url: str, tenant: str = "acme", units: int = 2) -> str:
    """The demo compressor quote with ``units`` units of each offer, sent and accepted."""
    services.import_catalog(uow(url, tenant), demo_catalog(), source="demo", by="t", now=NOW)
    req = demo_request()
    for offer in req["offers"]:
        offer["equipment"][0]["quantity"] = units
    number = services.create_quote(uow(url, tenant), req, by="t", now=NOW).summary.number
    services.change_status(uow(url, tenant), number, QuoteStatus.sent, by="t", now=NOW)
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    services.change_status(uow(url, tenant), number, QuoteStatus.accepted, by="t", now=at)
    return number


def event(asset_id: int, event_id: str, **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id, "asset_id": asset_id, "date": "2026-09-01", **fields}


def test_the_migrated_schema_has_the_ledger_tables(url: str) -> None:
    engine = db.get_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert {"assets", "asset_events", "ledger_promises"} <= set(Base.metadata.tables)


def test_accepting_a_quote_creates_one_asset_per_unit(url: str) -> None:
    number = accepted_quote(url)
    assets, total = ls.list_assets(uow(url))
    assert total == 2
    assert [a.unit for a in assets] == [1, 2]
    a = assets[0]
    assert (a.quote_number, a.offer_id, a.sku) == (number, "ours", "CMP-VSD-37")
    assert a.customer == "Müller Metallbau GmbH"
    assert a.commissioned_on == ACCEPTED
    assert a.serial_number is None
    assert a.mtbf_hours == 12_000
    # nothing more on a second call (the quote has its assets)
    with uow(url) as u:
        assert ls.create_assets(u, number, by="t", at=NOW, accepted_on=ACCEPTED) == []


def test_the_promise_is_the_saved_versions_profile_per_unit(url: str) -> None:
    number = accepted_quote(url)
    version = services.show_quote(uow(url), number).version
    profile = cost_profile(version.scenario, version.result).offer("ours")
    asset = ls.list_assets(uow(url))[0][0]
    for years in (1, 3):
        view = ls.show_asset(uow(url), asset.id, as_of=add_years(ACCEPTED, years))
        promised = {c.category: c.promised for c in view.status.categories}
        for category in (Category.energy, Category.service, Category.downtime):
            nominal, _ = profile.by_category(category)
            assert promised[category] == pytest.approx(sum(nominal[: years + 1]) / 2, rel=1e-12)
    assert view.promise.lifetime_cost == pytest.approx(
        next(o.lifetime_cost for o in version.result.offers if o.id == "ours") / 2
    )
    assert view.promise.alternative_id == "competitor"
    assert [t.until_year for t in view.promise.terms] == [5, 10]


def test_a_failure_while_creating_assets_leaves_the_quote_as_it_was(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.import_catalog(uow(url), demo_catalog(), source="demo", by="t", now=NOW)
    number = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    services.change_status(uow(url), number, QuoteStatus.sent, by="t", now=NOW)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise TcoError([])

    monkeypatch.setattr("tco.ledger_services.promise_of", broken)
    with pytest.raises(TcoError):
        services.change_status(uow(url), number, QuoteStatus.accepted, by="t", now=NOW)
    assert services.show_quote(uow(url), number, today=NOW.date()).summary.status == "sent"
    assert ls.list_assets(uow(url))[1] == 0


def test_re_sent_events_are_not_counted_twice(url: str) -> None:
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id
    repair = event(a, "svc-1", kind="repair", cost="1200", payer="buyer", downtime_hours="5")
    assert ls.record_event(uow(url), repair, by="t", today=TODAY) == ls.RecordOutcome(1, 0)
    assert ls.record_event(uow(url), repair, by="t", today=TODAY) == ls.RecordOutcome(0, 1)
    csv = HEADER + f"svc-1,{a},2026-09-01,repair,,1200.00,buyer,5,,,\n"
    csv += f"svc-2,{a},2026-10-01,operating_hours,2500,,,,,,\n"
    assert ls.import_events_csv(uow(url), csv, by="t", today=TODAY) == ls.RecordOutcome(1, 1)
    assert ls.import_events_csv(uow(url), csv, by="t", today=TODAY) == ls.RecordOutcome(0, 2)
    view = ls.show_asset(uow(url), a, as_of=TODAY)
    assert view.status.failures == 1
    assert len(view.events) == 2
    actual = {c.category: c.actual for c in view.status.categories}
    assert actual[Category.repair] == 1200
    assert actual[Category.downtime] == 5 * 900


def test_the_same_id_with_other_content_is_a_conflict_and_nothing_is_imported(url: str) -> None:
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id
    ls.record_event(uow(url), event(a, "x1", kind="contact", contact="call"), by="t", today=TODAY)
    with pytest.raises(ConflictError) as exc:
        ls.record_event(uow(url), event(a, "x1", kind="contact", contact="visit"), by="t")
    assert exc.value.problems[0].path == "event_id"
    csv = (
        HEADER
        + f"x2,{a},2026-09-02,contact,,,,,,visit,\n"
        + f"x1,{a},2026-09-01,contact,,,,,,praise,\n"
    )
    with pytest.raises(ConflictError) as exc:
        ls.import_events_csv(uow(url), csv, by="t", today=TODAY)
    assert [p.path for p in exc.value.problems] == ["line 3: event_id"]
    assert len(ls.asset_events(uow(url), a)) == 1


def test_a_bad_csv_line_imports_nothing_and_names_the_line(url: str) -> None:
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id
    good = "".join(f"g{i},{a},2026-09-0{i},contact,,,,,,call,\n" for i in range(1, 6))
    bad = f"b1,{a},2026-09-09,repair,,,buyer,,,,\n"  # a repair without its cost: line 7
    with pytest.raises(TcoError) as exc:
        ls.import_events_csv(uow(url), HEADER + good + bad, by="t", today=TODAY)
    assert [str(p) for p in exc.value.problems] == ["line 7: cost: required for a repair event"]
    unknown = f"u1,{a + 999},2026-09-09,contact,,,,,,call,\n"
    future = f"f1,{a},2030-01-01,contact,,,,,,call,\n"
    with pytest.raises(TcoError) as exc:
        ls.import_events_csv(uow(url), HEADER + good + unknown + future, by="t", today=TODAY)
    assert [p.path for p in exc.value.problems] == ["line 7: asset_id", "line 8: date"]
    assert ls.asset_events(uow(url), a) == []


def test_another_tenant_cannot_see_or_write_the_assets(url: str) -> None:
    accepted_quote(url, "acme")
    services.import_catalog(uow(url, "globex"), demo_catalog(), source="d", by="t", now=NOW)
    a = ls.list_assets(uow(url))[0][0].id
    assert ls.list_assets(uow(url, "globex")) == ([], 0)
    with pytest.raises(NotFoundError):
        ls.show_asset(uow(url, "globex"), a, as_of=TODAY)
    with pytest.raises(NotFoundError):
        ls.asset_events(uow(url, "globex"), a)
    with pytest.raises(NotFoundError):
        ls.edit_asset(uow(url, "globex"), a, serial_number="X", by="t")
    with pytest.raises(TcoError) as exc:
        ls.record_event(uow(url, "globex"), event(a, "e", kind="contact", contact="call"), by="t")
    assert str(exc.value.problems[0]) == f"asset_id: no asset {a}"
    # event ids are per tenant: globex may use acme's ids for its own assets
    accepted_quote(url, "globex", units=1)
    g = ls.list_assets(uow(url, "globex"))[0][0].id
    for tenant, asset_id in (("acme", a), ("globex", g)):
        e = event(asset_id, "same-id", kind="contact", contact="call")
        assert ls.record_event(uow(url, tenant), e, by="t", today=TODAY).recorded == 1


def test_events_are_append_only(url: str) -> None:
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id
    ls.record_event(uow(url), event(a, "e1", kind="contact", contact="call"), by="t", today=TODAY)
    with db.session_factory(url)() as session:
        row = session.query(AssetEventRow).one()
        row.note = "changed"
        with pytest.raises(ConflictError):
            session.flush()
        session.rollback()
        session.delete(session.query(AssetEventRow).one())
        with pytest.raises(ConflictError):
            session.flush()


def test_commissioning_date_and_serial_number_are_editable(url: str) -> None:
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id
    out = ls.edit_asset(uow(url), a, commissioned_on=date(2026, 4, 1), serial_number="SN-1", by="t")
    assert (out.commissioned_on, out.serial_number) == (date(2026, 4, 1), "SN-1")
    assert ls.edit_asset(uow(url), a, serial_number="", by="t").serial_number is None
    with pytest.raises(TcoError) as exc:
        ls.edit_asset(uow(url), a, commissioned_on=date(1990, 1, 1), by="t")
    assert exc.value.problems[0].path == "commissioned_on"


def test_the_field_calibrated_catalog_prices_new_quotes_and_says_so(url: str) -> None:
    accepted_quote(url, units=3)
    ids = [a.id for a in ls.list_assets(uow(url))[0]]
    lines = [HEADER]
    for k, a in enumerate(ids):  # 6,000 h each; 2 repairs on the first unit
        lines.append(f"h{k},{a},2027-03-01,operating_hours,6000,,,,,,\n")
    lines += [f"r{k},{ids[0]},2026-0{k + 5}-01,repair,,0,seller,8,,,\n" for k in range(2)]
    ls.import_events_csv(uow(url), "".join(lines), by="t", today=TODAY)
    version, products = ls.field_reliability(uow(url), as_of=TODAY)
    (p,) = products
    assert (p.sku, p.installations) == ("CMP-VSD-37", 3)
    assert p.reliability.operating_hours == 18_000
    assert p.reliability.mtbf_hours == pytest.approx((2 * 12_000 + 18_000) / (2 + 2))
    out = ls.calibrate_catalog(uow(url), as_of=TODAY, by="t")
    assert out.created
    assert out.version.version == version.version + 1
    again = ls.calibrate_catalog(uow(url), as_of=TODAY, by="t")
    assert not again.created
    number = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    quoted = services.show_quote(uow(url), number).version.scenario.offers[0].failures
    assert quoted is not None
    assert quoted.mtbf_hours == pytest.approx(10_500)
    terms = services.export_data(uow(url), number).info.terms
    assert terms is not None
    assert "basierend auf 3 Installationen und 18.000 Betriebsstunden" in terms  # de_DE quote
    english = services.export_data(uow(url), number, locale="en").info.terms
    assert english is not None
    assert "based on 3 installations and 18,000 operating hours" in english


def test_followup_lists_what_needs_attention(url: str) -> None:
    accepted_quote(url, units=1)
    groups = ls.followup(uow(url), as_of=ACCEPTED + timedelta(days=120))
    (g,) = groups
    assert g.customer == "Müller Metallbau GmbH"
    assert [f.reason.value for f in g.items] == ["silence"]
    renewal = ls.followup(uow(url), as_of=add_years(ACCEPTED, 5) - timedelta(days=30))
    assert "renewal" in [f.reason.value for f in renewal[0].items]


# --------------------------------------------------------------------------------------------
# The command line

cli = typer.Typer()
cli.add_typer(asset_app, name="asset")
cli.add_typer(event_app, name="event")
cli.command("followup")(followup)
cli.command("review")(review)
runner = CliRunner()


def test_the_command_line(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCO_DATABASE_URL", url)
    monkeypatch.setenv("TCO_TENANT", "acme")
    accepted_quote(url)
    a = ls.list_assets(uow(url))[0][0].id

    def run(*args: str, code: int = 0) -> str:
        out = runner.invoke(cli, list(args))
        assert out.exit_code == code, (out.stdout, out.stderr)
        return out.stdout if code == 0 else out.stderr

    assert "Müller Metallbau GmbH" in run("asset", "list")
    add = (
        "event",
        "add",
        str(a),
        "--id",
        "c1",
        "--kind",
        "repair",
        "--date",
        "2026-05-01",
        "--cost",
        "300",
        "--payer",
        "buyer",
        "--downtime",
        "2",
    )
    assert "recorded" in run(*add)
    assert "already recorded" in run(*add)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"c2,{a},2026-05-02,contact,,,,,,shout,\n", encoding="utf-8")
    assert "line 2: contact" in run("event", "import", str(bad), code=2)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"c2,{a},2026-05-02,contact,,,,,,praise,\n", encoding="utf-8")
    assert "imported 1 events" in run("event", "import", str(good))
    shown = json.loads(run("asset", "show", str(a), "--as-of", "2027-03-02", "--json"))
    assert shown["status"]["failures"] == 1
    assert shown["status"]["categories"]["repair"]["actual"] == 300
    assert "MTBF" in run("asset", "show", str(a), "--as-of", "2027-03-02")
    assert "asset" in run("asset", "edit", str(a), "--serial", "SN-9")
    assert "Müller" in run("followup", "--as-of", "2027-12-01")
    pdf = tmp_path / "r.pdf"
    run("review", "Müller Metallbau GmbH", "--pdf", str(pdf), "--as-of", "2027-03-02")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "no assets" in run("review", "Nobody", "--html", str(tmp_path / "x.html"), code=2)


def _sent_quote(url: str, units: int) -> tuple[str, list[str]]:
    services.import_catalog(uow(url), demo_catalog(), source="demo", by="t", now=NOW)
    req = demo_request()
    for offer in req["offers"]:
        offer["equipment"][0]["quantity"] = units
    number = services.create_quote(uow(url), req, by="t", now=NOW).summary.number
    services.change_status(uow(url), number, QuoteStatus.sent, by="t", now=NOW)
    return number, [o["id"] for o in req["offers"]]


def test_the_buyer_may_choose_an_offer_other_than_the_recommended_one(url: str) -> None:
    number, ids = _sent_quote(url, units=3)
    recommended = services.show_quote(uow(url), number).version.result.comparison.recommended
    chosen = next(i for i in ids if i != recommended)
    services.change_status(uow(url), number, QuoteStatus.accepted, by="t", now=NOW, offer=chosen)
    assets, total = ls.list_assets(uow(url))
    assert total == 3
    assert {a.offer_id for a in assets} == {chosen}


def test_an_unknown_chosen_offer_accepts_nothing(url: str) -> None:
    number, _ = _sent_quote(url, units=1)
    with pytest.raises(TcoError) as err:
        services.change_status(
            uow(url), number, QuoteStatus.accepted, by="t", now=NOW, offer="nope"
        )
    assert [p.path for p in err.value.problems] == ["offer"]
    assert services.show_quote(uow(url), number, today=NOW.date()).summary.status == "sent"
    assert ls.list_assets(uow(url))[1] == 0
    with pytest.raises(TcoError) as err:  # only an acceptance names the chosen offer
        services.change_status(uow(url), number, QuoteStatus.rejected, by="t", offer="ours")
    assert [p.path for p in err.value.problems] == ["offer"]
