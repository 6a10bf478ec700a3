"""The asset page in a real browser (Debian's Chromium driven by Playwright against uvicorn): a
salesperson records a repair on an installed compressor and sees promised vs actual change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from api.settings import Settings
from tco import ledger_services as ls
from tco import services
from tco.quoting.versions import QuoteStatus
from tco.store import db
from tco.store.uow import UnitOfWork
from tests.apisupport import live_server
from tests.test_store_support import demo_request
from tests.test_web_browser import ARGS, ARTIFACTS, CHROMIUM, sign_in
from tests.websupport import SALES, Site, make_site

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("ledger-browser"))
    yield s
    db.dispose(s.url)


@pytest.fixture(scope="module")
def asset_id(site: Site) -> int:
    uow = UnitOfWork("acme", url=site.url)
    number = services.create_quote(uow, demo_request(), by="t").summary.number
    services.change_status(uow, number, QuoteStatus.sent, by="t")
    services.change_status(uow, number, QuoteStatus.accepted, by="t")
    return ls.list_assets(UnitOfWork("acme", url=site.url))[0][0].id


@pytest.fixture(scope="module")
def base(site: Site) -> Iterator[str]:
    with live_server(Settings(database_url=site.url, access_log=False)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (make system)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def test_recording_a_repair_changes_promised_vs_actual(
    browser: sync_api.Browser, base: str, asset_id: int
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, base, SALES)
    page.get_by_role("link", name="Assets").first.click()
    page.wait_for_url(f"{base}/assets")
    page.get_by_role("link", name=str(asset_id), exact=True).click()
    page.wait_for_url(f"{base}/assets/{asset_id}")
    actual = page.get_by_test_id("actual-measured")
    assert actual.get_attribute("data-value") == "0.0"
    before = actual.inner_text()
    assert page.get_by_test_id("failures").inner_text() == "0"

    form = page.locator("#event-form")
    form.get_by_label("Kind").select_option("repair")
    form.get_by_label("Cost (EUR)").fill("1500")
    form.get_by_label("Paid by").select_option("buyer")
    form.get_by_label("Downtime hours").fill("6")
    form.get_by_label("Note").fill("Pressure switch replaced")
    form.get_by_role("button", name="Record").click()
    page.wait_for_url(f"{base}/assets/{asset_id}?recorded=new#events")

    assert page.locator("#notice").inner_text() == "The event was recorded."
    actual = page.get_by_test_id("actual-measured")
    assert float(actual.get_attribute("data-value") or "nan") == 1500 + 6 * 900
    assert actual.inner_text() == "EUR\xa06,900.00"
    assert actual.inner_text() != before
    assert page.get_by_test_id("failures").inner_text() == "1"
    assert page.locator("#event-list").get_by_text("Pressure switch replaced").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "asset.png"), full_page=True)
    context.close()
