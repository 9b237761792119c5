"""Chat messages sent over the already-open socket: stored by the same services as over REST,
acknowledged to the sender, pushed to the other side after commit; masking, the reopen rules,
the size limit and the socket's rate limit all apply."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.support import ZHANG_MING, bearer, login, sign_up_and_in
from tests.support_desk.chat_sockets import (
    customer_socket,
    frame,
    inbox_socket,
    next_of,
    until,
    watch,
)
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.cases import TEXT_MAX
from walletdesk.support.realtime_frames import MESSAGES_PER_SOCKET

SECOND = timedelta(seconds=1)


def send(
    socket: WebSocketTestSession,
    text: str,
    client_id: str,
    skipped: list[dict] | None = None,
    **extra: Any,
) -> dict:
    """Send a message frame; the answer to it (ack or error) for this client id. Frames that
    came first (a push may beat the ack) go to `skipped`."""
    socket.send_json({"type": "message", "text": text, "client_id": client_id} | extra)
    while True:
        body = frame(socket)
        if body["type"] in ("ack", "error") and body.get("client_id") == client_id:
            return body
        if skipped is not None:
            skipped.append(body)


def message_with(socket: WebSocketTestSession, message_id: int) -> dict:
    """The push of message `message_id` (echoes of one's own messages may come first)."""
    return until(socket, lambda f: f["type"] == "message" and f["message"]["id"] == message_id)


def chat_with_agent(client: TestClient, rt: Runtime) -> tuple[dict[str, str], Staff, str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    hand_off(client, zhang, started["conversation_id"])
    return zhang, agent, started["conversation_id"], started["case"]["id"]


def stored_texts(client: TestClient, headers: dict[str, str], conversation: str) -> list[str]:
    page = client.get(f"/api/v1/conversations/{conversation}/messages", headers=headers).json()
    return [m["text"] for m in page["items"]]


def test_a_message_over_the_socket_is_stored_acknowledged_and_reaches_the_agent(
    client: TestClient, rt: Runtime
) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    with (
        inbox_socket(client, agent.headers) as inbox,
        customer_socket(client, zhang, conversation) as chat,
    ):
        frame(inbox)
        watch(inbox, case_id)
        assert frame(chat)["type"] == "ready"

        ack = send(chat, "银行说已经退回了", "c-1")
        assert ack["type"] == "ack"
        assert (ack["case_id"], ack["conversation_id"], ack["follow_up"]) == (
            case_id,
            conversation,
            False,
        )
        assert ack["message"]["text"] == "银行说已经退回了"
        assert ack["message"]["author"] == {"kind": "contact", "name": "张明"}
        pushed = message_with(inbox, ack["message"]["id"])
        assert pushed["message"]["author"]["name"] == "张明"

        answer = send(inbox, "您好，正在为您查询。", "a-1", case_id=case_id)
        assert answer["type"] == "ack" and answer["message"]["author"]["id"] == agent.user_id
        seen = message_with(chat, answer["message"]["id"])
        assert seen["message"]["author"] == {"kind": "agent", "name": "Wang"}

        note = send(inbox, "内部：核对银行流水", "a-2", case_id=case_id, visibility="internal")
        assert note["message"]["visibility"] == "internal"
        skipped: list[dict] = []
        follow = send(chat, "好的谢谢", "c-2", skipped)
        # Pushes leave in commit order: once the follow-up's echo is here, the note's would be.
        pushes = [f["message"]["id"] for f in skipped if f["type"] == "message"]
        while follow["message"]["id"] not in pushes:
            pushes.append(next_of(chat, "message")["message"]["id"])
        assert note["message"]["id"] not in pushes, "an internal note never reaches the customer"
    assert stored_texts(client, zhang, conversation)[-3:] == [
        "银行说已经退回了",
        "您好，正在为您查询。",
        "好的谢谢",
    ]


def test_a_code_sent_over_the_socket_is_stored_masked(client: TestClient, rt: Runtime) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    with (
        inbox_socket(client, agent.headers) as inbox,
        customer_socket(client, zhang, conversation) as chat,
    ):
        frame(inbox)
        watch(inbox, case_id)
        frame(chat)
        ack = send(chat, "验证码是123456", "c-1")
        assert "123456" not in ack["message"]["text"]
        assert "123456" not in next_of(inbox, "message")["message"]["text"]
    assert not any("123456" in text for text in stored_texts(client, zhang, conversation))


def test_an_agent_draft_asking_for_a_code_is_refused_over_the_socket(
    client: TestClient, rt: Runtime
) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    with inbox_socket(client, agent.headers) as inbox:
        frame(inbox)
        refused = send(inbox, "请提供验证码", "a-1", case_id=case_id)
    assert refused["type"] == "error" and refused["code"] == "draft_refused"
    assert "请提供验证码" not in stored_texts(client, zhang, conversation)


def solve(client: TestClient, agent: Staff, case_id: str) -> None:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/status", headers=agent.headers, json={"status": "solved"}
    )
    assert response.status_code == 200, response.text


def test_a_socket_message_on_the_last_second_of_the_window_reopens_the_solved_case(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    solve(client, agent, case_id)
    clock.advance(timedelta(days=rt.settings.support_reopen_days))
    with customer_socket(client, zhang, conversation) as chat:
        frame(chat)
        ack = send(chat, "还是不行", "c-1")
    assert (ack["case_id"], ack["follow_up"]) == (case_id, False)
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["status"]["code"] == "open"


def test_a_socket_message_a_second_after_the_window_starts_a_follow_up_case(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    solve(client, agent, case_id)
    clock.advance(timedelta(days=rt.settings.support_reopen_days) + SECOND)
    with customer_socket(client, zhang, conversation) as chat:
        frame(chat)
        ack = send(chat, "又出问题了", "c-1")
    assert ack["follow_up"] is True and ack["case_id"] != case_id
    earlier = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert earlier["status"]["code"] == "closed"
    assert earlier["follow_up_case_id"] == ack["case_id"]


def test_a_too_long_or_malformed_message_is_refused_and_the_socket_stays_open(
    client: TestClient, rt: Runtime
) -> None:
    zhang, agent, conversation, case_id = chat_with_agent(client, rt)
    with (
        customer_socket(client, zhang, conversation) as chat,
        inbox_socket(client, agent.headers) as inbox,
    ):
        frame(chat)
        frame(inbox)
        too_long = send(chat, "长" * (TEXT_MAX + 1), "c-1")
        assert (too_long["type"], too_long["code"]) == ("error", "text_too_long")
        assert send(chat, "   ", "c-2")["type"] == "error", "empty"
        assert send(chat, "刚好" * (TEXT_MAX // 2), "c-3")["type"] == "ack", "the limit itself"
        no_case = send(inbox, "您好", "a-1")
        assert (no_case["type"], no_case["code"]) == ("error", "bad_frame")
        elsewhere = send(inbox, "您好", "a-2", case_id="case_missing")
        assert (elsewhere["type"], elsewhere["code"]) == ("error", "case_not_found")


def test_a_socket_sends_at_most_its_rate_of_messages_per_window(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, _agent, conversation, _case_id = chat_with_agent(client, rt)
    # Start at the beginning of a window, so every message below falls in the same one.
    seconds = MESSAGES_PER_SOCKET.seconds
    clock.advance(timedelta(seconds=seconds - int(clock.now().timestamp()) % seconds))
    with customer_socket(client, zhang, conversation) as chat:
        frame(chat)
        for number in range(MESSAGES_PER_SOCKET.count):
            assert send(chat, f"第{number}条", f"c-{number}")["type"] == "ack"
        refused = send(chat, "再来一条", "c-over")
        assert (refused["type"], refused["code"]) == ("error", "rate_limited")
        clock.advance(timedelta(seconds=seconds))
        assert send(chat, "下一个窗口", "c-next")["type"] == "ack"
    assert "再来一条" not in stored_texts(client, zhang, conversation)


def test_a_signed_out_session_cannot_send_over_its_open_socket(
    client: TestClient, rt: Runtime
) -> None:
    zhang, _agent, conversation, _case_id = chat_with_agent(client, rt)
    with customer_socket(client, zhang, conversation) as chat:
        frame(chat)
        assert client.post("/api/v1/auth/logout", headers=zhang).status_code in (200, 204)
        chat.send_json({"type": "message", "text": "还在吗", "client_id": "c-1"})
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                frame(chat)
        assert closed.value.code == 4401
    again = bearer(login(client, ZHANG_MING))
    assert "还在吗" not in stored_texts(client, again, conversation)
