"""The building blocks every support flow shares, for use inside a unit of work.

`do_*` functions trust their input (STYLE 2): the caller has fetched the case through
`access_case_for` with the row locked, checked who may act, and commits afterwards. Channel
adapters (email, IVR, WeChat), the bot and the agents' tools all build on these, so a case
changes the same way and writes the same history whatever the channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.i18n import translate
from walletdesk.randomness import new_id
from walletdesk.support import history, routing, sla_clock
from walletdesk.support.attachments import Upload, check_uploads, seal
from walletdesk.support.calendar import Calendars
from walletdesk.support.errors import empty_message
from walletdesk.support.masking import MASKED_NOTICE, mask_sensitive
from walletdesk.support.models import (
    DEFAULT_PRIORITY,
    Assurance,
    Attachment,
    AuthorKind,
    By,
    Case,
    CaseType,
    Channel,
    Contact,
    Conversation,
    Identity,
    Message,
    Priority,
    Visibility,
)
from walletdesk.support.statuses import Category, Status, parse_category, unknown_status

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

SUBJECT_MAX = 120
TEXT_MAX = 4000


def subject_of(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return mask_sensitive(first_line).text[:SUBJECT_MAX] or "…"


def do_open_case(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    contact: Contact,
    channel: Channel,
    case_type: CaseType,
    with_bot: bool,
    by: By,
    subject: str,
    now: datetime,
    calendars: Calendars,
    priority: Priority | None = None,
    identity: Identity | None = None,
    assurance: Assurance = Assurance.ANONYMOUS,
    follow_up_of: str | None = None,
    police_report_number: str | None = None,
) -> tuple[Case, Conversation]:
    """A new case in `new` with its first conversation. `assurance` is what the customer
    proved on this channel now; `identity` the address they came from, if known. With the bot,
    the conversation stays away from agents until `do_hand_off`; without, the SLA clocks
    start now."""
    case = Case(
        id=new_id(rt.random, "case"),
        contact_id=contact.id,
        subject=subject[:SUBJECT_MAX],
        type=case_type.value,
        priority=(priority or DEFAULT_PRIORITY[case_type]).value,
        category=Category.NEW.value,
        channel=channel.value,
        with_bot=with_bot,
        version=0,
        locale=contact.locale,
        created_at=now,
        updated_at=now,
        follow_up_of=follow_up_of,
        police_report_number=police_report_number,
    )
    uow.support.cases.add(case)
    conversation = do_add_conversation(
        rt,
        uow,
        case,
        channel=channel,
        bot_owned=with_bot,
        identity=identity,
        assurance=assurance,
        now=now,
    )
    history.case_created(rt, uow, case, by, now)
    if not with_bot:
        sla_clock.start_clocks(rt, uow, case, now, calendars)
        routing.enqueue(rt, uow, case, now)
    uow.support.cases.save(case)
    return case, conversation


def do_add_conversation(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    *,
    channel: Channel,
    bot_owned: bool,
    now: datetime,
    identity: Identity | None = None,
    assurance: Assurance = Assurance.ANONYMOUS,
) -> Conversation:
    conversation = Conversation(
        id=new_id(rt.random, "conv"),
        case_id=case.id,
        channel=channel.value,
        bot_owned=bot_owned,
        assurance=assurance.value,
        created_at=now,
        identity_id=identity.id if identity else None,
    )
    return uow.support.conversations.add(conversation)


def clean_text(text: str, *, has_attachments: bool) -> str:
    cleaned = text.strip()
    if not cleaned and not has_attachments:
        raise empty_message()
    return cleaned[:TEXT_MAX]


def do_add_message(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    by: By,
    *,
    text: str,
    visibility: Visibility,
    now: datetime,
    uploads: Sequence[Upload] = (),
) -> tuple[Message, list[Attachment]]:
    """Store a message with its attachments (checked by type and size) and write its event.
    SLA effects are the caller's: a customer's message and an agent's answer differ."""
    checked = check_uploads(list(uploads), rt.settings.support_attachment_max_bytes)
    body = clean_text(text, has_attachments=bool(checked))
    # A customer's codes, passwords, card and ID numbers never reach storage (principle 4).
    masked = mask_sensitive(body) if by.kind is AuthorKind.CONTACT else None
    body = masked.text if masked else body
    message = uow.support.messages.add(
        Message(
            id=None,
            case_id=case.id,
            conversation_id=conversation.id,
            visibility=visibility.value,
            author_kind=by.kind.value,
            author_id=by.id,
            body=body,
            created_at=now,
        )
    )
    assert message.id is not None
    attachments = []
    for upload, media_type in checked:
        attachment = seal(
            rt.cipher,
            rt.random,
            upload,
            media_type,
            message_id=message.id,
            case_id=case.id,
            now=now,
        )
        attachments.append(uow.support.attachments.add(attachment))
    history.message_added(
        rt, uow, case, by, now, message, attachments, with_assistant=conversation.bot_owned
    )
    if masked and masked.changed:
        notice = translate(MASKED_NOTICE, case.locale)
        do_add_message(
            rt,
            uow,
            case,
            conversation,
            By.system(),
            text=notice,
            visibility=Visibility.PUBLIC,
            now=now,
        )
    return message, attachments


def do_change_status(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    status: Status,
    *,
    now: datetime,
    calendars: Calendars,
    reason: str | None = None,
) -> Status:
    """Move the case (Case.transition_to checks the move), write the event, drive the SLA
    clocks. Returns the status before."""
    before = case.transition_to(status, now)
    if before.category is Category.SOLVED and status.category is Category.OPEN:
        history.case_reopened(rt, uow, case, by, now, before)
    else:
        history.status_changed(rt, uow, case, by, now, before, status, reason=reason)
    sla_clock.after_status_change(rt, uow, case, before.category, by, now, calendars)
    return before


def do_hand_off(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    conversation: Conversation,
    by: By,
    *,
    reason: str | None,
    now: datetime,
    calendars: Calendars,
    context: Mapping[str, Any] | None = None,
) -> bool:
    """Give the conversation from the bot to humans; the case joins the agents' queues and
    its SLA clocks start. False (and nothing written) when it already was handed off.
    `context` (the assistant's hand-over: intent, confidence, transcript, ...) goes into the
    one `conversation.handed_off` event."""
    if not conversation.hand_off(now):
        return False
    uow.support.conversations.save(conversation)
    history.handed_off(rt, uow, case, by, now, conversation, reason=reason, context=context)
    if case.with_bot:
        case.with_bot = False
        sla_clock.start_clocks(rt, uow, case, now, calendars)
        routing.enqueue(rt, uow, case, now)
    return True


def resolve_status(uow: UnitOfWork, text: str) -> Status:
    """A category code (`open`) or a label key a team defined (`waiting_bank`)."""
    category = parse_category(text)
    if category is not None:
        return Status(category)
    label = uow.support.labels.get(text)
    if label is None:
        raise unknown_status()
    return Status(Category(label.category), label.key)
