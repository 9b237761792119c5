"""Bulk payouts (批量付款): one payer pays many recipients in one journal entry.

A payroll, a red-packet round or a merchant's cash-back run is one instruction from the payer,
so it is one entry: the payer's wallet is debited once with the total and every recipient's
wallet is credited. It is all-or-nothing — a batch never half-pays — and it costs one payer
update, one update per distinct recipient and one multi-row insert of postings, instead of a
whole transaction per recipient. Limits count the batch as one payment of its total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.masking import mask_name
from walletdesk.ledger.accounts import wallet_account_id, wallet_ids
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.models import EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.ledger.transfers import find_recipients

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

MAX_ITEMS = 1000
NOTE_MAX = 50


@dataclass(frozen=True)
class PayoutItem:
    to: str
    """Phone number, email or wallet id of the recipient."""
    amount: Money


@dataclass(frozen=True)
class PayoutResult:
    id: str
    total: Money
    paid: int
    created_at: datetime


def check_items(items: list[PayoutItem]) -> Money:
    """The batch's total, or a coded refusal: 1..MAX_ITEMS items in one currency, each > 0."""
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValidationFailed(
            "invalid_payout_size",
            N_("A payout pays between 1 and {max} recipients."),
            field="items",
            max=MAX_ITEMS,
        )
    currencies = {item.amount.currency for item in items}
    if len(currencies) != 1:
        raise ValidationFailed(
            "mixed_currencies",
            N_("All payments in one payout must be in the same currency."),
            field="items",
        )
    if any(item.amount.minor <= 0 for item in items):
        raise ValidationFailed("invalid_amount", field="items")
    currency = currencies.pop()
    return Money(sum(item.amount.minor for item in items), currency)


def pay_out(
    rt: Runtime,
    actor: Authenticated,
    *,
    items: list[PayoutItem],
    note: str | None,
    locale: str,
    notify: bool = True,
    record: Callable[[UnitOfWork, PayoutResult], None] | None = None,
) -> PayoutResult:
    """check_pay_out: pay every item from the actor's wallet in one entry, or none of them.

    `record` runs inside the transaction before commit (the idempotency layer stores the
    response there). `notify=False` leaves the recipients' notices to the caller (a payroll
    that announces itself once)."""
    total = check_items(items)
    text = (note or "").strip()[:NOTE_MAX] or None
    with rt.db.uow() as uow:
        recipients = find_recipients(rt, uow, [item.to for item in items])
        if any(user.id == actor.user.id for user in recipients.values()):
            raise ValidationFailed(
                "transfer_to_self", N_("You cannot transfer money to yourself."), field="items"
            )
        payer = lock_payer(uow, actor.user.id)
        check_outgoing(rt, uow, payer, total, locale=locale)
        source_id = wallet_account_id(rt, uow, payer.id, total.currency)
        targets = wallet_ids(
            rt, uow, sorted({user.id for user in recipients.values()}), total.currency
        )
        legs = [Leg(source_id, -total.minor, total.currency)] + [
            Leg(targets[recipients[item.to].id], item.amount.minor, total.currency)
            for item in items
        ]
        posted = post_entry(
            rt,
            uow,
            kind=EntryKind.TRANSFER,
            actor_id=payer.id,
            locale=locale,
            legs=legs,
            description="Bulk payout",
            details={"from_user": payer.id, "items": len(items), "note": text},
        )
        if notify:
            for user in recipients.values():
                received = sum(i.amount.minor for i in items if recipients[i.to].id == user.id)
                rt.outbox.notify_user(
                    uow,
                    now=rt.clock.now(),
                    user=user,
                    template="transfer.received",
                    params={
                        "name": mask_name(payer.display_name),
                        "amount": Money(received, total.currency).format(user.locale),
                    },
                    contacts=[],
                )
        result = PayoutResult(
            id=posted.entry.id, total=total, paid=len(items), created_at=posted.entry.created_at
        )
        if record is not None:
            record(uow, result)
        uow.commit()
    return result
