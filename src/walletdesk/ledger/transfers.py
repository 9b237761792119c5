"""P2P transfers (转账): to a phone number, email or wallet id; instant; masked recipient name
shown before confirming."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.contacts import looks_like_phone, normalise_email, normalise_phone
from walletdesk.identity.masking import mask_name
from walletdesk.identity.models import Payee, User
from walletdesk.identity.vault import login_index, real_name_of
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.idempotency import ResponseRecord
from walletdesk.ledger.models import EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.risk.held_transfers import hold_transfer
from walletdesk.risk.screening import (
    Screened,
    record_posted,
    refuse,
    screen_transfer,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

NOTE_MAX = 50


@dataclass(frozen=True)
class RecipientPreview:
    wallet_id: str
    masked_name: str


@dataclass(frozen=True)
class TransferResult:
    id: str
    amount: Money
    recipient: RecipientPreview
    note: str | None
    created_at: datetime
    status: str = "succeeded"
    """"succeeded", or "under_review" (审核中) when the risk engine held it: then `id` is the
    held transfer's id, nothing has reached the recipient, and `expected_by` is set."""
    expected_by: datetime | None = None


def no_recipient() -> NotFound:
    return NotFound(
        "recipient_not_found",
        N_("No walletdesk account matches this phone number, email or wallet id."),
        field="to",
    )


def find_recipient(rt: Runtime, uow: UnitOfWork, to: str) -> User:
    text = to.strip()
    if text.startswith("usr_"):
        user = uow.users.get(text)
    else:
        try:
            normalised = normalise_phone(text) if looks_like_phone(text) else normalise_email(text)
        except ValidationFailed:
            raise no_recipient() from None
        user = uow.users.get_by_login_index(login_index(rt.cipher, normalised))
    if user is None:
        raise no_recipient()
    return user


def find_recipients(rt: Runtime, uow: UnitOfWork, tos: list[str]) -> dict[str, Payee]:
    """`find_recipient` for many at once (one query): {what was typed: payee}."""
    names: dict[str, str] = {}
    for to in tos:
        text = to.strip()
        if text.startswith("usr_"):
            names[to] = text
            continue
        try:
            normalised = normalise_phone(text) if looks_like_phone(text) else normalise_email(text)
        except ValidationFailed:
            raise no_recipient() from None
        names[to] = login_index(rt.cipher, normalised)
    found = uow.users.payees(
        ids=[n for n in names.values() if n.startswith("usr_")],
        login_indexes=[n for n in names.values() if not n.startswith("usr_")],
    )
    missing = [to for to, name in names.items() if name not in found]
    if missing:
        raise no_recipient()
    return {to: found[name] for to, name in names.items()}


def masked_recipient(rt: Runtime, user: User) -> RecipientPreview:
    """Real name if verified, else the display name, masked: "*明"."""
    name = real_name_of(rt.cipher, user) or user.display_name
    return RecipientPreview(wallet_id=user.id, masked_name=mask_name(name))


def preview_recipient(rt: Runtime, actor: Authenticated, to: str) -> RecipientPreview:
    with rt.db.uow(read_only=True) as uow:
        user = find_recipient(rt, uow, to)
    if user.id == actor.user.id:
        raise to_self()
    return masked_recipient(rt, user)


def to_self() -> ValidationFailed:
    return ValidationFailed(
        "transfer_to_self", N_("You cannot transfer money to yourself."), field="to"
    )


def transfer(
    rt: Runtime,
    actor: Authenticated,
    *,
    to: str,
    amount: Money,
    note: str | None,
    locale: str,
    record: Callable[[UnitOfWork, TransferResult], None] | None = None,
) -> TransferResult:
    """check_transfer: move `amount` from the actor's wallet to the recipient's at once, or
    hold it for review when the risk engine says so (`risk.screening`).

    `record` runs inside the transaction just before commit (the idempotency layer stores the
    response there, so the response and the money commit together).

    On PostgreSQL the transfer joins the group commit (`ledger.transfer_batches`), whose
    leader assesses the whole batch with one read and posts the approved transfers, storing
    their decisions and history rows in the batch's own transaction; a held or refused one
    comes back here (`ScreenedOut`) and takes the one-transfer path with that decision
    (assessed once, stored once). The race this accepts: transfers of one sender in the same
    batch, or in two batches in flight at once, do not see each other in the velocity
    windows — the same as two concurrent transfers on the one-transfer path, where the
    payer's row is only share-locked. Limits, funds and freezes are still checked where the
    rows are locked."""
    text = (note or "").strip()[:NOTE_MAX] or None
    decided: Screened | None = None
    if rt.transfer_batches is not None:
        from walletdesk.ledger.transfer_batches import ScreenedOut

        try:
            return _transfer_in_batch(
                rt, actor, to=to, amount=amount, note=text, locale=locale, record=record
            )
        except ScreenedOut as out:
            decided = out.screened  # held or refused: acted on below, in its own transaction
    return _transfer_alone(
        rt, actor, to=to, amount=amount, note=text, locale=locale, record=record, decided=decided
    )


def _transfer_alone(
    rt: Runtime,
    actor: Authenticated,
    *,
    to: str,
    amount: Money,
    note: str | None,
    locale: str,
    record: Callable[[UnitOfWork, TransferResult], None] | None,
    decided: Screened | None,
) -> TransferResult:
    """One transfer in its own transaction; `decided` is a decision already made (and not
    yet stored) before the group commit turned it away."""
    text = note
    refused: Screened | None = None
    with rt.db.uow() as uow:
        recipient = find_recipient(rt, uow, to)
        if recipient.id == actor.user.id:
            raise to_self()
        payer = lock_payer(uow, actor.user.id)
        counted = check_outgoing(rt, uow, payer, amount, locale=locale)
        source = wallet_account(rt, uow, payer.id, amount.currency)
        preview = masked_recipient(rt, recipient)
        screened = decided
        if decided is not None and not decided.refused:
            uow.risk.add_decision(decided.decision)  # (a refusal keeps it in `refuse`)
        elif decided is None and rt.settings.risk_screen_transfers:
            screened = screen_transfer(
                rt,
                uow,
                payer=payer,
                recipient_id=recipient.id,
                amount=amount,
                cny_amount=counted,
                note=text,
                locale=locale,
                device_id=actor.session.device_id,
                ip=actor.session.ip,
                sender_balance_minor=source.available if amount.currency == "CNY" else None,
            )
        result: TransferResult | None = None
        if screened is not None and screened.refused:
            refused = screened  # leave without committing: the counted limits roll back
        elif screened is not None and screened.held:
            held = hold_transfer(
                rt,
                uow,
                screened,
                payer=payer,
                recipient=recipient,
                amount=amount,
                note=text,
                locale=locale,
                limit_counted=counted,
            )
            result = TransferResult(
                id=held.id,
                amount=amount,
                recipient=preview,
                note=text,
                created_at=held.created_at,
                status="under_review",
                expected_by=held.expected_by,
            )
            if isinstance(record, ResponseRecord):
                record = replace(record, status=202)  # the API answers 202 under review
        else:
            target = wallet_account(rt, uow, recipient.id, amount.currency)
            posted = post_entry(
                rt,
                uow,
                kind=EntryKind.TRANSFER,
                actor_id=payer.id,
                locale=locale,
                legs=[
                    Leg(source.id, -amount.minor, amount.currency),
                    Leg(target.id, amount.minor, amount.currency),
                ],
                description="P2P transfer",
                details=entry_details(rt, payer, recipient, text),
            )
            if screened is not None:
                record_posted(uow, screened)
            rt.outbox.notify_user(
                uow,
                now=rt.clock.now(),
                user=recipient,
                template="transfer.received",
                params={
                    "name": mask_name(payer.display_name),
                    "amount": amount.format(recipient.locale),
                },
                contacts=[],
            )
            result = TransferResult(
                id=posted.entry.id,
                amount=amount,
                recipient=preview,
                note=text,
                created_at=posted.entry.created_at,
            )
        if result is not None:
            if record is not None:
                record(uow, result)
            uow.commit()
    if refused is not None:
        raise refuse(rt, refused)
    assert result is not None
    return result


def entry_details(rt: Runtime, payer: User, recipient: User, note: str | None) -> dict[str, object]:
    return {
        "from_user": payer.id,
        "to_user": recipient.id,
        "note": note,
        "from_name": mask_name(payer.display_name),
        "to_name": masked_recipient(rt, recipient).masked_name,
    }


def _transfer_in_batch(
    rt: Runtime,
    actor: Authenticated,
    *,
    to: str,
    amount: Money,
    note: str | None,
    locale: str,
    record: Callable[[UnitOfWork, TransferResult], None] | None,
) -> TransferResult:
    """PostgreSQL: hand the transfer to the group commit (`ledger.transfer_batches`). Only
    what needs no database is done here; the recipient is found, and the transfer assessed
    when screening is on, in the batch."""
    from walletdesk.ledger.transfer_batches import ScreenRequest, TransferOrder, order_ids

    assert rt.transfer_batches is not None
    text = to.strip()
    to_id: str | None = None
    to_index: str | None = None
    if text.startswith("usr_"):
        to_id = text
    else:
        try:
            normalised = normalise_phone(text) if looks_like_phone(text) else normalise_email(text)
        except ValidationFailed:
            raise no_recipient() from None
        to_index = login_index(rt.cipher, normalised)
    entry_id, account_ids = order_ids(rt)
    return rt.transfer_batches.run(
        TransferOrder(
            entry_id=entry_id,
            payer=actor.user,
            to_id=to_id,
            to_index=to_index,
            amount=amount,
            note=note,
            locale=locale,
            at=rt.clock.now(),
            account_ids=account_ids,
            record=record,
            screen=(
                ScreenRequest(device_id=actor.session.device_id, ip=actor.session.ip)
                if rt.settings.risk_screen_transfers
                else None
            ),
        )
    )
