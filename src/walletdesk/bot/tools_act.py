"""Tools that change something, by tier.

- Reversible, run only after the customer's explicit "yes" (or the confirm button): freeze the
  wallet now, start a password reset, file a complaint, book a verified call-back (the
  dialogue hands the conversation over with the call-back flagged).
- Money-moving (refund, reversal, unfreeze, limit raise): the assistant NEVER executes them.
  It opens a case with the customer's request and a draft for the maker-checker flow
  (`support.actions`): an agent proposes it, a second person approves it, and only then does
  anything run. Nothing here touches the ledger.

The `do_*` functions run inside the dialogue's unit of work (the caller holds the chat case's
row lock and commits): the change, its audit entry and the `bot.tool` event commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.bot import events, replies
from walletdesk.bot.entities import Entities
from walletdesk.i18n import Text, translate
from walletdesk.identity.context import RequestContext
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.recovery import request_reset
from walletdesk.identity.vault import email_of, phone_of
from walletdesk.support.actions_model import ActionKind
from walletdesk.support.calendar import Calendars
from walletdesk.support.cases import do_add_message, do_open_case
from walletdesk.support.complaints import do_register
from walletdesk.support.complaints_model import ComplaintCategory, ComplaintRecord
from walletdesk.support.models import (
    By,
    Case,
    CaseType,
    Channel,
    Contact,
    Priority,
    Visibility,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

FREEZE_NOTE_MAX = 200
MONEY_ACTIONS: dict[str, ActionKind] = {
    "refund": ActionKind.REFUND,
    "reverse": ActionKind.REVERSE,
    "unfreeze": ActionKind.UNFREEZE,
    "raise_limit": ActionKind.RAISE_LIMIT,
}
COMPLAINT_CATEGORIES: dict[str | None, ComplaintCategory] = {
    "fees": ComplaintCategory.FEES,
    "transfer_not_received": ComplaintCategory.TRANSFER,
    "top_up_failed": ComplaintCategory.TOPUP_WITHDRAWAL,
    "withdrawal_pending": ComplaintCategory.TOPUP_WITHDRAWAL,
    "card_binding": ComplaintCategory.CARD,
    "account_stolen": ComplaintCategory.ACCOUNT_SECURITY,
}


def do_freeze(
    rt: Runtime, uow: UnitOfWork, user_id: str, *, reason: str, case_id: str, now: datetime
) -> bool:
    """Freeze the customer's own wallet at their confirmed request, as the app's freeze button
    does: at once, audited as the user's act through the assistant, and the owner notified on
    every channel (so a thief who took over the chat cannot hide it). False when it already
    was frozen (harmless)."""
    user = uow.users.get(user_id, for_update=True)
    if user is None or user.is_frozen:
        return False
    user.freeze(now, f"assistant: {reason}"[:FREEZE_NOTE_MAX])
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        Actor.user(user.id),
        "wallet.frozen",
        user.id,
        reason=reason,
        by="assistant",
        case_id=case_id,
    )
    notify_owner(rt, uow, user, "wallet.frozen", now)
    return True


def start_password_reset(rt: Runtime, user_id: str) -> None:
    """Send a reset code to the account's registered phone (else email): the same request as
    "Forgot password" in the app, with its rate limits. The code goes only to the owner's
    contact and is entered only on the reset screen."""
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(user_id)
        assert user is not None
        login = phone_of(rt.cipher, user) or email_of(rt.cipher, user)
    assert login is not None, "every user has a phone or an email"
    request_reset(rt, login_text=login, request=RequestContext())


def do_open_complaint(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    contact: Contact,
    words: str,
    intent: str | None,
    now: datetime,
    calendars: Calendars,
) -> tuple[Case, ComplaintRecord]:
    """A complaint case with people (never the bot), the customer's words as its first
    message, and at once its reference number and statutory deadline."""
    by = By.contact(contact.id)
    case, conversation = do_open_case(
        rt,
        uow,
        contact=contact,
        channel=Channel.CHAT,
        case_type=CaseType.COMPLAINT,
        with_bot=False,
        by=by,
        subject=words[:120] or "…",
        now=now,
        calendars=calendars,
    )
    do_add_message(
        rt, uow, case, conversation, by, text=words, visibility=Visibility.PUBLIC, now=now
    )
    category = COMPLAINT_CATEGORIES.get(intent, ComplaintCategory.OTHER)
    record = do_register(rt, uow, case, category=category, by=by, now=now, calendars=calendars)
    uow.support.cases.save(case)
    return case, record


def draft_of(
    tool: str, customer_id: str, words: str, entities: Entities, source: Case
) -> dict[str, Any]:
    """What an agent needs to propose the action: the kind, the references and the amount the
    customer named, their words (already masked) and where they asked."""
    amount = entities.amounts[0] if entities.amounts else None
    return {
        "proposal_kind": MONEY_ACTIONS[tool].value,
        "customer_id": customer_id,
        "transaction_ids": list(entities.references),
        "amount": str(amount.amount) if amount else None,
        "currency": amount.currency if amount else None,
        "customer_words": words,
        "source_case_id": source.id,
        "executed": False,
    }


def do_open_money_request(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    tool: str,
    contact: Contact,
    draft: dict[str, Any],
    locale: str,
    now: datetime,
    calendars: Calendars,
) -> Case:
    """A case with people, high priority, holding the request for the maker-checker flow. The
    assistant writes the draft as an internal note and a `bot.request` event; no proposal row
    is created (a proposal needs a staff maker) and nothing is executed."""
    action = Text(replies.ACTION_NAMES[tool])
    case, conversation = do_open_case(
        rt,
        uow,
        contact=contact,
        channel=Channel.CHAT,
        case_type=CaseType.PROBLEM,
        with_bot=False,
        by=By.bot("assistant"),
        subject=translate(replies.MONEY_CASE_SUBJECT, locale, action=action),
        now=now,
        calendars=calendars,
        priority=Priority.HIGH,
    )
    note = "\n".join(f"{key}: {value}" for key, value in draft.items() if value not in (None, []))
    do_add_message(
        rt,
        uow,
        case,
        conversation,
        By.bot("assistant"),
        text=note,
        visibility=Visibility.INTERNAL,
        now=now,
    )
    events.request_opened(rt, uow, case, By.bot("assistant"), now, draft)
    uow.support.cases.save(case)
    return case
