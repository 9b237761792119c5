"""The pieces of one assistant turn that both the chat turn (`dialogue`) and the customer's
buttons (`dialogue_actions`) use: the state, the reversible tools, posting the reply with its
`bot.turn` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.bot import events, replies
from walletdesk.bot import tools_act as act
from walletdesk.bot.events import BotEvent, Tier
from walletdesk.bot.policy import TOOL_TIERS, Awaiting, State
from walletdesk.bot.replies import Line, say
from walletdesk.errors import DomainError
from walletdesk.support.cases import do_add_message
from walletdesk.support.models import By, Case, Contact, Conversation, Message, Visibility
from walletdesk.support.official_channels_store import hotline

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.calendar import Calendars

BOT = By.bot("assistant")
WORDS_MAX = 2000


@dataclass
class ToolCall:
    tool: str
    outcome: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def tier(self) -> Tier:
        return TOOL_TIERS[self.tool]


@dataclass
class Reply:
    """What a turn says and records."""

    lines: list[Line] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    awaiting: Awaiting | None = None
    article: str | None = None


def load_state(uow: UnitOfWork, case_id: str) -> tuple[State, dict[str, Any] | None]:
    """The dialogue's state: what the last `bot.turn` left (and that event's data)."""
    last = uow.bot.last_event(case_id, BotEvent.TURN.value)
    if last is None:
        return State(), None
    after = last.after
    return State(Awaiting.of(after.get("awaiting")), int(after.get("fallbacks", 0))), after


def customer_words(uow: UnitOfWork, case: Case, conversation: Conversation) -> str:
    """The customer's own messages in this conversation (masked when stored), for a
    complaint filed on their behalf; yes/no answers left out."""
    from walletdesk.bot.policy import NO, YES

    texts = [
        m.body
        for m in uow.support.messages.for_case(case.id)
        if m.conversation_id == conversation.id
        and m.author_kind == "contact"
        and m.body.strip().lower() not in YES | NO
    ]
    return "\n".join(texts[-5:])[:WORDS_MAX]


def reset_password_before(rt: Runtime, user_id: str) -> ToolCall:
    """Starting a password reset commits on its own (it sends the code); run it before the
    turn's unit of work and record its outcome there."""
    try:
        act.start_password_reset(rt, user_id)
    except DomainError as exc:
        return ToolCall("password_reset", "failed", {"code": exc.code})
    return ToolCall("password_reset", "done")


def do_reversible(
    rt: Runtime,
    uow: UnitOfWork,
    reply: Reply,
    *,
    tool: str,
    case: Case,
    conversation: Conversation,
    contact: Contact,
    user_id: str,
    intent: str | None,
    reason: str,
    now: datetime,
    calendars: Calendars,
    prepared: ToolCall | None = None,
) -> None:
    """Run a confirmed reversible tool inside the turn's unit of work; add what to say."""
    if tool == "freeze_wallet":
        frozen = act.do_freeze(rt, uow, user_id, reason=reason, case_id=case.id, now=now)
        reply.lines += [
            say(replies.FROZEN if frozen else replies.ALREADY_FROZEN),
            say(replies.UNDO_HINT_UNFREEZE),
        ]
        reply.calls.append(ToolCall(tool, "done" if frozen else "already_done"))
    elif tool == "password_reset":
        call = prepared or ToolCall(tool, "failed")
        reply.lines.append(
            say(replies.RESET_STARTED if call.outcome == "done" else replies.RESET_FAILED)
        )
        reply.calls.append(call)
    elif tool == "open_complaint":
        words = customer_words(uow, case, conversation) or case.subject
        complaint_case, record = act.do_open_complaint(
            rt, uow, contact=contact, words=words, intent=intent, now=now, calendars=calendars
        )
        reply.lines.append(
            say(replies.COMPLAINT_FILED, reference=record.reference, due=record.due_at)
        )
        reply.calls.append(
            ToolCall(
                tool,
                "done",
                {"complaint_case_id": complaint_case.id, "reference": record.reference},
            )
        )
    elif tool == "book_callback":
        reply.lines.append(say(replies.CALLBACK_BOOKED, hotline=hotline(rt, uow)))
        reply.calls.append(ToolCall(tool, "done"))


def post_reply(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    reply: Reply,
    *,
    locale: str,
    now: datetime,
    turn: dict[str, Any],
) -> Message:
    """The reply as one public message, its tool events and the `bot.turn` event."""
    message, _ = do_add_message(
        rt,
        uow,
        case,
        conversation,
        BOT,
        text=replies.render(reply.lines, locale),
        visibility=Visibility.PUBLIC,
        now=now,
    )
    for call in reply.calls:
        events.tool_called(
            rt,
            uow,
            case,
            BOT,
            now,
            tool=call.tool,
            tier=call.tier,
            outcome=call.outcome,
            details=call.details,
        )
    events.turn(
        rt,
        uow,
        case,
        BOT,
        now,
        turn
        | {
            "reply_id": message.id,
            "locale": locale,
            "article": reply.article,
            "awaiting": reply.awaiting.as_dict() if reply.awaiting else None,
        },
    )
    return message
