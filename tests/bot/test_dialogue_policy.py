"""The dialogue policy as a table: what the assistant does with what it understood."""

from __future__ import annotations

import pytest

from walletdesk.bot.policy import Action, Awaiting, Facts, Heard, State, decide

SIGNED_IN = Facts(signed_in=True, stepped_up=False, masked=False)
VISITOR = Facts(signed_in=False, stepped_up=False, masked=False)
URGENT = frozenset({"account_stolen", "card_lost_or_stolen", "scam_story"})


def heard(text: str, intent: str | None, **extra: object) -> Heard:
    return Heard(text=text, intent=intent, confidence=0.9, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "said", "state", "facts", "action", "tool"),
    [
        ("command hands off", heard("转人工", "talk_to_human", by_command=True), State(),
         SIGNED_IN, Action.HANDOFF, None),
        ("command beats a pending offer", heard("human", "talk_to_human", by_command=True),
         State(Awaiting("confirm", "freeze_wallet")), SIGNED_IN, Action.HANDOFF, None),
        ("scam words without the scam intent", heard("他让我开屏幕共享", "transaction_status"),
         State(), SIGNED_IN, Action.SCAM, "freeze_wallet"),
        ("yes confirms", heard("好的", "greeting"), State(Awaiting("confirm", "freeze_wallet")),
         SIGNED_IN, Action.CONFIRMED, "freeze_wallet"),
        ("no declines", heard("no thanks", None), State(Awaiting("confirm", "password_reset")),
         SIGNED_IN, Action.DECLINED, "password_reset"),
        ("a new question drops the offer", heard("what is my balance", "check_balance"),
         State(Awaiting("confirm", "freeze_wallet")), SIGNED_IN, Action.READ, "balances"),
        ("choice 2 picks the second intent", heard("2", None),
         State(Awaiting("choose", None, ("fees", "check_balance"))), SIGNED_IN, Action.READ,
         "balances"),
        ("a close call asks", heard("money", "fees", close_call=True,
                                    alternatives=("fees", "limits")), State(), SIGNED_IN,
         Action.CLARIFY, None),
        ("a close call between two routes to one tool does not ask",
         heard("refund", "refund", close_call=True,
               alternatives=("wrong_amount_charged", "refund")), State(), SIGNED_IN,
         Action.MONEY, "refund"),
        ("visitors get no wallet read", heard("balance", "check_balance"), State(), VISITOR,
         Action.LOGIN_NEEDED, "balances"),
        ("visitors may read fees", heard("fees", "fees"), State(), VISITOR, Action.READ, "fees"),
        ("visitors cannot request refunds", heard("refund", "refund"), State(), VISITOR,
         Action.LOGIN_NEEDED, "refund"),
        ("details need a step-up", heard("show full details", "transaction_status"), State(),
         SIGNED_IN, Action.READ, "transaction_details"),
        ("a limit raise is money-moving", heard("raise my limit", "limits"), State(),
         SIGNED_IN, Action.MONEY, "raise_limit"),
        ("a freeze is offered, not done", heard("freeze", "freeze_account"), State(),
         SIGNED_IN, Action.OFFER, "freeze_wallet"),
        ("first out of scope", heard("pizza", None), State(), SIGNED_IN, Action.FALLBACK, None),
        ("second out of scope hands off", heard("pizza", None), State(fallbacks=1), SIGNED_IN,
         Action.HANDOFF, None),
    ],
)  # fmt: skip
def test_the_policy(
    label: str, said: Heard, state: State, facts: Facts, action: Action, tool: str | None
) -> None:
    decision = decide(said, state, facts)
    assert (decision.action, decision.tool) == (action, tool), label


def test_urgent_intents_hand_off_as_urgent_and_offer_a_freeze() -> None:
    facts = Facts(signed_in=True, stepped_up=False, masked=False, urgent_intents=URGENT)
    decision = decide(heard("someone logged into my account", "account_stolen"), State(), facts)
    assert decision.action is Action.URGENT and decision.urgent
    assert decision.handoff_reason == "account_stolen" and decision.tool == "freeze_wallet"


def test_full_details_wait_for_the_step_up_and_are_shown_once_stepped_up() -> None:
    waiting = decide(heard("full details", "transaction_status"), State(), SIGNED_IN)
    assert waiting.awaiting == Awaiting("step_up", "transaction_details")
    stepped = Facts(signed_in=True, stepped_up=True, masked=False)
    assert decide(heard("full details", "transaction_status"), State(), stepped).awaiting is None


def test_a_masked_secret_gets_the_safety_reply_and_a_freeze_offer() -> None:
    masked = Facts(signed_in=True, stepped_up=False, masked=True)
    decision = decide(heard("我的密码是******", "forgot_password"), State(), masked)
    assert decision.action is Action.MASKED
    assert decision.awaiting == Awaiting("confirm", "freeze_wallet")
