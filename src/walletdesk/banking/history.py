"""Top-ups and withdrawals that are not in the ledger yet (processing) or never will be
(failed) still belong in the user's history, with the bank's reason and what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.models import REVIEW_STATUSES, BankOperation, OperationKind
from walletdesk.banking.reasons import explanation
from walletdesk.ledger import wallets
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

_ENTRY_KINDS = {
    OperationKind.TOPUP: "topup",
    OperationKind.WITHDRAWAL: "withdrawal",
    OperationKind.PAYMENT: "payment",
}


def _item(operation: BankOperation, bank_last4: str) -> wallets.HistoryItem:
    if operation.kind == OperationKind.TOPUP:
        amount = operation.money
    else:
        amount = -(operation.money + operation.fee_money)
    reason = explanation(operation.reason_code) if operation.reason_code else None
    return wallets.HistoryItem(
        cursor=0,  # pages follow the postings' cursor; see ledger.wallets.history_page
        entry_id=operation.id,
        kind=_ENTRY_KINDS[OperationKind(operation.kind)],
        amount=amount,
        balance_after=Money.zero(operation.currency),
        in_ledger=False,
        created_at=operation.created_at,
        status=operation.status,
        counterparty=f"{operation.bank_code} ****{bank_last4}",
        note=None,
        reversal_of=None,
        failure_code=reason.code if reason else None,
        failure_message=reason.message if reason else None,
        next_step=reason.next_step if reason else None,
    )


def _matches(item: wallets.HistoryItem, filters: wallets.HistoryFilter) -> bool:
    size = abs(item.amount.minor)
    return not (
        (filters.since is not None and item.created_at < filters.since)
        or (filters.until is not None and item.created_at >= filters.until)
        or (filters.min_amount is not None and size < filters.min_amount.minor)
        or (filters.max_amount is not None and size > filters.max_amount.minor)
        or (filters.direction == "in" and item.amount.minor < 0)
        or (filters.direction == "out" and item.amount.minor > 0)
    )


def unposted_operations(
    rt: Runtime, window: wallets.HistoryWindow, filters: wallets.HistoryFilter
) -> list[wallets.HistoryItem]:
    with rt.db.uow(read_only=True) as uow:
        repository = records.operations(uow)
        newest = (
            repository.posting_time(window.before_cursor)
            if window.before_cursor is not None
            else None
        )
        if window.before_cursor is not None and newest is None:
            return []
        found = repository.unposted_of_user(
            window.user_id, newest=newest, oldest=window.oldest, kinds=filters.kinds
        )
        last4 = {card.id: card.last4 for card in records.cards(uow).all_of_user(window.user_id)}
    items = [_item(operation, last4.get(operation.card_id, "")) for operation in found]
    return [item for item in items if _matches(item, filters)]


def operation_transaction(
    rt: Runtime, actor: Authenticated, operation_id: str
) -> wallets.HistoryItem | None:
    """The actor's top-up or withdrawal by its bank operation id, as their history shows it:
    the posted entry once the bank paid, otherwise the operation (processing or failed, with
    the reason). None when the id is not one of the actor's operations."""
    with rt.db.uow(read_only=True) as uow:
        operation = records.operations(uow).get(operation_id)
        if operation is None or operation.user_id != actor.user.id:
            return None
        if operation.status in REVIEW_STATUSES:
            return None  # a held withdrawal: `risk.held_history` shows it, with its review
        card = records.cards(uow).get(operation.card_id)
    if operation.entry_id is not None:
        return wallets.entry_transaction(rt, actor, operation.entry_id)
    return _item(operation, card.last4 if card else "")


def _ensure_registered() -> None:
    if unposted_operations not in wallets.EXTRA_HISTORY:
        wallets.EXTRA_HISTORY.append(unposted_operations)
    if operation_transaction not in wallets.EXTRA_TRANSACTIONS:
        wallets.EXTRA_TRANSACTIONS.append(operation_transaction)


_ensure_registered()
