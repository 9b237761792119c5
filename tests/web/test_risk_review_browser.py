"""Risk review in a real browser (the system Chromium through Playwright): a user's transfer
that the risk engine holds (the review rules hold 1,000 yuan or more) shows "under review";
a reviewer signs in with the authenticator code (landing on the risk queue, their console
home), presses "Next case", reads the case and approves it with a comment, then goes back to
the queue with "g i"; the user's wallet then shows the transfer sent. The queue and
the case page are photographed in Chinese and English at 1440 px.

Screenshots go to test-artifacts/screenshots/risk/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, sync_playwright

from tests.ledger.funding import fund, user_id_of
from tests.risk.review_helpers import settings, use_review_rules
from tests.support import LI_NA, ZHANG_MING, current_totp, remember, remember_person
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, live_server  # noqa: F401
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime

pytestmark = pytest.mark.browser
__all__ = ["settings"]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "risk"
LAPTOP: ViewportSize = {"width": 1440, "height": 900}


def _user_signs_up_and_in(context: BrowserContext, server: str) -> Page:
    page = context.new_page()
    page.goto(f"{server}/register")
    page.fill("#display_name", ZHANG_MING.display_name)
    page.fill("#phone", ZHANG_MING.phone or "")
    page.fill("#password", ZHANG_MING.password)
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url(f"{server}/login")
    page.fill("#login", ZHANG_MING.login)
    page.fill("#password", ZHANG_MING.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{server}/")
    return page


def _real_name_verified(rt: Runtime, user_id: str) -> None:
    """KYC tier 3 (as after real-name verification), so 1,200 yuan is within the limits and
    only the risk rules stop it (the way `tests/ledger/actors.sign_in` sets the tier)."""
    with rt.db.uow() as uow:
        stored = uow.users.get(user_id, for_update=True)
        assert stored is not None
        stored.kyc_tier = 3
        uow.users.save(stored)
        uow.commit()


def _reviewer_signs_in(context: BrowserContext, server: str, rt: Runtime) -> Page:
    login = "liushen@walletdesk.example"
    created = create_staff(
        rt,
        login_text=login,
        password=STAFF_PASSWORD,
        display_name="刘审",
        roles=["risk_reviewer"],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    page = context.new_page()
    page.goto(f"{server}/login")  # no page asked for: staff land on their console home
    page.fill("#login", login)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("#code", current_totp(rt, created.totp_secret))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_url(f"{server}/console/risk")
    return page


def test_a_reviewer_approves_a_held_transfer_and_the_user_sees_it_sent(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    remember_person(ZHANG_MING)
    remember_person(LI_NA)
    use_review_rules(rt)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            user_context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            friend = user_context.request.post(
                f"{live_server}/api/v1/auth/register",
                data={"phone": LI_NA.phone, "password": LI_NA.password, "display_name": "李娜"},
            )
            assert friend.status == 201, friend.text()
            user = _user_signs_up_and_in(user_context, live_server)
            zhang = user_id_of(rt, ZHANG_MING.display_name)
            _real_name_verified(rt, zhang)
            fund(rt, zhang, "5000.00")

            # The user sends 1,200 yuan: the rules hold it for a reviewer.
            user.goto(f"{live_server}/wallet/transfer")
            user.fill("#to", LI_NA.phone or "")
            user.fill("#amount", "1200")
            user.fill("#note", "房租")
            user.click("form[action='/wallet/transfer/review'] button[type=submit]")
            user.click("form[action='/wallet/transfer/confirm'] button[type=submit]")
            user.wait_for_url(f"{live_server}/wallet/transfer/held/**")
            held_page = user.url
            assert "审核中" in user.inner_text("main")

            # The reviewer finds it in the queue, takes the next case and approves it.
            reviewer_context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
            reviewer = _reviewer_signs_in(reviewer_context, live_server, rt)
            row = reviewer.locator("[data-risk-case]")
            assert row.count() == 1
            assert "单笔 1000 元以上需审核" in row.inner_text()
            assert "¥1,200.00" in row.inner_text() and "张明" in row.inner_text()
            for language in ("en", "zh-CN"):
                reviewer.goto(f"{live_server}/console/risk?lang={language}")
                reviewer.screenshot(path=str(SHOTS / f"{language}-queue-1440.png"), full_page=True)
            reviewer.click("[data-next-case]")
            reviewer.wait_for_url(f"{live_server}/console/risk/cases/**")
            assert "此案件现在由您处理" in reviewer.inner_text(".flash")
            case_page = reviewer.url.split("?")[0]
            assert "138****5678" in reviewer.inner_text("#customer")
            assert "李娜" in reviewer.inner_text("#held")
            for language in ("en", "zh-CN"):
                reviewer.goto(f"{case_page}?lang={language}")
                reviewer.screenshot(path=str(SHOTS / f"{language}-case-1440.png"), full_page=True)
            assert reviewer.evaluate("document.documentElement.scrollWidth <= 1440")

            # Without a comment the approval is refused, the label kept and the box focused.
            reviewer.select_option("#approve-label", "false_positive")
            reviewer.click("#act-approve button[type=submit]")
            reviewer.wait_for_selector("#approve-comment[aria-invalid=true]")
            assert "请为本次审核操作填写备注" in reviewer.inner_text("#act-approve")
            assert reviewer.eval_on_selector("#approve-label", "e => e.value") == "false_positive"
            assert reviewer.evaluate("document.activeElement.id") == "approve-comment"
            reviewer.keyboard.type("已致电客户，确认是房租")
            reviewer.click("#act-approve button[type=submit]")
            reviewer.wait_for_selector(".flash")
            assert "您已批准该案件" in reviewer.inner_text(".flash")
            assert "已致电客户，确认是房租" in reviewer.inner_text("#log")

            # The shortcut help names "x"; "g i" goes to the reviewer's console home.
            reviewer.keyboard.press("?")
            assert "领取下一个风控案件" in reviewer.inner_text("#shortcut-help")
            reviewer.keyboard.press("Escape")
            reviewer.keyboard.press("g")
            reviewer.keyboard.press("i")
            reviewer.wait_for_url(f"{live_server}/console/risk")

            # The user's wallet shows the transfer sent.
            user.goto(held_page)
            assert "审核中" not in user.inner_text("main")
            user.goto(f"{live_server}/wallet/transactions")
            listing = user.inner_text("main")
            assert "-¥1,200.00" in listing and "审核中" not in listing
            user.goto(f"{live_server}/wallet")
            assert "¥3,800.00" in user.inner_text(".balances")
        finally:
            browser.close()
