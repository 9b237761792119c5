"""What the chat widget shows for one of the signed-in customer's conversations, as JSON.

Everything is read through the customer's door to the conversation
(`support.access.access_conversation_for`): the public messages after a cursor, who is
answering (the assistant, a person, or the assistant until the agents' hours begin), the
assistant's open offer (the confirm button) and which of its answers take a thumbs up/down,
read receipts, the agents' hours and the rating once the case is solved. This module only
reads; every change goes through the services the API uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from walletdesk.bot.events import BotEvent
from walletdesk.bot.turns import load_state
from walletdesk.clock import as_utc
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import csat, realtime_hours, realtime_receipts, views
from walletdesk.support.access import SupportActor, access_conversation_for
from walletdesk.support.statuses import Category

MESSAGES_MAX: Final = 100

HANDED_OFF: Final = N_("You are now talking to our support team.")
REPLY_BY: Final = N_("An agent will answer by {when}.")
HANDOFF_LATER: Final = N_("A person will take over this chat from {when}.")
OFFER_LABELS: Final = {
    "freeze_wallet": N_("Freeze my wallet now"),
    "password_reset": N_("Reset my password"),
    "open_complaint": N_("Open a complaint"),
}


def iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat().replace("+00:00", "Z") if value else None


def message_json(view: views.MessageView) -> dict[str, Any]:
    """A message the way the customer's socket pushes it (docs/api.md, `message` frames)."""
    message = view.message
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "author": {"kind": message.author_kind, "name": view.author_name},
        "text": message.body,
        "created_at": iso(message.created_at),
    }


@dataclass(frozen=True)
class _Assistant:
    offer: str | None
    rateable: list[int]
    bot_owned: bool
    handoff_due: datetime | None
    case_id: str
    category: str


def _assistant(rt: Runtime, actor: SupportActor, conversation_id: str) -> _Assistant:
    with rt.db.uow(read_only=True) as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id)
        state, _ = load_state(uow, case.id)
        turns = uow.bot.events_of(case.id, BotEvent.TURN.value)
        pending = uow.chat.handoffs.pending(conversation.id)
    awaiting = state.awaiting
    offer = awaiting.tool if awaiting is not None and awaiting.kind == "confirm" else None
    # Thumbs go on the assistant's answers from the help centre (the ones with an article).
    rateable = [
        int(turn.after["reply_id"])
        for turn in turns
        if turn.after.get("reply_id") and turn.after.get("article")
    ]
    return _Assistant(
        offer=offer if offer in OFFER_LABELS else None,
        rateable=rateable,
        bot_owned=conversation.bot_owned,
        handoff_due=pending.due_at if pending is not None else None,
        case_id=case.id,
        category=case.category,
    )


def chat_state(
    rt: Runtime, auth: Authenticated, conversation_id: str, *, after: int, locale: str
) -> dict[str, Any]:
    """The widget's view of the conversation: messages after `after` and everything else
    the panel shows now."""
    actor = SupportActor.customer(auth)
    assistant = _assistant(rt, actor, conversation_id)
    page = views.conversation_messages(rt, actor, conversation_id, after=after, limit=MESSAGES_MAX)
    seen = realtime_receipts.conversation_seen(rt, actor, conversation_id)
    case = views.case_view(rt, actor, assistant.case_id)
    survey = csat.survey_for(rt, actor, assistant.case_id)
    hours = realtime_hours.agent_hours(rt)
    handoff = _handoff(assistant, case.expectations, locale)
    return {
        "conversation_id": conversation_id,
        "case_id": assistant.case_id,
        "solved": assistant.category in (Category.SOLVED, Category.CLOSED),
        "messages": [message_json(item) for item in page.items],
        "more": page.newer_cursor is not None,
        "offer": (
            {"tool": assistant.offer, "label": translate(OFFER_LABELS[assistant.offer], locale)}
            if assistant.offer
            else None
        ),
        "rateable": assistant.rateable,
        "read": [
            {"reader": {"kind": mark.reader_kind}, "up_to": mark.up_to}
            for mark in seen.marks
            if mark.up_to
        ],
        "handoff": handoff,
        "hours": {"humans_online": hours.humans_online, "text": hours.sentence(locale)},
        "rating": {
            "asked": survey is not None,
            "can_rate": survey is not None and survey.score is None,
            "score": survey.score if survey is not None else None,
        },
    }


def _handoff(assistant: _Assistant, expected: views.Expectations, locale: str) -> dict[str, Any]:
    """Who answers now: "bot", "human" (with when an agent's answer is due) or "later" (the
    agents are off duty; a person takes over when their hours begin)."""
    if not assistant.bot_owned:
        text = translate(HANDED_OFF, locale)
        if expected.next_reply_by is not None:
            text = f"{text} {translate(REPLY_BY, locale, when=expected.next_reply_by)}"
        return {"state": "human", "text": text, "reply_by": iso(expected.next_reply_by)}
    if assistant.handoff_due is not None:
        return {
            "state": "later",
            "text": translate(HANDOFF_LATER, locale, when=assistant.handoff_due),
            "reply_by": iso(assistant.handoff_due),
        }
    return {"state": "bot", "text": "", "reply_by": None}
