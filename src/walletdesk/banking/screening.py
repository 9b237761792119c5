"""Risk screening of top-ups and withdrawals (`risk.screening`), called from `topups.top_up`
and `withdrawals.withdraw` inside the unit of work that records the operation, before the bank
is asked.

A withdrawal the engine holds keeps its reservation (amount and fee, available -> held) and
its operation waits "under_review" without being sent to the bank. A reviewer's approval makes
it processing and sends it to the bank once the approval commits (the bank's answer then settles
it as usual: paid -> captured, declined -> released); a decline, a cancel by its owner or the
final timeout releases the money and ends it "declined" or "cancelled", never having reached
the bank. Should the approval commit but the request never leave (a crash), reconciliation
asks the bank, which knows no such order, and the hold is released.

A top-up cannot be held: the money comes IN from the user's own card and nothing of theirs is
there to reserve. A hold refuses it like a decline (`topup_needs_review`): the card is not
charged; the decision joins the customer's review case, and a freeze freezes the wallet.
Either movement is added to the engine's history when it is sent to the bank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.models import BankOperation, OperationStatus
from walletdesk.banking.operations import conclude
from walletdesk.banking.settlement import OperationView
from walletdesk.ledger.money import Money
from walletdesk.risk.held_approval import Approved
from walletdesk.risk.held_transfers import hold_movement
from walletdesk.risk.models import MovementKind
from walletdesk.risk.review_models import HeldStatus
from walletdesk.risk.screening import Screened, check_screened, movement_of, record_posted, screen

if TYPE_CHECKING:
    from walletdesk.banking.models import Card
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.models import User
    from walletdesk.risk.review_models import HeldTransfer
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def screen_topup(
    rt: Runtime, uow: UnitOfWork, actor: Authenticated, *, operation_id: str, amount: Money
) -> None:
    """Assess a top-up before the card is charged: approved, it joins the engine's history;
    anything else raises `RefusedByRisk` (see the module docstring)."""
    if not rt.settings.risk_screen_transfers:
        return
    movement = movement_of(
        rt,
        uow,
        kind=MovementKind.TOPUP,
        sender_id=actor.user.id,
        receiver_id=None,  # the user's own card; cards are not parties the engine tracks
        amount=amount,
        cny_amount=amount.minor,  # bank cards move CNY only
        device_id=actor.session.device_id,
        ip=actor.session.ip,
        movement_id=operation_id,
    )
    record_posted(uow, check_screened(screen(rt, uow, movement)))


def screen_withdrawal(
    rt: Runtime,
    uow: UnitOfWork,
    actor: Authenticated,
    *,
    operation_id: str,
    amount: Money,
    counted: int,
    available: int,
) -> Screened | None:
    """Assess a withdrawal before anything is reserved: None when screening is off, the
    screened movement otherwise (approved: added to the history; held: the caller records
    its operation under review and calls `hold_withdrawal`); raises `RefusedByRisk` when
    it is refused. `available` is the wallet's available balance (CNY)."""
    if not rt.settings.risk_screen_transfers:
        return None
    movement = movement_of(
        rt,
        uow,
        kind=MovementKind.WITHDRAWAL,
        sender_id=actor.user.id,
        receiver_id=None,
        amount=amount,
        cny_amount=counted,
        device_id=actor.session.device_id,
        ip=actor.session.ip,
        movement_id=operation_id,
        sender_balance_minor=available,
    )
    screened = check_screened(screen(rt, uow, movement))
    if screened.approved:
        record_posted(uow, screened)
    return screened


def first_status(screened: Screened | None) -> OperationStatus:
    """The status a new withdrawal starts in."""
    if screened is not None and screened.held:
        return OperationStatus.UNDER_REVIEW
    return OperationStatus.PROCESSING


def hold_withdrawal(
    rt: Runtime,
    uow: UnitOfWork,
    screened: Screened,
    *,
    payer: User,
    operation: BankOperation,
    card: Card,
    locale: str,
) -> OperationView:
    """The withdrawal's operation (recorded under review, with its hold of amount and fee)
    goes in front of a reviewer instead of to the bank."""
    assert operation.hold_id is not None and operation.status == OperationStatus.UNDER_REVIEW
    hold_movement(
        rt,
        uow,
        screened,
        payer=payer,
        amount=operation.money,
        locale=locale,
        recipient_id=None,
        reference=operation.id,
        details={
            "limit_counted": operation.limit_counted,
            "fee": operation.fee,
            "bank": card.bank_code,
            "card_last4": card.last4,
        },
        hold_id=operation.hold_id,
    )
    return OperationView(operation, card)


def _operation(uow: UnitOfWork, held: HeldTransfer) -> BankOperation:
    assert held.reference is not None, "a held withdrawal names its operation"
    operation = records.operations(uow).get(held.reference, for_update=True)
    assert operation is not None and operation.status == OperationStatus.UNDER_REVIEW
    return operation


def approve_held_withdrawal(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> Approved:
    """The operation becomes processing and is sent to the bank after the reviewer's
    transaction commits; the bank's answer settles it like any withdrawal."""
    operation = _operation(uow, held)
    card = records.cards(uow).get(operation.card_id)
    assert card is not None, "operations reference their card"
    operation.status = OperationStatus.PROCESSING
    operation.updated_at = rt.clock.now()
    records.operations(uow).save(operation)
    token, amount = card.gateway_token, operation.money
    if token is not None:  # a card removed meanwhile: reconciliation finds no order, releases
        uow.on_commit(
            lambda: _send(rt, operation.id, token, amount),
        )
    return Approved(None, operation.id)


def _send(rt: Runtime, operation_id: str, token: str, amount: Money) -> None:
    conclude(
        rt,
        operation_id,
        lambda: rt.bank.payout(request_id=operation_id, card_token=token, amount=amount),
        None,
    )


def end_held_withdrawal(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> None:
    """Declined, cancelled or timed out in review (the caller released the hold and gave the
    limits back): the operation ends without ever reaching the bank."""
    operation = _operation(uow, held)
    now = rt.clock.now()
    cancelled = held.status == HeldStatus.CANCELLED
    operation.status = OperationStatus.CANCELLED if cancelled else OperationStatus.DECLINED
    operation.resolved_at = operation.updated_at = now
    records.operations(uow).save(operation)
