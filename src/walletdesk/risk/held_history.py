"""Movements held for review in the payer's transaction history (GET /api/v1/transactions and
the wallet's history pages): "under_review" (审核中) with the expected decision time while a
reviewer decides, then "cancelled" (by the payer) or "declined" (by a reviewer or at the final
timeout). An approved one shows as what it became: the posted entry of a transfer or payment,
or the withdrawal's bank operation, so it is never listed twice. Registered with
`ledger.wallets` like the bank operations (`banking.history`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.i18n import N_
from walletdesk.ledger import wallets
from walletdesk.ledger.money import Money
from walletdesk.risk.models import MovementKind
from walletdesk.risk.review_models import HeldStatus, HeldTransfer

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

RECENT_HELD = 200
"""How many of a user's latest held movements a history page looks through (holds are rare)."""

_SHOWN_STATUS = {
    HeldStatus.UNDER_REVIEW: "under_review",
    HeldStatus.CANCELLED: "cancelled",
    HeldStatus.DECLINED: "declined",
    HeldStatus.TIMED_OUT: "declined",
}
_EXPLAINED = {
    "under_review": (
        N_("Our risk team is checking this. The money is reserved in your wallet until then."),
        N_("You can cancel it while it is under review."),
    ),
    "declined": (
        N_("This was not made after review. The reserved money is available again."),
        N_("If you think this is a mistake, contact support in the app."),
    ),
}


def _counterparty(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> str | None:
    facts = held.facts
    if held.kind == MovementKind.TRANSFER and held.recipient_id is not None:
        from walletdesk.ledger.transfers import masked_recipient  # transfers import risk

        recipient = uow.users.get(held.recipient_id)
        return masked_recipient(rt, recipient).masked_name if recipient is not None else None
    if held.kind == MovementKind.PAYMENT:
        return str(facts.get("merchant") or "") or None
    if held.kind == MovementKind.WITHDRAWAL:
        return f"{facts.get('bank', '')} ****{facts.get('card_last4', '')}"
    return None


def _item(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> wallets.HistoryItem | None:
    shown = _SHOWN_STATUS.get(HeldStatus(held.status))
    if shown is None:
        return None  # approved: it is in the history as what it became
    fee = int(str(held.facts.get("fee", 0)))
    message, next_step = _EXPLAINED.get(shown, (None, None))
    return wallets.HistoryItem(
        cursor=0,  # pages follow the postings' cursor; see ledger.wallets.history_page
        entry_id=held.id,
        kind=held.kind,
        amount=Money(-(held.amount_minor + fee), held.currency),
        balance_after=Money.zero(held.currency),
        in_ledger=False,
        created_at=held.created_at,
        status=shown,
        counterparty=_counterparty(rt, uow, held),
        note=held.note,
        reversal_of=None,
        failure_code=f"{shown}" if message else None,
        failure_message=message,
        next_step=next_step,
        expected_by=held.expected_by if shown == "under_review" else None,
    )


def _matches(item: wallets.HistoryItem, filters: wallets.HistoryFilter) -> bool:
    size = abs(item.amount.minor)
    return not (
        (filters.kinds and item.kind not in filters.kinds)
        or (filters.since is not None and item.created_at < filters.since)
        or (filters.until is not None and item.created_at >= filters.until)
        or (filters.min_amount is not None and size < filters.min_amount.minor)
        or (filters.max_amount is not None and size > filters.max_amount.minor)
        or filters.direction == "in"
    )


def held_in_history(
    rt: Runtime, window: wallets.HistoryWindow, filters: wallets.HistoryFilter
) -> list[wallets.HistoryItem]:
    """The user's held movements that belong on this history page."""
    from walletdesk.banking import records  # its repository knows when a posting was made

    with rt.db.uow(read_only=True) as uow:
        newest = None
        if window.before_cursor is not None:
            newest = records.operations(uow).posting_time(window.before_cursor)
            if newest is None:
                return []
        found = uow.risk_review.held.of_user(window.user_id, pending_only=False, limit=RECENT_HELD)
        items = [
            item
            for held in found
            if (newest is None or held.created_at < newest)
            and (window.oldest is None or held.created_at >= window.oldest)
            and (item := _item(rt, uow, held)) is not None
        ]
    return [item for item in items if _matches(item, filters)]


def held_transaction(rt: Runtime, actor: Authenticated, held_id: str) -> wallets.HistoryItem | None:
    """The actor's held movement by its id (the id its first answer carried); once approved,
    the entry it was posted as. None for anything else (and for an approved withdrawal, whose
    bank operation `banking.history` shows under the same id)."""
    with rt.db.uow(read_only=True) as uow:
        held = uow.risk_review.held.get(held_id)
        if held is None or held.user_id != actor.user.id:
            return None
        item = _item(rt, uow, held)
    if item is None and held.entry_id is not None and held.kind != MovementKind.WITHDRAWAL:
        return wallets.entry_transaction(rt, actor, held.entry_id)
    return item


def _ensure_registered() -> None:
    if held_in_history not in wallets.EXTRA_HISTORY:
        wallets.EXTRA_HISTORY.append(held_in_history)
    if held_transaction not in wallets.EXTRA_TRANSACTIONS:
        wallets.EXTRA_TRANSACTIONS.append(held_transaction)


_ensure_registered()
