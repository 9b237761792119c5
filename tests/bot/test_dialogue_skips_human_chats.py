"""Once people have a conversation, the assistant's subscriber costs a customer's message
nothing: the announced event says the conversation is no longer the assistant's, so it
returns without a read (it used to read the conversation and the message on every one)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.bot.dialogue_helpers import say, start
from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import hand_off
from walletdesk.bot import dialogue
from walletdesk.runtime import Runtime
from walletdesk.support.events import InProcessPublisher, SupportEvent


def customer_messages(rt: Runtime) -> list[SupportEvent]:
    seen: list[SupportEvent] = []
    assert isinstance(rt.support_events, InProcessPublisher)

    def record(announced: SupportEvent) -> None:
        if announced.kind == "message.added" and announced.actor_kind == "contact":
            seen.append(announced)

    rt.support_events.subscribe(record)
    return seen


def statements_of(rt: Runtime, subscriber_event: SupportEvent) -> list[str]:
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(rt.db.engine, "before_cursor_execute", record)
    try:
        dialogue.on_event(rt, subscriber_event)
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", record)
    return sent


def test_the_assistant_reads_nothing_for_a_message_in_a_chat_people_have(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    seen = customer_messages(assistant)
    conversation, _ = start(client, zhang, "我的提现三天了还没到账")
    assert seen[-1].message is not None and seen[-1].message["with_assistant"] is True

    hand_off(client, zhang, conversation)
    say(client, zhang, conversation, "还是没有到账")
    with_people = seen[-1]
    assert with_people.message is not None and with_people.message["with_assistant"] is False
    assert statements_of(assistant, with_people) == []
