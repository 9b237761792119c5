"""Keyboard use and double clicks on the wallet's money forms, in a real browser (the system
Chromium through Playwright, like test_wallet_browser) on a 375 px phone screen.

A new user closes the first-run tour and sends a transfer without touching the mouse, and every
stop on the way shows where the focus is (issue 7 audit G11). A quick double click on a confirm
button sends one request and moves the money once: wallet.js disables the button after the
first submit, and the ledger, not the page, is what is counted (issue 7 audit G8)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, sync_playwright

from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, remember_person
from tests.web.browser_harness import chromium, phone_context
from tests.web.test_browser import live_server  # noqa: F401
from walletdesk.ledger.accounts import wallet_account
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings

pytestmark = pytest.mark.browser

# What the focused element shows: an outline that is drawn, or a box shadow.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""
# Records when the review page's confirm button is disabled while its form is busy.
WATCH_THE_BUTTON = """() => {
  const form = document.querySelector("form[action='/wallet/transfer/confirm']");
  const button = form.querySelector("button[type=submit]");
  new MutationObserver(() => {
    if (button.disabled && form.getAttribute("aria-busy") === "true") {
      sessionStorage.setItem("confirm-disabled", "true");
    }
  }).observe(button, { attributes: true, attributeFilter: ["disabled"] });
}"""
FOCUSED = "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A patient risk engine, as in test_wallet_browser: a slow first assessment on a busy
    machine would hold the transfer, and these tests are about the pages."""
    return settings.model_copy(update={"risk_time_budget_ms": 60_000.0})


def tab_to(page: Page, selector: str, *, most: int = 40) -> None:
    """Press Tab until `selector` has the focus, checking that each stop shows its focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_SHOWN), f"focus is not visible on {page.evaluate(FOCUSED)}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with Tab")


def sign_in(page: Page, server: str) -> None:
    page.goto(f"{server}/login")
    page.fill("#login", ZHANG_MING.login)
    page.fill("#password", ZHANG_MING.password)
    page.press("#password", "Enter")
    page.wait_for_url(f"{server}/")


def register_both(page: Page, server: str) -> None:
    for person, name in ((ZHANG_MING, "张明"), (LI_NA, "李娜")):
        remember_person(person)
        made = page.context.request.post(
            f"{server}/api/v1/auth/register",
            data={"phone": person.phone, "password": person.password, "display_name": name},
        )
        assert made.status == 201, made.text()


def wallet_minor(rt: Runtime, display_name: str) -> int:
    with rt.db.uow(read_only=True) as uow:
        account = wallet_account(rt, uow, user_id_of(rt, display_name), "CNY")
        return uow.journal.sum_of_postings(account.id)


def journal_entries(rt: Runtime) -> int:
    with rt.db.uow(read_only=True) as uow:
        return uow.journal.count()


def test_a_new_user_closes_the_tour_and_transfers_with_the_keyboard_only(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            page = phone_context(browser).new_page()
            register_both(page, live_server)
            sign_in(page, live_server)

            # The tour: Next with Enter, then Escape closes it (wallet.js posts its form).
            page.goto(f"{live_server}/wallet")
            steps = page.locator("#tour [data-step]")
            tab_to(page, "[data-tour-next]")
            page.keyboard.press("Enter")
            assert steps.nth(1).is_visible() and not steps.nth(0).is_visible()
            page.keyboard.press("Enter")
            page.keyboard.press("Enter")
            assert steps.nth(3).is_visible(), "Enter went on to the last step"
            # Next is disabled on the last step: the focus went on to "close the tour" rather
            # than falling back to the top of the page.
            assert page.evaluate("document.activeElement.matches('#tour .tour-close button')"), (
                "the focus was lost on the tour's last step"
            )
            # The page is /wallet before and after the form posts: wait for the navigation
            # itself (waiting for the URL returned at once and raced the post).
            with page.expect_navigation():
                page.keyboard.press("Escape")
            page.wait_for_selector(".flash")
            assert not page.locator("#tour").count()
            assert "导览已关闭" in page.inner_text(".flash")

            fund(rt, user_id_of(rt, "张明"), "500.00")
            page.goto(f"{live_server}/wallet/transfer")
            tab_to(page, "#to")
            page.keyboard.type(LI_NA.phone or "")
            tab_to(page, "#amount")
            page.keyboard.type("88")
            tab_to(page, "#note")
            page.keyboard.type("周五的晚饭")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{live_server}/wallet/transfer/review")
            assert page.inner_text(".masked-name") == "*娜"

            tab_to(page, "form[action='/wallet/transfer/confirm'] button[type=submit]")
            page.keyboard.press("Space")
            page.wait_for_url(f"{live_server}/wallet/transactions/**")
            assert "转账成功" in page.inner_text(".flash")
        finally:
            browser.close()
    assert wallet_minor(rt, "李娜") == 8800


def test_a_double_click_on_a_confirm_button_sends_the_money_once(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            page = phone_context(browser).new_page()
            register_both(page, live_server)
            fund(rt, user_id_of(rt, "张明"), "500.00")
            sign_in(page, live_server)
            page.goto(f"{live_server}/wallet/transfer")
            page.fill("#to", LI_NA.phone or "")
            page.fill("#amount", "66")
            page.click("form[action='/wallet/transfer/review'] button[type=submit]")
            page.wait_for_url(f"{live_server}/wallet/transfer/review")
            entries_before = journal_entries(rt)

            # Count the confirm requests, and note (in this tab's sessionStorage, which outlives
            # the page) the moment the button becomes disabled.
            sent: list[str] = []

            def count(route: Route) -> None:
                sent.append(route.request.method)
                route.continue_()

            page.route("**/wallet/transfer/confirm", count)
            page.evaluate(WATCH_THE_BUTTON)
            page.locator("form[action='/wallet/transfer/confirm'] button[type=submit]").dblclick()
            page.wait_for_url(f"{live_server}/wallet/transactions/**")
            assert sent == ["POST"], f"{len(sent)} confirm requests went out"
            assert page.evaluate("() => sessionStorage.getItem('confirm-disabled')") == "true"
            assert "转账成功" in page.inner_text(".flash")
        finally:
            browser.close()
    assert journal_entries(rt) == entries_before + 1
    assert wallet_minor(rt, "李娜") == 6600
    assert wallet_minor(rt, "张明") == 50000 - 6600
