"""Two console parts no page test covered (issue 7 audit, C1 and C2): a case whose
conversations span two channels shows each message with the channel it came by, in zh-CN and
en; and the presence switch taking an agent online, away, offline and back online, each step
shown on the page and obeyed by routing (away takes cases when nobody is online, offline takes
none, back online takes the case that waited)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING
from tests.support_desk.agent_tools_helpers import customer_case, signed_up_with_case
from tests.support_desk.test_case_conversations import email_thread_on
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support import agents

CHAT_TEXT = "退款什么时候到账"
EMAIL_TEXT = "我又发了一封邮件，附上了订单号 HT-2026"
REPLY_TEXT = "已收到您的邮件，退款正在处理。"


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def _tagged_messages(html: str) -> list[tuple[str, str]]:
    """(channel tag, body) of each message of the case page's conversation, in order."""
    listed = re.search(r'<ol class="messages">(.*?)</ol>', html, re.S)
    assert listed, "no conversation on the page"
    found = []
    for item in re.findall(r'<li class="msg[^"]*">(.*?)</li>', listed.group(1), re.S):
        tag = re.search(r'<p class="meta">.*?<span class="tag">([^<]+)</span>', item, re.S)
        body = re.search(r'<p class="body">([^<]*)</p>', item)
        assert tag and body, item
        found.append((tag.group(1).strip(), body.group(1)))
    return found


def test_a_case_with_a_chat_and_an_email_thread_tags_each_message_with_its_channel(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    headers, case_id = signed_up_with_case(client, ZHANG_MING, CHAT_TEXT)
    clock.advance(timedelta(minutes=5))  # later, the customer also wrote in by email
    thread = email_thread_on(rt, case_id)
    mailed = client.post(
        f"/api/v1/conversations/{thread}/messages", headers=headers, json={"text": EMAIL_TEXT}
    )
    assert mailed.status_code == 201, mailed.text
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    page = f"/console/cases/{case_id}"
    shown = agent.get(page)
    # The console answers into the latest conversation with humans: the email thread.
    replied = agent.post(
        f"{page}/reply",
        data={
            "body": REPLY_TEXT,
            "version": _version(shown.text),
            "csrf_token": csrf_token(shown.text),
        },
    )
    assert replied.status_code == 200 and "您的回复已发送给客户" in replied.text

    for lang, chat, email in (("zh-CN", "应用内聊天", "邮件"), ("en", "In-app chat", "Email")):
        messages = _tagged_messages(agent.get(f"{page}?lang={lang}").text)
        by_body = dict((body, tag) for tag, body in messages)
        assert by_body[CHAT_TEXT] == chat, lang
        assert by_body[EMAIL_TEXT] == email, lang
        assert by_body[REPLY_TEXT] == email, lang
        # The chat's other messages (the assistant, the hand-off) all came by chat, and the
        # email thread holds only the two messages written in it.
        assert [body for tag, body in messages if tag == email] == [EMAIL_TEXT, REPLY_TEXT]
        assert {tag for tag, _ in messages} == {chat, email}


def _reply_in_options(html: str) -> list[tuple[str, bool]]:
    """(conversation id, selected) of each option of the "Reply in" select."""
    select = re.search(r'<select id="conversation" name="conversation".*?</select>', html, re.S)
    assert select, "no 'Reply in' choice on the page"
    return [
        (value, bool(chosen))
        for value, chosen in re.findall(r'<option value="([^"]+)"( selected)?>', select.group(0))
    ]


def test_the_agent_chooses_which_conversation_a_reply_goes_into(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    headers, case_id = signed_up_with_case(client, ZHANG_MING, CHAT_TEXT)
    clock.advance(timedelta(minutes=5))
    thread = email_thread_on(rt, case_id)
    mailed = client.post(
        f"/api/v1/conversations/{thread}/messages", headers=headers, json={"text": EMAIL_TEXT}
    )
    assert mailed.status_code == 201, mailed.text
    with rt.db.uow(read_only=True) as uow:
        chat = next(
            c.id for c in uow.support.conversations.for_case(case_id) if c.channel == "chat"
        )
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    page = f"/console/cases/{case_id}"

    shown = agent.get(f"{page}?lang=en")
    # Both conversations are people's now; the latest (the email thread) is preselected.
    assert _reply_in_options(shown.text) == [(chat, False), (thread, True)]
    assert "Reply in" in shown.text and "In-app chat · started" in shown.text

    # An unknown conversation is refused with a translated message; the draft stays.
    refused = agent.post(
        f"{page}/reply",
        data={
            "body": REPLY_TEXT,
            "conversation": "cv_not_this_case",
            "version": _version(shown.text),
            "csrf_token": csrf_token(shown.text),
        },
    )
    assert refused.status_code == 404
    assert "We could not find this conversation." in refused.text
    assert REPLY_TEXT in refused.text

    # The agent answers into the chat although the email thread is the latest.
    replied = agent.post(
        f"{page}/reply",
        data={
            "body": REPLY_TEXT,
            "conversation": chat,
            "version": _version(shown.text),
            "csrf_token": csrf_token(shown.text),
        },
    )
    assert replied.status_code == 200 and "Your reply was sent to the customer." in replied.text
    tags = dict((body, tag) for tag, body in _tagged_messages(agent.get(page).text))
    assert tags[REPLY_TEXT] == "In-app chat"
    chat_messages = client.get(f"/api/v1/conversations/{chat}/messages", headers=headers)
    assert REPLY_TEXT in [m["text"] for m in chat_messages.json()["items"]]
    email_messages = client.get(f"/api/v1/conversations/{thread}/messages", headers=headers)
    assert REPLY_TEXT not in [m["text"] for m in email_messages.json()["items"]]


def _set_presence(browser: TestClient, status: str, lang: str = "zh-CN") -> str:
    shown = browser.get(f"/console?lang={lang}")
    changed = browser.post(
        f"/console/presence?lang={lang}",
        data={"status": status, "back": "/console", "csrf_token": csrf_token(shown.text)},
    )
    assert changed.status_code == 200, changed.text
    return changed.text


def _shown_status(html: str) -> str:
    selected = re.findall(r'<option value="(online|away|offline)" selected>', html)
    dot = re.search(r'<span class="dot dot-(\w+)"', html)
    assert len(selected) == 1 and dot, "the presence switch shows one status"
    assert dot.group(1) == selected[0]
    return str(selected[0])


def _routed_to(rt: Runtime, case_id: str) -> tuple[str, str | None]:
    """Routing's own record of the case: its state and the agent it is with."""
    with rt.db.uow(read_only=True) as uow:
        routed = uow.routing.cases.get(case_id)
    assert routed is not None
    return routed.state, routed.agent_id


def test_an_agent_goes_online_away_offline_and_back_online_and_routing_follows(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, agent_id = console_staff(app, rt, "xiaochen", "小陈", "agent")
    assert _shown_status(agent.get("/console").text) == "offline"  # until they set one

    online = _set_presence(agent, "online")
    assert "您的状态已更新" in online and _shown_status(online) == "online"
    assert agents.agent_profile(rt, agent_id).status == "online"

    away = _set_presence(agent, "away", "en")
    assert "Your status was changed." in away and _shown_status(away) == "away"
    assert '<option value="away" selected>Away</option>' in away
    assert agents.agent_profile(rt, agent_id).status == "away"
    # Away still takes cases when no online agent fits: this one is offered to 小陈.
    zhang, first_case = signed_up_with_case(client, ZHANG_MING, "提现三天还没到账")
    assert _routed_to(rt, first_case) == ("offered", agent_id)
    assert "提现三天还没到账" in agent.get("/console?assignee=me").text
    # 小陈 answers it, which accepts the offer, so it stays theirs when they go offline.
    case_page = agent.get(f"/console/cases/{first_case}?lang=zh-CN")
    answered = agent.post(
        f"/console/cases/{first_case}/reply",
        data={
            "body": "您好，我来帮您查询提现。",
            "version": _version(case_page.text),
            "csrf_token": csrf_token(case_page.text),
        },
    )
    assert answered.status_code == 200 and "您的回复已发送给客户" in answered.text
    assert _routed_to(rt, first_case) == ("accepted", agent_id)

    offline = _set_presence(agent, "offline")
    assert _shown_status(offline) == "offline"
    assert '<option value="offline" selected>离线</option>' in offline
    assert agents.agent_profile(rt, agent_id).status == "offline"
    assert _routed_to(rt, first_case) == ("accepted", agent_id)  # it stays with them
    # Offline takes none: a new case waits, offered to nobody.
    _, second_case = signed_up_with_case(client, LI_NA, "怎么修改绑定的手机号")
    assert _routed_to(rt, second_case) == ("waiting", None)
    assert "怎么修改绑定的手机号" in agent.get("/console?assignee=none").text
    assert "怎么修改绑定的手机号" not in agent.get("/console?assignee=me").text

    back = _set_presence(agent, "online", "en")
    assert _shown_status(back) == "online"
    assert '<option value="online" selected>Online</option>' in back
    assert agents.agent_profile(rt, agent_id).status == "online"
    # Coming back online, the case that waited is offered to them at once.
    assert _routed_to(rt, second_case) == ("offered", agent_id)
    assert "怎么修改绑定的手机号" in agent.get("/console?assignee=me").text
    # The same customer writing again while 小陈 is online goes to 小陈 too.
    third_case = customer_case(client, zhang, "信用卡还款失败")
    assert _routed_to(rt, third_case) == ("offered", agent_id)


def test_an_offered_case_is_accepted_from_its_page_and_stays_when_the_agent_goes_offline(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, agent_id = console_staff(app, rt, "xiaochen", "小陈", "agent")
    _set_presence(agent, "online")
    _, case_id = signed_up_with_case(client, ZHANG_MING, "提现三天还没到账")
    assert _routed_to(rt, case_id) == ("offered", agent_id)
    page = agent.get(f"/console/cases/{case_id}?lang=zh-CN").text
    assert "工单已推送给您" in page and f"/console/cases/{case_id}/accept" in page
    english = agent.get(f"/console/cases/{case_id}?lang=en").text
    assert "Offered to you: accept it, or it moves on to another agent." in english

    accepted = agent.post(f"/console/cases/{case_id}/accept", data={"csrf_token": csrf_token(page)})
    assert accepted.status_code == 200 and "You accepted the case: it stays yours." in accepted.text
    assert _routed_to(rt, case_id) == ("accepted", agent_id)
    assert f"/console/cases/{case_id}/accept" not in accepted.text  # nothing left to accept
    _set_presence(agent, "offline")
    assert _routed_to(rt, case_id) == ("accepted", agent_id)  # not re-offered
    # Without the page's token nothing happens.
    refused = agent.post(f"/console/cases/{case_id}/accept", data={})
    assert refused.status_code == 403


def test_a_case_offered_to_someone_else_cannot_be_accepted(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    first, first_id = console_staff(app, rt, "xiaochen", "小陈", "agent")
    second, _ = console_staff(app, rt, "xiaowang", "小王", "agent")
    _set_presence(first, "online")
    _, case_id = signed_up_with_case(client, ZHANG_MING, "提现三天还没到账")
    assert _routed_to(rt, case_id) == ("offered", first_id)
    page = second.get(f"/console/cases/{case_id}?lang=en").text
    assert f"/console/cases/{case_id}/accept" not in page
    refused = second.post(f"/console/cases/{case_id}/accept", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 409
    assert _routed_to(rt, case_id) == ("offered", first_id)
