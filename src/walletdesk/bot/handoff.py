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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
    context = {
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
