"""The support sweeper takes a dead server's agents offline even where no server that is
still up ever held a socket (its own heartbeat never runs): every sweep round runs the
dead-server presence sweep, at the `PRESENCE_TTL` (90 s) edge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support_desk.helpers import staff_member
from tests.support_desk.test_agent_one_status import both_show, dead_server_socket, set_status
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support import realtime_presence
from walletdesk.support.sweeper import sweep_once


@pytest.mark.parametrize(
    ("label", "seconds", "expected"),
    [
        ("T-1 s: the dead server's socket may still be alive", 89, "away"),
        ("T: 90 s without a refresh", 90, "offline"),
    ],
)
def test_the_sweeper_takes_a_dead_servers_agents_offline_with_no_socket_in_this_process(
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
    set_status(client, wang, "status", "away")
    assert not client.app.state.chat_hub._ever_attached  # type: ignore[attr-defined]

    clock.advance(timedelta(seconds=seconds))
    sweep_once(rt)
    assert both_show(client, boss, wang.user_id) == (expected, expected), label


def test_the_sweep_leaves_an_agent_who_set_a_status_after_their_server_died(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Sun", "supervisor")
    realtime_presence.record_sockets(rt, [dead_server_socket(wang.user_id, clock.now())], [])
    clock.advance(timedelta(seconds=100))
    set_status(client, wang, "status", "away")  # still working email through the API
    clock.advance(timedelta(seconds=30))
    assert realtime_presence.sweep(rt) == []
    assert both_show(client, boss, wang.user_id) == ("away", "away")
