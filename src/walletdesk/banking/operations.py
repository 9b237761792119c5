"""What top-ups and withdrawals share: finding one through its door, the retry-after-crash
lookup by Idempotency-Key, and running one request against the bank."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.models import BankOperation, Card, CardStatus
from walletdesk.banking.settlement import OperationView, apply_reply, ask_bank, refresh
from walletdesk.channels.bank import BankReply
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

CARD_CURRENCY = "CNY"
"""Mainland bank cards move renminbi; other currencies come in through FX."""


def access_operation_for(
    uow: UnitOfWork, actor: Authenticated, operation_id: str, kind: str
) -> BankOperation:
    operation = records.operations(uow).get(operation_id)
    if operation is None or operation.user_id != actor.user.id or operation.kind != kind:
        raise NotFound("operation_not_found", N_("We could not find this top-up or withdrawal."))
    return operation


def check_card_usable(card: Card, amount: Money) -> None:
    if card.status != CardStatus.ACTIVE or card.gateway_token is None:
        raise Conflict(
            "card_not_verified",
            N_("Verify this card with the code your bank sent before using it."),
        )
    if amount.currency != CARD_CURRENCY:
        raise ValidationFailed(
            "card_currency_not_supported",
            N_("Bank cards can only move renminbi (CNY)."),
            field="currency",
        )


def view_of(rt: Runtime, actor: Authenticated, operation_id: str, kind: str) -> OperationView:
    """The operation as it stands, asking the bank first when it is still processing."""
    with rt.db.uow(read_only=True) as uow:
        operation = access_operation_for(uow, actor, operation_id, kind)
        card = records.cards(uow).get(operation.card_id)
        assert card is not None, "operations reference their card"
    if not operation.is_open:
        return OperationView(operation, card)
    return refresh(rt, operation.id)


def previous_attempt(rt: Runtime, actor: Authenticated, key: str | None) -> BankOperation | None:
    """The operation an earlier attempt with this key created, if its reply never got out."""
    if key is None:
        return None
    with rt.db.uow(read_only=True) as uow:
        return records.operations(uow).by_client_key(actor.user.id, key)


def conclude(
    rt: Runtime,
    operation_id: str,
    call: Callable[[], BankReply] | None,
    record: Callable[[UnitOfWork, OperationView], None] | None,
) -> OperationView:
    """Send the request to the bank (or, for an operation already sent, ask about it), apply
    the answer and store the response under the idempotency key in the same transaction."""
    reply = ask_bank(
        operation_id, call if call is not None else lambda: rt.bank.query(operation_id)
    )
    with rt.db.uow() as uow:
        view = apply_reply(rt, uow, operation_id, reply)
        if record is not None:
            record(uow, view)
        uow.commit()
    return view
