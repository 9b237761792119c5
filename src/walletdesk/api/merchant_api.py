"""/api/v1/merchant/...: what a merchant's server calls with its API key (Bearer)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import access_rule
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, run_idempotent
from walletdesk.api.wallets import MoneyOut
from walletdesk.ledger.money import Money
from walletdesk.merchants import payments, refunds
from walletdesk.merchants.accounts import merchant_balance
from walletdesk.merchants.errors import InvalidApiKey
from walletdesk.merchants.models import Merchant, Refund
from walletdesk.merchants.registry import merchant_for_key, update_webhook_url

router = APIRouter(prefix="/api/v1/merchant", tags=["merchant"])


@access_rule("merchant_api_key")
def merchant_access(rt: RuntimeDep, request: Request) -> Merchant:
    """A merchant's server, by `Authorization: Bearer <API key>`."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidApiKey()
    return merchant_for_key(rt, key.strip())


CurrentMerchant = Annotated[Merchant, Depends(merchant_access)]


class PaymentIn(BaseModel):
    amount: str = Field(max_length=32, examples=["99.00"])
    currency: str = Field(default="CNY", max_length=3)
    description: str = Field(max_length=200, examples=["咖啡 ×2"])
    merchant_order_id: str = Field(max_length=64, description="Unique per merchant")


class RefundOut(BaseModel):
    id: str
    payment_id: str
    out_request_no: str
    amount: MoneyOut
    status: str
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.id,
            payment_id=refund.payment_id,
            out_request_no=refund.out_request_no,
            amount=MoneyOut.of(Money(refund.amount, refund.currency)),
            status="succeeded",
            created_at=refund.created_at,
        )


class PaymentOut(BaseModel):
    id: str
    merchant_order_id: str
    merchant_name: str
    description: str
    status: str = Field(
        description="pending, expired, paying (a card charge is at the bank), paid, "
        "partially_refunded or refunded",
        examples=["paid"],
    )
    paid_with: str | None = Field(description="balance or card; null before any attempt")
    amount: MoneyOut
    refunded: MoneyOut
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None


class MerchantPaymentOut(PaymentOut):
    refunds: list[RefundOut]

    @classmethod
    def of(cls, view: payments.OrderView) -> MerchantPaymentOut:
        order = view.order
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
            paid_at=order.paid_at if order.status == "paid" else None,
            refunds=[RefundOut.of(r) for r in view.refunds],
        )


class RefundIn(BaseModel):
    amount: str = Field(max_length=32, examples=["10.00"])
    currency: str = Field(default="CNY", max_length=3)
    out_request_no: str = Field(
        max_length=64, description="Your number for this refund; the same number, the same refund"
    )


class BalanceOut(BaseModel):
    available: MoneyOut


@router.post("/payments", status_code=201, response_model=MerchantPaymentOut)
def create_payment(
    body: PaymentIn,
    request: Request,
    merchant: CurrentMerchant,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    amount = Money.parse(body.amount, body.currency)
    return run_idempotent(
        rt,
        request,
        scope=merchant.id,
        key=idempotency_key,
        body=body,
        operation=lambda record: payments.create_order(
            rt,
            merchant,
            amount=amount,
            merchant_order_id=body.merchant_order_id,
            description=body.description,
            record=record,
        ),
        shape=MerchantPaymentOut.of,
    )


@router.get("/payments/{payment_id}")
def get_payment(payment_id: str, merchant: CurrentMerchant, rt: RuntimeDep) -> MerchantPaymentOut:
    return MerchantPaymentOut.of(payments.order_for_merchant(rt, merchant, payment_id))


@router.post("/payments/{payment_id}/refunds", status_code=201, response_model=RefundOut)
def create_refund(
    payment_id: str, body: RefundIn, request: Request, merchant: CurrentMerchant, rt: RuntimeDep
) -> JSONResponse:
    """Idempotent by `out_request_no`: asking again returns the same refund with 200."""
    result = refunds.refund(
        rt,
        merchant,
        payment_id,
        amount=Money.parse(body.amount, body.currency),
        out_request_no=body.out_request_no,
        locale=request_locale(request),
    )
    return JSONResponse(
        RefundOut.of(result.refund).model_dump(mode="json"),
        status_code=201 if result.created else 200,
    )


class WebhookIn(BaseModel):
    webhook_url: str | None = Field(
        max_length=500,
        description="A public http(s) address; null stops webhooks",
        examples=["https://shop.example/hooks/walletdesk"],
    )


class WebhookOut(BaseModel):
    webhook_url: str | None


@router.put("/webhook")
def set_webhook(body: WebhookIn, merchant: CurrentMerchant, rt: RuntimeDep) -> WebhookOut:
    """Change where webhooks go. Only public internet addresses are accepted
    (`webhook_url_not_allowed` otherwise)."""
    updated = update_webhook_url(rt, merchant, body.webhook_url)
    return WebhookOut(webhook_url=updated.webhook_url)


@router.get("/balance")
def get_balance(merchant: CurrentMerchant, rt: RuntimeDep) -> BalanceOut:
    available = merchant_balance(rt, merchant.id, merchant.currency)
    return BalanceOut(available=MoneyOut.of(Money(available, merchant.currency)))
