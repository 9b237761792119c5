"""What one chat message costs the database, and the calendars cache that keeps it down.

On a loaded machine a chat message's time is mostly its round trips to PostgreSQL
(docs/benchmarks.md, chat), so the statements a message sends over the socket are counted:
a new statement on this path should be a decision, not an accident. The business calendars
are read once per `CALENDARS_FRESH_SECONDS` in a process (the SLA policies likewise:
test_sla_policy_cache.py), and a change through the admin's services is seen at once by the
process that made it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from starlette.testclient import WebSocketTestSession

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import customer_socket, frame, inbox_socket, until
from tests.support_desk.helpers import beijing, hand_off, staff_member, start_chat
from walletdesk.audit.services import Actor
from walletdesk.runtime import Runtime
from walletdesk.support import holidays
from walletdesk.support.calendar_admin import set_business_hours
from walletdesk.support.holidays import load_calendars, set_public_holidays

CUSTOMER_MESSAGE = {"postgresql": 8, "sqlite": 9}
"""Statements of a customer's message on its socket, once the first response was given: the
session check, the conversation with its locked case, the message, the event with the case's
version (one statement on PostgreSQL), the routing row, the SLA targets, the next-response
target, the case. The SLA policies come from the process's cache (`sla_clock.sla_policies`)."""
AGENT_REPLY = {"postgresql": 10, "sqlite": 12}
"""An agent's answer on their inbox socket: the session check, the locked case, its
conversations, the message, two events (the message, the SLA target met), the routing row, the
SLA targets, the target, the case."""


@contextmanager
def statements_on(rt: Runtime, thread_prefix: str) -> Iterator[list[str]]:
    """The SQL statements that threads named `thread_prefix…` send while the block runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        # SQLite's BEGIN goes through the cursor; psycopg sends its own apart from it.
        if threading.current_thread().name.startswith(thread_prefix) and not (
            statement.startswith("BEGIN")
        ):
            seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", record)


def send(socket: WebSocketTestSession, text: str, client_id: str, **extra: Any) -> dict:
    socket.send_json({"type": "message", "text": text, "client_id": client_id} | extra)
    return until(
        socket, lambda f: f["type"] in ("ack", "error") and f.get("client_id") == client_id
    )


def test_a_chat_message_on_its_socket_stays_within_its_statements(
    client: TestClient, rt: Runtime
) -> None:
    dialect = rt.db.engine.dialect.name
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我的提现三天了还没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)
    assigned = client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=agent.headers,
        json={"assignee_id": agent.user_id},
    )
    assert assigned.status_code == 200, assigned.text
    with (
        inbox_socket(client, agent.headers) as inbox,
        customer_socket(client, zhang, conversation) as chat,
    ):
        frame(inbox)
        frame(chat)
        # The first answer starts the next-response cycle; the second round is the steady one.
        assert send(chat, "银行说已经退回了", "c-1")["type"] == "ack"
        assert send(inbox, "我来查一下", "a-1", case_id=case_id)["type"] == "ack"

        with statements_on(rt, "chat-message") as customer:
            assert send(chat, "还是没有到账", "c-2")["type"] == "ack"
        with statements_on(rt, "chat-message") as answer:
            assert send(inbox, "已经催办银行", "a-2", case_id=case_id)["type"] == "ack"

    assert len(customer) <= CUSTOMER_MESSAGE[dialect], "\n".join(customer)
    assert len(answer) <= AGENT_REPLY[dialect], "\n".join(answer)
    assert not [s for s in customer + answer if "holiday" in s], "calendars come from the cache"
    assert not [s for s in customer + answer if "sla_policies" in s], "policies too"


def test_the_calendars_are_read_once_and_a_new_holiday_year_counts_at_once(
    rt: Runtime,
) -> None:
    new_years_day_2027 = beijing("2027-01-01 10:00")  # a Friday
    with statements_on(rt, "MainThread") as reads:
        for _ in range(3):
            with rt.db.uow(read_only=True) as uow:
                assert load_calendars(uow).get("business").is_open(new_years_day_2027)
    assert len(reads) <= 2, "the holiday years and the weekly hours, read once"

    set_public_holidays(
        rt,
        year=2027,
        data={
            "source": "国务院办公厅关于2027年部分节假日安排的通知 (test)",
            "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
            "workdays": [],
        },
        actor=Actor.staff("usr_supervisor"),
    )
    with rt.db.uow(read_only=True) as uow:
        assert not load_calendars(uow).get("business").is_open(new_years_day_2027)


def test_new_weekly_hours_count_at_once_in_the_process_that_set_them(rt: Runtime) -> None:
    saturday_morning = beijing("2026-11-28 10:00")
    with rt.db.uow(read_only=True) as uow:
        assert not load_calendars(uow).get("business").is_open(saturday_morning)
    weekdays = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    set_business_hours(
        rt,
        Actor.staff("usr_admin"),
        calendar="business",
        days=weekdays | {"sun": ""},
        makeup_day="09:00-18:00",
    )
    with rt.db.uow(read_only=True) as uow:
        assert load_calendars(uow).get("business").is_open(saturday_morning)


def test_a_rolled_back_change_leaves_the_cached_calendars(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        before = load_calendars(uow)
    with rt.db.uow() as uow:
        holidays.forget_calendars(uow)  # a writer that then fails: no commit
    with rt.db.uow(read_only=True) as uow:
        assert load_calendars(uow) is before
