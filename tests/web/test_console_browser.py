"""The agent console in a real browser (the system Chromium through Playwright): an agent
signs in with the authenticator code, takes the case from the inbox with the keyboard,
replies, adds a note and proposes a refund; a senior agent in a second browser context
approves it. The main console pages are photographed in Chinese and English at 1440 px.

Screenshots go to test-artifacts/screenshots/console/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import BrowserContext, ViewportSize, sync_playwright

from tests.support import ZHANG_MING, current_totp, remember
from tests.support_desk.agent_tools_helpers import paid_order, signed_up_with_case
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: F401
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "console"
LAPTOP: ViewportSize = {"width": 1440, "height": 900}


def _staff(rt: Runtime, login: str, name: str, role: str) -> tuple[str, str]:
    created = create_staff(
        rt,
        login_text=f"{login}@walletdesk.example",
        password=STAFF_PASSWORD,
        display_name=name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    return f"{login}@walletdesk.example", created.totp_secret


def _sign_in(context: BrowserContext, server: str, rt: Runtime, login: str, secret: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(f"{server}/console")
    page.fill("#login", login)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("#code", current_totp(rt, secret))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_url(f"{server}/console")
    return page


def test_an_agent_works_a_case_and_a_senior_approves_the_refund(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
    app: object,
) -> None:
    with TestClient(app, base_url="https://testserver") as api:  # type: ignore[arg-type]
        headers, case_id = signed_up_with_case(api, ZHANG_MING, "喜茶的订单想退款")
        order_id = paid_order(api, rt, headers, ZHANG_MING, "260.00")
    agent_login, agent_secret = _staff(rt, "xiaochen", "小陈", "agent")
    senior_login, senior_secret = _staff(rt, "laozhou", "老周", "senior_agent")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            agent_context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
            page = _sign_in(agent_context, live_server, rt, agent_login, agent_secret)
            page.keyboard.press("?")
            assert page.locator("#shortcut-help").is_visible()
            page.screenshot(path=str(SHOTS / "zh-CN-shortcuts-1440.png"))
            page.keyboard.press("Escape")
            page.keyboard.press("j")
            page.keyboard.press("o")
            page.wait_for_url(f"**/console/cases/{case_id}")
            page.keyboard.press("a")
            page.wait_for_selector(".flash")
            assert "工单已分配给您" in page.inner_text(".flash")

            page.keyboard.press("r")
            page.keyboard.type("您好，我们马上为您处理退款。")
            page.click("#reply button[value=send]")
            page.wait_for_selector(".flash")
            assert "您的回复已发送给客户" in page.inner_text(".flash")

            page.keyboard.press("n")
            page.keyboard.type("@老周 请帮忙审批退款")
            page.click("#note button[type=submit]")
            page.wait_for_selector(".flash")
            assert "@老周 请帮忙审批退款" in page.inner_text(".msg-internal")

            page.click("details.propose summary")
            page.select_option("#act-kind", "refund")
            page.fill("#act-target_id", order_id)
            page.fill("#act-amount", "260.00")
            page.fill("#act-reason", "客户未收到饮品")
            page.click("details.propose button[type=submit]")
            page.wait_for_selector(".flash")
            assert "须由第二人审批" in page.inner_text(".flash")
            for language in ("zh-CN", "en"):
                page.goto(f"{live_server}/console/cases/{case_id}?lang={language}")
                page.screenshot(path=str(SHOTS / f"{language}-case-1440.png"), full_page=True)
                page.goto(f"{live_server}/console?lang={language}")
                page.screenshot(path=str(SHOTS / f"{language}-inbox-1440.png"), full_page=True)
            page.set_viewport_size({"width": 1024, "height": 800})
            page.goto(f"{live_server}/console/cases/{case_id}?lang=zh-CN")
            assert page.evaluate("document.documentElement.scrollWidth <= 1024")

            senior_context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
            second = _sign_in(senior_context, live_server, rt, senior_login, senior_secret)
            second.goto(f"{live_server}/console/approvals")
            assert "客户未收到饮品" in second.inner_text("main")
            for language in ("en", "zh-CN"):
                second.goto(f"{live_server}/console/approvals?lang={language}")
                second.screenshot(
                    path=str(SHOTS / f"{language}-approvals-1440.png"), full_page=True
                )
            second.click(".approval button:not([formaction])")
            second.wait_for_selector(".flash")
            assert "您已批准该操作" in second.inner_text(".flash")

            page.goto(f"{live_server}/console/cases/{case_id}")
            assert "已执行" in page.inner_text("#actions")
        finally:
            browser.close()
