"""The desk in a real browser (Debian's Chromium driven by Playwright against uvicorn, a real
local SMTP server): a salesperson records a customer, quotes a discount above the limit, a
manager approves it, the salesperson sends the quote and the SMTP server receives it with the PDF
and the workbook. Every new form passes axe-core (no serious or critical violation)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from api.settings import Settings
from tco.store import db
from tco.store.users import UserRole, create_user
from tests.apisupport import live_server
from tests.desksupport import Inbox, smtp_server
from tests.test_web_browser import ARGS, CHROMIUM, axe_problems, fill_compressor_quote, sign_in
from tests.websupport import PASSWORD, SALES, Site, make_site

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

MANAGER = "max@acme.example"
ADMIN = "ada@acme.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("desk-browser"))
    with db.session_factory(s.url)() as session:
        create_user(session, "acme", MANAGER, PASSWORD, UserRole.manager, name="Max Manager")
        create_user(session, "acme", ADMIN, PASSWORD, UserRole.admin, name="Ada Admin")
        session.commit()
    yield s
    db.dispose(s.url)


@pytest.fixture(scope="module")
def mail() -> Iterator[Inbox]:
    with smtp_server() as (inbox, env), pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        yield inbox


@pytest.fixture(scope="module")
def base(site: Site, mail: Inbox) -> Iterator[str]:
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


def person(browser: sync_api.Browser, base: str, email: str) -> tuple[object, sync_api.Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, email)
    return context, page


def test_a_manager_approves_a_high_discount_and_the_quote_is_sent_by_email(
    browser: sync_api.Browser, base: str, mail: Inbox
) -> None:
    context, page = person(browser, base, SALES)
    # a customer record, with a contact the quote can be sent to
    page.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").first.click()
    assert axe_problems(page) == []
    page.locator("#f-name").fill("Müller Metallbau GmbH")
    page.locator("#f-contact_name_0").fill("Eva Einkauf")
    page.locator("#f-contact_email_0").fill("eva-at-mueller")
    page.locator("#save-customer").click()
    assert page.locator("#err-contact_email_0").inner_text().endswith("is not an e-mail address")
    assert axe_problems(page) == []  # the form with its errors
    page.locator("#f-contact_email_0").fill("eva@mueller.example")
    page.locator("#save-customer").click()
    page.wait_for_url("**/customers/*?saved=1")
    assert axe_problems(page) == []

    # a quote for the record with 20 % off (above the salesperson's 15 %)
    page.get_by_role("link", name="New quote").last.click()
    page.wait_for_url("**/quotes/new?customer=*")
    assert page.locator("#f-customer_name").input_value() == "Müller Metallbau GmbH"
    fill_compressor_quote(page)
    page.locator("#f-customer_name").fill("Müller Metallbau GmbH")
    page.get_by_label("Discount", exact=True).fill("20")
    page.wait_for_selector("#checks:not([hidden])")
    page.get_by_label("I checked the numbers").check()
    page.locator("#save").click()
    page.wait_for_url("**/quotes/Q-*?saved=1")
    number = page.url.split("/quotes/", 1)[1].split("?")[0]
    assert page.locator("#approval-waiting").is_visible()
    assert page.locator("#send-form").count() == 0
    assert axe_problems(page) == []

    # the manager approves it, saying why
    mcontext, manager = person(browser, base, MANAGER)
    manager.goto(f"{base}/quotes/{number}")
    assert axe_problems(manager) == []  # with the approval form
    manager.get_by_label("Why is the discount approved?").fill("Key account: three more units")
    manager.get_by_role("button", name="Approve the discount").click()
    manager.wait_for_url(f"**/quotes/{number}?approved=1")
    assert "Approved by user:max@acme.example" in manager.locator("#approved").inner_text()
    assert "Key account: three more units" in manager.locator("#history").inner_text()
    mcontext.close()  # type: ignore[attr-defined]

    # the salesperson sends it to the customer's contact
    page.goto(f"{base}/quotes/{number}")
    assert axe_problems(page) == []  # with the sending form
    page.get_by_label("To", exact=True).select_option("eva@mueller.example")
    page.get_by_label("Message").fill("Guten Tag Frau Einkauf,\nanbei unser Angebot.")
    before = len(mail.messages)
    page.get_by_role("button", name="Send quote").click()
    page.wait_for_url(f"**/quotes/{number}?sent=*")
    assert page.locator("#quote-status").inner_text() == "sent"
    assert "was sent to eva@mueller.example" in page.locator("#saved-notice").inner_text()
    assert len(mail.messages) == before + 1
    assert mail.envelopes[-1][1] == ["eva@mueller.example"]
    files = mail.attachments()
    assert set(files) == {f"{number}-v1.pdf", f"{number}-v1.xlsx"}
    assert files[f"{number}-v1.pdf"][1].startswith(b"%PDF")
    assert files[f"{number}-v1.xlsx"][1].startswith(b"PK")
    context.close()  # type: ignore[attr-defined]


def test_the_library_fills_the_other_offer_and_every_new_form_passes_axe(
    browser: sync_api.Browser, base: str
) -> None:
    context, page = person(browser, base, SALES)
    page.goto(f"{base}/competitors/new")
    assert axe_problems(page) == []
    page.locator("#f-code").fill("KS-FS37")
    page.locator("#f-maker").fill("Kompressor AG")
    page.locator("#f-name").fill("FS 37")
    page.locator("#f-price").fill("29,500")
    page.locator("#f-life_years").fill("15")
    page.locator("#f-power_kw").fill("43.5")
    page.locator("#f-load_pct").fill("100")
    page.locator("#f-mtbf_hours").fill("6,000")
    page.locator("#f-repair_cost").fill("3,100")
    page.locator("#f-source").fill("Data sheet FS 37, rev. 4")
    page.locator("#save-competitor").click()
    page.wait_for_url("**/competitors/*?saved=1")
    assert axe_problems(page) == []
    page.goto(f"{base}/competitors")
    assert axe_problems(page) == []

    page.goto(f"{base}/quotes/new")
    assert page.locator("#f-comp_mtbf_hours").input_value() == ""  # never our product's
    page.get_by_label("From the competitor library").select_option("KS-FS37")
    assert page.locator("#f-comp_mtbf_hours").input_value() == "6,000"
    assert page.locator("#f-comp_name").input_value() == "Kompressor AG FS 37"
    assert page.locator("#f-comp_price").input_value() == "29,500"
    assert axe_problems(page) == []

    for path in ("/customers", "/templates", "/quotes?expiring=30"):
        page.goto(f"{base}{path}")
        assert axe_problems(page) == [], path
    context.close()  # type: ignore[attr-defined]

    acontext, admin = person(browser, base, ADMIN)
    admin.goto(f"{base}/company")
    assert axe_problems(admin) == []
    admin.locator("#f-name").fill("Acme Kompressoren GmbH")
    admin.locator("#save-company").click()
    admin.wait_for_url("**/company?saved=1")
    assert axe_problems(admin) == []
    acontext.close()  # type: ignore[attr-defined]
