"""One case, several conversations (issue 5, item 1): a chat and, say, an email thread the
channel layer added to the same case. Both belong to the one case the customer follows; an
agent answers into the conversation they name, or into the latest one with humans; a
conversation of another case cannot be named."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.cases import do_add_conversation
from walletdesk.support.models import Channel


def email_thread_on(rt: Runtime, case_id: str) -> str:
    """What an email adapter does when a customer's mail belongs to an open case."""
    with rt.db.uow() as uow:
        case = uow.support.cases.get(case_id)
        assert case is not None
        thread = do_add_conversation(
            rt, uow, case, channel=Channel.EMAIL, bot_owned=False, now=rt.clock.now()
        )
        uow.commit()
    return thread.id


def answer(client: TestClient, agent: Staff, case_id: str, text: str, **extra: str) -> dict:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={"text": text} | extra,
    )
    body: dict = response.json()
    body["status_code"] = response.status_code
    return body


def test_an_agent_answers_in_the_conversation_they_name_and_the_customer_sees_one_case(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "退款什么时候到账")
    chat, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, chat)
    clock.advance(timedelta(minutes=5))  # the customer also wrote an email
    thread = email_thread_on(rt, case_id)

    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["conversation_ids"] == [chat, thread]
    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    assert [(c["id"], c["channel"]) for c in detail["conversations"]] == [
        (chat, "chat"),
        (thread, "email"),
    ]

    in_chat = answer(client, agent, case_id, "已在聊天里回复您。", conversation_id=chat)
    assert in_chat["status_code"] == 201 and in_chat["message"]["conversation_id"] == chat
    latest = answer(client, agent, case_id, "邮件里附上了退款单号。")
    assert latest["status_code"] == 201
    assert latest["message"]["conversation_id"] == thread, "the latest conversation with humans"

    chat_page = client.get(f"/api/v1/conversations/{chat}/messages", headers=zhang).json()
    assert [m["text"] for m in chat_page["items"]][-1] == "已在聊天里回复您。"
    assert "邮件里附上了退款单号。" not in str(chat_page)
    thread_page = client.get(f"/api/v1/conversations/{thread}/messages", headers=zhang).json()
    assert [m["text"] for m in thread_page["items"]] == ["邮件里附上了退款单号。"]


def test_a_conversation_of_another_case_cannot_be_named(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    first = start_chat(client, zhang, "提现没到账")
    second = start_chat(client, zhang, "怎么修改手机号")
    for started in (first, second):
        hand_off(client, zhang, started["conversation_id"])

    wrong = answer(
        client,
        agent,
        first["case"]["id"],
        "您好",
        conversation_id=second["conversation_id"],
    )
    assert wrong["status_code"] == 404
    assert wrong["error"]["code"] == "conversation_not_found"
    page = client.get(
        f"/api/v1/conversations/{second['conversation_id']}/messages", headers=zhang
    ).json()
    assert "您好" not in [m["text"] for m in page["items"]]
