"""Handing a conversation from the assistant to people (issue 6, item 6).

The hand-off is ONE case event, `conversation.handed_off`, whose `context` carries what the
agent needs to start without asking again: the transcript, the intent the assistant detected
with its confidence, the language, the customer's tier (KYC level) and a suggested priority.

Urgent matters (a scam in progress, account takeover, a stolen card) go to the queue at once
with priority urgent, whatever the hour. Otherwise, when no agent is on duty
(`support.realtime_hours`), the assistant keeps the conversation: the request waits for the
agents' hours (the same deferred request "转人工" makes through the chat API), the customer is
told when a person will answer and is offered a call-back or a ticket; choosing either hands
over at once, flagged for the agents.

Hand-offs the assistant does not make in one of its turns — the customer's own "talk to a
person" button, and a request that waited for the agents' hours and is handed over by the
support sweeper — carry the same context, rebuilt from the conversation's last `bot.turn`
(`context_from_last_turn`, registered with `support.realtime_hours.HAND_OFF_CONTEXT`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.bot.events import BotEvent
from walletdesk.support import history, realtime_hours
from walletdesk.support.cases import do_hand_off
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, Conversation, Priority
from walletdesk.support.realtime_models import HandoffRequest

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

TRANSCRIPT_MAX = 30
LINE_MAX = 500
HIGH_TIERS = 2
"""KYC levels from which a customer's hand-off is suggested at high priority at least."""
BOT = By.bot("assistant")


@dataclass(frozen=True)
class Understood:
    intent: str | None
    confidence: float
    language: str
    locale: str


@dataclass(frozen=True)
class HandedOff:
    handed: bool
    """False: deferred until agents come online (the assistant keeps the conversation)."""
    answer_from: datetime | None
    """When a person will answer, when agents are offline now."""
    priority: str


def transcript(uow: UnitOfWork, case: Case, conversation: Conversation) -> list[dict[str, Any]]:
    """The conversation's public messages, newest last (already masked when stored)."""
    messages = [
        m
        for m in uow.support.messages.for_case(case.id)
        if m.conversation_id == conversation.id and m.is_public
    ]
    return [
        {
            "message_id": m.id,
            "author": m.author_kind,
            "text": m.body[:LINE_MAX],
            "at": m.created_at.isoformat(),
        }
        for m in messages[-TRANSCRIPT_MAX:]
    ]


def suggested_priority(case: Case, *, urgent: bool, customer_tier: int | None) -> Priority:
    if urgent:
        return Priority.URGENT
    current = Priority(case.priority)
    if (
        customer_tier is not None
        and customer_tier >= HIGH_TIERS
        and current
        in (
            Priority.LOW,
            Priority.NORMAL,
        )
    ):
        return Priority.HIGH
    return current


def _raise_priority(
    rt: Runtime, uow: UnitOfWork, case: Case, priority: Priority, now: datetime
) -> None:
    """Urgent matters jump the queue: the case's priority is raised before it is queued (its
    SLA clocks start at the hand-off, with the urgent targets)."""
    if priority is not Priority.URGENT or case.priority == Priority.URGENT:
        return
    before = case.priority
    case.priority = Priority.URGENT.value
    history.priority_changed(rt, uow, case, BOT, now, before, case.sla_policy_id)


def do_bot_hand_off(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    *,
    reason: str,
    understood: Understood,
    customer_tier: int | None,
    urgent: bool,
    now: datetime,
    force: bool = False,
    callback: bool = False,
) -> HandedOff:
    """Hand over now (agents on duty, an urgent matter, or `force`: the customer chose a
    ticket or a call-back), or record the request for the agents' hours. The caller holds the
    case row lock and commits."""
    priority = suggested_priority(case, urgent=urgent, customer_tier=customer_tier)
    calendar = realtime_hours.hours_calendar(rt, uow)
    on_duty = calendar.is_open(now)
    pending = uow.chat.handoffs.pending(conversation.id)
    if not (on_duty or urgent or force):
        due = pending.due_at if pending is not None else calendar.next_opening(now)
        if pending is None:
            uow.chat.handoffs.put(HandoffRequest(conversation.id, case.id, reason, now, due))
        return HandedOff(False, due, priority.value)
    if pending is not None:
        uow.chat.handoffs.mark_done(conversation.id, now)
    _raise_priority(rt, uow, case, priority, now)
    context = hand_off_context(
        uow,
        case,
        conversation,
        understood=understood,
        customer_tier=customer_tier,
        priority=priority,
        urgent=urgent,
        callback=callback,
    )
    do_hand_off(
        rt,
        uow,
        case,
        conversation,
        BOT,
        reason=reason,
        now=now,
        calendars=load_calendars(uow),
        context=context,
    )
    return HandedOff(True, None if on_duty else calendar.next_opening(now), priority.value)


def hand_off_context(
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    *,
    understood: Understood,
    customer_tier: int | None,
    priority: Priority,
    urgent: bool,
    callback: bool = False,
) -> dict[str, Any]:
    """The `context` of the one `conversation.handed_off` event, whoever hands over."""
    return {
        "intent": understood.intent,
        "confidence": round(understood.confidence, 4),
        "language": understood.language,
        "locale": understood.locale,
        "customer_tier": customer_tier,
        "suggested_priority": priority.value,
        "urgent": urgent,
        "callback_requested": callback,
        "transcript": transcript(uow, case, conversation),
    }


def context_from_last_turn(
    rt: Runtime, uow: UnitOfWork, case: Case, conversation: Conversation
) -> dict[str, Any]:
    """The hand-off context when the hand-over is not the assistant's own decision: what its
    last turn in this case understood (nothing yet: no intent, confidence 0, the language of
    the customer's locale), the customer's tier and the suggested priority, and the transcript
    as it is at the hand-over (a deferred request also shows what was said while it waited)."""
    contact = uow.support.contacts.get(case.contact_id)
    user = uow.users.get(contact.user_id) if contact is not None and contact.user_id else None
    tier = user.kyc_tier if user is not None else None
    last = uow.bot.last_event(case.id, BotEvent.TURN.value)
    turn: dict[str, Any] = dict(last.after) if last is not None else {}
    locale = str(turn.get("locale") or (contact.locale if contact is not None else case.locale))
    understood = Understood(
        intent=turn.get("intent") or turn.get("model_intent"),
        confidence=float(turn.get("confidence") or 0.0),
        language=str(turn.get("language") or ("zh" if locale.startswith("zh") else "en")),
        locale=locale,
    )
    urgent = case.priority == Priority.URGENT.value
    return hand_off_context(
        uow,
        case,
        conversation,
        understood=understood,
        customer_tier=tier,
        priority=suggested_priority(case, urgent=urgent, customer_tier=tier),
        urgent=urgent,
    )


def _ensure_registered() -> None:
    if context_from_last_turn not in realtime_hours.HAND_OFF_CONTEXT:
        realtime_hours.HAND_OFF_CONTEXT.append(context_from_last_turn)


_ensure_registered()
