"""The whole story in real browsers (the system Chromium through Playwright), three people at
once against one server on 127.0.0.1:

1. 张明, on a 375 px phone, registers, binds a card (with the code the bank texts), tops up
   ¥1,500, pays a ¥260 喜茶 order, sends ¥88 to 李娜 after checking her masked name, then, in
   English, sends her everything that is left: the risk engine holds that one ("nearly the
   whole balance at once", with "a new receiving account" and "a quick follow-up") and he sees
   it under review;
2. he asks the chat widget about a refund of the order; the assistant answers; he asks for a
   person;
3. 小陈, an agent at a laptop, takes the case from the inbox, replies (the answer reaches the
   widget live over the socket) and proposes refunding the order (above ¥200 a refund needs a
   second person);
4. 孙敏, a supervisor in a third browser, approves the refund; the money is back in the wallet;
5. 小陈 solves the case, and 张明 rates the help with five stars in the widget.

Only the pages are used for what the story names. Set-up outside it goes through services or
the API: the staff accounts, 李娜's account, the shop's order, 张明's real-name tier (tier 0
allows at most ¥500 a payment) and the support sweep that asks solved cases for a rating. The
main pages are photographed in both languages into build/screenshots/ (see browser_harness)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright

from tests.banking.cards import ICBC_DEBIT
from tests.bot.conftest import assistant, brain, catalogue, saved_model_dir  # noqa: F401
from tests.ledger.funding import user_id_of
from tests.merchants.helpers import new_order, open_shop
from tests.support import LI_NA, ZHANG_MING, last_code, remember_person
from tests.web.browser_harness import (
    chromium,
    laptop_context,
    new_staff,
    phone_context,
    shoot,
    shoot_in_both_languages,
    staff_sign_in,
)
from tests.web.test_chat_widget_browser import socket_server  # noqa: F401
from tests.web.test_wallet_browser import fits_the_screen
from walletdesk.runtime import Runtime
from walletdesk.support.csat import ask_solved_cases

pytestmark = pytest.mark.browser


def _verified_real_name(rt: Runtime, display_name: str) -> None:
    """KYC tier 1, as after the real-name check (which has no page of its own)."""
    with rt.db.uow() as uow:
        user = uow.users.get(user_id_of(rt, display_name), for_update=True)
        assert user is not None
        user.kyc_tier = 1
        uow.users.save(user)
        uow.commit()


def _register_and_sign_in(page: Page, server: str) -> None:
    page.goto(f"{server}/register")
    page.fill("#display_name", ZHANG_MING.display_name)
    page.fill("#phone", ZHANG_MING.phone or "")
    page.fill("#password", ZHANG_MING.password)
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url(f"{server}/login")
    assert "账户已创建" in page.inner_text(".flash")
    page.fill("#login", ZHANG_MING.login)
    page.fill("#password", ZHANG_MING.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{server}/")


def _bind_card_top_up_and_pay(page: Page, server: str, rt: Runtime, order_id: str) -> None:
    page.goto(f"{server}/wallet/cards")
    page.fill("#card_number", ICBC_DEBIT)
    page.fill("#holder_name", ZHANG_MING.display_name)
    page.fill("#phone", ZHANG_MING.phone or "")
    page.click("form[action='/wallet/cards'] button[type=submit]")
    page.fill("#code", last_code(rt, ZHANG_MING.phone or ""))
    page.click("form[action$='/verify'] button[type=submit]")
    page.wait_for_url(f"{server}/wallet/cards")
    assert "银行卡已绑定" in page.inner_text(".flash")

    page.goto(f"{server}/wallet/topup")
    page.fill("#amount", "1500")
    page.click("form[action='/wallet/topup/review'] button[type=submit]")
    page.click("form[action='/wallet/topup/confirm'] button[type=submit]")
    page.wait_for_url(f"{server}/wallet/topups/**")
    assert "钱已到账" in page.inner_text("main")

    page.goto(f"{server}/pay/{order_id}")
    page.click(f"form[action='/pay/{order_id}/review'] button[type=submit]")
    page.click(f"form[action='/pay/{order_id}/confirm'] button[type=submit]")
    page.wait_for_url(f"{server}/pay/{order_id}")
    assert "已支付" in page.inner_text("main")


def _transfer(page: Page, server: str, amount: str, note: str, language: str) -> None:
    """Fill in the transfer, check the masked name on the confirmation page, photograph it."""
    page.goto(f"{server}/wallet/transfer?lang={language}")
    page.fill("#to", LI_NA.phone or "")
    page.fill("#amount", amount)
    page.fill("#note", note)
    page.click("form[action='/wallet/transfer/review'] button[type=submit]")
    assert page.inner_text(".masked-name") == "*娜"
    shoot(page, language, "transfer-confirm")
    page.click("form[action='/wallet/transfer/confirm'] button[type=submit]")


def _chat_until_a_person_answers(page: Page, server: str) -> str:
    """Ask the assistant, see its answer, ask for a person; returns the case id."""
    page.goto(f"{server}/help")
    page.click("[data-chat-open]")
    page.locator("#chat-panel").wait_for(state="visible")
    page.fill("#chat-text", "我在喜茶买的奶茶没收到，想退款")
    page.click("[data-chat-form] button[type=submit]")
    answer = page.locator(".chat-msg.chat-from-bot:not(.chat-intro)").first
    answer.wait_for()
    assert answer.inner_text().strip()
    page.click("[data-chat-human]")
    page.locator("[data-chat-handoff]").filter(has_text="已为您转接人工客服").wait_for()
    assert fits_the_screen(page, 375), "the widget scrolls sideways at 375 px"
    shoot(page, "zh-CN", "chat-widget", full_page=False)
    return str(
        page.evaluate(
            "fetch('/chat-widget/conversations/' + "
            "sessionStorage.getItem('wd-chat-conversation'))"
            ".then(r => r.json()).then(b => b.case_id)"
        )
    )


def test_a_user_pays_chats_and_is_refunded_by_an_agent_and_a_supervisor_then_rates_us(
    socket_server: str,  # noqa: F811 - the fixture imported above
    assistant: Runtime,  # noqa: F811
    client: TestClient,
) -> None:
    rt, server = assistant, socket_server
    remember_person(ZHANG_MING)
    remember_person(LI_NA)
    agent = new_staff(rt, "xiaochen", "小陈", "agent")
    supervisor = new_staff(rt, "sunmin", "孙敏", "supervisor")
    order = new_order(client, open_shop(rt), amount="260.00", order_no="HT-STORY-0001")
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            user_context = phone_context(browser)
            friend = user_context.request.post(
                f"{server}/api/v1/auth/register",
                data={"phone": LI_NA.phone, "password": LI_NA.password, "display_name": "李娜"},
            )
            assert friend.status == 201, friend.text()
            user = user_context.new_page()

            # 1. Register, bind a card, top up, pay, transfer; the second transfer is held.
            _register_and_sign_in(user, server)
            _verified_real_name(rt, ZHANG_MING.display_name)
            _bind_card_top_up_and_pay(user, server, rt, order["id"])
            _transfer(user, server, "88", "周五的晚饭", "zh-CN")
            user.wait_for_url(f"{server}/wallet/transactions/**")
            assert "转账成功" in user.inner_text(".flash")
            _transfer(user, server, "1152.00", "rent", "en")
            user.wait_for_url(f"{server}/wallet/transfer/held/**")
            assert "We are checking this transfer" in user.inner_text("main")
            shoot(user, "en", "transfer-held")
            user.goto(f"{server}/wallet?lang=zh-CN")
            assert "审核中的转账" in user.inner_text("main")
            assert "冻结中：¥1,152.00" in user.inner_text(".balances")
            shoot_in_both_languages(user, server, "/wallet", "wallet-home")
            shoot_in_both_languages(user, server, "/wallet/transactions", "history")
            shoot_in_both_languages(user, server, "/help", "help-centre")

            # 2. The assistant answers; he asks for a person.
            case_id = _chat_until_a_person_answers(user, server)

            # 3. The agent takes the case, replies and proposes the refund.
            agent_context = laptop_context(browser)
            desk = staff_sign_in(agent_context, server, rt, agent)
            desk.click(f"a[href='/console/cases/{case_id}']")
            desk.wait_for_url(f"{server}/console/cases/{case_id}")
            desk.keyboard.press("a")
            desk.wait_for_selector(".flash")
            desk.keyboard.press("r")
            desk.keyboard.type("您好，我是小陈。喜茶的订单我们马上为您退款。")
            desk.click("#reply button[value=send]")
            desk.wait_for_selector(".flash")
            live = user.locator(".chat-msg.chat-from-agent")
            live.wait_for()
            assert "马上为您退款" in live.inner_text(), "the answer arrives over the socket"
            desk.click("details.propose summary")
            desk.select_option("#act-kind", "refund")
            desk.fill("#act-target_id", order["id"])
            desk.fill("#act-amount", "260.00")
            desk.fill("#act-reason", "客户未收到饮品")
            desk.click("details.propose button[type=submit]")
            desk.wait_for_selector(".flash")
            assert "须由第二人审批" in desk.inner_text(".flash")
            shoot_in_both_languages(desk, server, f"/console/cases/{case_id}", "console-case")
            shoot_in_both_languages(desk, server, "/console", "console-inbox")
            desk.set_viewport_size({"width": 1280, "height": 800})
            desk.goto(f"{server}/console/cases/{case_id}?lang=en")
            assert fits_the_screen(desk, 1280)
            shoot(desk, "en", "console-case", full_page=False)  # the top of it, for the README
            desk.goto(f"{server}/console/cases/{case_id}?lang=zh-CN")

            # 4. The supervisor approves; the money is back.
            supervisor_context = laptop_context(browser)
            approvals = staff_sign_in(supervisor_context, server, rt, supervisor)
            approvals.goto(f"{server}/console/approvals")
            assert "客户未收到饮品" in approvals.inner_text("main")
            approvals.click(".approval button:not([formaction])")
            approvals.wait_for_selector(".flash")
            assert "您已批准该操作" in approvals.inner_text(".flash")
            desk.goto(f"{server}/console/cases/{case_id}")
            assert "已执行" in desk.inner_text("#actions")
            user.goto(f"{server}/wallet")
            assert "¥260.00" in user.inner_text(".balances")

            # 5. The agent solves the case; the customer rates the help.
            desk.select_option("#status", "solved")
            desk.click("form[action$='/status'] button[type=submit]")
            desk.wait_for_selector(".flash")
            assert ask_solved_cases(rt) == 1  # the support sweep's job, run now
            user.goto(f"{server}/help")
            user.click("[data-chat-open]")
            rating = user.locator("[data-chat-rating]")
            rating.wait_for(state="visible")
            rating.locator("input[name=score][value='5']").check()
            user.fill("#chat-rating-comment", "小陈很快就帮我退款了")
            rating.locator("button[type=submit]").click()
            user.get_by_text("感谢您的评价！").wait_for()
            shoot(user, "zh-CN", "chat-widget-rated", full_page=False)
            user.goto(f"{server}/help?lang=en")
            user.click("[data-chat-open]")
            user.locator(".chat-msg.chat-from-agent").first.wait_for()
            shoot(user, "en", "chat-widget", full_page=False)
            desk.goto(f"{server}/console/cases/{case_id}")
            assert "客户已评价服务" in desk.inner_text("main")  # the case history has it
        finally:
            browser.close()
