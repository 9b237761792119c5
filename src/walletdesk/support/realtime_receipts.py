"""Read receipts ("read up to message id") and typing indicators.

A read receipt is stored (one mark per reader and conversation, only ever moving forward) and
announced after commit. A customer can mark only what they can see; an agent's mark is shown
to the customer clipped to the last public message, so internal notes stay invisible.
Typing is not stored: it is checked through the conversation's door and passed on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from walletdesk.support.access import ActorKind, SupportActor, access_conversation_for
from walletdesk.support.realtime_models import ReaderKind, ReadMark

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

Publish = Callable[[dict[str, Any]], None]


def reader_of(actor: SupportActor, contact_id: str) -> tuple[ReaderKind, str]:
    if actor.kind is ActorKind.CUSTOMER:
        return ReaderKind.CONTACT, contact_id
    assert actor.user_id is not None
    return ReaderKind.AGENT, actor.user_id


def read_event(mark: ReadMark, case_id: str, public_up_to: int | None) -> dict[str, Any]:
    return {
        "kind": "read",
        "case_id": case_id,
        "conversation_id": mark.conversation_id,
        "reader": {"kind": mark.reader_kind, "id": mark.reader_id},
        "up_to": mark.up_to,
        "public_up_to": public_up_to,
        "at": mark.read_at.isoformat(),
    }


def mark_read(
    rt: Runtime,
    actor: SupportActor,
    conversation_id: str,
    up_to: int,
    publish: Publish | None = None,
) -> ReadMark | None:
    """Record that `actor` read the conversation up to message `up_to` (clipped to the last
    message they can see). None when nothing moved: an older mark, or nothing to read."""
    now = rt.clock.now()
    customer = actor.kind is ActorKind.CUSTOMER
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id)
        last = uow.chat.read_marks.last_message_id(conversation.id, public_only=customer)
        if last is None or up_to < 1:
            return None
        kind, reader_id = reader_of(actor, case.contact_id)
        mark = ReadMark(conversation.id, kind.value, reader_id, min(up_to, last), now)
        if not uow.chat.read_marks.advance(mark):
            return None
        public_up_to = (
            mark.up_to
            if customer
            else uow.chat.read_marks.last_public_at_or_before(conversation.id, mark.up_to)
        )
        if publish is not None:
            event = read_event(mark, case.id, public_up_to)
            uow.on_commit(lambda: publish(event))
        uow.commit()
    return mark


@dataclass(frozen=True)
class ConversationSeen:
    """What a socket shows about a conversation when it opens or starts watching it."""

    case_id: str
    conversation_id: str
    contact_id: str
    marks: list[ReadMark]
    last_message_id: int | None
    assignee_id: str | None = None
    """The case's agent (its presence is what the customer's socket shows)."""


def conversation_seen(rt: Runtime, actor: SupportActor, conversation_id: str) -> ConversationSeen:
    customer = actor.kind is ActorKind.CUSTOMER
    with rt.db.uow(read_only=True) as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id)
        marks = uow.chat.read_marks.for_conversation(conversation.id)
        last = uow.chat.read_marks.last_message_id(conversation.id, public_only=customer)
        if customer:
            marks = [
                ReadMark(
                    m.conversation_id,
                    m.reader_kind,
                    m.reader_id,
                    uow.chat.read_marks.last_public_at_or_before(conversation.id, m.up_to) or 0,
                    m.read_at,
                )
                if m.reader_kind == ReaderKind.AGENT
                else m
                for m in marks
            ]
    return ConversationSeen(
        case.id, conversation.id, case.contact_id, marks, last, case.assignee_id
    )


def typing_target(rt: Runtime, actor: SupportActor, conversation_id: str) -> str:
    """The case of a conversation `actor` may type in (the door raises not-found otherwise)."""
    with rt.db.uow(read_only=True) as uow:
        case, _ = access_conversation_for(uow, actor, conversation_id)
    return case.id


def typing_event(
    case_id: str,
    conversation_id: str,
    actor: SupportActor,
    contact_id: str | None,
    *,
    typing: bool,
    public: bool,
) -> dict[str, Any]:
    kind, who = reader_of(actor, contact_id or "")
    return {
        "kind": "typing",
        "case_id": case_id,
        "conversation_id": conversation_id,
        "by": {"kind": kind.value, "id": who},
        "typing": typing,
        "public": public,
    }
