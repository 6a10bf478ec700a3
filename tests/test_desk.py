"""The desk's rules and services: customer records in requests, the pipeline's figures and
totals, discount limits and approvals, templates and copies, the competitor library's products,
the letterhead, and the migration that fills in the pipeline of quotes saved before it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from api.web.views import comparison_view
from tco import desk_services as ds
from tco import services
from tco.core.errors import ConflictError, NotFoundError, TcoError
from tco.mail import DeliveryError, MailNotSetUpError, SmtpConfig
from tco.presenters.document import render_html
from tco.presenters.i18n import quote_words
from tco.quoting.approval import ApprovalState, DiscountLimits, check_can_send, largest_discount
from tco.quoting.builder import price_quote
from tco.quoting.competitors import DataSheet, as_product
from tco.quoting.customers import CustomerRecord, with_customer
from tco.quoting.desk import request_from_template, template_request
from tco.quoting.pipeline import expires_within, lifetime_saving, pipeline_totals
from tco.quoting.requests import QuoteRequestError
from tco.quoting.versions import QuoteStatus
from tco.store import db
from tco.store.desk_models import QuoteApprovalRow
from tco.store.uow import UnitOfWork
from tests.desksupport import png
from tests.test_store_support import NOW, database, demo_catalog, demo_request

TODAY = NOW.date()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as u:
        services.import_catalog(
            UnitOfWork("acme", url=u), demo_catalog(), source="demo", by="t", now=NOW
        )
        yield u


def uow(url: str, tenant: str = "acme") -> UnitOfWork:
    return UnitOfWork(tenant, url=url)


def discounted(discount: str, **changes: Any) -> dict[str, Any]:
    req = copy.deepcopy(demo_request())
    req["offers"][0]["equipment"][0]["discount"] = discount
    req.update(changes)
    return req


# --------------------------------------------------------------------------------------------
# Pure rules


def record(**changes: Any) -> CustomerRecord:
    fields: dict[str, Any] = {
        "id": 7,
        "name": "Müller Metallbau GmbH",
        "segment": "dealer",
        "reference": "K-1",
        "created_at": NOW,
        "created_by": "t",
        "updated_at": NOW,
        "updated_by": "t",
    }
    return CustomerRecord.model_validate({**fields, **changes})


def test_a_customer_id_fills_in_the_records_name_and_segment() -> None:
    raw = {"customer": {"id": 7}, "seller": "x"}
    assert with_customer(raw, record())["customer"] == {
        "id": 7,
        "name": "Müller Metallbau GmbH",
        "segment": "dealer",
        "reference": "K-1",
    }
    same = {"customer": {"id": 7, "name": " müller metallbau gmbh", "segment": "dealer"}}
    assert with_customer(same, record())["customer"]["name"] == "Müller Metallbau GmbH"
    with pytest.raises(QuoteRequestError) as exc:
        with_customer({"customer": {"id": 7, "name": "Other", "segment": "standard"}}, record())
    assert [p.path for p in exc.value.problems] == ["customer.name", "customer.segment"]
    with pytest.raises(NotFoundError):
        with_customer(raw, None)
    plain = {"customer": {"name": "Anyone"}}
    assert with_customer(plain, None) is plain  # no id: no record, as before records existed


def test_the_largest_discount_is_that_of_our_lines_only() -> None:
    req = demo_request()
    assert largest_discount(req) == Decimal("0.08")
    req = discounted("0.2")
    req["offers"][1]["equipment"][0]["discount"] = 0.5  # a competitor's line: not ours
    assert largest_discount(req) == Decimal("0.2")
    limits = DiscountLimits()
    state = ApprovalState(Decimal("0.2"), limits.sales, None)
    assert (state.needed, state.missing) == (True, True)
    with pytest.raises(ConflictError) as exc:
        check_can_send("Q-1", 1, state)
    assert "20 %" in exc.value.problems[0].message
    assert "15 %" in exc.value.problems[0].message
    assert limits.of("manager") == Decimal("0.30")
    assert limits.of("configurator") == limits.sales


def test_the_pipeline_saving_is_the_saving_the_page_shows() -> None:
    priced = price_quote(demo_request(), demo_catalog(), quote_words)
    view = comparison_view(priced.built.scenario, priced.result, "en")
    assert view.saving == f"EUR\xa0{lifetime_saving(priced.result):,.2f}"


def test_totals_add_unrounded_figures_per_currency_and_count_open_quotes(url: str) -> None:
    a = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary
    b = services.create_quote(uow(url), discounted("0.1"), by="t", now=NOW).summary
    services.change_status(uow(url), b.number, QuoteStatus.rejected, by="t", now=NOW)
    rows = services.list_quotes(uow(url), today=TODAY)
    [eur] = pipeline_totals(rows)
    assert eur.count == 2
    assert eur.open_count == 1
    assert a.value is not None
    assert b.value is not None
    assert eur.value == a.value + b.value
    assert eur.open_value == a.value
    assert eur.saving == pytest.approx((a.saving or 0) + (b.saving or 0))
    soon = rows[0].model_copy(update={"valid_until": TODAY + timedelta(days=3)})
    assert expires_within(soon, TODAY, 7)
    assert not expires_within(soon, TODAY, 2)
    assert not expires_within(soon.model_copy(update={"status": QuoteStatus.accepted}), TODAY, 7)


# --------------------------------------------------------------------------------------------
# Services


def test_a_quote_can_be_sent_once_its_version_is_approved(url: str) -> None:
    number = services.create_quote(uow(url), discounted("0.2"), by="t", now=NOW).summary.number
    limits = DiscountLimits()
    with pytest.raises(ConflictError):
        services.change_status(uow(url), number, QuoteStatus.sent, by="t", now=NOW, limits=limits)
    with pytest.raises(ConflictError) as exc:
        ds.approve(uow(url), number, reason="x", role="sales", limits=limits, by="anna")
    assert exc.value.problems[0].path == "role"
    with pytest.raises(TcoError):
        ds.approve(uow(url), number, reason="  ", role="manager", limits=limits, by="max")
    done = ds.approve(
        uow(url), number, reason="key account", role="manager", limits=limits, by="max", now=NOW
    )
    assert (done.version, done.discount, done.approved_by) == (1, Decimal("0.2"), "max")
    # a higher limit for salespeople makes approval unnecessary; the record stays
    assert not ds.approval_state(uow(url), number, DiscountLimits(sales=Decimal("0.25"))).needed
    summary = services.change_status(
        uow(url), number, QuoteStatus.sent, by="t", now=NOW, limits=limits
    )
    assert summary.status == QuoteStatus.sent
    history = services.quote_history(uow(url), number)
    assert [(e["action"], e["by"], e["note"]) for e in history][1:] == [
        ("approved", "max", "key account"),
        ("status", "t", None),
    ]


def test_an_approval_is_recorded_for_good(url: str) -> None:
    number = services.create_quote(uow(url), discounted("0.2"), by="t", now=NOW).summary.number
    ds.approve(uow(url), number, reason="ok", role="admin", limits=DiscountLimits(), by="a")
    with uow(url) as u:
        row = u.quotes.session.scalars(select(QuoteApprovalRow)).one()
        row.reason = "changed afterwards"
        with pytest.raises(ConflictError):
            u.quotes.session.flush()


def test_templates_keep_the_request_without_customer_and_dates(url: str) -> None:
    number = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    kept = ds.save_template(uow(url), {"name": "VSD"}, number=number, by="t", now=NOW)
    assert set(kept.request) == set(template_request(demo_request_json()))
    with pytest.raises(QuoteRequestError):
        request_from_template(kept.request, {}, today=TODAY)
    made = ds.quote_from_template(
        uow(url), kept.id, {"customer": {"name": "Neu KG"}}, by="t", now=NOW, today=TODAY
    )
    assert made.summary.customer == "Neu KG"
    assert made.version.note == "from template 'VSD'"
    with pytest.raises(NotFoundError):
        ds.template(uow(url, "globex"), kept.id)


def demo_request_json() -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(json.dumps(demo_request(), default=str))
    return data


def test_a_copy_is_priced_with_the_current_catalog_and_dated_today(url: str) -> None:
    old = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    later = NOW + timedelta(days=40)
    view = ds.copy_quote(uow(url), old, {"title": "Hall 4"}, by="t", now=later, today=later.date())
    assert view.summary.number != old
    assert view.summary.as_of == later.date()
    assert view.summary.title == "Hall 4"
    assert view.version.version == 1
    with pytest.raises(NotFoundError):
        ds.copy_quote(uow(url, "globex"), old, {}, by="t")


def test_a_library_entry_is_the_competitors_inline_product() -> None:
    sheet = DataSheet.model_validate(
        {
            "code": "KS-37",
            "maker": "Kompressor AG",
            "name": "FS 37",
            "currency": "EUR",
            "price": "29500",
            "life_years": 15,
            "power_kw": 43.5,
            "load_factor": 0.8,
            "mtbf_hours": 6000.0,
            "repair_cost": "3100",
            "source": "data sheet",
            "source_date": "2025-01-01",
        }
    )
    product = as_product(sheet)
    assert product.sku == "KS-37"
    assert product.name == "Kompressor AG FS 37"
    assert product.energy is not None
    assert (product.energy.power_kw, product.energy.load_factor) == (43.5, 0.8)
    assert product.failures is not None
    assert product.failures.mtbf_hours == 6000.0
    assert product.failures.repair_cost == Decimal("3100")
    assert product.maintenance == ()  # not stated: not invented


def test_sending_needs_a_configured_server_and_records_nothing_without_one(url: str) -> None:
    number = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    with pytest.raises(MailNotSetUpError) as exc:
        ds.send_quote(
            uow(url),
            number,
            recipient="eva@mueller.example",
            smtp=SmtpConfig(),
            limits=DiscountLimits(),
            by="t",
            now=NOW,
        )
    assert "TCO_SMTP_HOST" in str(exc.value)
    unreachable = SmtpConfig(host="127.0.0.1", port=9, sender="q@acme.example", starttls=False)
    with pytest.raises(DeliveryError):
        ds.send_quote(
            uow(url),
            number,
            recipient="eva@mueller.example",
            smtp=unreachable,
            limits=DiscountLimits(),
            by="t",
            now=NOW,
        )
    assert ds.sendings(uow(url), number) == []
    assert services.show_quote(uow(url), number, today=TODAY).summary.status == QuoteStatus.draft


def test_the_letterhead_shows_the_company_and_its_logo(url: str) -> None:
    number = services.create_quote(uow(url), demo_request(), by="t", now=NOW).summary.number
    ds.save_company(
        uow(url),
        {"name": "Acme GmbH", "address": "Weg 1\n12345 Ort\nDeutschland\nline four"},
        logo=png(),
        by="t",
    )
    data = services.export_data(uow(url), number)
    html = render_html(data.scenario, data.result, locale=data.locale, info=data.info)
    assert "Acme GmbH" in html
    assert "Deutschland" in html
    assert "line four" not in html  # three address lines at most
    assert "data:image/png;base64," in html
    ds.save_company(uow(url), {"name": "Acme GmbH"}, remove_logo=True, by="t")
    data = services.export_data(uow(url), number)
    assert "data:image/png" not in render_html(data.scenario, data.result, info=data.info)
    with pytest.raises(TcoError):
        ds.save_company(uow(url), {"name": "Acme GmbH"}, logo=b"GIF89a", by="t")
    assert ds.company(uow(url, "globex")) is None  # another tenant's documents have none


def test_the_migration_fills_in_the_pipeline_of_quotes_saved_before_it(url: str) -> None:
    view = services.create_quote(uow(url), demo_request(), by="t", now=NOW)
    engine = db.get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_ledger")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        value, saving = conn.execute(text("SELECT value, saving FROM quotes")).one()
    assert Decimal(value) == view.summary.value
    assert float(saving) == pytest.approx(view.summary.saving, abs=1e-6)
