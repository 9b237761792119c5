"""Risk screening of merchant payments (`risk.screening`), called from `payments.pay` and
`card_payments.pay_by_card` inside their unit of work, before anything is paid.

A payment from the balance that the engine holds reserves what the payer pays (available ->
held) on the wallet of the order's currency; the order stays claimed ("paying") so nobody else
pays it, the merchant gets nothing and no webhook goes out. A reviewer's approval captures the
hold into the very entry `pay` would have posted (merchant shard, coupon share, points) and
the order is paid; a decline, a cancel or the final timeout releases the money, un-spends the
coupon and makes the order payable again. For an order in another currency the conversion that
bought the missing amount has posted already (it is the payer's money in the payer's wallet) and
stays when the payment is declined.

A card payment cannot be held: the money is on the card, not in the wallet, so there is nothing
to reserve. A hold there refuses it like a decline (`payment_needs_review`): the card is not
charged and the order stays payable; the decision joins the customer's review case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.ledger.accounts import wallet_code
from walletdesk.ledger.holds import capture_hold
from walletdesk.ledger.limits import cny_equivalent
from walletdesk.ledger.models import EntryKind
from walletdesk.ledger.money import Money
from walletdesk.merchants.models import Merchant, PaymentOrder
from walletdesk.merchants.store import store
from walletdesk.merchants.webhooks import PAYMENT_SUCCEEDED, queue_webhook
from walletdesk.risk.held_approval import Approved
from walletdesk.risk.held_transfers import hold_movement
from walletdesk.risk.models import MovementKind
from walletdesk.risk.screening import check_screened, movement_of, record_posted, screen

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.models import User
    from walletdesk.merchants.payments import OrderView
    from walletdesk.risk.review_models import HeldTransfer
    from walletdesk.risk.screening import Screened
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def _screen(
    rt: Runtime,
    uow: UnitOfWork,
    actor: Authenticated,
    *,
    order: PaymentOrder,
    payer: User,
    user_pays: Money,
    can_hold: bool,
) -> Screened:
    movement = movement_of(
        rt,
        uow,
        kind=MovementKind.PAYMENT,
        sender_id=payer.id,
        receiver_id=order.merchant_id,
        amount=user_pays,
        cny_amount=cny_equivalent(uow, user_pays, rt.clock.now()),
        device_id=actor.session.device_id,
        ip=actor.session.ip,
    )
    return check_screened(screen(rt, uow, movement, note=order.description), can_hold=can_hold)


def screen_balance_payment(
    rt: Runtime,
    uow: UnitOfWork,
    actor: Authenticated,
    *,
    order: PaymentOrder,
    merchant: Merchant,
    payer: User,
    user_pays: Money,
    discount: int,
    coupon_id: str | None,
    counted: int,
    locale: str,
) -> OrderView | None:
    """The screening hook of `payments.pay`: None when the payment may post now (it is added
    to the engine's history), the order under review when it is held instead, and
    `RefusedByRisk` raised when it is refused. `counted` is what the limits counted for it."""
    from walletdesk.merchants.payments import OrderView

    if not rt.settings.risk_screen_transfers or user_pays.minor == 0:
        return None  # a coupon paying everything moves none of the payer's money
    screened = _screen(rt, uow, actor, order=order, payer=payer, user_pays=user_pays, can_hold=True)
    if screened.approved:
        record_posted(uow, screened)
        return None
    hold_movement(
        rt,
        uow,
        screened,
        payer=payer,
        amount=user_pays,
        locale=locale,
        recipient_id=merchant.id,
        reference=order.id,
        details={"limit_counted": counted, "merchant": merchant.name},
    )
    s = store(uow)
    s.orders.hold_for_review(
        order.id,
        user_paid=user_pays.minor,
        discount=discount,
        coupon_id=coupon_id if discount else None,
    )
    paying = s.orders.get(order.id)
    assert paying is not None
    return OrderView(order=paying, merchant_name=merchant.name, state="under_review", refunds=[])


def screen_card_payment(
    rt: Runtime,
    uow: UnitOfWork,
    actor: Authenticated,
    *,
    order: PaymentOrder,
    payer: User,
    user_pays: Money,
) -> None:
    """The screening hook of `card_payments.pay_by_card`, before the card is charged: adds an
    approved payment to the engine's history, raises `RefusedByRisk` for anything else."""
    if not rt.settings.risk_screen_transfers or user_pays.minor == 0:
        return
    screened = _screen(
        rt, uow, actor, order=order, payer=payer, user_pays=user_pays, can_hold=False
    )
    record_posted(uow, screened)


def approve_held_payment(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> Approved:
    """Capture the held money into the payment entry `pay` would have posted; the order is
    paid and the merchant's webhook queued, in the reviewer's transaction."""
    from walletdesk.merchants.payment_entry import payment_details, payment_event, payment_legs

    s = store(uow)
    assert held.reference is not None, "a held payment names its order"
    order = s.orders.get(held.reference, for_update=True)
    merchant = s.merchants.get(order.merchant_id) if order is not None else None
    wallet = uow.accounts.get_by_code(wallet_code(held.user_id, held.currency))
    assert order is not None and merchant is not None and wallet is not None
    legs, points = payment_legs(
        rt,
        uow,
        order=order,
        source_id=wallet.id,
        user_pays=held.amount_minor,
        discount=order.discount,
        payer_id=held.user_id,
    )
    posted = capture_hold(
        rt,
        uow,
        hold_id=held.hold_id,
        amount=Money(held.amount_minor, held.currency),
        to_legs=legs[1:],  # legs[0] is the payer's wallet: the hold's own account pays
        kind=EntryKind.PAYMENT,
        description="Merchant payment",
        details=payment_details(
            order, merchant, held.user_id, discount=order.discount, points=points
        )
        | {"held_payment": held.id},
    )
    completed = s.orders.complete_after_review(
        order.id, entry_id=posted.entry.id, paid_at=rt.clock.now(), points=points
    )
    assert completed, "the order stays paying while its payment is held"
    paid = s.orders.get(order.id)
    assert paid is not None
    queue_webhook(rt, uow, merchant, PAYMENT_SUCCEEDED, payment_event(paid))
    return Approved(posted.entry.id, posted.entry.id)


def end_held_payment(rt: Runtime, uow: UnitOfWork, held: HeldTransfer) -> None:
    """Declined, cancelled or timed out (the money is released by the caller): the coupon is
    un-spent and the order payable again."""
    del rt
    s = store(uow)
    assert held.reference is not None, "a held payment names its order"
    order = s.orders.get(held.reference, for_update=True)
    if order is None:
        return
    if order.coupon_id:
        s.coupons.release(order.coupon_id, order.id)
    s.orders.reopen_after_review(order.id)
