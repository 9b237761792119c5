"""Scripted chats with the assistant through the API: greetings, answers from the help centre
with their link, "转人工" on the first try with the hand-off context, and thumbs up/down."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.bot.dialogue_helpers import events, last_reply, last_turn, say, start
from tests.support import TOM, ZHANG_MING, sign_up_and_in
from walletdesk.runtime import Runtime


def test_the_assistant_greets_and_thanks_in_the_customers_language(
    client: TestClient, assistant: Runtime
) -> None:
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "Hello there")
    assert last_reply(client, tom, conversation).startswith("Hello! I am the walletdesk assistant")
    say(client, tom, conversation, "thanks a lot")
    assert last_reply(client, tom, conversation).startswith("You are welcome")
    say(client, tom, conversation, "谢谢")
    assert last_reply(client, tom, conversation).startswith("不客气")
    assert [t.after["action"] for t in events(assistant, case, "bot.turn")] == [
        "greet",
        "thank",
        "thank",
    ]


@pytest.mark.parametrize(
    ("person", "question", "locale"),
    [
        (ZHANG_MING, "怎么识别假冒客服", "zh-CN"),
        (TOM, "How can I tell if a caller is really walletdesk customer service?", "en"),
    ],
)
def test_an_answer_comes_from_the_help_centre_in_the_customers_language_with_its_link(
    client: TestClient,
    assistant: Runtime,
    person: object,
    question: str,
    locale: str,
) -> None:
    headers = sign_up_and_in(client, person)  # type: ignore[arg-type]
    conversation, case = start(client, headers, question)
    reply = last_reply(client, headers, conversation)
    turn = last_turn(assistant, case)
    assert turn["action"] == "answer" and turn["article"] == "fake-customer-service"
    assert "/api/v1/help/articles/kb_" in reply and f"locale={locale}" in reply
    if locale == "zh-CN":
        assert "查看全文" in reply
    else:
        assert "Read more" in reply and "thumbs up" in reply


@pytest.mark.parametrize(("text", "language"), [("转人工", "zh"), ("human", "en")])
def test_asking_for_a_person_hands_off_on_the_first_try_with_the_context_in_one_event(
    client: TestClient, assistant: Runtime, text: str, language: str
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, zhang, "我的提现一直没到账")
    say(client, zhang, conversation, text)
    [handed] = events(assistant, case, "conversation.handed_off")
    context = handed.after["context"]
    assert handed.actor_kind == "bot" and handed.after["reason"] == "customer_asked"
    assert context["intent"] == "talk_to_human" and context["confidence"] == 1.0
    assert context["language"] == language
    assert context["customer_tier"] == 0 and context["suggested_priority"] == "normal"
    assert [m["author"] for m in context["transcript"][:2]] == ["contact", "bot"]
    assert context["transcript"][0]["text"] == "我的提现一直没到账"
    cases = client.get(f"/api/v1/cases/{case}", headers=zhang).json()
    assert cases["expected"]["waiting_for"] == "support"
    # The assistant has stopped: a later message gets no automatic answer.
    replies_before = len([e for e in events(assistant, case, "bot.turn")])
    say(client, zhang, conversation, "你好")
    assert len(events(assistant, case, "bot.turn")) == replies_before


def test_a_thumbs_up_or_down_is_stored_as_a_case_event_and_the_latest_counts(
    client: TestClient, assistant: Runtime
) -> None:
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "How can I tell if a caller is really walletdesk?")
    reply_id = last_turn(assistant, case)["reply_id"]
    url = f"/api/v1/bot/conversations/{conversation}/answers/{reply_id}/feedback"
    assert client.post(url, headers=tom, json={"helpful": False}).status_code == 204
    assert client.post(url, headers=tom, json={"helpful": True}).status_code == 204
    votes = [e.after for e in events(assistant, case, "bot.feedback")]
    assert [v["helpful"] for v in votes] == [False, True]
    assert votes[-1]["intent"] == last_turn(assistant, case)["intent"]
    assert votes[-1]["article"] == "fake-customer-service"
    own_message = reply_id - 1  # the customer's question is not an answer to rate
    wrong = f"/api/v1/bot/conversations/{conversation}/answers/{own_message}/feedback"
    assert client.post(wrong, headers=tom, json={"helpful": True}).status_code == 404


def test_nobody_rates_the_answers_in_someone_elses_conversation(
    client: TestClient, assistant: Runtime
) -> None:
    tom = sign_up_and_in(client, TOM)
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, tom, "hello")
    reply_id = last_turn(assistant, case)["reply_id"]
    url = f"/api/v1/bot/conversations/{conversation}/answers/{reply_id}/feedback"
    assert client.post(url, headers=zhang, json={"helpful": False}).status_code == 404
    assert events(assistant, case, "bot.feedback") == []


def test_out_of_scope_twice_in_a_row_hands_off(client: TestClient, assistant: Runtime) -> None:
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "recommend a pizza")
    assert last_reply(client, tom, conversation).startswith("Sorry, I did not understand")
    assert events(assistant, case, "conversation.handed_off") == []
    say(client, tom, conversation, "who is the best footballer")
    [handed] = events(assistant, case, "conversation.handed_off")
    assert handed.after["reason"] == "assistant_gave_up"
    assert last_reply(client, tom, conversation).startswith("I could not help you with this")
