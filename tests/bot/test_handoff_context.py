"""Every hand-off carries the assistant's context in its one `conversation.handed_off` event —
also the ones it does not make in a turn: the customer's own "talk to a person" button (the
chat widget and the API), and a request that waited for the agents' hours and is handed over
by the support sweeper."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.bot.dialogue_helpers import events, last_turn, say, start
from tests.support import TOM, ZHANG_MING, sign_up_and_in
from tests.web.test_chat_widget_pages import signed_in
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.realtime_hours import hand_off_due

EVENING = timedelta(hours=2)
"""START is 17:00 in Beijing on a Monday; two hours later the agents are off duty."""
NEXT_MORNING = timedelta(hours=16)
"""From Monday 19:00 to Tuesday 11:00: the agents are back."""


def handed_context(rt: Runtime, case_id: str) -> dict[str, Any]:
    [handed] = events(rt, case_id, "conversation.handed_off")
    context: dict[str, Any] = handed.after["context"]
    assert context is not None, "the hand-off carries no context"
    return context


def test_the_widgets_hand_off_button_carries_what_the_assistant_understood(
    client: TestClient, assistant: Runtime
) -> None:
    widget = signed_in(client, TOM, "en")
    view = widget.start("my withdrawal has not arrived yet")
    conversation = view["conversation_id"]
    case_id = _case_of(assistant, conversation)
    turn = last_turn(assistant, case_id)
    assert turn["intent"] is not None

    assert widget.hand_off()["handoff"]["state"] == "human"
    [handed] = events(assistant, case_id, "conversation.handed_off")
    assert handed.after["reason"] == "customer_asked"
    context = handed.after["context"]
    assert context["intent"] == turn["intent"]
    assert context["confidence"] == turn["confidence"] > 0
    assert context["language"] == "en" and context["locale"] == "en"
    assert context["customer_tier"] == 0 and context["suggested_priority"] == "normal"
    assert context["urgent"] is False and context["callback_requested"] is False
    said = [(line["author"], line["text"]) for line in context["transcript"]]
    assert said[0] == ("contact", "my withdrawal has not arrived yet")
    assert [author for author, _ in said] == ["contact", "bot"]


def test_a_request_for_a_person_after_hours_is_handed_over_in_the_morning_with_its_context(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    clock.advance(EVENING)
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case_id = start(client, zhang, "提现还没到账")
    asked = client.post(f"/api/v1/conversations/{conversation}/handoff", headers=zhang)
    assert asked.status_code == 200, asked.text
    assert events(assistant, case_id, "conversation.handed_off") == []
    say(client, zhang, conversation, "是昨天提的500元")
    turn = last_turn(assistant, case_id)

    assert hand_off_due(assistant) == 0  # still the evening
    clock.advance(NEXT_MORNING)
    assert hand_off_due(assistant) == 1
    context = handed_context(assistant, case_id)
    assert context["intent"] == turn["intent"]
    assert context["confidence"] == turn["confidence"]
    assert context["language"] == "zh" and context["locale"] == "zh-CN"
    assert context["customer_tier"] == 0 and context["suggested_priority"] == "normal"
    texts = [line["text"] for line in context["transcript"]]
    # What was said while the request waited is there too.
    assert texts[0] == "提现还没到账" and "是昨天提的500元" in texts
    assert hand_off_due(assistant) == 0  # handed over once


def test_the_assistants_own_deferred_hand_off_keeps_its_context_when_swept(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    clock.advance(EVENING)
    tom = sign_up_and_in(client, TOM)
    conversation, case_id = start(client, tom, "my withdrawal has not arrived")
    say(client, tom, conversation, "human")
    assert last_turn(assistant, case_id)["awaiting"]["kind"] == "offline"
    clock.advance(NEXT_MORNING)
    assert hand_off_due(assistant) == 1
    context = handed_context(assistant, case_id)
    assert context["language"] == "en" and context["suggested_priority"] == "normal"
    assert context["intent"] == last_turn(assistant, case_id)["intent"]
    assert [line["author"] for line in context["transcript"]][:2] == ["contact", "bot"]


def _case_of(rt: Runtime, conversation_id: str) -> str:
    with rt.db.uow(read_only=True) as uow:
        found = uow.support.conversations.get(conversation_id)
        assert found is not None
        return str(found.case_id)
