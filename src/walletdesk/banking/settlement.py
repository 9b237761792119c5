"""Applying the bank's answer to an operation, exactly once, however it arrives: in the reply
to our request, by a signed callback, or by asking (`refresh`, `reconcile_pending`).

A top-up that succeeded posts one entry, bank clearing → wallet. A withdrawal that succeeded
captures its hold into bank clearing plus the fee into fee revenue; one that failed releases
the hold. The operation row is locked first, so two answers racing settle it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.models import BankOperation, Card, OperationKind, OperationStatus
from walletdesk.banking.notices import announce_result
from walletdesk.banking.reasons import Reason
from walletdesk.channels.bank import BankReply, BankStatus
from walletdesk.errors import NotFound
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.holds import capture_hold, release_hold
from walletdesk.ledger.limits import give_back_limits
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.posting import post_entry

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

RECONCILE_AFTER = timedelta(seconds=30)
"""An operation still processing this long after its last news is worth asking about."""


@dataclass(frozen=True)
class OperationView:
    operation: BankOperation
    card: Card


def ask_bank(request_id: str, call: Callable[[], BankReply]) -> BankReply:
    """Call the gateway; a failure on the line means we do not know the result yet."""
    try:
        return call()
    except Exception:
        logger.warning("bank call for %s failed; treating it as a timeout", request_id)
        return BankReply(request_id, BankStatus.PENDING, Reason.NETWORK_TIMEOUT.value)


def apply_reply(rt: Runtime, uow: UnitOfWork, operation_id: str, reply: BankReply) -> OperationView:
    """Settle the operation with the bank's answer, if it is still open; inside `uow`."""
    operations = records.operations(uow)
    operation = operations.get(operation_id, for_update=True)
    if operation is None:
        raise NotFound("operation_not_found")
    card = records.cards(uow).get(operation.card_id)
    assert card is not None, "operations reference their card"
    now = rt.clock.now()
    if not operation.is_open:
        return OperationView(operation, card)  # already settled: a repeated answer changes nothing
    if reply.status == BankStatus.PENDING:
        if reply.reason and reply.reason != operation.reason_code:
            operation.reason_code = reply.reason
        operation.updated_at = now
        operations.save(operation)
        return OperationView(operation, card)
    if operation.kind == OperationKind.PAYMENT:
        # The merchants package owns the order this charge pays; imported here, not at the
        # top, because it builds on this module.
        from walletdesk.merchants.card_payments import settle_card_payment

        settle_card_payment(rt, uow, operation, card, reply)
        operations.save(operation)
        return OperationView(operation, card)
    if operation.kind == OperationKind.TOPUP:
        _settle_topup(rt, uow, operation, card, reply)
    else:
        _settle_withdrawal(rt, uow, operation, card, reply)
    operations.save(operation)
    announce_result(rt, uow, operation, card)
    return OperationView(operation, card)


def _details(operation: BankOperation, card: Card) -> dict[str, object]:
    counterparty = f"{card.bank_code} ****{card.last4}"
    return {
        "operation_id": operation.id,
        "bank": card.bank_code,
        "card_last4": card.last4,
        "to_name": counterparty,
        "from_name": counterparty,
    }


def _settle_topup(
    rt: Runtime, uow: UnitOfWork, operation: BankOperation, card: Card, reply: BankReply
) -> None:
    now = rt.clock.now()
    if reply.status != BankStatus.SUCCEEDED:
        operation.fail(reply.reason or Reason.BANK_DECLINED, reply.reference, now)
        return
    money = operation.money
    wallet = wallet_account(rt, uow, operation.user_id, money.currency)
    clearing = platform_account(
        rt, uow, AccountKind.BANK_CLEARING, money.currency, operation.bank_code
    )
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.TOPUP,
        actor_id=operation.user_id,
        description="Top-up from bank card",
        details=_details(operation, card),
        legs=[
            Leg(clearing.id, -money.minor, money.currency),
            Leg(wallet.id, money.minor, money.currency),
        ],
    )
    operation.succeed(posted.entry.id, reply.reference, now)


def _settle_withdrawal(
    rt: Runtime, uow: UnitOfWork, operation: BankOperation, card: Card, reply: BankReply
) -> None:
    now = rt.clock.now()
    assert operation.hold_id is not None, "a withdrawal holds its amount and fee"
    if reply.status != BankStatus.SUCCEEDED:
        release_hold(rt, uow, hold_id=operation.hold_id)
        # The money never left, so it must not eat into the user's limits either.
        give_back_limits(
            uow,
            subject_id=operation.user_id,
            amount=operation.money,
            used_at=operation.created_at,
            counted=operation.limit_counted,
        )
        operation.fail(reply.reason or Reason.BANK_DECLINED, reply.reference, now)
        return
    money, fee = operation.money, operation.fee_money
    clearing = platform_account(
        rt, uow, AccountKind.BANK_CLEARING, money.currency, operation.bank_code
    )
    legs = [Leg(clearing.id, money.minor, money.currency)]
    if fee.minor:
        revenue = platform_account(rt, uow, AccountKind.FEE_REVENUE, fee.currency)
        legs.append(Leg(revenue.id, fee.minor, fee.currency))
    posted = capture_hold(
        rt,
        uow,
        hold_id=operation.hold_id,
        amount=money + fee,
        to_legs=legs,
        kind=EntryKind.WITHDRAWAL,
        description="Withdrawal to bank card",
        details=_details(operation, card) | {"fee": fee.minor},
    )
    operation.succeed(posted.entry.id, reply.reference, now)


def refresh(rt: Runtime, operation_id: str) -> OperationView:
    """Ask the bank about an open operation and apply what it says."""
    with rt.db.uow(read_only=True) as uow:
        operation = records.operations(uow).get(operation_id)
        if operation is None:
            raise NotFound("operation_not_found")
        if not operation.is_open:
            card = records.cards(uow).get(operation.card_id)
            assert card is not None, "operations reference their card"
            return OperationView(operation, card)
    reply = ask_bank(operation_id, lambda: rt.bank.query(operation_id))
    with rt.db.uow() as uow:
        view = apply_reply(rt, uow, operation_id, reply)
        uow.commit()
    return view


def reconcile_pending(rt: Runtime, *, limit: int = 200) -> dict[str, int]:
    """Ask the bank about every operation stuck in processing; returns counts by new status."""
    with rt.db.uow(read_only=True) as uow:
        stuck = records.operations(uow).open_since(rt.clock.now() - RECONCILE_AFTER, limit=limit)
    # Only processing operations are asked about (never one held for review), so these are
    # the statuses they can end in.
    counts = {
        status.value: 0
        for status in (
            OperationStatus.PROCESSING,
            OperationStatus.SUCCEEDED,
            OperationStatus.FAILED,
        )
    }
    for operation_id in stuck:
        try:
            view = refresh(rt, operation_id)
        except Exception:
            logger.exception("reconciling %s failed; it stays processing", operation_id)
            continue
        counts[view.operation.status] += 1
    return counts


def handle_callback(rt: Runtime, bank_code: str, reply: BankReply) -> OperationView:
    """A verified callback from `bank_code`: apply it to our operation of that bank."""
    with rt.db.uow() as uow:
        operation = records.operations(uow).get(reply.request_id)
        if operation is None or operation.bank_code != bank_code:
            raise NotFound("operation_not_found")
        view = apply_reply(rt, uow, reply.request_id, reply)
        uow.commit()
    return view
