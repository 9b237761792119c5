"""In-app chat through the API: a customer opens a conversation with the bot, asks for a
human, an agent answers and notes, and the customer sees only what is meant for them."""

import pytest
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import hand_off, staff_member, start_chat
from walletdesk.errors import Conflict
from walletdesk.runtime import Runtime
from walletdesk.support.conversations import post_bot_message
from walletdesk.support.events import InProcessPublisher, SupportEvent


def test_a_chat_stays_with_the_bot_until_hand_off_then_an_agent_answers(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我的提现三天了还没到账", type="problem")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    assert started["case"]["status"]["code"] == "new"
    assert started["case"]["expected"]["waiting_for"] == "bot"
    # Monday 17:00 Beijing; a normal case is answered within 4 business hours.
    assert started["case"]["expected"]["human_reply_by"] == "2026-11-24T04:00:00Z"
    assert started["message"]["author"] == {"kind": "contact", "name": "张明"}

    waiting = client.get("/api/v1/staff/cases", headers=agent.headers).json()["items"]
    assert waiting == [], "the bot still has it"
    with_bot = client.get("/api/v1/staff/cases?include_bot=true", headers=agent.headers).json()
    assert [c["id"] for c in with_bot["items"]] == [case_id]

    post_bot_message(rt, conversation, text="请提供提现时间，我帮您查询。")
    handed = hand_off(client, zhang, conversation)
    assert handed["expected"] == {
        "waiting_for": "support",
        "next_reply_by": "2026-11-24T04:00:00Z",
        "reply_overdue": False,
        "resolution_by": "2026-11-26T09:00:00Z",
        "resolution_overdue": False,
        "human_reply_by": None,
    }
    assert hand_off(client, zhang, conversation)["expected"] == handed["expected"], "idempotent"
    with pytest.raises(Conflict):
        post_bot_message(rt, conversation, text="还有别的问题吗？")
    queue = client.get("/api/v1/staff/cases", headers=agent.headers).json()["items"]
    assert [c["id"] for c in queue] == [case_id]
    assert queue[0]["sla"][0]["kind"] == "first_response"

    note = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={"text": "@supervisor 银行流水号 W2026112301", "visibility": "internal"},
    )
    assert note.status_code == 201, note.text
    answer = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={"text": "您好，我是客服小王，正在为您查询。"},
    )
    assert answer.status_code == 201 and answer.json()["message"]["author"]["name"] == "Wang"

    seen = client.get(f"/api/v1/conversations/{conversation}/messages", headers=zhang).json()
    assert [(m["author"]["kind"], m["text"]) for m in seen["items"]] == [
        ("contact", "我的提现三天了还没到账"),
        ("bot", "请提供提现时间，我帮您查询。"),
        ("agent", "您好，我是客服小王，正在为您查询。"),
    ]
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["status"] == {"code": "open", "text": "我们正在处理你的请求。"}
    assert "银行流水号" not in str(mine)
    assert [t["kind"] for t in mine["timeline"]] == [
        "case.created",
        "conversation.handed_off",
        "status.changed",
    ]

    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    assert [m["visibility"] for m in detail["messages"]] == [
        "public",
        "public",
        "internal",
        "public",
    ]
    assert detail["contact"]["display_name"] == "张明"
    first_response = next(t for t in detail["sla"] if t["kind"] == "first_response")
    assert first_response["state"] == "met"
    kinds = [e["kind"] for e in detail["history"]]
    assert kinds.count("sla.met") == 1 and "case.created" == kinds[0]
    assert detail["version"] == len(detail["history"])


def test_the_customer_is_told_in_english_when_they_ask_in_english(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    started = start_chat(client, zhang, "Where is my withdrawal?")
    case = client.get(
        f"/api/v1/cases/{started['case']['id']}", headers=zhang | {"Accept-Language": "en"}
    ).json()
    assert case["status"]["text"] == "We have received your request."
    assert case["timeline"][0]["text"] == "You asked for help."


def test_someone_elses_conversation_and_case_look_missing(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    started = start_chat(client, zhang, "我的账户被盗了")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    for response in (
        client.get(f"/api/v1/conversations/{conversation}/messages", headers=li),
        client.post(
            f"/api/v1/conversations/{conversation}/messages", headers=li, json={"text": "hi"}
        ),
        client.post(f"/api/v1/conversations/{conversation}/handoff", headers=li),
        client.get(f"/api/v1/cases/{case_id}", headers=li),
    ):
        assert response.status_code == 404, response.text
    missing = client.get("/api/v1/cases/case_doesnotexist00000", headers=li)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "case_not_found"
    assert client.get("/api/v1/cases", headers=li).json() == []
    assert client.get("/api/v1/staff/cases", headers=zhang).status_code == 403
    assert client.get("/api/v1/cases").status_code == 401


def test_an_agent_cannot_answer_while_the_bot_has_the_conversation_but_can_note(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = start_chat(client, zhang, "怎么修改手机号")["case"]["id"]
    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/messages", headers=agent.headers, json={"text": "您好"}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conversation_with_bot"
    noted = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={"text": "机器人能处理", "visibility": "internal"},
    )
    assert noted.status_code == 201


def test_messages_page_backwards_from_the_newest_and_forwards_after_a_cursor(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation = start_chat(client, zhang, "第1条")["conversation_id"]
    for n in range(2, 6):
        sent = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            headers=zhang,
            json={"text": f"第{n}条"},
        )
        assert sent.status_code == 201
    url = f"/api/v1/conversations/{conversation}/messages"
    newest = client.get(f"{url}?limit=2", headers=zhang).json()
    assert [m["text"] for m in newest["items"]] == ["第4条", "第5条"]
    assert newest["newer_cursor"] is None
    older = client.get(f"{url}?limit=2&before={newest['older_cursor']}", headers=zhang).json()
    assert [m["text"] for m in older["items"]] == ["第2条", "第3条"]
    oldest = client.get(f"{url}?limit=2&before={older['older_cursor']}", headers=zhang).json()
    assert [m["text"] for m in oldest["items"]] == ["第1条"] and oldest["older_cursor"] is None
    after = client.get(f"{url}?limit=2&after={oldest['items'][0]['id']}", headers=zhang).json()
    assert [m["text"] for m in after["items"]] == ["第2条", "第3条"]
    assert after["newer_cursor"] == after["items"][-1]["id"]


def test_an_empty_message_is_refused(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    response = client.post("/api/v1/conversations", headers=zhang, json={"text": "   "})
    assert response.status_code == 422 and response.json()["error"]["code"] == "empty_message"


def test_changes_are_announced_after_commit_and_internal_ones_are_marked_so(
    client: TestClient, rt: Runtime
) -> None:
    heard: list[SupportEvent] = []
    publisher = rt.support_events
    assert isinstance(publisher, InProcessPublisher)
    unsubscribe = publisher.subscribe(heard.append)
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "转账失败")
    assert [e.kind for e in heard] == ["case.created", "message.added"]
    assert heard[1].message is not None and heard[1].message["text"] == "转账失败"
    client.post(
        f"/api/v1/staff/cases/{started['case']['id']}/messages",
        headers=agent.headers,
        json={"text": "先别回复", "visibility": "internal"},
    )
    assert heard[-1].kind == "message.added" and heard[-1].public is False
    count = len(heard)
    refused = client.post(
        f"/api/v1/staff/cases/{started['case']['id']}/messages",
        headers=agent.headers,
        json={"text": "您好"},
    )
    assert refused.status_code == 409
    assert len(heard) == count, "a refused change announces nothing"
    unsubscribe()
