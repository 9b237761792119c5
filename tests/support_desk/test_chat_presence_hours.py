"""Presence and agents' hours on the injected clock: an agent's first inbox socket brings them
online, they can say away, their last socket closing takes them offline; a customer's presence
reaches their agent; people answer Monday to Friday 09:00-18:00 Beijing time, and outside those
hours the assistant keeps the chat until they come."""

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import (
    customer_socket,
    frame,
    inbox_socket,
    next_of,
    until,
    watch,
)
from tests.support_desk.helpers import beijing, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support import realtime_presence
from walletdesk.support.conversations import post_bot_message
from walletdesk.support.sweeper import sweep_once

SECOND = timedelta(seconds=1)


def eventually(check: Callable[[], bool]) -> None:
    """A socket's goodbye is stored just after it closes; wait (bounded) until it is."""
    import time

    for _ in range(500):
        if check():
            return
        time.sleep(0.01)
    raise AssertionError("never happened")


def agent_shown(socket: WebSocketTestSession, user_id: str) -> dict:
    """The next presence frame about agent `user_id` (a supervisor also sees themselves)."""
    body: dict = until(
        socket, lambda f: f["type"] == "presence" and f.get("agent", {}).get("user_id") == user_id
    )["agent"]
    return body


def customer_shown(socket: WebSocketTestSession) -> dict:
    """The next presence frame about a customer (the agent's own arrival may come first)."""
    body: dict = until(socket, lambda f: f["type"] == "presence" and "customer" in f)["customer"]
    return body


def status_of(client: TestClient, headers: dict[str, str], user_id: str) -> str:
    team = client.get("/api/v1/staff/presence", headers=headers).json()
    status: str = next(a["status"] for a in team if a["user_id"] == user_id)
    return status


def test_an_agent_is_online_from_their_first_inbox_socket_and_away_when_they_say_so(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    agent = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    assert status_of(client, boss.headers, agent.user_id) == "offline", "no socket yet"

    with inbox_socket(client, boss.headers) as dashboard:
        frame(dashboard)
        with inbox_socket(client, agent.headers) as inbox:
            ready = frame(inbox)
            assert ready["presence"]["status"] == "online"
            shown = agent_shown(dashboard, agent.user_id)
            assert (shown["user_id"], shown["name"], shown["status"]) == (
                agent.user_id,
                "Wang",
                "online",
            )
            assert status_of(client, boss.headers, agent.user_id) == "online"

            away = client.post(
                "/api/v1/staff/presence", headers=agent.headers, json={"status": "away"}
            )
            assert away.json()["status"] == "away"
            assert agent_shown(dashboard, agent.user_id)["status"] == "away"
            assert agent_shown(inbox, agent.user_id)["status"] == "online", "their arrival"
            assert agent_shown(inbox, agent.user_id)["status"] == "away", "and their other tabs"

            # The status is stored (routing's), not read off socket freshness: while this
            # server keeps refreshing its sockets its agents keep their status. A dead
            # server's agents go offline: test_agent_one_status.py.
            clock.advance(timedelta(seconds=90))
            assert status_of(client, boss.headers, agent.user_id) == "away"
            realtime_presence.heartbeat(rt, client.app.state.chat_hub.node)  # type: ignore[attr-defined]
            assert status_of(client, boss.headers, agent.user_id) == "away"

            client.post("/api/v1/staff/presence", headers=agent.headers, json={"status": "online"})
            assert status_of(client, boss.headers, agent.user_id) == "online"
        assert agent_shown(dashboard, agent.user_id)["status"] == "online"
        assert agent_shown(dashboard, agent.user_id)["status"] == "offline", "socket closed"
    assert status_of(client, boss.headers, agent.user_id) == "offline"


def test_an_unknown_status_is_refused(client: TestClient, rt: Runtime) -> None:
    agent = staff_member(client, rt, "Wang", "agent")
    refused = client.post("/api/v1/staff/presence", headers=agent.headers, json={"status": "busy"})
    assert refused.status_code == 422


def test_the_agent_of_a_case_sees_the_customer_come_and_go(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)
    presence_url = f"/api/v1/staff/cases/{case_id}/presence"
    assert client.get(presence_url, headers=agent.headers).json()["customer"] == {
        "status": "offline",
        "last_seen_at": None,
    }

    with inbox_socket(client, agent.headers) as inbox:
        frame(inbox)
        assert watch(inbox, case_id)["customer"]["status"] == "offline"
        with customer_socket(client, zhang, conversation) as chat:
            frame(chat)
            came = customer_shown(inbox)
            assert (came["case_id"], came["status"]) == (case_id, "online")
            seen = client.get(presence_url, headers=agent.headers).json()
            assert seen["customer"] == {"status": "online", "last_seen_at": "2026-11-23T09:00:00Z"}
            clock.advance(timedelta(seconds=90))
            faded = client.get(presence_url, headers=agent.headers).json()["customer"]
            assert faded["status"] == "offline", "not refreshed for 90 s"
            realtime_presence.heartbeat(rt, client.app.state.chat_hub.node)  # type: ignore[attr-defined]
        went = customer_shown(inbox)
        assert went["status"] == "offline"
    eventually(
        lambda: (
            client.get(presence_url, headers=agent.headers).json()["customer"]["status"]
            == "offline"
        )
    )
    customer = client.get(presence_url, headers=zhang)
    assert customer.status_code in (401, 403), "staff only"


def hours(client: TestClient, **headers: str) -> dict:
    body: dict = client.get("/api/v1/support/hours", headers=headers).json()
    return body


def test_people_answer_until_18_00_on_friday_and_again_from_09_00_on_monday(
    client: TestClient, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-11-27 17:59:59"))
    friday = hours(client)
    assert friday["humans_online"] is True
    assert friday["closes_at"] == "2026-11-27T10:00:00Z"
    assert friday["weekly"]["fri"] == ["09:00-18:00"] and friday["weekly"]["sat"] == []
    assert friday["text"] == "人工客服现在在线。"

    clock.advance(SECOND)
    evening = hours(client, **{"Accept-Language": "en"})
    assert evening["humans_online"] is False
    assert evening["next_human_at"] == "2026-11-30T01:00:00Z"
    assert evening["text"] == (
        "Our agents are offline now. A person will answer you from Nov 30, 2026 09:00 "
        "Beijing time; until then the assistant keeps helping you."
    )

    clock.set(beijing("2026-11-30 08:59:59"))
    assert hours(client)["humans_online"] is False
    clock.advance(SECOND)
    assert hours(client)["humans_online"] is True


def test_nobody_answers_during_the_national_day_holiday_until_8_october(
    client: TestClient, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-10-01 10:00"))
    holiday = hours(client)
    assert holiday["humans_online"] is False
    assert holiday["next_human_at"] == "2026-10-08T01:00:00Z"


def test_outside_hours_the_assistant_keeps_the_chat_until_monday_09_00(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    clock.set(beijing("2026-11-27 18:00"))
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]

    with customer_socket(client, zhang, conversation) as chat:
        ready = frame(chat)
        assert ready["hours"]["humans_online"] is False
        assert ready["hours"]["next_human_at"] == "2026-11-30T01:00:00Z"
        asked = hand_off(client, zhang, conversation)
        assert asked["expected"]["waiting_for"] == "bot", "the assistant keeps the chat"
        told = next_of(chat, "message")["message"]
        assert told["author"] == {"kind": "system", "name": None}
        assert told["text"] == (
            "人工客服现在不在线，将于2026年11月30日 09:00起为你服务；"
            "在此之前，智能助手会继续为你解答。"
        )
    hand_off(client, zhang, conversation)
    texts = client.get(f"/api/v1/conversations/{conversation}/messages", headers=zhang).json()
    assert [m["author"]["kind"] for m in texts["items"]] == ["contact", "system"], "told once"
    post_bot_message(rt, conversation, text="我先帮您查一下提现进度。")

    clock.set(beijing("2026-11-30 08:59:59"))
    sweep_once(rt)
    queue = client.get("/api/v1/staff/cases", headers=agent.headers).json()["items"]
    assert case_id not in [c["id"] for c in queue]

    clock.advance(SECOND)
    sweep_once(rt)
    queue = client.get("/api/v1/staff/cases", headers=agent.headers).json()["items"]
    assert case_id in [c["id"] for c in queue], "handed to the agents as their day begins"
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["expected"]["waiting_for"] == "support"


def test_a_minute_before_closing_the_chat_goes_to_the_agents_at_once(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    clock.set(beijing("2026-11-27 17:59:59"))
    started = start_chat(client, zhang, "银行卡绑定失败")
    asked = hand_off(client, zhang, started["conversation_id"])
    assert asked["expected"]["waiting_for"] == "support"
