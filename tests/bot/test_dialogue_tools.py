"""Every tool and tier in scripted chats (zh and en): reads for the signed-in customer only,
full details after a step-up, reversible tools only after a "yes", money-moving requests that
become cases for maker-checker and move no money."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import cny_wallet, top_up, withdraw
from tests.bot.dialogue_helpers import events, last_reply, last_turn, say, start, tool_events
from tests.support import TOM, ZHANG_MING, last_code, sign_up_and_in
from walletdesk.bot import dialogue
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.ledger.fx_rates import seed_demo_rates
from walletdesk.runtime import Runtime
from walletdesk.support.cases import do_add_message, do_open_case
from walletdesk.support.contacts import identify
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import Assurance, By, CaseType, Channel, IdentityKind, Visibility


def zhang_with_money(client: TestClient, rt: Runtime, amount: str = "800.00") -> dict[str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    assert top_up(client, zhang, card, amount, "fund-1")[1]["status"] == "succeeded"
    return zhang


def test_balances_are_read_for_the_signed_in_customer_in_zh_and_en(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = zhang_with_money(client, assistant)
    conversation, case = start(client, zhang, "我的余额是多少")
    assert "可用 ¥800.00" in last_reply(client, zhang, conversation)
    say(client, zhang, conversation, "what is my balance")
    assert "available CN¥800.00" in last_reply(client, zhang, conversation)
    calls = tool_events(assistant, case)
    assert [(c["tool"], c["tier"], c["outcome"]) for c in calls] == [
        ("balances", "read", "done"),
        ("balances", "read", "done"),
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("充值失败了是什么原因", "您的银行卡余额不足。"),
        ("why did my top up fail", "Your bank card does not have enough money for this."),
    ],
)
def test_a_failed_top_up_is_explained_with_the_ledgers_reason_and_the_fix(
    client: TestClient, assistant: Runtime, question: str, expected: str
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card = bind(client, assistant, zhang, ZHANG_MING, ICBC_DEBIT)
    bank(assistant).script(bank(assistant).token_for(ICBC_DEBIT), [Outcome.INSUFFICIENT_FUNDS])
    assert top_up(client, zhang, card, "300.00", "t-1")[1]["status"] == "failed"
    conversation, case = start(client, zhang, question)
    reply = last_reply(client, zhang, conversation)
    assert expected in reply and "300.00" in reply
    [call] = tool_events(assistant, case)
    assert call["tool"] == "topup_failure" and call["reason"] == "insufficient_funds"


def test_a_withdrawal_at_the_bank_says_when_it_normally_arrives(
    client: TestClient, assistant: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card = bind(client, assistant, zhang, ZHANG_MING, ICBC_DEBIT)
    top_up(client, zhang, card, "500.00", "fund")
    bank(assistant).script(bank(assistant).token_for(ICBC_DEBIT), [Outcome.NETWORK_TIMEOUT])
    status, body = withdraw(client, zhang, card, "100.00", "w-1")
    assert body["status"] == "processing", body
    conversation, case = start(client, zhang, "my withdrawal has not arrived yet")
    reply = last_reply(client, zhang, conversation)
    assert "is processing at the bank" in reply and "normally arrives by" in reply
    assert tool_events(assistant, case)[-1]["status"] == "processing"


def test_limits_fees_and_exchange_rates(client: TestClient, assistant: Runtime) -> None:
    seed_demo_rates(assistant)
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "how much of my limit is left today")
    assert "Your limits left:" in last_reply(client, tom, conversation)
    say(client, tom, conversation, "what are your withdrawal fees")
    assert "each month are free" in last_reply(client, tom, conversation)
    say(client, tom, conversation, "what is the exchange rate for USD")
    assert "USD: you buy at" in last_reply(client, tom, conversation)
    assert [c["tool"] for c in tool_events(assistant, case)] == [
        "remaining_limits",
        "fees",
        "fx_rates",
    ]


def test_a_read_tool_refuses_an_anonymous_visitor(client: TestClient, assistant: Runtime) -> None:
    """A visitor known only by an email address (a channel adapter's chat): no wallet reads,
    a clear request to sign in."""
    dialogue.attach(assistant)  # already attached by the app; attaching twice changes nothing
    now = assistant.clock.now()
    with assistant.db.uow() as uow:
        contact, identity = identify(
            assistant,
            uow,
            IdentityKind.EMAIL,
            "visitor@example.net",
            assurance=Assurance.ANONYMOUS,
            now=now,
            locale="en",
        )
        case, conversation = do_open_case(
            assistant,
            uow,
            contact=contact,
            channel=Channel.EMAIL,
            case_type=CaseType.QUESTION,
            with_bot=True,
            by=By.contact(contact.id),
            subject="balance",
            now=now,
            calendars=load_calendars(uow),
            identity=identity,
        )
        do_add_message(
            assistant,
            uow,
            case,
            conversation,
            By.contact(contact.id),
            text="what is my balance",
            visibility=Visibility.PUBLIC,
            now=now,
        )
        uow.support.cases.save(case)
        uow.commit()
    [call] = tool_events(assistant, case.id)
    assert call == {"tool": "balances", "tier": "read", "outcome": "refused_anonymous"}
    with assistant.db.uow(read_only=True) as uow:
        [reply] = [m for m in uow.support.messages.for_case(case.id) if m.author_kind == "bot"]
    assert reply.body.startswith("I can only look at your wallet once you are signed in")
    assert "CN¥" not in reply.body
    assert len(events(assistant, case.id, "bot.turn")) == 1


def test_full_transaction_details_need_a_step_up_in_the_conversation(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    zhang = zhang_with_money(client, assistant)
    conversation, case = start(client, zhang, "show me the full details of my transactions")
    assert "one more check that it is you" in last_reply(client, zhang, conversation)
    assert tool_events(assistant, case)[-1]["outcome"] == "needs_step_up"
    base = f"/api/v1/bot/conversations/{conversation}/step-up"
    wrong = client.post(base, headers=zhang, json={"code": "000000"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_code"
    clock.advance(timedelta(seconds=1))  # the newest text message is the step-up code
    assert client.post(f"{base}/code", headers=zhang).status_code == 200
    code = last_code(assistant, ZHANG_MING.phone or "")
    stepped = client.post(base, headers=zhang, json={"code": code})
    assert stepped.status_code == 200, stepped.text
    details = last_reply(client, zhang, conversation)
    assert "reference" in details and "ICBC" in details
    assert tool_events(assistant, case)[-1] == {
        "tool": "transaction_details",
        "tier": "sensitive_read",
        "outcome": "done",
        "count": 1,
    }


@pytest.mark.parametrize(
    ("ask", "yes"), [("我要冻结钱包", "是的"), ("please freeze my wallet", "yes")]
)
def test_a_freeze_needs_an_explicit_confirmation(
    client: TestClient, assistant: Runtime, ask: str, yes: str
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, zhang, ask)
    me = client.get("/api/v1/me", headers=zhang).json()
    assert not me.get("frozen"), "asking is not confirming"
    assert last_turn(assistant, case)["awaiting"] == {
        "kind": "confirm",
        "tool": "freeze_wallet",
        "options": [],
    }
    say(client, zhang, conversation, yes)
    with assistant.db.uow(read_only=True) as uow:
        user = uow.users.get(client.get("/api/v1/me", headers=zhang).json()["id"])
        assert user is not None and user.is_frozen
        audit = [e for e in uow.audit.iterate() if e.action == "wallet.frozen"]
    assert len(audit) == 1 and '"by":"assistant"' in audit[0].details.replace(" ", "")
    assert [(c["tool"], c["tier"], c["outcome"]) for c in tool_events(assistant, case)] == [
        ("freeze_wallet", "reversible", "offered"),
        ("freeze_wallet", "reversible", "done"),
    ]


def test_saying_no_to_the_freeze_changes_nothing(client: TestClient, assistant: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    conversation, case = start(client, zhang, "我要冻结钱包")
    say(client, zhang, conversation, "不要")
    with assistant.db.uow(read_only=True) as uow:
        assert not any(u.is_frozen for u in [uow.users.get(_user_id(client, zhang))] if u)
    assert tool_events(assistant, case)[-1]["outcome"] == "declined"
    assert last_reply(client, zhang, conversation).startswith("好的，我没有做任何操作")


def _user_id(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get("/api/v1/me", headers=headers).json()["id"])


def test_a_password_reset_starts_after_yes_and_the_code_goes_to_the_phone_only(
    client: TestClient, assistant: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    clock.advance(timedelta(seconds=1))
    conversation, case = start(client, zhang, "忘记密码了怎么办")
    assert "回复“是”或“不要”" in last_reply(client, zhang, conversation)
    say(client, zhang, conversation, "好的")
    code = last_code(assistant, ZHANG_MING.phone or "")
    reply = last_reply(client, zhang, conversation)
    assert "忘记密码" in reply and code not in reply
    assert tool_events(assistant, case)[-1] == {
        "tool": "password_reset",
        "tier": "reversible",
        "outcome": "done",
    }


def test_a_complaint_is_filed_after_yes_with_a_reference_and_deadline(
    client: TestClient, assistant: Runtime
) -> None:
    tom = sign_up_and_in(client, TOM)
    conversation, case = start(client, tom, "I want to make a complaint about your service")
    say(client, tom, conversation, "yes")
    reply = last_reply(client, tom, conversation)
    call = tool_events(assistant, case)[-1]
    assert call["tool"] == "open_complaint" and call["outcome"] == "done"
    assert call["reference"] in reply and "We will answer by" in reply
    complaints = client.get("/api/v1/complaints", headers=tom).json()
    assert call["reference"] in str(complaints)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("我要退款，商家多扣了我的钱", "refund"),
        ("I want a refund for my last payment", "refund"),
        ("please unfreeze my wallet", "unfreeze"),
        ("我想提高我的转账额度", "raise_limit"),
    ],
)
def test_a_money_moving_request_becomes_a_case_for_maker_checker_and_moves_no_money(
    client: TestClient, assistant: Runtime, text: str, tool: str
) -> None:
    zhang = zhang_with_money(client, assistant)
    before = cny_wallet(client, zhang)
    conversation, case = start(client, zhang, text)
    [call] = tool_events(assistant, case)
    assert (call["tool"], call["tier"], call["outcome"]) == (tool, "money_moving", "case_opened")
    request_case = call["request_case_id"]
    [draft] = [e.after for e in events(assistant, request_case, "bot.request")]
    assert draft["proposal_kind"] in {"refund", "unfreeze", "raise_limit"}
    assert draft["executed"] is False and draft["source_case_id"] == case
    assert request_case in last_reply(client, zhang, conversation)
    with assistant.db.uow(read_only=True) as uow:
        assert uow.agent_tools.proposals.for_case(request_case) == []
        assert uow.agent_tools.proposals.for_case(case) == []
        opened = uow.support.cases.get(request_case)
        assert opened is not None and opened.priority == "high" and not opened.with_bot
    assert cny_wallet(client, zhang) == before
