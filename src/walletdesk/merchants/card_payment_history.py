"""Card payments in the payer's history: a card payment that went through moves no wallet of
the payer (the money came from the bank), so the postings alone would not show it. This module
adds them to `ledger.wallets`' history and transaction look-up (registered on import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.ledger import wallets
from walletdesk.ledger.money import Money
from walletdesk.merchants.models import OrderStatus, PaidWith, PaymentOrder
from walletdesk.merchants.store import store

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore


def card_payments_in_history(
    rt: Runtime, window: wallets.HistoryWindow, filters: wallets.HistoryFilter
) -> list[wallets.HistoryItem]:
    """Card payments that went through: their entry touches no wallet of the payer (the
    money came from the bank), so the postings alone would not show them. Processing and
    declined ones are listed by `banking.history` under the same id, the operation's."""
    if filters.kinds and "payment" not in filters.kinds:
        return []
    with rt.db.uow(read_only=True) as uow:
        newest = (
            records.operations(uow).posting_time(window.before_cursor)
            if window.before_cursor is not None
            else None
        )
        if window.before_cursor is not None and newest is None:
            return []
        s = store(uow)
        orders = s.orders.card_paid_of_user(window.user_id, newest=newest, oldest=window.oldest)
        names = {o.merchant_id: _merchant_name(s, o.merchant_id) for o in orders}
    items = [_history_item(order, names[order.merchant_id]) for order in orders]
    return [item for item in items if _matches(item, filters)]


def card_payment_transaction(
    rt: Runtime, actor: Authenticated, operation_id: str
) -> wallets.HistoryItem | None:
    """The actor's card payment that went through, by its operation id (the id its history
    item has); None for anything else."""
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        order = s.orders.by_operation(operation_id)
        if (
            order is None
            or order.payer_id != actor.user.id
            or order.method != PaidWith.CARD
            or order.status != OrderStatus.PAID
        ):
            return None
        return _history_item(order, _merchant_name(s, order.merchant_id))


def _history_item(order: PaymentOrder, merchant_name: str) -> wallets.HistoryItem:
    return wallets.HistoryItem(
        cursor=0,  # pages follow the postings' cursor; see ledger.wallets.history_page
        entry_id=order.operation_id or order.id,
        kind="payment",
        amount=Money(-order.user_paid, order.currency),
        balance_after=Money.zero(order.currency),
        in_ledger=False,
        created_at=order.paid_at or order.created_at,
        status="succeeded",
        counterparty=merchant_name,
        note=order.description,
        reversal_of=None,
    )


def _merchant_name(s: MerchantStore, merchant_id: str) -> str:
    merchant = s.merchants.get(merchant_id)
    return merchant.name if merchant else ""


def _matches(item: wallets.HistoryItem, filters: wallets.HistoryFilter) -> bool:
    size = abs(item.amount.minor)
    return not (
        (filters.since is not None and item.created_at < filters.since)
        or (filters.until is not None and item.created_at >= filters.until)
        or (filters.min_amount is not None and size < filters.min_amount.minor)
        or (filters.max_amount is not None and size > filters.max_amount.minor)
        or filters.direction == "in"
    )


def _ensure_registered() -> None:
    if card_payments_in_history not in wallets.EXTRA_HISTORY:
        wallets.EXTRA_HISTORY.append(card_payments_in_history)
    if card_payment_transaction not in wallets.EXTRA_TRANSACTIONS:
        wallets.EXTRA_TRANSACTIONS.append(card_payment_transaction)


_ensure_registered()
