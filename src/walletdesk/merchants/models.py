"""Merchant-side records. No framework imports; money stays in integer minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass
class Merchant:
    id: str
    name: str
    currency: str
    """Settlement currency: payment orders are in this currency."""
    api_key_hash: str
    webhook_url: str | None
    webhook_secret_enc: str
    created_at: datetime


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAYING = "paying"
    """A bank card is being charged: nobody else may pay it until the bank answers."""
    PAID = "paid"


class PaidWith(StrEnum):
    BALANCE = "balance"
    CARD = "card"


@dataclass
class PaymentOrder:
    id: str
    merchant_id: str
    merchant_order_id: str
    amount: int
    currency: str
    description: str
    status: str
    created_at: datetime
    expires_at: datetime
    payer_id: str | None = None
    paid_at: datetime | None = None
    entry_id: str | None = None
    user_paid: int = 0
    """What left the payer's wallet: the amount less any coupon."""
    discount: int = 0
    """Paid by the platform's coupon expense account."""
    coupon_id: str | None = None
    points_earned: int = 0
    refunded: int = 0
    method: str | None = None
    """How it was paid (or is being paid): `PaidWith`; None before any attempt."""
    operation_id: str | None = None
    """The bank operation of the latest card attempt (its decline stays readable)."""
    fx_entry_id: str | None = None
    """The conversion entry when the payer bought part of the order currency with CNY."""
    fx_bought: int = 0
    """Order-currency minor units bought by that conversion."""
    fx_sold: int = 0
    """CNY fen the payer's CNY wallet gave for them."""

    def state_at(self, now: datetime) -> str:
        """What a reader sees: pending, expired, paying, paid, partially_refunded or
        refunded. A card charge the bank is working on never expires under the payer."""
        if self.status == OrderStatus.PENDING:
            return "expired" if now >= self.expires_at else "pending"
        if self.status == OrderStatus.PAYING:
            return "paying"
        if self.refunded == 0:
            return "paid"
        return "refunded" if self.refunded == self.amount else "partially_refunded"

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded if self.status == OrderStatus.PAID else 0


@dataclass
class Refund:
    id: str
    payment_id: str
    out_request_no: str
    amount: int
    currency: str
    to_wallet: int
    """Back to the payer's wallet."""
    to_coupon: int
    """Back to the coupon expense account (the part the platform paid)."""
    created_at: datetime
    entry_id: str | None = None


def refund_split(order: PaymentOrder, refunded_before: int, amount: int) -> tuple[int, int]:
    """(to the wallet, to coupon expense) for a refund of `amount` after `refunded_before`.

    The payer's own money goes back first; only once all of it is back does the rest return
    to the platform's coupon expense. Each refund's share depends only on the running total,
    so concurrent refunds (serialised on the order row) split exactly.
    """
    after = refunded_before + amount
    to_wallet = min(after, order.user_paid) - min(refunded_before, order.user_paid)
    return to_wallet, amount - to_wallet


@dataclass
class CouponCampaign:
    id: str
    name: str
    currency: str
    amount_off: int
    min_spend: int
    expires_at: datetime
    quantity: int
    issued: int
    created_at: datetime
    created_by: str | None = None


@dataclass
class Coupon:
    id: str
    campaign_id: str
    user_id: str
    currency: str
    amount_off: int
    min_spend: int
    expires_at: datetime
    issued_at: datetime
    used_at: datetime | None = None
    payment_id: str | None = None

    def state_at(self, now: datetime) -> str:
        if self.used_at is not None:
            return "used"
        return "expired" if now >= self.expires_at else "available"
