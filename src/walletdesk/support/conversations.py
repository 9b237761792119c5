"""In-app chat from the customer's side: start a conversation (a new case, with the bot until
hand-off), write in it, ask for a human; and the bot's own messages.

A customer reply to a solved case reopens it within `support_reopen_days`; a later reply
closes it for good and starts a linked follow-up case. The follow-up goes straight to agents
when people had handled the earlier case, and to the bot when it never left the bot. Closed is
final.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger import wallets
from walletdesk.support import history, sla_clock
from walletdesk.support.access import SupportActor, access_conversation_for
from walletdesk.support.attachments import Upload
from walletdesk.support.cases import (
    do_add_message,
    do_change_status,
    do_hand_off,
    do_open_case,
    subject_of,
)
from walletdesk.support.contacts import contact_for_user
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import (
    Attachment,
    By,
    Case,
    CaseType,
    Channel,
    Conversation,
    Message,
    Visibility,
)
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

CUSTOMER_TYPES = frozenset(CaseType) - {CaseType.VERIFICATION}
"""Verification cases are opened by staff when an operation needs a customer checked."""
DISPUTED_MAX = 20
_POLICE_REPORT = re.compile(r"^[A-Za-z0-9\-]{4,40}$")


@dataclass(frozen=True)
class DisputeClaim:
    """An unauthorised-transaction report: the movements, and the police receipt number
    (报警回执编号) when the customer reported it."""

    transaction_ids: list[str]
    police_report_number: str | None = None


@dataclass(frozen=True)
class Posted:
    case: Case
    conversation: Conversation
    message: Message
    attachments: list[Attachment] = field(default_factory=list)
    follow_up: bool = False
    """True when the message started a follow-up case (the old one was closed)."""


def _check_dispute(
    rt: Runtime, auth: Authenticated, case_type: CaseType, dispute: DisputeClaim | None
) -> list[str]:
    if case_type is not CaseType.DISPUTE:
        if dispute is not None and (dispute.transaction_ids or dispute.police_report_number):
            raise ValidationFailed(
                "not_a_dispute",
                N_("Transactions and police report numbers belong to disputes only."),
                field="type",
            )
        return []
    if dispute is None or not dispute.transaction_ids:
        raise ValidationFailed(
            "dispute_needs_transactions",
            N_("Choose the transactions you did not make."),
            field="transaction_ids",
        )
    ids = list(dict.fromkeys(dispute.transaction_ids))
    if len(ids) > DISPUTED_MAX:
        raise ValidationFailed(
            "too_many_transactions",
            N_("A dispute can name at most {limit} transactions."),
            field="transaction_ids",
            limit=DISPUTED_MAX,
        )
    number = dispute.police_report_number
    if number is not None and not _POLICE_REPORT.match(number):
        raise ValidationFailed(
            "invalid_police_report_number",
            N_("Enter the police report number as it appears on the receipt."),
            field="police_report_number",
        )
    for entry_id in ids:
        # The ledger's door: raises not-found unless the movement touched the user's wallet.
        wallets.transaction(rt, auth, entry_id)
    return ids


def start_chat(
    rt: Runtime,
    auth: Authenticated,
    *,
    text: str,
    case_type: CaseType = CaseType.QUESTION,
    uploads: Sequence[Upload] = (),
    dispute: DisputeClaim | None = None,
) -> Posted:
    """A new chat case with its first message; the bot has it until hand-off."""
    if case_type not in CUSTOMER_TYPES:
        raise ValidationFailed("invalid_case_type", field="type")
    disputed = _check_dispute(rt, auth, case_type, dispute)
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        calendars = load_calendars(uow)
        contact, identity = contact_for_user(rt, uow, auth.user, actor.assurance, now)
        by = By.contact(contact.id)
        case, conversation = do_open_case(
            rt,
            uow,
            contact=contact,
            channel=Channel.CHAT,
            case_type=case_type,
            with_bot=True,
            by=by,
            subject=subject_of(text),
            now=now,
            calendars=calendars,
            identity=identity,
            assurance=actor.assurance,
            police_report_number=dispute.police_report_number if dispute else None,
        )
        message, attachments = do_add_message(
            rt,
            uow,
            case,
            conversation,
            by,
            text=text,
            visibility=Visibility.PUBLIC,
            now=now,
            uploads=uploads,
        )
        if disputed:
            for entry_id in disputed:
                uow.support.disputes.link(case.id, entry_id, now)
            history.dispute_linked(rt, uow, case, by, now, disputed)
        uow.support.cases.save(case)
        uow.commit()
    return Posted(case, conversation, message, attachments)


def post_customer_message(
    rt: Runtime,
    auth: Authenticated,
    conversation_id: str,
    *,
    text: str,
    uploads: Sequence[Upload] = (),
) -> Posted:
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    window = timedelta(days=rt.settings.support_reopen_days)
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        calendars = load_calendars(uow)
        by = By.contact(case.contact_id)
        follow_up = False
        if case.category == Category.SOLVED and not case.reopens_on_reply(now, window):
            do_change_status(
                rt,
                uow,
                case,
                By.system(),
                Status(Category.CLOSED),
                now=now,
                calendars=calendars,
                reason="reopen_window_passed",
            )
        if case.is_closed:
            earlier = case
            contact = uow.support.contacts.get(case.contact_id)
            assert contact is not None
            case, conversation = do_open_case(
                rt,
                uow,
                contact=contact,
                channel=Channel(conversation.channel),
                case_type=CaseType(earlier.type),
                priority=None,
                with_bot=earlier.with_bot,
                by=by,
                subject=subject_of(text),
                now=now,
                calendars=calendars,
                assurance=actor.assurance,
                follow_up_of=earlier.id,
            )
            history.follow_up_opened(rt, uow, earlier, by, now, case.id)
            uow.support.cases.save(earlier)
            follow_up = True
        elif case.category in (Category.SOLVED, Category.PENDING_CUSTOMER):
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(Category.OPEN),
                now=now,
                calendars=calendars,
                reason="customer_replied",
            )
        message, attachments = do_add_message(
            rt,
            uow,
            case,
            conversation,
            by,
            text=text,
            visibility=Visibility.PUBLIC,
            now=now,
            uploads=uploads,
        )
        sla_clock.after_customer_message(rt, uow, case, now, calendars)
        uow.support.cases.save(case)
        uow.commit()
    return Posted(case, conversation, message, attachments, follow_up=follow_up)


def hand_off(
    rt: Runtime, actor: SupportActor, conversation_id: str, *, reason: str | None = None
) -> tuple[Case, Conversation]:
    """Give a conversation from the bot to humans (the customer asked, or the bot gave up).
    Asking again changes nothing."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        if case.is_closed:
            raise CaseIsClosed()
        calendars = load_calendars(uow)
        if do_hand_off(
            rt,
            uow,
            case,
            conversation,
            actor.by(case),
            reason=reason,
            now=now,
            calendars=calendars,
        ):
            uow.support.cases.save(case)
            uow.commit()
    return case, conversation


def post_bot_message(
    rt: Runtime, conversation_id: str, *, text: str, name: str = "assistant"
) -> Message:
    """The bot answers in a conversation it still owns."""
    actor = SupportActor.bot(name)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, conversation = access_conversation_for(uow, actor, conversation_id, for_update=True)
        if not conversation.bot_owned:
            raise Conflict(
                "conversation_with_humans",
                N_("Agents have taken over this conversation; the assistant no longer answers."),
            )
        message, _ = do_add_message(
            rt,
            uow,
            case,
            conversation,
            actor.by(case),
            text=text,
            visibility=Visibility.PUBLIC,
            now=now,
        )
        uow.support.cases.save(case)
        uow.commit()
    return message
