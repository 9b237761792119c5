"""What the assistant does with one customer message: a pure function of what it understood,
what it was waiting for, and who is asking (`decide`). `dialogue.py` carries the decision out.

Order matters and is part of the contract:

1. "转人工" / "human" (exact commands) hand off at once, whatever was pending;
2. a scam story: warning, freeze offer, urgent hand-off; a masked secret: the safety reply;
3. an answer to what the assistant asked (yes/no to a confirmation, 1/2 to a choice);
4. urgent intents (account takeover, stolen card): warning and urgent hand-off;
5. a close call between two intents: ask which one;
6. out of scope: say so; the second time in a row, hand off;
7. otherwise the intent's route: a reply, a tool (read, reversible, money-moving) or an
   answer from the help centre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from walletdesk.bot import safety
from walletdesk.bot.events import Tier

YES = frozenset(
    {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "confirm", "do it", "please do"}
    | {"是", "是的", "好", "好的", "确认", "确定", "可以", "对", "嗯", "要", "冻结", "行"}
)
NO = frozenset(
    {"no", "n", "nope", "cancel", "don't", "do not", "not now", "no thanks"}
    | {"不", "不要", "不用", "取消", "算了", "否", "不用了", "先不要"}
)
FIRST = frozenset({"1", "１", "one", "第一个", "一", "前者"})
SECOND = frozenset({"2", "２", "two", "第二个", "二", "后者"})
_RAISE = re.compile(r"提高|提升|调高|上调|增加|raise|increase|higher|lift", re.IGNORECASE)
_REVERSE = re.compile(r"撤销|撤回|冲正|转错|reverse|reversal|undo|wrong (?:person|account)", re.I)
_DETAILS = re.compile(r"详情|详细|明细|完整|details?|full|reference", re.IGNORECASE)


class Action(StrEnum):
    GREET = "greet"
    THANK = "thank"
    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    READ = "read"
    OFFER = "offer"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    MONEY = "money_request"
    LOGIN_NEEDED = "login_needed"
    HANDOFF = "handoff"
    URGENT = "urgent"
    SCAM = "scam"
    MASKED = "masked"
    OFFLINE_CHOICE = "offline_choice"


READ_TOOLS: dict[str, str] = {
    "check_balance": "balances",
    "transaction_status": "recent_transactions",
    "top_up_failed": "topup_failure",
    "top_up_pending": "topup_failure",
    "withdrawal_pending": "withdrawal_status",
    "transfer_not_received": "transfer_status",
    "limits": "remaining_limits",
    "fees": "fees",
    "exchange_rate": "fx_rates",
}
"""Intent → read-only tool (logged-in customers only)."""
OFFERS: dict[str, str] = {
    "freeze_account": "freeze_wallet",
    "forgot_password": "password_reset",
    "complaint": "open_complaint",
}
"""Intent → reversible tool, run only after an explicit "yes"."""
MONEY: dict[str, str] = {
    "refund": "refund",
    "wrong_amount_charged": "refund",
    "unfreeze_account": "unfreeze",
}
"""Intent → money-moving request: never executed, turned into a case for maker-checker."""
TOOL_TIERS: dict[str, Tier] = {
    **{tool: Tier.READ for tool in READ_TOOLS.values()},
    "transaction_details": Tier.SENSITIVE_READ,
    "freeze_wallet": Tier.REVERSIBLE,
    "password_reset": Tier.REVERSIBLE,
    "open_complaint": Tier.REVERSIBLE,
    "book_callback": Tier.REVERSIBLE,
    "refund": Tier.MONEY,
    "reverse": Tier.MONEY,
    "unfreeze": Tier.MONEY,
    "raise_limit": Tier.MONEY,
}
PUBLIC_READS = frozenset({"fees", "fx_rates"})
"""Read tools with nothing personal in them: fine for anonymous visitors too."""


@dataclass(frozen=True)
class Awaiting:
    """What the assistant asked and waits for."""

    kind: str
    """confirm (a reversible tool), choose (one of two intents), offline (call-back or
    ticket), step_up (transaction details once the customer confirmed it is them)."""
    tool: str | None = None
    options: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "tool": self.tool, "options": list(self.options)}

    @classmethod
    def of(cls, data: object) -> Awaiting | None:
        if not isinstance(data, dict) or "kind" not in data:
            return None
        return cls(str(data["kind"]), data.get("tool"), tuple(data.get("options") or ()))


@dataclass(frozen=True)
class State:
    awaiting: Awaiting | None = None
    fallbacks: int = 0
    """Out-of-scope answers in a row."""


@dataclass(frozen=True)
class Facts:
    """Who is asking and what the stored message looks like."""

    signed_in: bool
    stepped_up: bool
    masked: bool
    urgent_intents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Heard:
    """The parts of `Understanding` the policy reads (so tests can state them plainly)."""

    text: str
    intent: str | None
    confidence: float
    close_call: bool = False
    alternatives: tuple[str, ...] = ()
    by_command: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    intent: str | None
    tool: str | None = None
    awaiting: Awaiting | None = None
    handoff_reason: str | None = None
    urgent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tier(self) -> Tier | None:
        return TOOL_TIERS.get(self.tool) if self.tool else None


def _word(text: str) -> str:
    return text.strip().strip(" .!?。！？,，~").lower()


def decide(heard: Heard, state: State, facts: Facts) -> Decision:
    intent = heard.intent
    if heard.by_command and intent == "talk_to_human":
        return Decision(Action.HANDOFF, intent, handoff_reason="customer_asked")
    if safety.is_scam(intent, heard.text):
        return Decision(
            Action.SCAM,
            safety.SCAM_INTENT,
            tool="freeze_wallet",
            handoff_reason="scam_story",
            urgent=True,
        )
    if facts.masked:
        offer = Awaiting("confirm", "freeze_wallet") if facts.signed_in else None
        return Decision(Action.MASKED, intent, tool="freeze_wallet", awaiting=offer)
    answered = _answer_to_question(heard, state, facts)
    if answered is not None:
        return answered
    if intent in facts.urgent_intents:
        return Decision(
            Action.URGENT, intent, tool="freeze_wallet", handoff_reason=intent, urgent=True
        )
    if heard.close_call and len(heard.alternatives) >= 2:
        options = heard.alternatives[:2]
        first, second = (_tool_for(option, heard.text) for option in options)
        if first is not None and first == second:
            return route(options[0], heard.text, facts)  # either way the same tool helps
        return Decision(Action.CLARIFY, intent, awaiting=Awaiting("choose", None, options))
    if intent is None:
        if state.fallbacks >= 1:
            return Decision(Action.HANDOFF, None, handoff_reason="assistant_gave_up")
        return Decision(Action.FALLBACK, None, extra={"fallbacks": state.fallbacks + 1})
    return route(intent, heard.text, facts)


def _answer_to_question(heard: Heard, state: State, facts: Facts) -> Decision | None:
    """The customer's reply to what the assistant asked; None when it is not one."""
    awaiting = state.awaiting
    if awaiting is None:
        return None
    word = _word(heard.text)
    if awaiting.kind == "confirm" and awaiting.tool:
        # A yes or no carries no topic of its own: the turn records no intent.
        if word in YES:
            return Decision(Action.CONFIRMED, None, tool=awaiting.tool)
        if word in NO:
            return Decision(Action.DECLINED, None, tool=awaiting.tool)
    elif awaiting.kind == "choose" and len(awaiting.options) >= 2:
        if word in FIRST or word in SECOND:
            chosen = awaiting.options[0 if word in FIRST else 1]
            return route(chosen, heard.text, facts)
    elif awaiting.kind == "offline":
        asked_about = awaiting.options[0] if awaiting.options and awaiting.options[0] else None
        if word in FIRST:
            return Decision(
                Action.CONFIRMED, asked_about, tool="book_callback", handoff_reason="callback"
            )
        if word in SECOND:
            return Decision(Action.HANDOFF, asked_about, handoff_reason="ticket")
    return None


def route(intent: str, text: str, facts: Facts) -> Decision:
    """The route of a clear intent."""
    if intent == "greeting":
        return Decision(Action.GREET, intent)
    if intent == "thanks":
        return Decision(Action.THANK, intent)
    if intent == "talk_to_human":
        return Decision(Action.HANDOFF, intent, handoff_reason="customer_asked")
    tool = _tool_for(intent, text)
    if tool is None:
        return Decision(Action.ANSWER, intent)
    tier = TOOL_TIERS[tool]
    if not facts.signed_in and tool not in PUBLIC_READS:
        return Decision(Action.LOGIN_NEEDED, intent, tool=tool)
    if tier is Tier.MONEY:
        return Decision(Action.MONEY, intent, tool=tool)
    if tier is Tier.REVERSIBLE:
        return Decision(Action.OFFER, intent, tool=tool, awaiting=Awaiting("confirm", tool))
    if tool == "transaction_details" and not facts.stepped_up:
        return Decision(Action.READ, intent, tool=tool, awaiting=Awaiting("step_up", tool))
    return Decision(Action.READ, intent, tool=tool)


def _tool_for(intent: str, text: str) -> str | None:
    if intent == "limits" and _RAISE.search(text):
        return "raise_limit"
    if intent in ("refund", "wrong_amount_charged", "transfer_not_received") and _REVERSE.search(
        text
    ):
        return "reverse"
    if intent == "transaction_status" and _DETAILS.search(text):
        return "transaction_details"
    return READ_TOOLS.get(intent) or OFFERS.get(intent) or MONEY.get(intent)
