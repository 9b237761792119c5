"""Payment orders: a merchant creates one, a user pays it from their wallet balance.

Paying from a bound bank card waits for the bank-card work (another part of issue 3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import POINTS, Money
from walletdesk.ledger.posting import post_entry
from walletdesk.merchants.accounts import any_merchant_shard, hot_platform_account, points_account
from walletdesk.merchants.coupons import spend_coupon
from walletdesk.merchants.errors import AlreadyPaid, PaymentExpired, PaymentNotFound
from walletdesk.merchants.models import Merchant, OrderStatus, PaymentOrder, Refund
from walletdesk.merchants.store import store
from walletdesk.merchants.webhooks import PAYMENT_SUCCEEDED, queue_webhook
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore
    from walletdesk.storage.uow import UnitOfWork

MERCHANT_ORDER_ID = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class OrderView:
    order: PaymentOrder
    merchant_name: str
    state: str
    refunds: list[Refund]


def _view(s: MerchantStore, order: PaymentOrder, now: datetime) -> OrderView:
    merchant = s.merchants.get(order.merchant_id)
    return OrderView(
        order=order,
        merchant_name=merchant.name if merchant else "",
        state=order.state_at(now),
        refunds=s.refunds.for_payment(order.id),
    )


def create_order(
    rt: Runtime,
    merchant: Merchant,
    *,
    amount: Money,
    merchant_order_id: str,
    description: str,
    record: Callable[[UnitOfWork, OrderView], None] | None = None,
) -> OrderView:
    if amount.currency != merchant.currency:
        raise ValidationFailed(
            "currency_not_accepted",
            N_("This merchant takes payments in {currency} only."),
            field="currency",
            currency=merchant.currency,
        )
    if not MERCHANT_ORDER_ID.match(merchant_order_id):
        raise ValidationFailed(
            "invalid_merchant_order_id",
            N_("The merchant order id must be 1 to 64 letters, digits or _ - . : characters."),
            field="merchant_order_id",
        )
    text = description.strip()
    if not text or len(text) > DESCRIPTION_MAX:
        raise ValidationFailed(
            "invalid_description",
            N_("Enter a description of 1 to {max} characters."),
            field="description",
            max=DESCRIPTION_MAX,
        )
    now = rt.clock.now()
    order = PaymentOrder(
        id=new_id(rt.random, "pay"),
        merchant_id=merchant.id,
        merchant_order_id=merchant_order_id,
        amount=amount.minor,
        currency=amount.currency,
        description=text,
        status=OrderStatus.PENDING,
        created_at=now,
        expires_at=now + rt.merchant_policy.order_ttl,
    )
    with rt.db.uow() as uow:
        s = store(uow)
        if not s.orders.add_once(order):
            raise Conflict(
                "merchant_order_id_taken",
                N_("This merchant order id already belongs to another payment order."),
                field="merchant_order_id",
            )
        view = OrderView(order=order, merchant_name=merchant.name, state="pending", refunds=[])
        if record is not None:
            record(uow, view)
        uow.commit()
    return view


def order_for_merchant(rt: Runtime, merchant: Merchant, order_id: str) -> OrderView:
    """The merchant's own order; another merchant's looks missing."""
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        order = s.orders.get(order_id)
        if order is None or order.merchant_id != merchant.id:
            raise PaymentNotFound()
        return _view(s, order, rt.clock.now())


def order_for_payer(rt: Runtime, actor: Authenticated, order_id: str) -> OrderView:
    """An unpaid order is visible to whoever holds its id (it travels as a QR code or link);
    once paid, only to the user who paid it."""
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        order = s.orders.get(order_id)
        if order is None or (order.payer_id is not None and order.payer_id != actor.user.id):
            raise PaymentNotFound()
        return _view(s, order, rt.clock.now())


def _not_payable(order: PaymentOrder, now: datetime) -> Conflict:
    if order.status == OrderStatus.PAID:
        return AlreadyPaid()
    if now >= order.expires_at:
        return PaymentExpired(expired_at=order.expires_at)
    return Conflict()


def payment_event(order: PaymentOrder) -> dict[str, Any]:
    return {
        "payment_id": order.id,
        "merchant_order_id": order.merchant_order_id,
        "status": "paid",
        "amount": {
            "amount": Money(order.amount, order.currency).to_string(),
            "currency": order.currency,
        },
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }


def pay(
    rt: Runtime,
    actor: Authenticated,
    order_id: str,
    *,
    coupon_id: str | None,
    locale: str,
    record: Callable[[UnitOfWork, OrderView], None] | None = None,
) -> OrderView:
    """check_pay: pay the order from the actor's wallet, in one entry and one transaction.

    The order is claimed first with a guarded UPDATE (pending and unexpired → paid), which
    also locks it: a second payment of the same order waits, then finds it paid. Anything
    refused later (frozen wallet, limits, funds, coupon) rolls the claim back with it."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        s = store(uow)
        order = s.orders.get(order_id)
        if order is None or (order.payer_id is not None and order.payer_id != actor.user.id):
            raise PaymentNotFound()
        if not s.orders.claim_for_payment(order.id, actor.user.id, now):
            raise _not_payable(s.orders.get(order.id) or order, now)
        merchant = s.merchants.get(order.merchant_id)
        assert merchant is not None
        currency = order.currency
        discount = 0
        if coupon_id:
            coupon = spend_coupon(
                s, user_id=actor.user.id, coupon_id=coupon_id, order=order, now=now, locale=locale
            )
            discount = coupon.amount_off
        user_pays = Money(order.amount - discount, currency)
        payer = lock_payer(uow, actor.user.id)
        check_outgoing(rt, uow, payer, user_pays, locale=locale)
        wallet = wallet_account(rt, uow, payer.id, currency)
        shard = any_merchant_shard(rt, uow, merchant.id, currency)
        legs = [Leg(wallet.id, -user_pays.minor, currency), Leg(shard.id, order.amount, currency)]
        if discount:
            expense = hot_platform_account(rt, uow, AccountKind.COUPON_EXPENSE, currency)
            legs.append(Leg(expense.id, -discount, currency))
        points = rt.merchant_policy.points_for(user_pays.minor, currency)
        if points:
            # Points ride in the payment's own entry: earned exactly when the payment posts.
            liability = hot_platform_account(rt, uow, AccountKind.POINTS_LIABILITY, POINTS)
            mine = points_account(rt, uow, payer.id)
            legs += [Leg(liability.id, -points, POINTS), Leg(mine.id, points, POINTS)]
        posted = post_entry(
            rt,
            uow,
            kind=EntryKind.PAYMENT,
            actor_id=payer.id,
            locale=locale,
            legs=legs,
            description="Merchant payment",
            details={
                "from_user": payer.id,
                "to_name": merchant.name,
                "merchant_id": merchant.id,
                "payment_id": order.id,
                "note": order.description,
                "discount": discount,
                "points": points,
            },
        )
        s.orders.record_payment(
            order.id,
            entry_id=posted.entry.id,
            user_paid=user_pays.minor,
            discount=discount,
            coupon_id=coupon_id if discount else None,
            points_earned=points,
        )
        paid = s.orders.get(order.id)
        assert paid is not None
        queue_webhook(rt, uow, merchant, PAYMENT_SUCCEEDED, payment_event(paid))
        view = OrderView(order=paid, merchant_name=merchant.name, state="paid", refunds=[])
        if record is not None:
            record(uow, view)
        uow.commit()
    return view
