"""The customer's conversation socket shows their case's agent: the name and status in
`ready`, then pushed after commit when the agent comes, steps away or leaves, and when the
case changes hands. Nothing else about the agent (no id, no last-seen time) reaches them."""

from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import customer_socket, frame, inbox_socket, until
from tests.support_desk.helpers import hand_off, staff_member, start_chat
from walletdesk.runtime import Runtime


def agent_shown(chat: WebSocketTestSession) -> dict[str, Any] | None:
    """The next presence frame about the customer's agent (skipping case changes)."""
    body: dict[str, Any] | None = until(chat, lambda f: f["type"] == "presence")["agent"]
    return body


def test_the_customer_sees_their_agent_come_step_away_and_leave(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)

    with customer_socket(client, zhang, conversation) as chat:
        assert frame(chat)["agent"] is None, "nobody has the case yet"
        given = client.post(
            f"/api/v1/staff/cases/{case_id}/assign",
            headers=boss.headers,
            json={"assignee_id": wang.user_id},
        )
        assert given.status_code == 200
        assert agent_shown(chat) == {"name": "Wang", "status": "offline"}

        with inbox_socket(client, wang.headers) as inbox:
            frame(inbox)
            assert agent_shown(chat) == {"name": "Wang", "status": "online"}
            away = client.post(
                "/api/v1/staff/status", headers=wang.headers, json={"status": "away"}
            )
            assert away.status_code == 200
            assert agent_shown(chat) == {"name": "Wang", "status": "away"}
        assert agent_shown(chat) == {"name": "Wang", "status": "offline"}, "last socket closed"

    with customer_socket(client, zhang, conversation) as chat:
        assert frame(chat)["agent"] == {"name": "Wang", "status": "offline"}


def test_a_customer_does_not_see_the_agents_of_other_peoples_cases(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    wang = staff_member(client, rt, "Wang", "agent")
    zhao = staff_member(client, rt, "Zhao", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    mine = start_chat(client, zhang, "我的提现三天了还没到账")
    theirs = start_chat(client, li, "转账失败了")
    hand_off(client, zhang, mine["conversation_id"])
    hand_off(client, li, theirs["conversation_id"])
    for case, agent in ((theirs, wang), (mine, zhao)):
        given = client.post(
            f"/api/v1/staff/cases/{case['case']['id']}/assign",
            headers=boss.headers,
            json={"assignee_id": agent.user_id},
        )
        assert given.status_code == 200

    with customer_socket(client, zhang, mine["conversation_id"]) as chat:
        assert frame(chat)["agent"] == {"name": "Zhao", "status": "offline"}
        with inbox_socket(client, wang.headers) as inbox:
            frame(inbox)
            chat.send_json({"type": "ping"})
            # Wang came online for Li's case only: the next frame Zhang gets is the pong.
            assert frame(chat) == {"type": "pong"}
