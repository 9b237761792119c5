"""An agent has one status (online / away / offline), stored where routing keeps it: whatever
sets it (`/staff/status`, `/staff/presence`, their sockets, the heartbeat), routing picks by it
and chat shows it. The first inbox socket brings an offline agent online, the last one closing
takes them offline, away stays away while they are connected, and a dead server's agents go
offline at the heartbeat once its sockets are `PRESENCE_TTL` (90 s) old."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import frame, inbox_socket
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from tests.support_desk.test_chat_presence_hours import eventually, status_of
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support import realtime_presence
from walletdesk.support.realtime_models import SocketRecord


def set_status(client: TestClient, who: Staff, endpoint: str, status: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/staff/{endpoint}", headers=who.headers, json={"status": status}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def routing_status(client: TestClient, boss: Staff, user_id: str) -> str:
    agents = client.get("/api/v1/staff/agents", headers=boss.headers).json()["items"]
    status: str = next(a["status"] for a in agents if a["user_id"] == user_id)
    return status


def both_show(client: TestClient, boss: Staff, user_id: str) -> tuple[str, str]:
    """(what routing has, what chat shows) for the agent."""
    return routing_status(client, boss, user_id), status_of(client, boss.headers, user_id)


def assignee(client: TestClient, who: Staff, case_id: str) -> str | None:
    value: str | None = client.get(f"/api/v1/staff/cases/{case_id}", headers=who.headers).json()[
        "assignee_id"
    ]
    return value


def handed_off(client: TestClient, customer: dict[str, str], text: str) -> str:
    started = start_chat(client, customer, text)
    hand_off(client, customer, started["conversation_id"])
    case_id: str = started["case"]["id"]
    return case_id


def sockets_of(rt: Runtime, user_id: str) -> int:
    with rt.db.uow(read_only=True) as uow:
        return len(uow.chat.sockets.for_users([user_id]))


def test_the_status_set_through_either_endpoint_is_what_routing_picks_by_and_chat_shows(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    set_status(client, boss, "status", "offline")

    assert set_status(client, wang, "status", "away")["status"] == "away"
    assert both_show(client, boss, wang.user_id) == ("away", "away")
    assert set_status(client, wang, "presence", "online")["status"] == "online"
    assert both_show(client, boss, wang.user_id) == ("online", "online")
    first = handed_off(client, zhang, "提现三天没到账")
    assert assignee(client, boss, first) == wang.user_id, "routing picks the online agent"

    assert set_status(client, wang, "presence", "offline")["status"] == "offline"
    assert both_show(client, boss, wang.user_id) == ("offline", "offline")
    second = handed_off(client, zhang, "充值失败了")
    assert assignee(client, boss, second) is None, "nobody takes cases: it waits"


def test_the_first_inbox_socket_brings_an_agent_online_and_the_last_one_takes_them_offline(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    set_status(client, boss, "status", "offline")
    waiting = handed_off(client, zhang, "提现三天没到账")
    assert assignee(client, boss, waiting) is None, "no agent online yet"

    with inbox_socket(client, wang.headers) as inbox:
        assert frame(inbox)["presence"]["status"] == "online"
        assert both_show(client, boss, wang.user_id) == ("online", "online")
        # Coming online through the socket is coming online for routing too: the waiting
        # case is offered to them.
        assert assignee(client, boss, waiting) == wang.user_id
    # The goodbye is stored, then the unaccepted offer goes back, just after the socket closed.
    eventually(lambda: assignee(client, boss, waiting) is None)
    assert both_show(client, boss, wang.user_id) == ("offline", "offline")


def test_away_stays_away_while_connected_across_a_reconnect(
    client: TestClient, rt: Runtime
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    old_tab = inbox_socket(client, wang.headers)
    old = old_tab.__enter__()
    assert frame(old)["presence"]["status"] == "online"
    set_status(client, wang, "presence", "away")

    with inbox_socket(client, wang.headers) as new:
        assert frame(new)["presence"]["status"] == "away", "a second socket keeps the status"
        old_tab.__exit__(None, None, None)
        eventually(lambda: sockets_of(rt, wang.user_id) == 1)
        assert both_show(client, boss, wang.user_id) == ("away", "away")
    eventually(lambda: sockets_of(rt, wang.user_id) == 0)
    assert both_show(client, boss, wang.user_id) == ("offline", "offline"), "last socket gone"


def dead_server_socket(user_id: str, at: datetime) -> SocketRecord:
    return SocketRecord(
        id="sock_on_dead_server",
        node="dead-server",
        kind="staff",
        user_id=user_id,
        contact_id=None,
        conversation_id=None,
        connected_at=at,
        seen_at=at,
    )


@pytest.mark.parametrize(
    ("label", "seconds", "expected"),
    [
        ("T-1 s: the socket may still be alive", 89, "away"),
        ("T: 90 s without a refresh", 90, "offline"),
        ("T+1 s", 91, "offline"),
    ],
)
def test_a_dead_servers_agents_go_offline_at_the_heartbeat_edge(
    client: TestClient,
    rt: Runtime,
    clock: FrozenClock,
    label: str,
    seconds: int,
    expected: str,
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    realtime_presence.record_sockets(rt, [dead_server_socket(wang.user_id, clock.now())], [])
    assert both_show(client, boss, wang.user_id) == ("online", "online"), "their first socket"
    set_status(client, wang, "status", "away")

    clock.advance(timedelta(seconds=seconds))
    realtime_presence.heartbeat(rt, "live-server")
    assert both_show(client, boss, wang.user_id) == (expected, expected), label


def test_an_agent_who_sets_a_status_after_their_server_died_keeps_it(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    realtime_presence.record_sockets(rt, [dead_server_socket(wang.user_id, clock.now())], [])
    clock.advance(timedelta(seconds=90))
    realtime_presence.heartbeat(rt, "live-server")
    assert both_show(client, boss, wang.user_id) == ("offline", "offline")

    clock.advance(timedelta(seconds=10))
    set_status(client, wang, "status", "online")  # e.g. working email through the API
    clock.advance(timedelta(seconds=30))
    realtime_presence.heartbeat(rt, "live-server")
    assert both_show(client, boss, wang.user_id) == ("online", "online")


def test_a_server_that_stops_takes_its_agents_offline(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    realtime_presence.record_sockets(rt, [dead_server_socket(wang.user_id, clock.now())], [])
    assert both_show(client, boss, wang.user_id) == ("online", "online")
    realtime_presence.forget_node(rt, "dead-server")
    assert both_show(client, boss, wang.user_id) == ("offline", "offline")
