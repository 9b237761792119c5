"""The assistant against scams and takeover: a scam story gets a warning, a freeze offer and
an urgent hand-off; secrets are stored masked; nothing the assistant says asks for one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.bot.dialogue_helpers import events, last_reply, messages, say, start, tool_events
from tests.support import TOM, ZHANG_MING, sign_up_and_in
from walletdesk.bot import replies
from walletdesk.bot.catalogue import TITLES
from walletdesk.bot.replies import Line
from walletdesk.i18n import Text
from walletdesk.runtime import Runtime
from walletdesk.support.impersonation import risky_requests


@pytest.mark.parametrize(
    ("person", "story", "warning"),
    [
        (ZHANG_MING, "有个自称客服的人打电话，让我开屏幕共享，把钱转到安全账户", "这很可能是诈骗"),
        (
            TOM,
            "someone from customer service called and asked me to move my money to a safe account",
            "this is very likely a scam",
        ),
        (TOM, "they said I must pay a fee first to get my refund", "this is very likely a scam"),
    ],
)
def test_a_scam_story_gets_a_warning_a_freeze_offer_and_an_urgent_hand_off(
    client: TestClient, assistant: Runtime, person: object, story: str, warning: str
) -> None:
    headers = sign_up_and_in(client, person)  # type: ignore[arg-type]
    conversation, case = start(client, headers, "hi")
    say(client, headers, conversation, story)
    reply = last_reply(client, headers, conversation)
    assert warning in reply
    assert "冻结钱包" in reply or "Freeze my wallet" in reply
    [handed] = events(assistant, case, "conversation.handed_off")
    assert handed.after["reason"] == "scam_story"
    assert handed.after["context"]["urgent"] is True
    assert handed.after["context"]["suggested_priority"] == "urgent"
    detail = client.get(f"/api/v1/cases/{case}", headers=headers).json()
    assert detail["expected"]["waiting_for"] == "support"
    with assistant.db.uow(read_only=True) as uow:
        stored = uow.support.cases.get(case)
        assert stored is not None and stored.priority == "urgent"
    assert tool_events(assistant, case)[-1] == {
        "tool": "freeze_wallet",
        "tier": "reversible",
        "outcome": "offered",
    }
    # The freeze offer still works after the hand-off: one tap, at once.
    tapped = client.post(
        f"/api/v1/bot/conversations/{conversation}/confirm",
        headers=headers,
        json={"tool": "freeze_wallet"},
    )
    assert tapped.status_code == 200, tapped.text
    assert client.get("/api/v1/me", headers=headers).json()["frozen"] is True
    again = client.post(
        f"/api/v1/bot/conversations/{conversation}/confirm",
        headers=headers,
        json={"tool": "freeze_wallet"},
    )
    assert again.status_code == 409


def test_a_stolen_card_hands_off_as_urgent(client: TestClient, assistant: Runtime) -> None:
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "my card ending 1234 was stolen")
    [handed] = events(assistant, case, "conversation.handed_off")
    assert handed.after["context"]["intent"] == "card_lost_or_stolen"
    assert handed.after["context"]["suggested_priority"] == "urgent"
    assert "act now" in last_reply(client, tom, conversation)


def test_a_password_sent_in_the_chat_is_stored_masked_and_the_assistant_says_it_never_asks(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, zhang, "你好")
    say(client, zhang, conversation, "我的密码是abc12345")
    texts = [m["text"] for m in messages(client, zhang, conversation)]
    assert "我的密码是******" in texts
    assert all("abc12345" not in text for text in texts)
    with assistant.db.uow(read_only=True) as uow:
        assert all("abc12345" not in m.body for m in uow.support.messages.for_case(case))
    reply = last_reply(client, zhang, conversation)
    assert "我绝不会向您索要密码" in reply and "真正的客服也不会" in reply
    assert events(assistant, case, "bot.turn")[-1].after["action"] == "masked"


def _every_reply_line() -> list[Line]:
    params: dict[str, object] = {
        "title": "Fees",
        "summary": "Top-ups are free.",
        "link": "/api/v1/help/articles/kb_x",
        "first": Text(TITLES["refund"]),
        "second": Text(TITLES["fees"]),
        "currency": "USD",
        "available": "¥1",
        "held": "¥0",
        "when": "today",
        "kind": "top-up",
        "amount": "¥1",
        "status": "failed",
        "reference": "je_1",
        "counterparty": "李娜",
        "reason": "declined.",
        "next_step": "use another card.",
        "expected": "soon",
        "per_transaction": "¥1",
        "day": "¥1",
        "year": "¥1",
        "free": 2,
        "rate": "0.1",
        "minimum": "¥0.10",
        "buy": "7.1",
        "sell": "7.0",
        "due": "tomorrow",
        "hotline": "95188",
        "action": Text(replies.ACTION_NAMES["refund"]),
        "case": "case_1",
        "left": "¥1",
        "amount_off": "¥10",
        "min_spend": "¥100",
        "expires": "Dec 12",
        "merchant": "喜茶 HEYTEA",
    }
    found = []
    for name in dir(replies):
        value = getattr(replies, name)
        if name.isupper() and isinstance(value, str) and not name.startswith("_"):
            found.append(Line(value, params))
    return found


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_nothing_the_assistant_says_asks_for_a_password_code_or_card_number(
    locale: str,
) -> None:
    lines = _every_reply_line()
    assert len(lines) > 50
    risky = {line.msgid: risky_requests(line.text(locale)) for line in lines}
    assert {msgid: found for msgid, found in risky.items() if found} == {}
