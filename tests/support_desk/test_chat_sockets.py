"""Live chat over WebSockets: a customer and an agent see each other's messages, typing and
read receipts; internal notes stay with the staff; nobody opens someone else's socket."""

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import (
    PROTOCOL,
    customer_socket,
    frame,
    inbox_socket,
    next_of,
    protocols,
    watch,
)
from tests.support_desk.helpers import hand_off, staff_member, start_chat
from walletdesk.runtime import Runtime


def post(client: TestClient, headers: dict[str, str], conversation_id: str, text: str) -> dict:
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", headers=headers, json={"text": text}
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()["message"]
    return body


def reply(
    client: TestClient, headers: dict[str, str], case_id: str, text: str, **extra: str
) -> dict:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/messages", headers=headers, json={"text": text} | extra
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()["message"]
    return body


def test_a_customer_and_an_agent_see_each_others_messages_typing_and_read_receipts(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)

    with inbox_socket(client, agent.headers) as inbox:
        assert inbox.accepted_subprotocol == PROTOCOL
        ready = frame(inbox)
        assert ready["type"] == "ready" and ready["presence"]["status"] == "online"
        watch(inbox, case_id)
        with customer_socket(client, zhang, conversation) as chat:
            assert chat.accepted_subprotocol == PROTOCOL
            opened = frame(chat)
            assert opened["type"] == "ready"
            assert (opened["conversation_id"], opened["case_id"]) == (conversation, case_id)
            assert opened["hours"]["humans_online"] is True

            asked = post(client, zhang, conversation, "银行说已经退回了")
            pushed = next_of(inbox, "message")
            assert pushed["message"]["id"] == asked["id"]
            assert pushed["message"]["text"] == "银行说已经退回了"
            assert pushed["message"]["author"]["kind"] == "contact"
            assert pushed["message"]["author"]["name"] == "张明"
            assert next_of(chat, "message")["message"]["id"] == asked["id"], "other devices"

            chat.send_json({"type": "typing"})
            typing = next_of(inbox, "typing")
            assert (typing["by"]["kind"], typing["typing"]) == ("contact", True)
            assert typing["conversation_id"] == conversation

            inbox.send_json({"type": "typing", "conversation_id": conversation})
            seen_typing = next_of(chat, "typing")
            assert seen_typing["by"] == {"kind": "agent", "name": "Wang"}

            answer = reply(client, agent.headers, case_id, "您好，我是客服小王，正在为您查询。")
            received = next_of(chat, "message")["message"]
            assert received["id"] == answer["id"]
            assert received["author"] == {"kind": "agent", "name": "Wang"}
            assert "id" not in received["author"], "customers never see staff ids"

            chat.send_json({"type": "read", "up_to": answer["id"]})
            read = next_of(inbox, "read")
            assert read["reader"]["kind"] == "contact" and read["up_to"] == answer["id"]
            mine = next_of(chat, "read")
            assert mine["reader"] == {"kind": "contact", "name": "张明"}, "the customer's devices"
            inbox.send_json({"type": "read", "conversation_id": conversation, "up_to": asked["id"]})
            agent_read = next_of(chat, "read")
            assert agent_read["reader"] == {"kind": "agent", "name": "Wang"}
            assert agent_read["up_to"] == asked["id"]

    with rt.db.uow(read_only=True) as uow:
        marks = {
            (m.reader_kind, m.up_to) for m in uow.chat.read_marks.for_conversation(conversation)
        }
    assert marks == {("contact", answer["id"]), ("agent", asked["id"])}


def test_a_read_receipt_never_moves_back_and_stops_at_the_last_message(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "红包提现失败")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)
    later = post(client, zhang, conversation, "还在吗")

    with (
        inbox_socket(client, agent.headers) as inbox,
        customer_socket(client, zhang, conversation) as chat,
    ):
        frame(inbox), frame(chat)
        watch(inbox, case_id)
        chat.send_json({"type": "read", "up_to": 10**9})
        assert next_of(inbox, "read")["up_to"] == later["id"], "clipped to the last message"
        assert next_of(chat, "read")["up_to"] == later["id"]
        chat.send_json({"type": "read", "up_to": started["message"]["id"]})
        chat.send_json({"type": "ping"})
        assert frame(chat)["type"] == "pong", "an older mark is not announced"
    with customer_socket(client, zhang, conversation) as again:
        assert frame(again)["read"] == [
            {"reader": {"kind": "contact"}, "up_to": later["id"], "at": "2026-11-23T09:00:00Z"}
        ]


def test_an_internal_note_reaches_the_agent_but_never_the_customer(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "查一下我的退款")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)

    with (
        inbox_socket(client, agent.headers) as inbox,
        customer_socket(client, zhang, conversation) as chat,
    ):
        frame(inbox), frame(chat)
        watch(inbox, case_id)
        inbox.send_json(
            {"type": "typing", "conversation_id": conversation, "visibility": "internal"}
        )
        note = reply(
            client,
            agent.headers,
            case_id,
            "@supervisor 银行流水号 W2026112301",
            visibility="internal",
        )
        public = reply(client, agent.headers, case_id, "您好，退款已原路退回。")
        staff_seen = [next_of(inbox, "message")["message"] for _ in range(2)]
        assert [m["id"] for m in staff_seen] == [note["id"], public["id"]]
        assert staff_seen[0]["visibility"] == "internal"
        # Pushes keep their order, so the first message the customer gets is the public one:
        # the note (and the internal typing before it) never reached this socket.
        customer_frames = []
        while True:
            body = frame(chat)
            customer_frames.append(body)
            if body["type"] == "message":
                break
        assert customer_frames[-1]["message"]["id"] == public["id"]
        assert "银行流水号" not in str(customer_frames)
        assert all(f["type"] != "typing" for f in customer_frames)


def test_a_socket_for_someone_elses_conversation_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    conversation = start_chat(client, zhang, "我的提现三天了还没到账")["conversation_id"]

    with pytest.raises(WebSocketDisconnect) as refused, customer_socket(client, li, conversation):
        pass
    assert refused.value.code == 4404
    with pytest.raises(WebSocketDisconnect) as missing, customer_socket(client, li, "cnv_nothere"):
        pass
    assert missing.value.code == 4404, "missing and forbidden look the same"


def test_a_socket_without_a_valid_token_or_with_a_customer_token_on_the_inbox_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation = start_chat(client, zhang, "你好")["conversation_id"]
    url = f"/api/v1/conversations/{conversation}/ws"
    with pytest.raises(WebSocketDisconnect) as anonymous, client.websocket_connect(url):
        pass
    assert anonymous.value.code == 4401
    with (
        pytest.raises(WebSocketDisconnect) as forged,
        client.websocket_connect(url, subprotocols=[PROTOCOL, "bearer.not-a-real-token"]),
    ):
        pass
    assert forged.value.code == 4401
    with pytest.raises(WebSocketDisconnect) as customer, inbox_socket(client, zhang):
        pass
    assert customer.value.code == 4403


def test_a_ticket_opens_one_socket_once_and_a_signed_out_session_loses_its_socket(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    started = start_chat(client, zhang, "你好")
    conversation = started["conversation_id"]
    issued = client.post("/api/v1/chat/tickets", headers=zhang)
    assert issued.status_code == 201
    ticket = issued.json()["ticket"]
    url = f"/api/v1/conversations/{conversation}/ws?ticket={ticket}"
    with client.websocket_connect(url) as chat:
        assert frame(chat)["type"] == "ready"
        assert client.post("/api/v1/auth/logout", headers=zhang).status_code in (200, 204)
        # The next push is checked again: the session ended, so the socket is closed.
        from walletdesk.support.conversations import post_bot_message

        post_bot_message(rt, conversation, text="请问还有什么可以帮您？")
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                frame(chat)
        assert closed.value.code == 4401
    with pytest.raises(WebSocketDisconnect) as reused, client.websocket_connect(url):
        pass
    assert reused.value.code == 4401, "a ticket works once"
    assert protocols(zhang)[0] == PROTOCOL
