"""/api/v1/payments, /points, /coupons: a user looks at and pays a merchant's order, and sees
their points and coupons."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, run_idempotent
from walletdesk.api.merchant_api import PaymentOut
from walletdesk.api.wallets import MoneyOut
from walletdesk.ledger.money import POINTS, Money
from walletdesk.merchants import coupons, payments, points
from walletdesk.merchants.models import Coupon

router = APIRouter(prefix="/api/v1", tags=["payments"])


class PayIn(BaseModel):
    coupon_id: str | None = Field(default=None, max_length=32)


class UserPaymentOut(PaymentOut):
    paid_from_wallet: MoneyOut | None
    coupon_discount: MoneyOut | None
    points_earned: int

    @classmethod
    def of(cls, view: payments.OrderView) -> UserPaymentOut:
        order = view.order
        paid = order.paid_at is not None
        return cls(
            id=order.id,
            merchant_order_id=order.merchant_order_id,
            merchant_name=view.merchant_name,
            description=order.description,
            status=view.state,
            amount=MoneyOut.of(Money(order.amount, order.currency)),
            refunded=MoneyOut.of(Money(order.refunded, order.currency)),
            created_at=order.created_at,
            expires_at=order.expires_at,
            paid_at=order.paid_at,
            paid_from_wallet=MoneyOut.of(Money(order.user_paid, order.currency)) if paid else None,
            coupon_discount=(
                MoneyOut.of(Money(order.discount, order.currency)) if order.discount else None
            ),
            points_earned=order.points_earned,
        )


class PointsOut(BaseModel):
    balance: str = Field(examples=["120"])
    currency: str = Field(default=POINTS)
    points_per_yuan: int = Field(description="Earned per whole yuan paid to merchants")


class CouponOut(BaseModel):
    id: str
    campaign_id: str
    amount_off: MoneyOut
    min_spend: MoneyOut
    expires_at: datetime
    status: str = Field(description="available, used or expired")

    @classmethod
    def of(cls, coupon: Coupon, now: datetime) -> CouponOut:
        return cls(
            id=coupon.id,
            campaign_id=coupon.campaign_id,
            amount_off=MoneyOut.of(Money(coupon.amount_off, coupon.currency)),
            min_spend=MoneyOut.of(Money(coupon.min_spend, coupon.currency)),
            expires_at=coupon.expires_at,
            status=coupon.state_at(now),
        )


class CouponsOut(BaseModel):
    coupons: list[CouponOut]


@router.get("/payments/{payment_id}")
def get_payment(payment_id: str, actor: CurrentUser, rt: RuntimeDep) -> UserPaymentOut:
    return UserPaymentOut.of(payments.order_for_payer(rt, actor, payment_id))


@router.post("/payments/{payment_id}/pay", status_code=201, response_model=UserPaymentOut)
def pay_payment(
    payment_id: str,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    body: PayIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Pay from the wallet balance (paying by bound card is not offered yet)."""
    chosen = body or PayIn()
    locale = request_locale(request)
    return run_idempotent(
        rt,
        request,
        scope=actor.user.id,
        key=idempotency_key,
        body=chosen,
        operation=lambda record: payments.pay(
            rt, actor, payment_id, coupon_id=chosen.coupon_id, locale=locale, record=record
        ),
        shape=UserPaymentOut.of,
    )


@router.get("/points")
def get_points(actor: CurrentUser, rt: RuntimeDep) -> PointsOut:
    found = points.points_balance(rt, actor)
    return PointsOut(balance=str(found.balance), points_per_yuan=found.points_per_yuan)


@router.get("/coupons")
def list_coupons(actor: CurrentUser, rt: RuntimeDep) -> CouponsOut:
    now = rt.clock.now()
    return CouponsOut(coupons=[CouponOut.of(c, now) for c in coupons.coupons_of(rt, actor)])
