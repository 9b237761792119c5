"""/api/v1/payments, /points, /coupons: a user looks at and pays a merchant's order, and sees
their points and coupons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser
from walletdesk.api.banking import BankOut, CardOut
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, accepted_when_under_review, run_idempotent
from walletdesk.api.merchant_api import PaymentOut
from walletdesk.api.wallets import FailureReasonOut, MoneyOut
from walletdesk.banking.bins import BANKS
from walletdesk.banking.reasons import explain
from walletdesk.banking.settlement import OperationView
from walletdesk.i18n import translate
from walletdesk.ledger.fx_pricing import PIVOT
from walletdesk.ledger.money import POINTS, Money
from walletdesk.merchants import card_payments, coupons, payments, points
from walletdesk.merchants.foreign import ForeignPlan
from walletdesk.merchants.models import Coupon, PaidWith
from walletdesk.storage.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["payments"])


class PayIn(BaseModel):
    coupon_id: str | None = Field(default=None, max_length=32)
    card_id: str | None = Field(
        default=None,
        max_length=40,
        description="Pay with this bound card (debit or credit) instead of the wallet balance",
    )
    max_cny: str | None = Field(
        default=None,
        max_length=32,
        description="For an order in another currency: the most CNY you agree to pay (the "
        "order's fx_quote.cny); if the rate moved and it now takes more, the payment is refused",
        examples=["720.50"],
    )


class ChargeOut(BaseModel):
    """The card charge of a payment: processing while the bank works, then succeeded or
    failed with the bank's reason."""

    id: str
    status: str = Field(description="processing, succeeded or failed")
    amount: MoneyOut
    card: CardOut
    failure_reason: FailureReasonOut | None = Field(
        description="Why it failed, or why it is still processing"
    )
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, charge: OperationView, locale: str) -> ChargeOut:
        operation, card = charge.operation, charge.card
        reason = None
        if operation.reason_code:
            found = explain(operation.reason_code, locale)
            reason = FailureReasonOut(
                code=found.code, message=found.message, next_step=found.next_step
            )
        return cls(
            id=operation.id,
            status=operation.status,
            amount=MoneyOut.of(operation.money),
            card=CardOut(
                id=card.id,
                bank=BankOut(
                    code=card.bank_code, name=translate(BANKS[card.bank_code].name, locale)
                ),
                card_type=card.card_type,
                last4=card.last4,
                status=card.status,
                created_at=card.created_at,
            ),
            failure_reason=reason,
            created_at=operation.created_at,
            resolved_at=operation.resolved_at,
        )


class FxQuoteOut(BaseModel):
    """What paying a foreign-currency order would take now: the payer's wallet in that
    currency first, the rest bought with CNY at the current rate and spread."""

    from_wallet: MoneyOut = Field(description="From your wallet in the order's currency")
    bought: MoneyOut = Field(description="Bought with CNY")
    cny: MoneyOut = Field(description="The CNY this payment takes: send it back as max_cny")
    rate: str | None = Field(description="Order currency per CNY", examples=["0.1381978994"])
    cny_per_unit: str | None = Field(
        description="CNY per one unit of the order currency", examples=["7.236"]
    )

    @classmethod
    def of(cls, quote: ForeignPlan) -> FxQuoteOut:
        return cls(
            from_wallet=MoneyOut.of(quote.from_wallet),
            bought=MoneyOut.of(quote.bought),
            cny=MoneyOut.of(quote.cny),
            rate=quote.rate,
            cny_per_unit=quote.cny_per_unit,
        )


class ConvertedOut(BaseModel):
    bought: MoneyOut
    cny: MoneyOut


class UserPaymentOut(PaymentOut):
    paid_from_wallet: MoneyOut | None = Field(description="What left your wallet balance")
    paid_by_card: MoneyOut | None = Field(description="What your bank card was charged")
    coupon_discount: MoneyOut | None
    points_earned: int
    converted: ConvertedOut | None = Field(
        description="For a foreign-currency order: the part bought with CNY, and for how much"
    )
    charge: ChargeOut | None = Field(description="Your latest card charge for this order")
    fx_quote: FxQuoteOut | None = Field(
        description="For an unpaid order in another currency: what paying it now takes"
    )
    status_url: str = Field(description="GET it for the latest status (asks the bank first)")

    @classmethod
    def of(cls, view: payments.OrderView, locale: str) -> UserPaymentOut:
        order = view.order
        paid = order.paid_at is not None and view.state != "paying"
        by_card = order.method == PaidWith.CARD
        return cls(
            id=order.id,
            merchant_order_id=order.merchant_order_id,
            merchant_name=view.merchant_name,
            description=order.description,
            status=view.state,
            paid_with=order.method,
            amount=MoneyOut.of(Money(order.amount, order.currency)),
            refunded=MoneyOut.of(Money(order.refunded, order.currency)),
            created_at=order.created_at,
            expires_at=order.expires_at,
            paid_at=order.paid_at,
            paid_from_wallet=(
                MoneyOut.of(Money(order.user_paid, order.currency))
                if paid and not by_card
                else None
            ),
            paid_by_card=(
                MoneyOut.of(Money(order.user_paid, order.currency)) if paid and by_card else None
            ),
            coupon_discount=(
                MoneyOut.of(Money(order.discount, order.currency)) if order.discount else None
            ),
            points_earned=order.points_earned,
            converted=(
                ConvertedOut(
                    bought=MoneyOut.of(Money(order.fx_bought, order.currency)),
                    cny=MoneyOut.of(Money(order.fx_sold, PIVOT)),
                )
                if order.fx_entry_id
                else None
            ),
            charge=ChargeOut.of(view.charge, locale) if view.charge else None,
            fx_quote=FxQuoteOut.of(view.fx_quote) if view.fx_quote else None,
            status_url=f"/api/v1/payments/{order.id}",
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
def get_payment(
    payment_id: str, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> UserPaymentOut:
    """The order as the payer sees it, with the CNY quote of a foreign-currency order. While
    a card payment is paying, the bank is asked first: this is its status query."""
    view = payments.order_for_payer(rt, actor, payment_id)
    return UserPaymentOut.of(view, request_locale(request))


@router.post("/payments/{payment_id}/pay", status_code=201, response_model=UserPaymentOut)
def pay_payment(
    payment_id: str,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    body: PayIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Pay from the wallet balance, or with a bound card (`card_id`). A card payment answers
    with the order paid, pending again after a decline (with the bank's reason in `charge`),
    or `paying` while the bank's answer is outstanding: then GET `status_url`."""
    chosen = body or PayIn()
    locale = request_locale(request)
    max_cny = Money.parse(chosen.max_cny, PIVOT, field="max_cny") if chosen.max_cny else None

    def operation(record: Callable[[UnitOfWork, payments.OrderView], None]) -> payments.OrderView:
        if chosen.card_id is not None:
            return card_payments.pay_by_card(
                rt,
                actor,
                payment_id,
                card_id=chosen.card_id,
                coupon_id=chosen.coupon_id,
                key=idempotency_key,
                locale=locale,
                record=record,
            )
        return payments.pay(
            rt,
            actor,
            payment_id,
            coupon_id=chosen.coupon_id,
            max_cny=max_cny,
            locale=locale,
            record=record,
        )

    return accepted_when_under_review(
        run_idempotent(
            rt,
            request,
            scope=actor.user.id,
            key=idempotency_key,
            body=chosen,
            operation=operation,
            shape=lambda view: UserPaymentOut.of(view, locale),
        )
    )


@router.get("/points")
def get_points(actor: CurrentUser, rt: RuntimeDep) -> PointsOut:
    found = points.points_balance(rt, actor)
    return PointsOut(balance=str(found.balance), points_per_yuan=found.points_per_yuan)


@router.get("/coupons")
def list_coupons(actor: CurrentUser, rt: RuntimeDep) -> CouponsOut:
    now = rt.clock.now()
    return CouponsOut(coupons=[CouponOut.of(c, now) for c in coupons.coupons_of(rt, actor)])
