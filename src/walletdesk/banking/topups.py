"""Top-up (充值) from a bound card: processing until the bank answers, then credited; a
decline keeps its reason for the user (see `reasons`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.cards import access_card_for
from walletdesk.banking.models import BankOperation, OperationKind, OperationStatus
from walletdesk.banking.operations import check_card_usable, conclude, previous_attempt
from walletdesk.banking.screening import screen_topup
from walletdesk.banking.settlement import OperationView
from walletdesk.ledger.money import Money
from walletdesk.randomness import new_id
from walletdesk.risk.screening import refusals

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def top_up(
    rt: Runtime,
    actor: Authenticated,
    *,
    card_id: str,
    amount: Money,
    key: str | None,
    record: Callable[[UnitOfWork, OperationView], None] | None = None,
) -> OperationView:
    """check_top_up: charge the card and credit the wallet when the bank says yes.

    The operation is committed before the bank is asked, so a crash in between leaves a
    processing operation that reconciliation settles, never a charge we forgot. The risk
    engine assesses it first (`banking.screening`); a top-up is never held: anything but an
    approval refuses it with the coded error and the card is not charged."""
    earlier = previous_attempt(rt, actor, key)
    if earlier is not None:
        return conclude(rt, earlier.id, None, record)
    now = rt.clock.now()
    with refusals(rt), rt.db.uow() as uow:
        card = access_card_for(uow, actor, card_id)
        check_card_usable(card, amount)
        operation_id = new_id(rt.random, "top")
        screen_topup(rt, uow, actor, operation_id=operation_id, amount=amount)
        operation = BankOperation(
            id=operation_id,
            kind=OperationKind.TOPUP,
            user_id=actor.user.id,
            card_id=card.id,
            bank_code=card.bank_code,
            amount=amount.minor,
            fee=0,
            currency=amount.currency,
            status=OperationStatus.PROCESSING,
            client_key=key,
            created_at=now,
            updated_at=now,
        )
        records.operations(uow).add(operation)
        uow.commit()
    token = card.gateway_token
    assert token is not None
    return conclude(
        rt,
        operation.id,
        lambda: rt.bank.charge(request_id=operation.id, card_token=token, amount=amount),
        record,
    )
