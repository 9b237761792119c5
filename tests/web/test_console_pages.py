"""The agent console's pages against a real database: the inbox and its filters, a case
worked from reply to maker-checker approval, the stale-reply refusal, reveals, presence and
who may open what."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING
from tests.support_desk.agent_tools_helpers import paid_order, signed_up_with_case
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token, signed_up_and_in
from walletdesk.runtime import Runtime

CASE_TEXT = "我的提现三天了还没到账"


def _post(browser: TestClient, page: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    return browser.post(action, data={**data, "csrf_token": csrf_token(shown.text)})


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_signed_out_visitors_go_to_sign_in_and_customers_are_refused(
    client: TestClient,
) -> None:
    away = client.get("/console", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    signed_up_and_in(client, ZHANG_MING)
    refused = client.get("/console?lang=en")
    assert refused.status_code == 403
    assert "The agent console is for walletdesk support staff." in refused.text
    assert client.get("/console/approvals").status_code == 403


def test_the_inbox_shows_the_case_with_its_sla_badge_and_filters_it(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, CASE_TEXT)
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    inbox = agent.get("/console")
    assert inbox.status_code == 200
    assert "收件箱" in inbox.text and CASE_TEXT in inbox.text
    assert "首次响应: 剩余 19小时00分" in inbox.text
    english = agent.get("/console?lang=en")
    assert "First response: 19h 00m left" in english.text
    assert CASE_TEXT in agent.get("/console?assignee=none").text
    assert CASE_TEXT not in agent.get("/console?assignee=me").text
    assert CASE_TEXT in agent.get("/console?q=提现").text
    assert CASE_TEXT in agent.get(f"/console?q={case_id}").text
    assert CASE_TEXT not in agent.get("/console?q=信用卡").text
    assert CASE_TEXT not in agent.get("/console?channel=email").text
    assert CASE_TEXT in agent.get("/console?channel=chat&priority=normal&type=question").text
    bad = agent.get("/console?priority=sometime&lang=en")
    assert bad.status_code == 400
    assert "This filter value is not one the inbox knows." in bad.text


def test_an_agent_takes_replies_notes_and_proposes_a_refund_that_a_senior_approves(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    headers, case_id = signed_up_with_case(client, ZHANG_MING, "喜茶的订单想退款")
    order_id = paid_order(client, rt, headers, ZHANG_MING, "260.00")
    agent, agent_id = console_staff(app, rt, "xiaochen", "小陈", "agent")
    senior, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    page = f"/console/cases/{case_id}"

    taken = _post(agent, page, f"{page}/take", {})
    assert "工单已分配给您" in taken.text
    assert CASE_TEXT not in agent.get("/console?assignee=me").text
    assert "喜茶的订单想退款" in agent.get("/console?assignee=me").text

    shown = agent.get(page)
    expanded = agent.post(
        f"{page}/reply",
        data={
            "body": "/greet",
            "do": "expand",
            "version": _version(shown.text),
            "csrf_token": csrf_token(shown.text),
        },
    )
    assert expanded.status_code == 200
    assert "/greet</textarea>" not in expanded.text

    replied = _post(
        agent,
        page,
        f"{page}/reply",
        {"body": "您好，我们马上为您处理退款。", "version": _version(shown.text)},
    )
    assert "您的回复已发送给客户" in replied.text
    assert "您好，我们马上为您处理退款。" in replied.text

    noted = _post(
        agent,
        page,
        f"{page}/note",
        {"note": "@老周 请帮忙审批退款", "version": _version(replied.text)},
    )
    assert "内部备注已添加" in noted.text
    assert re.search(r'msg-internal">.*?@老周 请帮忙审批退款', noted.text, re.S)
    assert "备注中提及了同事" in noted.text

    proposed = _post(
        agent,
        page,
        f"{page}/actions",
        {
            "kind": "refund",
            "target_id": order_id,
            "amount": "260.00",
            "transaction_ids": "",
            "reason": "客户未收到饮品",
            "version": _version(noted.text),
        },
    )
    assert "操作申请已提交，须由第二人审批" in proposed.text
    assert "等待审批" in proposed.text

    assert agent.get("/console/approvals").status_code == 403  # agents do not approve
    inbox = senior.get("/console/approvals")
    assert "客户未收到饮品" in inbox.text and "小陈" in inbox.text
    action_id = re.search(r'data-approval="([^"]+)"', inbox.text)
    assert action_id
    approved = _post(
        senior, "/console/approvals", f"/console/actions/{action_id.group(1)}/approve", {"note": ""}
    )
    assert "您已批准该操作，操作已执行" in approved.text
    assert "暂无待审批的操作" in approved.text
    assert "已执行" in agent.get(page).text


def test_a_senior_cannot_approve_their_own_proposal(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    headers, case_id = signed_up_with_case(client, ZHANG_MING, "退款没到账")
    order_id = paid_order(client, rt, headers, ZHANG_MING, "230.00")
    senior, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    page = f"/console/cases/{case_id}"
    shown = senior.get(page)
    _post(
        senior,
        page,
        f"{page}/actions",
        {
            "kind": "refund",
            "target_id": order_id,
            "amount": "230.00",
            "transaction_ids": "",
            "reason": "重复扣款",
            "version": _version(shown.text),
        },
    )
    inbox = senior.get("/console/approvals?lang=en")
    assert "You proposed this. Someone else must approve it." in inbox.text
    action_id = re.search(r'data-approval="([^"]+)"', inbox.text)
    assert action_id
    refused = senior.post(
        f"/console/actions/{action_id.group(1)}/approve",
        data={"note": "", "csrf_token": csrf_token(inbox.text)},
    )
    assert refused.status_code == 403
    assert "须由第二人审批" in refused.text or "second person" in refused.text


def test_a_reply_written_against_an_old_version_is_refused_with_what_changed(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, CASE_TEXT)
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    colleague, _ = console_staff(app, rt, "xiaoli", "小李", "agent")
    page = f"/console/cases/{case_id}"
    opened = agent.get(page)
    old_version = _version(opened.text)
    _post(colleague, page, f"{page}/priority", {"priority": "high"})
    refused = agent.post(
        f"{page}/reply",
        data={
            "body": "您好，正在为您查询。",
            "version": old_version,
            "csrf_token": csrf_token(opened.text),
        },
    )
    assert refused.status_code == 409
    assert "您编辑期间工单已有变化" in refused.text
    assert "优先级已变更" in refused.text
    assert "您好，正在为您查询。</textarea>" in refused.text  # the draft is kept
    assert "您好，正在为您查询。" not in refused.text.split('id="reply"')[0]  # nothing sent


def test_bad_input_comes_back_translated_with_what_was_typed(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, CASE_TEXT)
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    page = f"/console/cases/{case_id}"
    shown = agent.get(f"{page}?lang=en")
    wrong = agent.post(
        f"{page}/actions",
        data={
            "kind": "refund",
            "target_id": "ord_x",
            "amount": "abc",
            "transaction_ids": "",
            "reason": "customer asked twice",
            "version": _version(shown.text),
            "csrf_token": csrf_token(shown.text),
        },
    )
    assert wrong.status_code == 422
    assert "Enter an amount above zero" in wrong.text
    assert "customer asked twice</textarea>" in wrong.text
    unknown = agent.post(
        f"{page}/status",
        data={"status": "somewhere", "version": "", "csrf_token": csrf_token(shown.text)},
    )
    assert 400 <= unknown.status_code < 500


def test_revealing_a_field_needs_the_right_and_a_reason(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, LI_NA, CASE_TEXT)
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    senior, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    page = f"/console/cases/{case_id}"
    assert "139****4321" in agent.get(page).text
    shown = agent.get(page)
    refused = agent.post(
        f"{page}/reveal",
        data={"field": "phone", "reason": "核对手机号", "csrf_token": csrf_token(shown.text)},
    )
    assert refused.status_code == 403
    shown = senior.get(page)
    no_reason = senior.post(
        f"{page}/reveal",
        data={"field": "phone", "reason": "", "csrf_token": csrf_token(shown.text)},
    )
    assert no_reason.status_code == 422
    revealed = _post(
        senior, page, f"{page}/reveal", {"field": "phone", "reason": "客户来电核对手机号"}
    )
    assert revealed.status_code == 200
    assert LI_NA.phone in revealed.text


def test_the_presence_switch_sets_the_agents_status(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    changed = _post(agent, "/console", "/console/presence", {"status": "away", "back": "/console"})
    assert "您的状态已更新" in changed.text
    assert '<option value="away" selected>' in changed.text
    bad = _post(agent, "/console", "/console/presence", {"status": "asleep"})
    assert bad.status_code == 422
