"""Hand-off outside agents' hours (told when, offered a call-back or a ticket), proactive help
from the customer's own history only, and the assistant's metrics from the case events."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import top_up
from tests.bot.dialogue_helpers import events, last_reply, last_turn, say, start
from tests.support import LI_NA, TOM, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import staff_member
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

EVENING = timedelta(hours=2)
"""START is 17:00 in Beijing on a Monday; two hours later the agents are off duty."""


def test_outside_agents_hours_the_customer_is_told_when_and_can_leave_a_ticket(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    clock.advance(EVENING)
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "my withdrawal has not arrived")
    say(client, tom, conversation, "human")
    reply = last_reply(client, tom, conversation)
    assert "Our agents are offline now" in reply and "Nov 24, 2026 09:00" in reply
    assert events(assistant, case, "conversation.handed_off") == []
    assert last_turn(assistant, case)["awaiting"]["kind"] == "offline"
    say(client, tom, conversation, "2")
    [handed] = events(assistant, case, "conversation.handed_off")
    assert handed.after["reason"] == "ticket"
    assert handed.after["context"]["callback_requested"] is False
    assert "a person will answer here from" in last_reply(client, tom, conversation)


def test_outside_agents_hours_a_call_back_is_booked_and_flagged_for_the_agents(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    clock.advance(EVENING)
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, zhang, "转人工")
    assert "人工客服现在不在线" in last_reply(client, zhang, conversation)
    say(client, zhang, conversation, "1")
    [handed] = events(assistant, case, "conversation.handed_off")
    assert handed.after["reason"] == "callback"
    assert handed.after["context"]["callback_requested"] is True
    assert "核验码" in last_reply(client, zhang, conversation)


def _failed_top_up(client: TestClient, rt: Runtime) -> dict[str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_EXPIRED])
    assert top_up(client, zhang, card, "120.00", "t-1")[1]["status"] == "failed"
    return zhang


def test_a_failed_top_up_is_suggested_with_its_fix_once_and_can_be_dismissed(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = _failed_top_up(client, assistant)
    found = client.get("/api/v1/bot/suggestion", headers=zhang | {"Accept-Language": "en"})
    suggestion = found.json()["suggestion"]
    assert suggestion["kind"] == "topup_failed"
    assert "This bank card has expired." in suggestion["text"]
    assert "Bind the new card" in suggestion["text"]
    conversation, _ = start(client, zhang, "你好")
    assert "这张银行卡已过期" in last_reply(client, zhang, conversation)
    dismissed = client.post(
        "/api/v1/bot/suggestion/dismiss", headers=zhang, json={"key": suggestion["key"]}
    )
    assert dismissed.status_code == 204
    assert client.get("/api/v1/bot/suggestion", headers=zhang).json() == {"suggestion": None}


def test_a_suggestion_never_comes_from_another_users_data(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = _failed_top_up(client, assistant)
    key = client.get("/api/v1/bot/suggestion", headers=zhang).json()["suggestion"]["key"]
    li = sign_up_and_in(client, LI_NA)
    assert client.get("/api/v1/bot/suggestion", headers=li).json() == {"suggestion": None}
    refused = client.post("/api/v1/bot/suggestion/dismiss", headers=li, json={"key": key})
    assert refused.status_code == 404
    assert client.get("/api/v1/bot/suggestion", headers=zhang).json()["suggestion"]["key"] == key


def test_metrics_count_contained_and_handed_off_chats_per_intent_with_feedback(
    client: TestClient, assistant: Runtime
) -> None:
    tom = sign_up_and_in(client, TOM)
    answered, answered_case = start(client, tom, "How can I tell if a caller is really walletdesk?")
    reply_id = last_turn(assistant, answered_case)["reply_id"]
    client.post(
        f"/api/v1/bot/conversations/{answered}/answers/{reply_id}/feedback",
        headers=tom,
        json={"helpful": True},
    )
    handed, _ = start(client, tom, "what are your withdrawal fees")
    say(client, tom, handed, "human")
    supervisor = staff_member(client, assistant, "Wang", "supervisor")
    now = assistant.clock.now()
    response = client.get(
        "/api/v1/staff/metrics/bot",
        headers=supervisor.headers,
        params={
            "from": (now - timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["cases"] == 2
    assert body["totals"]["contained"] == 1 and body["totals"]["handed_off"] == 1
    assert body["totals"]["containment_rate"] == 0.5
    assert body["by_intent"]["is_this_really_you"]["contained"] == 1
    assert body["by_intent"]["is_this_really_you"]["helpful"] == 1
    assert body["by_intent"]["fees"]["handed_off"] == 1
    assert body["by_article"] == {"fake-customer-service": {"helpful": 1, "not_helpful": 0}}
    assert body["tools"]["read"] == {"done": 1}
    [day] = body["by_day"].values()
    assert day["cases"] == 2
    refused = client.get(
        "/api/v1/staff/metrics/bot",
        headers=tom,
        params={"from": now.isoformat(), "to": (now + timedelta(days=1)).isoformat()},
    )
    assert refused.status_code == 403
