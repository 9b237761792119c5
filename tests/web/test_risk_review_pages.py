"""The risk review pages against a real database: the queue and "next case", the case page
(score, reasons, velocity, counterparty history, the customer masked), each action with its
mandatory comment, four-eyes through the second-approver inbox, and who may open what, in
both languages.

The risk engine runs a small rule set (`tests/risk/review_helpers.py`): 1,000 yuan or more
is held, above 5,000 yuan two reviewers approve."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.risk.review_helpers import balance, people, send, settings, use_review_rules
from tests.support import ZHANG_MING, current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token, post_form, signed_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.risk.review_models import CaseStatus
from walletdesk.runtime import Runtime

__all__ = ["settings"]

QUEUE = "/console/risk"


def reviewer(
    app: FastAPI, rt: Runtime, login: str, name: str, role: str = "risk_reviewer"
) -> tuple[TestClient, str]:
    """A browser in which a reviewer signed in (password, then the authenticator code) and
    landed on the queue."""
    email = f"{login}@walletdesk.example"
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    browser = TestClient(app, base_url="https://testserver")
    step = post_form(browser, "/login", {"login": email, "password": STAFF_PASSWORD, "next": QUEUE})
    assert "/login/2fa" in str(step.url), step.text
    done = browser.post(
        "/login/2fa",
        data={
            "code": current_totp(rt, created.totp_secret),
            "next": QUEUE,
            "csrf_token": csrf_token(step.text),
        },
    )
    assert done.status_code == 200 and str(done.url).endswith(QUEUE), (done.url, done.text)
    remember(browser.cookies.get("wd_session"))
    return browser, created.user_id


def held_case(rt: Runtime, amount: str = "1000.00") -> tuple[Authenticated, Authenticated]:
    """张明 sends 李娜 `amount`; the rules hold it. Returns (张明, 李娜)."""
    use_review_rules(rt)
    zhang, li = people(rt)
    assert send(rt, zhang, li, amount).status == "under_review"
    return zhang, li


def payer(rt: Runtime, phone: str, name: str) -> Authenticated:
    person = sign_in(rt, phone=phone, name=name)
    fund(rt, person.user.id, "20000.00")
    return person


def take_next(browser: TestClient) -> str:
    """Press "Next case" on the queue; returns the case page it opened."""
    shown = browser.get(QUEUE)
    opened = browser.post(
        f"{QUEUE}/next", data={"csrf_token": csrf_token(shown.text)}, follow_redirects=False
    )
    assert opened.status_code == 303, opened.text
    return str(opened.headers["location"])


def act(browser: TestClient, page: str, action: str, lang: str = "zh-CN", **fields: str):  # type: ignore[no-untyped-def]
    """Open the case page in `lang` (remembered by the browser) and post one action form."""
    shown = browser.get(f"{page}?lang={lang}")
    assert shown.status_code == 200, shown.text
    return browser.post(f"{page}/{action}", data={**fields, "csrf_token": csrf_token(shown.text)})


def case_status(rt: Runtime, case_id: str) -> str:
    with rt.db.uow(read_only=True) as uow:
        case = uow.risk_review.cases.get(case_id)
        assert case is not None
        return case.status


# Who may open the pages ------------------------------------------------------------------------


def test_signed_out_visitors_go_to_sign_in_and_customers_and_agents_are_refused(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    away = client.get(QUEUE, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    signed_up_and_in(client, ZHANG_MING)
    for path in (QUEUE, f"{QUEUE}/second", f"{QUEUE}/cases/rvc_nothing"):
        refused = client.get(f"{path}?lang=en")
        assert refused.status_code == 403, path
        assert "The risk review pages are for risk reviewers and supervisors." in refused.text
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    assert agent.get(QUEUE).status_code == 403
    assert "风控审核页面仅供风控审核员和主管使用" in agent.get(QUEUE).text
    inbox = agent.get("/console")
    assert 'href="/console/risk"' not in inbox.text, "no link to a page the agent cannot open"
    refused_post = agent.post(f"{QUEUE}/next", data={"csrf_token": csrf_token(inbox.text)})
    assert refused_post.status_code == 403


def test_a_reviewer_sees_the_risk_links_but_not_the_support_inbox(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    queue = browser.get(QUEUE)
    assert 'href="/console/risk" aria-current="page"' in queue.text
    assert 'href="/console/risk/second"' in queue.text
    assert 'href="/console"' not in queue.text and "/console/presence" not in queue.text
    supervisor, _ = console_staff(app, rt, "sunzhu", "孙主管", "supervisor")
    assert 'href="/console/risk"' in supervisor.get("/console").text
    assert supervisor.get(QUEUE).status_code == 200


def test_a_form_without_its_csrf_token_is_refused(app: FastAPI, rt: Runtime) -> None:
    held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    assert browser.post(f"{QUEUE}/next", data={}).status_code == 403


# The queue and "next case" ---------------------------------------------------------------------


def test_the_queue_lists_the_held_case_with_score_reasons_amount_age_and_kind(
    app: FastAPI, rt: Runtime, clock: object
) -> None:
    held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    chinese = browser.get(QUEUE)
    assert chinese.status_code == 200
    assert "风控审核队列" in chinese.text and "下一个案件" in chinese.text
    row = chinese.text.split("data-risk-case=", 1)[1].split("</tr>", 1)[0]
    assert "张明" in row and 'class="score score-low">10<' in row
    assert "单笔 1000 元以上需审核" in row
    assert "¥1,000.00" in row and "转账" in row and "未分配" in row
    assert "预计" in row
    assert "暂扣 ¥1,000.00" in row and "138****5678" in row and "13812345678" not in row
    english = browser.get(f"{QUEUE}?lang=en")
    row = english.text.split("data-risk-case=", 1)[1].split("</tr>", 1)[0]
    assert "Risk review queue" in english.text and "Next case" in english.text
    assert "Transfers of 1,000 yuan or more are reviewed" in row
    assert "Transfer" in row and "Unassigned" in row and "Expected by" in row
    assert "¥1,000.00 held" in row


def test_next_case_opens_the_oldest_case_and_locks_it_then_the_queue_says_it_is_empty(
    app: FastAPI, rt: Runtime
) -> None:
    held_case(rt)
    first, first_id = reviewer(app, rt, "liushen", "刘审")
    second, _ = reviewer(app, rt, "wangshen", "王审")
    page = take_next(first)
    assert re.fullmatch(r"/console/risk/cases/rvc_\w+", page)
    opened = first.get(page)
    assert "此案件现在由您处理" in opened.text
    assert "处理人" in opened.text and "<dd>我</dd>" in opened.text
    assert "刘审" in second.get(QUEUE).text, "the others see who has it"
    empty = take_next(second)
    assert empty == QUEUE
    shown = second.get(f"{QUEUE}?lang=en")
    assert "No case is waiting for a reviewer." in shown.text


def test_an_empty_queue_says_what_happens_next(app: FastAPI, rt: Runtime) -> None:
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    assert "队列为空" in browser.get(QUEUE).text
    assert "The queue is empty" in browser.get(f"{QUEUE}?lang=en").text


# The case page -------------------------------------------------------------------------------


def test_the_case_page_shows_what_a_decision_needs_with_the_customer_masked(
    app: FastAPI, rt: Runtime
) -> None:
    held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    page = take_next(browser)
    zh = browser.get(page).text
    assert "张明" in zh and "138****5678" in zh and "13812345678" not in zh
    assert "单笔 1000 元以上需审核" in zh and "review_hold_from_1000" in zh
    assert "+10" in zh and "暂扣审核" in zh
    assert "¥1,000.00" in zh and "李娜" in zh and "审核中" in zh and "饭钱" in zh
    assert "交易频率" in zh and "24 小时" in zh and "首次向该对象转账" in zh
    assert "近 30 天内双方之间没有资金往来" in zh
    en = browser.get(f"{page}?lang=en").text
    assert "Transfers of 1,000 yuan or more are reviewed" in en
    assert "Velocity context" in en and "Sent by the customer" in en
    assert "First time to this counterparty" in en and "Yes" in en
    assert "Counterparty history (30 days)" in en and "Under review" in en
    for action in ("approve", "decline", "freeze", "ask", "escalate"):
        assert f'action="{page}/{action}"' in en
    assert browser.get(f"{QUEUE}/cases/rvc_missing").status_code == 404


# Actions -------------------------------------------------------------------------------------


def test_approving_needs_a_comment_and_keeps_what_was_typed_then_sends_the_money(
    app: FastAPI, rt: Runtime
) -> None:
    zhang, li = held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    page = take_next(browser)
    refused = act(browser, page, "approve", comment="   ", label="false_positive")
    assert refused.status_code == 422
    assert "请为本次审核操作填写备注" in refused.text
    assert '<option value="false_positive" selected>' in refused.text
    assert 'id="approve-comment"' in refused.text and 'aria-invalid="true"' in refused.text
    no_label = act(browser, page, "approve", lang="en", comment="客户确认是房租")
    assert no_label.status_code == 422
    assert "Close the case as a false positive" in no_label.text
    assert ">客户确认是房租</textarea>" in no_label.text
    assert balance(rt, li.user.id) == (0, 0), "nothing moved on a refusal"
    done = act(browser, page, "approve", comment="客户确认是房租", label="false_positive")
    assert done.status_code == 200 and done.url.path == page
    assert "您已批准该案件" in done.text and "客户确认是房租" in done.text
    assert "已关闭" in done.text and "误报" in done.text
    assert balance(rt, li.user.id) == (100000, 0)
    assert balance(rt, zhang.user.id) == (1900000, 0)


def test_declining_returns_the_money_and_freezing_also_freezes_the_wallet(
    app: FastAPI, rt: Runtime
) -> None:
    zhang, li = held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    page = take_next(browser)
    missing = act(browser, page, "freeze", lang="en", comment="", label="confirmed_fraud")
    assert missing.status_code == 422
    assert "Write a comment for this review action." in missing.text
    frozen = act(browser, page, "freeze", comment="收款方为已知骗子", label="confirmed_fraud")
    assert "已冻结该客户的钱包" in frozen.text
    assert balance(rt, zhang.user.id) == (2000000, 0) and balance(rt, li.user.id) == (0, 0)
    assert "已冻结" in frozen.text and 'action="' + page + '/unfreeze"' in frozen.text

    other = payer(rt, "13811110002", "王芳")
    assert send(rt, other, li, "2000.00").status == "under_review"
    second = take_next(browser)
    declined = act(browser, second, "decline", comment="金额异常", label="valuable_alert")
    assert "您已拒绝该案件" in declined.text
    assert balance(rt, other.user.id) == (2000000, 0)


def test_escalating_hands_the_case_to_a_supervisor(app: FastAPI, rt: Runtime) -> None:
    held_case(rt)
    browser, _ = reviewer(app, rt, "liushen", "刘审")
    page = take_next(browser)
    missing = act(browser, page, "escalate", comment="")
    assert missing.status_code == 422 and "请为本次审核操作填写备注" in missing.text
    done = act(browser, page, "escalate", comment="金额大，请主管定夺")
    assert "案件已升级给主管" in done.text
    assert "现由主管处理" in done.text and f'action="{page}/approve"' not in done.text
    refused = browser.post(
        f"{page}/approve",
        data={"comment": "ok", "label": "false_positive", "csrf_token": csrf_token(done.text)},
    )
    assert refused.status_code == 403 and "该案件已升级给主管处理" in refused.text
    supervisor, _ = reviewer(app, rt, "sunzhu", "孙主管", "supervisor")
    shown = supervisor.get(page).text
    assert f'action="{page}/approve"' in shown and "现由主管处理" not in shown
    # An admin holds the permission too (no supervisor role): the forms shown are accepted.
    admin, _ = reviewer(app, rt, "zhaoguan", "赵管理", "admin")
    approved = act(admin, page, "approve", comment="核实无误", label="false_positive")
    assert approved.status_code == 200 and "您已批准该案件" in approved.text


# Four eyes -----------------------------------------------------------------------------------


def test_above_the_four_eyes_amount_a_second_reviewer_confirms_from_the_inbox(
    app: FastAPI, rt: Runtime
) -> None:
    _, li = held_case(rt, "6000.00")
    first, _ = reviewer(app, rt, "liushen", "刘审")
    second, _ = reviewer(app, rt, "wangshen", "王审")
    page = take_next(first)
    case_id = page.rsplit("/", 1)[1]
    assert "需两名审核员" in first.get(page).text
    waiting = act(first, page, "approve", comment="客户来电确认", label="false_positive")
    assert "第二名审核员" in waiting.text and "您已先批准" in waiting.text
    assert case_status(rt, case_id) == CaseStatus.AWAITING_SECOND
    assert balance(rt, li.user.id) == (0, 0)
    mine = first.get(f"{QUEUE}/second")
    assert case_id in mine.text and "由您发起，须由另一名审核员确认" in mine.text
    inbox = second.get(f"{QUEUE}/second?lang=en")
    assert case_id in inbox.text and "Approval of the held movements" in inbox.text
    assert "Review and confirm" in inbox.text
    confirmed = act(second, page, "approve", lang="en", comment="复核无误", label="false_positive")
    assert "You approved the case; the held movements were sent." in confirmed.text
    assert case_status(rt, case_id) == CaseStatus.CLOSED
    assert balance(rt, li.user.id) == (600000, 0)
    assert "没有等待第二名审核员的事项" in second.get(f"{QUEUE}/second?lang=zh-CN").text


def test_an_unfreeze_asked_on_a_case_that_freeze_closed_waits_in_the_second_inbox(
    app: FastAPI, rt: Runtime
) -> None:
    zhang, _ = held_case(rt)
    first, _ = reviewer(app, rt, "liushen", "刘审")
    second, _ = reviewer(app, rt, "wangshen", "王审")
    page = take_next(first)
    case_id = page.rsplit("/", 1)[1]
    act(first, page, "freeze", comment="疑似被骗", label="valuable_alert")
    assert case_status(rt, case_id) == CaseStatus.CLOSED
    asked = act(first, page, "unfreeze", comment="客户本人来电，核实身份")
    assert "您已申请解冻钱包" in asked.text
    inbox = second.get(f"{QUEUE}/second?lang=en").text
    item = inbox.split(f'data-second="{case_id}"', 1)[1].split("</li>", 1)[0]
    assert "Unfreezing the wallet" in item and "Closed" in item and "138****5678" in item
    assert f'href="{page}#act-unfreeze"' in item
    assert case_id not in second.get(QUEUE).text, "a closed case is not queued"
    done = act(second, page, "unfreeze", comment="复核通过")
    assert "客户的钱包已解冻" in done.text
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(zhang.user.id)
        assert user is not None and not user.is_frozen
    assert case_id not in second.get(f"{QUEUE}/second").text


def test_an_auto_frozen_wallet_is_unfrozen_by_two_reviewers_before_the_case_is_decided(
    app: FastAPI, rt: Runtime
) -> None:
    zhang, _ = held_case(rt, "9000.00")
    first, _ = reviewer(app, rt, "liushen", "刘审")
    second, _ = reviewer(app, rt, "wangshen", "王审")
    page = take_next(first)
    shown = first.get(page).text
    assert "已自动冻结" in shown and "9000 元以上冻结账户" in shown
    refused = act(first, page, "approve", comment="客户确认", label="false_positive")
    assert refused.status_code == 409 and "请先解冻" in refused.text
    assert ">客户确认</textarea>" in refused.text
    missing = act(first, page, "unfreeze", comment="")
    assert missing.status_code == 422 and "请为本次审核操作填写备注" in missing.text
    asked = act(first, page, "unfreeze", comment="客户本人来电，核实身份")
    assert "您的解冻申请已记录" in asked.text and "您已申请解冻钱包" in asked.text
    inbox = second.get(f"{QUEUE}/second")
    assert page.rsplit("/", 1)[1] in inbox.text and "解冻钱包" in inbox.text
    done = act(second, page, "unfreeze", comment="复核通过")
    assert "客户的钱包已解冻" in done.text
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(zhang.user.id)
        assert user is not None and not user.is_frozen
    declined = act(second, page, "decline", comment="金额过大", label="valuable_alert")
    assert "您已拒绝该案件" in declined.text
    assert balance(rt, zhang.user.id) == (2000000, 0)
