"""Read models: what a customer and an agent see of a case, and what the customer is told to
expect (status, when the next answer and the resolution are due).

Customers see public messages and public history only; agents see everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.support.access import (
    ActorKind,
    SupportActor,
    access_case_for,
    access_conversation_for,
)
from walletdesk.support.attachments import content_of
from walletdesk.support.calendar import Calendars
from walletdesk.support.errors import AttachmentNotFound
from walletdesk.support.history import CaseEvent
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import Attachment, AuthorKind, Case, Contact, Conversation, Message
from walletdesk.support.queries import CaseFilter
from walletdesk.support.sla import SlaTarget, TargetKind, TargetState
from walletdesk.support.sla_clock import policy_for
from walletdesk.support.statuses import Category

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

PAGE_MAX = 100


@dataclass(frozen=True)
class Expectations:
    waiting_for: str | None
    """"bot" (the assistant answers now), "support" (an agent owes an answer), "customer"
    (we wait for them), or None once solved or closed."""
    next_reply_by: datetime | None
    """When an agent's answer is due; None while the clock is paused or nothing is owed."""
    reply_overdue: bool
    resolution_by: datetime | None
    resolution_overdue: bool
    human_reply_by: datetime | None = None
    """While with the bot: by when an agent would answer if handed off now."""


def expectations(
    uow: UnitOfWork, case: Case, targets: list[SlaTarget], calendars: Calendars, now: datetime
) -> Expectations:
    by_kind = {t.kind: t for t in targets}
    category = Category(case.category)
    resolution = by_kind.get(TargetKind.RESOLUTION.value)
    resolution_open = resolution is not None and resolution.is_open
    resolution_by = resolution.due_at if resolution is not None and resolution_open else None
    resolution_overdue = resolution_open and _late(resolution, now)
    if category in (Category.SOLVED, Category.CLOSED):
        return Expectations(None, None, False, None, False)
    if case.with_bot:
        policy = policy_for(uow, case)
        human = calendars.get(policy.calendar).add(
            now, policy.budget_seconds(TargetKind.FIRST_RESPONSE)
        )
        return Expectations("bot", None, False, None, False, human_reply_by=human)
    if category is Category.PENDING_CUSTOMER:
        return Expectations("customer", None, False, resolution_by, resolution_overdue)
    owed = next(
        (
            by_kind[k.value]
            for k in (TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE)
            if k.value in by_kind and by_kind[k.value].is_open
        ),
        None,
    )
    return Expectations(
        "support",
        owed.due_at if owed else None,
        owed is not None and _late(owed, now),
        resolution_by,
        resolution_overdue,
    )


def _late(target: SlaTarget | None, now: datetime) -> bool:
    if target is None:
        return False
    return target.state == TargetState.BREACHED or (
        target.due_at is not None and now > target.due_at
    )


@dataclass(frozen=True)
class MessageView:
    message: Message
    author_name: str | None
    attachments: list[Attachment]


@dataclass(frozen=True)
class MessagePage:
    items: list[MessageView]
    older_cursor: int | None
    newer_cursor: int | None


def message_views(uow: UnitOfWork, messages: list[Message]) -> list[MessageView]:
    ids = [m.id for m in messages if m.id is not None]
    attachments: dict[int, list[Attachment]] = {}
    for a in uow.support.attachments.for_messages(ids):
        attachments.setdefault(a.message_id, []).append(a)
    names: dict[str, str | None] = {}
    for m in messages:
        if m.author_kind == AuthorKind.AGENT and m.author_id and m.author_id not in names:
            agent = uow.users.get(m.author_id)
            names[m.author_id] = agent.display_name if agent else None
        elif m.author_kind == AuthorKind.CONTACT and m.author_id and m.author_id not in names:
            contact = uow.support.contacts.get(m.author_id)
            names[m.author_id] = contact.display_name if contact else None
    return [
        MessageView(
            m, names.get(m.author_id) if m.author_id else None, attachments.get(m.id or 0, [])
        )
        for m in messages
    ]


def conversation_messages(
    rt: Runtime,
    actor: SupportActor,
    conversation_id: str,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> MessagePage:
    """A page of the conversation, oldest first; customers get public messages only."""
    size = max(1, min(limit, PAGE_MAX))
    public_only = actor.kind is ActorKind.CUSTOMER
    with rt.db.uow(read_only=True) as uow:
        _, conversation = access_conversation_for(uow, actor, conversation_id)
        messages = uow.support.messages.page(
            conversation.id, public_only=public_only, before=before, after=after, limit=size
        )
        if not messages:
            return MessagePage([], None, None)
        first, last = messages[0].id, messages[-1].id
        assert first is not None and last is not None
        older, newer = uow.support.messages.exists_beyond(
            conversation.id, public_only=public_only, older=first, newer=last
        )
        return MessagePage(
            message_views(uow, messages), first if older else None, last if newer else None
        )


@dataclass(frozen=True)
class CaseView:
    case: Case
    expectations: Expectations
    conversations: list[Conversation]
    targets: list[SlaTarget]
    history: list[CaseEvent] = field(default_factory=list)
    disputed_transactions: list[str] = field(default_factory=list)
    follow_up_case_id: str | None = None
    contact: Contact | None = None
    messages: list[MessageView] = field(default_factory=list)
    label_name: str | None = None


def _case_view(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    calendars: Calendars,
    now: datetime,
    *,
    detail: bool,
    public_only: bool,
) -> CaseView:
    targets = uow.support.sla_targets.for_case(case.id)
    view = CaseView(
        case=case,
        expectations=expectations(uow, case, targets, calendars, now),
        conversations=uow.support.conversations.for_case(case.id),
        targets=targets,
    )
    if not detail:
        return view
    follow_up = uow.support.cases.follow_up_of(case.id)
    messages = [m for m in uow.support.messages.for_case(case.id) if m.is_public or not public_only]
    label = uow.support.labels.get(case.label) if case.label else None
    return CaseView(
        case=case,
        expectations=view.expectations,
        conversations=view.conversations,
        targets=targets,
        history=uow.support.events.for_case(case.id, public_only=public_only),
        disputed_transactions=uow.support.disputes.for_case(case.id),
        follow_up_case_id=follow_up.id if follow_up else None,
        contact=None if public_only else uow.support.contacts.get(case.contact_id),
        messages=message_views(uow, messages),
        label_name=label.name(case.locale) if label else None,
    )


def case_view(rt: Runtime, actor: SupportActor, case_id: str) -> CaseView:
    """One case with its messages and history, as `actor` may see it."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        calendars = load_calendars(uow)
        return _case_view(
            rt,
            uow,
            case,
            calendars,
            now,
            detail=True,
            public_only=actor.kind is ActorKind.CUSTOMER,
        )


def customer_cases(rt: Runtime, actor: SupportActor) -> list[CaseView]:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        assert actor.user_id is not None
        contact = uow.support.contacts.get_by_user(actor.user_id)
        if contact is None:
            return []
        calendars = load_calendars(uow)
        return [
            _case_view(rt, uow, case, calendars, now, detail=False, public_only=True)
            for case in uow.support.cases.for_contact(contact.id)
        ]


@dataclass(frozen=True)
class CasePage:
    items: list[CaseView]
    next_before: tuple[datetime, str] | None


def staff_cases(rt: Runtime, actor: SupportActor, filters: CaseFilter, *, limit: int) -> CasePage:
    """Cases for agents, newest first. `actor` must work cases (the route checks it)."""
    size = max(1, min(limit, PAGE_MAX))
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        cases = uow.support.cases.staff_page(filters, limit=size)
        calendars = load_calendars(uow)
        items = [
            _case_view(rt, uow, case, calendars, now, detail=False, public_only=False)
            for case in cases
        ]
    last = cases[-1] if len(cases) == size else None
    return CasePage(items, (last.created_at, last.id) if last else None)


def attachment_content(
    rt: Runtime, actor: SupportActor, case_id: str, attachment_id: str
) -> tuple[Attachment, bytes]:
    """An attachment of a case the actor may see; a customer only gets public ones."""
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        attachment = uow.support.attachments.get(attachment_id)
        if attachment is None or attachment.case_id != case.id:
            raise AttachmentNotFound()
        if actor.kind is ActorKind.CUSTOMER:
            message = uow.support.messages.by_id(attachment.message_id)
            if message is None or not message.is_public:
                raise AttachmentNotFound()
    return attachment, content_of(rt.cipher, attachment)
