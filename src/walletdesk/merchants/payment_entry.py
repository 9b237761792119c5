"""What a merchant payment posts and tells the merchant, whichever way it is paid (balance,
card, or a reviewer's approval of a held one): the entry's legs and details, the webhook's
event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from walletdesk.ledger.models import AccountKind, Leg
from walletdesk.ledger.money import POINTS, Money
from walletdesk.merchants.accounts import (
    any_merchant_shard_id,
    hot_platform_account_id,
    points_account_id,
)
from walletdesk.merchants.models import Merchant, PaymentOrder

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


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


def payment_legs(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    order: PaymentOrder,
    source_id: str,
    user_pays: int,
    discount: int,
    payer_id: str,
) -> tuple[list[Leg], int]:
    """The legs of a payment entry and the points it earns: `source_id` (the payer's wallet,
    or the card's bank clearing account) gives what the payer pays, coupon expense the
    discount, and one of the merchant's shards receives the full order amount."""
    currency = order.currency
    shard = any_merchant_shard_id(rt, uow, order.merchant_id, currency)
    legs = [Leg(source_id, -user_pays, currency), Leg(shard, order.amount, currency)]
    if discount:
        expense = hot_platform_account_id(rt, uow, AccountKind.COUPON_EXPENSE, currency)
        legs.append(Leg(expense, -discount, currency))
    points = rt.merchant_policy.points_for(user_pays, currency)
    if points:
        # Points ride in the payment's own entry: earned exactly when the payment posts.
        liability = hot_platform_account_id(rt, uow, AccountKind.POINTS_LIABILITY, POINTS)
        mine = points_account_id(rt, uow, payer_id)
        legs += [Leg(liability, -points, POINTS), Leg(mine, points, POINTS)]
    return legs, points


def payment_details(
    order: PaymentOrder, merchant: Merchant, payer_id: str, *, discount: int, points: int
) -> dict[str, object]:
    return {
        "from_user": payer_id,
        "to_name": merchant.name,
        "merchant_id": merchant.id,
        "payment_id": order.id,
        "note": order.description,
        "discount": discount,
        "points": points,
    }
