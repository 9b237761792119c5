"""The help centre in a real browser (the system Chromium through Playwright, like
test_wallet_browser): on a 375 px phone screen a user searches in Chinese, opens the article,
says it helped, checks a stranger's number ("not us"), files a complaint and sees its
timeline, then sees the banner of a call an agent announced; the main help pages are
photographed in Chinese and English, on the phone and at 1440 px.

Screenshots go to test-artifacts/screenshots/help/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support import ZHANG_MING, remember_person
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, live_server  # noqa: F401
from tests.web.test_help_complaint_pages import agent
from tests.web.test_wallet_browser import DESKTOP, fits_the_screen
from walletdesk.runtime import Runtime
from walletdesk.support import kb_reading
from walletdesk.support.kb_seed import seed_kb
from walletdesk.support.verification import open_verification, schedule_call
from walletdesk.support.verification_models import Reason

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "help"
MAIN_PAGES = {
    "home": "/help",
    "search": "/help/search?q=%E6%8F%90%E7%8E%B0",
    "article": "/help/articles/fake-customer-service",
    "verify": "/help/verify",
    "channels": "/help/official-channels",
    "security": "/help/security",
    "complaints": "/help/complaints",
    "suggestions": "/help/suggestions",
}


def photograph(page: Page, server: str, language: str, complaint: str) -> None:
    """Every main help page (and the complaint's timeline) in one language, checked for width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in {**MAIN_PAGES, "complaint": complaint}.items():
        joiner = "&" if "?" in path else "?"
        page.goto(f"{server}{path}{joiner}lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert fits_the_screen(page, PHONE["width"]), f"{path} scrolls sideways at 375 px"
        page.screenshot(path=str(SHOTS / f"{language}-{name}-375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    for name in ("home", "article"):
        page.goto(f"{server}{MAIN_PAGES[name]}?lang={language}")
        assert fits_the_screen(page, DESKTOP["width"])
        page.screenshot(path=str(SHOTS / f"{language}-{name}-1440.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_a_user_finds_help_checks_a_caller_and_follows_a_complaint_on_a_phone(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    remember_person(ZHANG_MING)
    seed_kb(rt)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            registered = context.request.post(
                f"{live_server}/api/v1/auth/register",
                data={
                    "phone": ZHANG_MING.phone,
                    "password": ZHANG_MING.password,
                    "display_name": ZHANG_MING.display_name,
                },
            )
            assert registered.status == 201, registered.text()
            user_id = registered.json()["id"]
            page = context.new_page()
            page.goto(f"{live_server}/login")
            page.fill("#login", ZHANG_MING.login)
            page.fill("#password", ZHANG_MING.password)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{live_server}/")

            # Search in Chinese from the help centre's home, open the first article.
            page.click("header a[href='/help']")
            page.wait_for_url(f"{live_server}/help")
            page.fill("#help-q", "提现一直没到账")
            page.click("form.help-search button[type=submit]")
            page.wait_for_url(f"{live_server}/help/search?**")
            first = page.locator("ol.results h2 a").first
            assert first.get_attribute("href") == "/help/articles/withdrawal-pending"
            first.click()
            page.wait_for_url(f"{live_server}/help/articles/withdrawal-pending")
            assert "提现" in page.inner_text("h1")

            # It helped.
            page.click("#feedback button[value=yes]")
            page.wait_for_url(f"{live_server}/help/articles/withdrawal-pending")
            assert "感谢您的反馈" in page.inner_text(".flash")
            assert kb_reading.staff_article(rt, "withdrawal-pending").feedback.helpful == 1

            # A stranger's mobile number is not us.
            page.click("nav.help-nav a[href='/help/verify']")
            page.fill("#value", "13912345678")
            page.click("form[action='/help/verify'] button[type=submit]")
            verdict = page.locator(".verdict")
            assert "这不是 walletdesk" in verdict.inner_text()
            assert "可能是诈骗" in verdict.inner_text()
            assert page.input_value("#value") == "13912345678"

            # File a complaint and follow its timeline.
            page.click("nav.help-nav a[href='/help/complaints']")
            page.select_option("#category", "fees")
            page.fill("#text", "提现手续费和页面上写的不一样")
            page.click("form[action='/help/complaints'] button[type=submit]")
            page.wait_for_url(f"{live_server}/help/complaints/TS-**")
            assert "投诉已受理" in page.inner_text(".flash")
            assert "投诉已受理" in page.inner_text(".timeline")
            complaint = page.url.removeprefix(live_server)

            # An agent announces a call: the wallet shows our number and the code first.
            wang = agent(rt, "Wang")
            verification = open_verification(
                rt, wang, user_id=user_id, reason=Reason.LARGE_TRANSACTION
            )
            call = schedule_call(rt, wang, verification.id)
            page.goto(f"{live_server}/wallet")
            banner = page.locator(".contact-banner")
            assert "400-000-8888" in banner.inner_text()
            assert call.code in banner.inner_text()
            assert fits_the_screen(page, PHONE["width"])
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "zh-CN-wallet-call-banner-375.png"), full_page=True)

            photograph(page, live_server, "zh-CN", complaint)
            photograph(page, live_server, "en", complaint)
        finally:
            browser.close()
