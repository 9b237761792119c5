"""The append-only case history: every change to a case is one typed event (who, when, kind,
before, after), written by the one writer function of its kind (STYLE 9, after Saleor's
`giftcard/events.py`).

A writer runs inside the service's unit of work: it bumps the case's version, appends the
event and announces it after commit through `rt.support_events`. Events are never updated or
deleted; metrics, webhooks and the customer's timeline read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.support import routing_load
from walletdesk.support.case_webhooks import queue_for_event
from walletdesk.support.events import SupportEvent, announce_after_commit
from walletdesk.support.history_events import CUSTOMER_SENTENCES as CUSTOMER_SENTENCES
from walletdesk.support.history_events import CaseEvent as CaseEvent
from walletdesk.support.history_events import EventKind as EventKind
from walletdesk.support.models import Attachment, By, Case, Conversation, Message
from walletdesk.support.statuses import Status

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.sla import SlaTarget


def _write(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: EventKind,
    at: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    public: bool,
    conversation_id: str | None = None,
    message: dict[str, Any] | None = None,
    recipients: tuple[str, ...] = (),
) -> CaseEvent:
    # One statement on PostgreSQL: the version bump and the event's insert travel together.
    event = uow.support.events.append(
        CaseEvent(
            id=None,
            case_id=case.id,
            version=0,  # set by `append` to the case's new version
            at=at,
            kind=kind.value,
            actor_kind=by.kind.value,
            actor_id=by.id,
            before=before or {},
            after=after or {},
            public=public,
        )
    )
    case.version = event.version
    case.touch(at)
    queue_for_event(rt, uow, event)  # subscribers' webhooks, in this transaction
    announce_after_commit(
        uow,
        rt.support_events,
        SupportEvent(
            kind=kind.value,
            case_id=case.id,
            version=case.version,
            at=at,
            actor_kind=by.kind.value,
            actor_id=by.id,
            public=public,
            conversation_id=conversation_id,
            after=event.after,
            message=message,
            recipients=recipients,
        ),
    )
    routing_load.after_event(rt, uow, case, by)  # agents' load counters follow every change
    return event


def case_created(rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.CASE_CREATED,
        at,
        after={
            "type": case.type,
            "priority": case.priority,
            "status": case.status.as_dict(),
            "channel": case.channel,
            "with_bot": case.with_bot,
            "follow_up_of": case.follow_up_of,
        },
        public=True,
    )


def message_payload(message: Message, attachments: list[Attachment]) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "visibility": message.visibility,
        "author_kind": message.author_kind,
        "author_id": message.author_id,
        "text": message.body,
        "created_at": message.created_at.isoformat(),
        "attachments": [
            {"id": a.id, "filename": a.filename, "media_type": a.media_type, "size": a.size}
            for a in attachments
        ],
    }


def message_added(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    message: Message,
    attachments: list[Attachment],
    *,
    with_assistant: bool | None = None,
) -> CaseEvent:
    """`with_assistant`: whether the conversation was still the assistant's when the message
    was added. It travels with the announced event only (not stored): the assistant's
    subscriber skips, without reading anything, the messages of conversations that people
    have (once handed off, a conversation never goes back to the assistant)."""
    payload = message_payload(message, attachments)
    if with_assistant is not None:
        payload["with_assistant"] = with_assistant
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.MESSAGE_ADDED,
        at,
        after={
            "message_id": message.id,
            "conversation_id": message.conversation_id,
            "visibility": message.visibility,
            "attachments": len(attachments),
        },
        public=message.is_public,
        conversation_id=message.conversation_id,
        message=payload,
    )


def status_changed(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    before: Status,
    after: Status,
    *,
    reason: str | None = None,
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.STATUS_CHANGED,
        at,
        before=before.as_dict(),
        after=after.as_dict() | {"reason": reason},
        public=True,
    )


def case_reopened(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, before: Status
) -> CaseEvent:
    """A solved case went back to open because the customer replied in time."""
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.CASE_REOPENED,
        at,
        before=before.as_dict(),
        after=case.status.as_dict(),
        public=True,
    )


def follow_up_opened(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, follow_up_id: str
) -> CaseEvent:
    """Written on the earlier case when a late reply started a linked follow-up."""
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.FOLLOW_UP_OPENED,
        at,
        after={"follow_up_case_id": follow_up_id},
        public=True,
    )


def handed_off(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    conversation: Conversation,
    *,
    reason: str | None,
    context: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """`context`: what the assistant hands over with the conversation (transcript, intent,
    confidence, language, customer tier, suggested priority), for the agents."""
    after: dict[str, Any] = {
        "owner": "humans",
        "conversation_id": conversation.id,
        "reason": reason,
    }
    if context:
        after["context"] = dict(context)
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.HANDED_OFF,
        at,
        before={"owner": "bot"},
        after=after,
        public=True,
        conversation_id=conversation.id,
    )


def assigned(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    before: str | None,
    *,
    reason: str | None = None,
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.ASSIGNED,
        at,
        before={"assignee_id": before},
        after={"assignee_id": case.assignee_id, "reason": reason},
        public=False,
        recipients=tuple(x for x in (case.assignee_id,) if x),
    )


def priority_changed(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    before: str,
    before_policy: str | None,
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.PRIORITY_CHANGED,
        at,
        before={"priority": before, "sla_policy_id": before_policy},
        after={"priority": case.priority, "sla_policy_id": case.sla_policy_id},
        public=False,
    )


def dispute_linked(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    transaction_ids: list[str],
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.DISPUTE_LINKED,
        at,
        after={
            "transaction_ids": transaction_ids,
            "police_report_number": case.police_report_number,
        },
        public=True,
    )


def sla_breached(
    rt: Runtime, uow: UnitOfWork, case: Case, at: datetime, target: SlaTarget
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        By.system(),
        EventKind.SLA_BREACHED,
        at,
        before={"state": "active"},
        after={
            "target": target.kind,
            "state": target.state,
            "due_at": target.breached_at.isoformat() if target.breached_at else None,
        },
        public=False,
        recipients=tuple(x for x in (case.assignee_id,) if x),
    )


def sla_met(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, target: SlaTarget
) -> CaseEvent:
    """A target was fulfilled: on time (state met) or late (state stays breached)."""
    return _write(
        rt,
        uow,
        case,
        by,
        EventKind.SLA_MET,
        at,
        after={
            "target": target.kind,
            "state": target.state,
            "late": target.breached_at is not None,
            "business_seconds": target.used_seconds,
        },
        public=False,
    )


def escalated(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    at: datetime,
    *,
    level: int,
    action: str,
    assignee_before: str | None,
    recipients: tuple[str, ...],
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        By.system(),
        EventKind.ESCALATED,
        at,
        before={"level": level - 1, "assignee_id": assignee_before},
        after={
            "level": level,
            "action": action,
            "assignee_id": case.assignee_id,
            "recipients": list(recipients),
        },
        public=False,
        recipients=recipients,
    )
