"""Approving a movement held for review (审核通过): a transfer is captured into one entry to the
receiver; a payment or a withdrawal is let go by its own module (`merchants.screening`,
`banking.screening`), which returns an `Approved`. Either way the movement then counts in the
payer's risk history and the payer is told. Holding, cancelling, declining and the timeout
sweep are in `held_transfers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.identity.masking import mask_name
from walletdesk.identity.vault import real_name_of
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import capture_hold
from walletdesk.ledger.models import EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.risk.engine import record_movement
from walletdesk.risk.held_notices import TEMPLATES_BY_KIND
from walletdesk.risk.models import Movement, MovementKind
from walletdesk.risk.review_models import HeldStatus, HeldTransfer

if TYPE_CHECKING:
    from walletdesk.identity.models import User
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def _name(rt: Runtime, user: User) -> str:
    return mask_name(real_name_of(rt.cipher, user) or user.display_name)


@dataclass(frozen=True)
class Approved:
    entry_id: str | None
    """The entry the hold was captured into (None while a withdrawal is at the bank)."""
    shown_as: str
    """The id the movement has in the payer's history now."""


def approve(rt: Runtime, uow: UnitOfWork, held: HeldTransfer, *, by: str) -> str:
    """Let the held movement go ahead; `held` must be locked. Returns the id it now has in
    the payer's history: the entry a transfer or payment was captured into, or the bank
    operation of a withdrawal (sent to the bank once this transaction commits)."""
    if held.kind == MovementKind.PAYMENT:
        from walletdesk.merchants.screening import approve_held_payment

        done = approve_held_payment(rt, uow, held)
    elif held.kind == MovementKind.WITHDRAWAL:
        from walletdesk.banking.screening import approve_held_withdrawal

        done = approve_held_withdrawal(rt, uow, held)
    else:
        done = _approve_transfer(rt, uow, held)
    now = rt.clock.now()
    held.status = HeldStatus.APPROVED.value
    held.resolved_at = now
    held.resolved_by = by
    held.entry_id = done.entry_id
    uow.risk_review.held.save(held)
    record_movement(
        uow,
        Movement(
            id=held.id,
            kind=MovementKind(held.kind),
            sender_id=held.user_id,
            receiver_id=held.recipient_id,
            amount_minor=held.amount_minor,
            currency=held.currency,
            amount_cny_minor=held.amount_cny_minor,
            at=now,
            device_id=held.device_id,
            ip=held.ip,
        ),
    )
    payer = uow.users.get(held.user_id)
    if payer is not None:
        rt.outbox.notify_user(
            uow,
            now=now,
            user=payer,
            template=TEMPLATES_BY_KIND[MovementKind(held.kind)][2],
            params={"amount": Money(held.amount_minor, held.currency).format(payer.locale)},
            contacts=[],
        )
    return done.shown_as


def _approve_transfer(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> Approved:
    """Capture the hold into one transfer entry to the receiver."""
    assert held.recipient_id is not None, "a held transfer has a recipient"
    payer = uow.users.get(held.user_id)
    recipient = uow.users.get(held.recipient_id)
    assert payer is not None and recipient is not None
    amount = Money(held.amount_minor, held.currency)
    target = wallet_account(rt, uow, recipient.id, held.currency)
    posted = capture_hold(
        rt,
        uow,
        hold_id=held.hold_id,
        amount=amount,
        to_legs=[Leg(target.id, amount.minor, amount.currency)],
        kind=EntryKind.TRANSFER,
        description="P2P transfer",
        details={
            "from_user": payer.id,
            "to_user": recipient.id,
            "note": held.note,
            "from_name": mask_name(payer.display_name),
            "to_name": _name(rt, recipient),
            "held_transfer": held.id,
        },
    )
    rt.outbox.notify_user(
        uow,
        now=rt.clock.now(),
        user=recipient,
        template="transfer.received",
        params={"name": mask_name(payer.display_name), "amount": amount.format(recipient.locale)},
        contacts=[],
    )
    return Approved(posted.entry.id, posted.entry.id)
