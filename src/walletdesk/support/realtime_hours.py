"""Agents' online hours, and what a chat does outside them.

Agents are on duty during the hours of one business calendar (`support_agent_hours_calendar`,
by default `business`: Monday to Friday 09:00-18:00 Beijing time, no public holidays, make-up
working days included). `agent_hours` tells whether people are online now and, if not, when
the next one will answer.

A customer who asks for a person outside those hours is told so in the chat (a system message
with the time a person takes over) and the assistant keeps the conversation: the request is
stored and `hand_off_due`, run by the support sweeper, hands the conversation to the agents
when their hours begin. Urgent cases go to the queue at once, whatever the hour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.i18n import N_, translate
from walletdesk.support.access import SupportActor, access_conversation_for
from walletdesk.support.calendar import BusinessCalendar
from walletdesk.support.cases import do_add_message, do_hand_off
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.holidays import WEEKDAYS, load_calendars
from walletdesk.support.models import By, Case, Conversation, Priority, Visibility
from walletdesk.support.realtime_models import HandoffRequest
from walletdesk.support.statuses import Category

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

AGENTS_OFFLINE = N_(
    "Our agents are offline now. A person will answer you from {when}; until then the "
    "assistant keeps helping you."
)
AGENTS_ONLINE = N_("Our agents are online now.")
DUE_BATCH = 100

HandOffContext = Callable[["Runtime", "UnitOfWork", Case, Conversation], "dict[str, Any] | None"]
HAND_OFF_CONTEXT: list[HandOffContext] = []
"""What the agent should know when a conversation is handed over here (the customer asked, or
a deferred request came due): the assistant registers its builder when imported (transcript,
intent, confidence, language, tier, suggested priority), like `ledger.wallets.EXTRA_HISTORY`."""


def _context(
    rt: Runtime, uow: UnitOfWork, case: Case, conversation: Conversation
) -> dict[str, Any] | None:
    for source in HAND_OFF_CONTEXT:
        found = source(rt, uow, case, conversation)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class AgentHours:
    humans_online: bool
    next_human_at: datetime | None
    """When people are next on duty; None while they are."""
    closes_at: datetime | None
    """While on duty: when the current stretch of hours ends."""
    timezone: str
    weekly: dict[str, list[str]]
    """Opening hours per weekday (mon..sun) as "09:00-18:00"; holidays are days off."""

    def sentence(self, locale: str) -> str:
        if self.humans_online:
            return translate(AGENTS_ONLINE, locale)
        return translate(AGENTS_OFFLINE, locale, when=self.next_human_at)


@dataclass(frozen=True)
class HumanRequest:
    case: Case
    conversation: Conversation
    deferred_until: datetime | None
    """Set when the assistant keeps the conversation until agents come online."""


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_at(calendar: BusinessCalendar, now: datetime) -> AgentHours:
    """The agents' hours as seen at `now` (pure: tests give any instant)."""
    weekly = {
        day: [f"{_hhmm(start)}-{_hhmm(end)}" for start, end in calendar.weekly[index]]
        for index, day in enumerate(WEEKDAYS)
    }
    zone = str(calendar.zone)
    if not calendar.is_open(now):
        return AgentHours(False, calendar.next_opening(now), None, zone, weekly)
    closes = now
    # Windows that touch (23:00-24:00 then 00:00-...) are one stretch of hours.
    for opens, window_end in calendar.windows(now):
        if opens > closes or (window_end - now).days > 7:
            break
        closes = window_end
    return AgentHours(True, None, closes, zone, weekly)


def hours_calendar(rt: Runtime, uow: UnitOfWork) -> BusinessCalendar:
    return load_calendars(uow).get(rt.settings.support_agent_hours_calendar)


def agent_hours(rt: Runtime, now: datetime | None = None) -> AgentHours:
    at = now or rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        calendar = hours_calendar(rt, uow)
    return hours_at(calendar, at)


def ask_for_human(
    rt: Runtime, actor: SupportActor, conversation_id: str, *, reason: str | None = None
) -> HumanRequest:
    """The customer (or the assistant) asks for a person. On duty, or for an urgent case, the
    conversation goes to the agents now; otherwise the assistant keeps it, the chat says when a
    person will answer, and the hand-off waits for the agents' hours. Asking again changes
    nothing."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        if case.is_closed:
            raise CaseIsClosed()
        calendar = hours_calendar(rt, uow)
        on_duty = calendar.is_open(now) or case.priority == Priority.URGENT
        if not conversation.bot_owned or on_duty:
            pending = uow.chat.handoffs.pending(conversation.id)
            if pending is not None:
                uow.chat.handoffs.mark_done(conversation.id, now)
            if conversation.bot_owned and do_hand_off(
                rt,
                uow,
                case,
                conversation,
                actor.by(case),
                reason=reason,
                now=now,
                calendars=load_calendars(uow),
                context=_context(rt, uow, case, conversation),
            ):
                uow.support.cases.save(case)
            uow.commit()
            return HumanRequest(case, conversation, None)
        else:
            pending = uow.chat.handoffs.pending(conversation.id)
            if pending is not None:
                return HumanRequest(case, conversation, pending.due_at)
            due = calendar.next_opening(now)
            uow.chat.handoffs.put(HandoffRequest(conversation.id, case.id, reason, now, due))
            _tell_agents_offline(rt, uow, case, conversation, now, due)
            uow.support.cases.save(case)
            uow.commit()
            return HumanRequest(case, conversation, due)


def _tell_agents_offline(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    now: datetime,
    due: datetime,
) -> None:
    """A system message in the customer's language (stored as sent, like the outbox)."""
    contact = uow.support.contacts.get(case.contact_id)
    locale = contact.locale if contact is not None else case.locale
    do_add_message(
        rt,
        uow,
        case,
        conversation,
        By.system(),
        text=translate(AGENTS_OFFLINE, locale, when=due),
        visibility=Visibility.PUBLIC,
        now=now,
    )


def hand_off_due(rt: Runtime) -> int:
    """Hand to the agents the conversations whose customers asked for a person outside the
    agents' hours, once those hours have begun; returns how many were handed off."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        due = uow.chat.handoffs.due(now, limit=DUE_BATCH)
    handed = 0
    actor = SupportActor.system()
    for request in due:
        with rt.db.uow() as uow:
            case, conversation = access_conversation_for(
                uow, actor, request.conversation_id, for_update=True
            )
            pending = uow.chat.handoffs.pending(conversation.id)
            if pending is None or pending.due_at > now:
                continue  # another server did it, or the customer asked again later
            uow.chat.handoffs.mark_done(conversation.id, now)
            waiting = case.category not in (Category.SOLVED, Category.CLOSED)
            if waiting and do_hand_off(
                rt,
                uow,
                case,
                conversation,
                By.system(),
                reason=pending.reason or "agents_online",
                now=now,
                calendars=load_calendars(uow),
                context=_context(rt, uow, case, conversation),
            ):
                uow.support.cases.save(case)
                handed += 1
            uow.commit()
    return handed
