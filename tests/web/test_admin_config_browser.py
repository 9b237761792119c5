"""The admin configuration pages in a real browser (the system Chromium through Playwright):
an admin sees the minutes typed as hours while setting an SLA policy, cancels a fee change at
the confirmation and then confirms it (the form still sends after a cancel), and every page is
photographed in both languages at 1440 px and at a phone's 375 px.

Screenshots go to build/screenshots/admin-config/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support import current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.admin_config_helpers import audited
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, live_server  # noqa: F401
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "admin-config"
PAGES = ("sla", "calendars", "limits", "fees", "fx", "channels")


def _admin_page(page: Page, server: str, rt: Runtime) -> None:
    created = create_staff(
        rt,
        login_text="laozhou@walletdesk.example",
        password=STAFF_PASSWORD,
        display_name="老周",
        roles=["admin"],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    page.goto(f"{server}/console/admin/sla")
    page.fill("#login", "laozhou@walletdesk.example")
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("#code", current_totp(rt, created.totp_secret))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_url(f"{server}/console/admin/sla")


def test_an_admin_sets_a_policy_and_confirms_a_fee_change_in_the_browser(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            _admin_page(page, live_server, rt)
            page.goto(f"{live_server}/console/admin/sla?lang=en")
            page.select_option("#case_type", "dispute")
            page.fill("#first_response", "90")
            assert page.locator("output[for=first_response]").text_content() == "= 1 h 30 min"
            page.fill("#next_response", "120")
            page.fill("#resolution", "1620")
            assert page.locator("output[for=resolution]").text_content() == "= 1 d 3 h"
            page.click("form[action='/console/admin/sla'] button[type=submit]")
            page.wait_for_selector("[data-policy=sla_any_dispute]")
            assert "The SLA policy was saved" in page.content()

            page.goto(f"{live_server}/console/admin/fees?lang=en")
            page.fill("#basis_points", "25")
            page.once("dialog", lambda dialog: dialog.dismiss())
            page.click("form[action='/console/admin/fees'] button[type=submit]")
            page.wait_for_timeout(300)
            assert audited(rt, "fees.schedule_set") == []
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("form[action='/console/admin/fees'] button[type=submit]")
            page.wait_for_selector("[data-fee-history]")
            [(_, _, details)] = audited(rt, "fees.schedule_set")
            assert details["basis_points"] == 25

            for name in PAGES:
                for language in ("en", "zh-CN"):
                    page.goto(f"{live_server}/console/admin/{name}?lang={language}")
                    assert page.locator("html").get_attribute("lang") == language
                    page.screenshot(
                        path=str(SHOTS / f"{language}-admin-{name}-1440.png"), full_page=True
                    )
            phone = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
            phone.context.add_cookies(page.context.cookies())
            for name in PAGES:
                phone.goto(f"{live_server}/console/admin/{name}")
                assert phone.locator("h1").is_visible()
                phone.screenshot(path=str(SHOTS / f"zh-CN-admin-{name}-375.png"), full_page=True)
        finally:
            browser.close()
