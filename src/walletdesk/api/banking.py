"""/api/v1/cards, /topups, /withdrawals and the banks' signed callbacks."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, access_rule
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, accepted_when_under_review, run_idempotent
from walletdesk.api.wallets import FailureReasonOut, MoneyOut
from walletdesk.banking import cards, history, topups, withdrawals  # noqa: F401 - history registers
from walletdesk.banking.bins import BANKS
from walletdesk.banking.models import Card, OperationKind
from walletdesk.banking.operations import view_of
from walletdesk.banking.reasons import explain
from walletdesk.banking.settlement import OperationView, handle_callback
from walletdesk.channels.bank import (
    SIGNATURE_HEADER,
    BankReply,
    BankStatus,
    callback_secret,
    signature_is_valid,
)
from walletdesk.errors import AuthenticationFailed, NotFound, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.ledger.money import Money

router = APIRouter(prefix="/api/v1", tags=["banking"])


class BankOut(BaseModel):
    code: str = Field(examples=["ICBC"])
    name: str = Field(examples=["中国工商银行"])


class CardOut(BaseModel):
    id: str
    bank: BankOut
    card_type: str = Field(description="debit or credit")
    last4: str = Field(examples=["1234"])
    status: str = Field(description="pending_verification, active")
    created_at: datetime


class BindingOut(CardOut):
    code_sent_to: str = Field(description="The card's reserved phone, masked")


class CardIn(BaseModel):
    card_number: str = Field(max_length=32)
    holder_name: str = Field(max_length=64)
    phone: str = Field(max_length=32, description="The phone number the bank has for this card")


class CodeIn(BaseModel):
    code: str = Field(max_length=12)


class CardMoneyIn(BaseModel):
    card_id: str = Field(max_length=40)
    amount: str = Field(max_length=32, examples=["200.00"])
    currency: str = Field(default="CNY", max_length=3)


class WithdrawalIn(CardMoneyIn):
    expected_fee: str | None = Field(
        default=None, max_length=32, description="The quoted fee; a different fee is refused"
    )


class QuoteOut(BaseModel):
    amount: MoneyOut
    fee: MoneyOut
    total: MoneyOut = Field(description="Leaves the wallet: amount plus fee")
    free_withdrawals_left: int


class OperationOut(BaseModel):
    id: str
    kind: str
    status: str = Field(description="processing, succeeded or failed")
    amount: MoneyOut
    fee: MoneyOut
    card: CardOut
    failure_reason: FailureReasonOut | None = Field(
        description="Why it failed, or why it is still processing"
    )
    status_url: str
    entry_id: str | None
    created_at: datetime
    resolved_at: datetime | None


def _card_out(card: Card, locale: str) -> CardOut:
    return CardOut(
        id=card.id,
        bank=BankOut(code=card.bank_code, name=translate(BANKS[card.bank_code].name, locale)),
        card_type=card.card_type,
        last4=card.last4,
        status=card.status,
        created_at=card.created_at,
    )


def _operation_out(view: OperationView, locale: str) -> OperationOut:
    operation = view.operation
    reason = None
    if operation.reason_code:
        found = explain(operation.reason_code, locale)
        reason = FailureReasonOut(code=found.code, message=found.message, next_step=found.next_step)
    path = "topups" if operation.kind == OperationKind.TOPUP else "withdrawals"
    return OperationOut(
        id=operation.id,
        kind=operation.kind,
        status=operation.status,
        amount=MoneyOut.of(operation.money),
        fee=MoneyOut.of(operation.fee_money),
        card=_card_out(view.card, locale),
        failure_reason=reason,
        status_url=f"/api/v1/{path}/{operation.id}",
        entry_id=operation.entry_id,
        created_at=operation.created_at,
        resolved_at=operation.resolved_at,
    )


@router.get("/cards")
def list_cards(request: Request, actor: CurrentUser, rt: RuntimeDep) -> list[CardOut]:
    locale = request_locale(request)
    return [_card_out(card, locale) for card in cards.list_cards(rt, actor)]


@router.post("/cards", status_code=201)
def bind_card(body: CardIn, request: Request, actor: CurrentUser, rt: RuntimeDep) -> BindingOut:
    card, masked_phone = cards.bind_card(
        rt, actor, card_number=body.card_number, holder_name=body.holder_name, phone=body.phone
    )
    shown = _card_out(card, request_locale(request))
    return BindingOut(**shown.model_dump(), code_sent_to=masked_phone)


@router.post("/cards/{card_id}/verify")
def verify_card(
    card_id: str, body: CodeIn, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> CardOut:
    return _card_out(cards.verify_card(rt, actor, card_id, body.code), request_locale(request))


@router.delete("/cards/{card_id}", status_code=204)
def unbind_card(card_id: str, actor: CurrentUser, rt: RuntimeDep) -> Response:
    cards.unbind_card(rt, actor, card_id)
    return Response(status_code=204)


@router.post("/topups", status_code=201, response_model=OperationOut)
def create_topup(
    body: CardMoneyIn,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    amount = Money.parse(body.amount, body.currency)
    locale = request_locale(request)
    return run_idempotent(
        rt,
        request,
        scope=actor.user.id,
        key=idempotency_key,
        body=body,
        operation=lambda record: topups.top_up(
            rt, actor, card_id=body.card_id, amount=amount, key=idempotency_key, record=record
        ),
        shape=lambda view: _operation_out(view, locale),
    )


@router.get("/topups/{operation_id}")
def get_topup(
    operation_id: str, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> OperationOut:
    """The top-up as it stands; while it is processing, the bank is asked first."""
    view = view_of(rt, actor, operation_id, OperationKind.TOPUP)
    return _operation_out(view, request_locale(request))


@router.post("/withdrawals/quote")
def quote_withdrawal(body: CardMoneyIn, actor: CurrentUser, rt: RuntimeDep) -> QuoteOut:
    quote = withdrawals.quote_withdrawal(
        rt, actor, card_id=body.card_id, amount=Money.parse(body.amount, body.currency)
    )
    return QuoteOut(
        amount=MoneyOut.of(quote.amount),
        fee=MoneyOut.of(quote.fee),
        total=MoneyOut.of(quote.total),
        free_withdrawals_left=quote.free_left,
    )


def _expected_fee(body: WithdrawalIn) -> Money | None:
    if body.expected_fee is None:
        return None
    text = body.expected_fee.strip()
    if text.replace("0", "").replace(".", "") == "" and text:
        return Money.zero(body.currency.strip().upper())
    return Money.parse(text, body.currency, field="expected_fee")


@router.post("/withdrawals", status_code=201, response_model=OperationOut)
def create_withdrawal(
    body: WithdrawalIn,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    amount = Money.parse(body.amount, body.currency)
    expected_fee = _expected_fee(body)
    locale = request_locale(request)
    return accepted_when_under_review(
        run_idempotent(
            rt,
            request,
            scope=actor.user.id,
            key=idempotency_key,
            body=body,
            operation=lambda record: withdrawals.withdraw(
                rt,
                actor,
                card_id=body.card_id,
                amount=amount,
                expected_fee=expected_fee,
                key=idempotency_key,
                locale=locale,
                record=record,
            ),
            shape=lambda view: _operation_out(view, locale),
        )
    )


@router.get("/withdrawals/{operation_id}")
def get_withdrawal(
    operation_id: str, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> OperationOut:
    """The withdrawal as it stands; while it is processing, the bank is asked first."""
    view = view_of(rt, actor, operation_id, OperationKind.WITHDRAWAL)
    return _operation_out(view, request_locale(request))


@access_rule("bank_signature")
async def bank_signature(bank_code: str, request: Request, rt: RuntimeDep) -> BankReply:
    """Only the bank itself: the body must carry its HMAC-SHA256 signature."""
    if bank_code not in BANKS:
        raise NotFound()
    body = await request.body()
    secret = callback_secret(rt.settings.secrets.secret_key, bank_code)
    if not signature_is_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
        raise AuthenticationFailed(
            "invalid_signature", N_("The signature of this callback is not valid.")
        )
    try:
        payload = json.loads(body)
        status = BankStatus(payload["status"])
        return BankReply(
            request_id=str(payload["request_id"]),
            status=status,
            reason=str(payload["reason"]) if payload.get("reason") else None,
            reference=str(payload["reference"]) if payload.get("reference") else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("invalid_callback") from exc


BankCallback = Annotated[BankReply, Depends(bank_signature)]


class CallbackOut(BaseModel):
    received: bool
    status: str


@router.post("/bank/callbacks/{bank_code}")
def bank_callback(bank_code: str, reply: BankCallback, rt: RuntimeDep) -> CallbackOut:
    view = handle_callback(rt, bank_code, reply)
    return CallbackOut(received=True, status=view.operation.status)
