"""/api/v1/wallets, /transfers, /transactions: balances, P2P transfers and history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, run_idempotent
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import translate
from walletdesk.ledger import transfers, wallets
from walletdesk.ledger.money import Money
from walletdesk.risk import held_transfers
from walletdesk.risk.review_models import HeldTransfer
from walletdesk.storage.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["wallet"])


class MoneyOut(BaseModel):
    amount: str = Field(examples=["12.30"])
    currency: str = Field(examples=["CNY"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.to_string(), currency=money.currency)


class WalletOut(BaseModel):
    currency: str
    available: str
    held: str = Field(description="Reserved: under review or being processed (冻结/处理中)")
    total: str


class WalletsOut(BaseModel):
    wallets: list[WalletOut]
    limits_left: dict[str, MoneyOut] = Field(description="CNY left per transaction, day, year")


class RecipientIn(BaseModel):
    to: str = Field(max_length=254, description="Phone number, email or wallet id")


class RecipientOut(BaseModel):
    wallet_id: str
    masked_name: str = Field(examples=["*明"])


class TransferIn(BaseModel):
    to: str = Field(max_length=254, description="Phone number, email or wallet id")
    amount: str = Field(max_length=32, examples=["88.00"])
    currency: str = Field(default="CNY", max_length=3)
    note: str | None = Field(default=None, max_length=200)


class TransferOut(BaseModel):
    id: str
    status: str
    amount: MoneyOut
    recipient: RecipientOut
    note: str | None
    created_at: datetime
    expected_by: datetime | None = Field(
        default=None, description="Under review (审核中): when a decision is expected"
    )


class FailureReasonOut(BaseModel):
    code: str = Field(examples=["card_frozen"])
    message: str
    next_step: str | None = None


class TransactionOut(BaseModel):
    id: str
    kind: str
    status: str = Field(
        description="succeeded, processing or failed; under_review (审核中), cancelled or "
        "declined for a movement the risk engine held"
    )
    amount: MoneyOut = Field(description="Negative when money left the wallet")
    balance_after: MoneyOut | None = Field(description="None until it is in the ledger")
    counterparty: str | None
    note: str | None
    reversal_of: str | None
    created_at: datetime
    failure_reason: FailureReasonOut | None = Field(
        default=None, description="Why it failed, or why it is still processing"
    )
    expected_by: datetime | None = Field(
        default=None, description="Under review (审核中): when a decision is expected"
    )

    @classmethod
    def of(cls, item: wallets.HistoryItem, locale: str = "zh-CN") -> TransactionOut:
        reason = None
        if item.failure_code and item.failure_message:
            reason = FailureReasonOut(
                code=item.failure_code,
                message=translate(item.failure_message, locale),
                next_step=translate(item.next_step, locale) if item.next_step else None,
            )
        return cls(
            id=item.entry_id,
            kind=item.kind,
            status=item.status,
            amount=MoneyOut.of(item.amount),
            balance_after=(MoneyOut.of(item.balance_after) if item.in_ledger else None),
            counterparty=item.counterparty,
            note=item.note,
            reversal_of=item.reversal_of,
            created_at=item.created_at,
            failure_reason=reason,
            expected_by=item.expected_by,
        )


class TransactionsOut(BaseModel):
    items: list[TransactionOut]
    next_cursor: int | None


@router.get("/wallets")
def list_wallets(actor: CurrentUser, rt: RuntimeDep) -> WalletsOut:
    return WalletsOut(
        wallets=[
            WalletOut(
                currency=b.currency,
                available=b.available.to_string(),
                held=b.held.to_string(),
                total=b.total.to_string(),
            )
            for b in wallets.balances(rt, actor)
        ],
        limits_left={k: MoneyOut.of(v) for k, v in wallets.limits_left(rt, actor).items()},
    )


@router.post("/transfers/preview")
def preview_transfer(body: RecipientIn, actor: CurrentUser, rt: RuntimeDep) -> RecipientOut:
    preview = transfers.preview_recipient(rt, actor, body.to)
    return RecipientOut(wallet_id=preview.wallet_id, masked_name=preview.masked_name)


def _transfer_out(result: transfers.TransferResult) -> TransferOut:
    return TransferOut(
        id=result.id,
        status=result.status,
        amount=MoneyOut.of(result.amount),
        recipient=RecipientOut(
            wallet_id=result.recipient.wallet_id, masked_name=result.recipient.masked_name
        ),
        note=result.note,
        created_at=result.created_at,
        expected_by=result.expected_by,
    )


@router.post(
    "/transfers",
    status_code=201,
    response_model=TransferOut,
    responses={202: {"model": TransferOut, "description": "Held for review (审核中)"}},
)
def create_transfer(
    body: TransferIn,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    amount = Money.parse(body.amount, body.currency)
    locale = request_locale(request)
    statuses: list[str] = []

    def operation(
        record: Callable[[UnitOfWork, transfers.TransferResult], None],
    ) -> transfers.TransferResult:
        result = transfers.transfer(
            rt, actor, to=body.to, amount=amount, note=body.note, locale=locale, record=record
        )
        statuses.append(result.status)
        return result

    response = run_idempotent(
        rt,
        request,
        scope=actor.user.id,
        key=idempotency_key,
        body=body,
        operation=operation,
        shape=_transfer_out,
    )
    if statuses == ["under_review"]:
        response.status_code = 202  # held for review: accepted, not done
    return response


class HeldTransferOut(BaseModel):
    id: str
    kind: str = Field(default="transfer", description="transfer, payment or withdrawal")
    status: str = Field(examples=["under_review"])
    amount: MoneyOut
    recipient_id: str | None = Field(
        description="The receiving wallet (a merchant's id for a payment, none for a withdrawal)"
    )
    note: str | None
    created_at: datetime
    expected_by: datetime


def _held_out(held: HeldTransfer) -> HeldTransferOut:
    return HeldTransferOut(
        id=held.id,
        kind=held.kind,
        status=held.status,
        amount=MoneyOut.of(Money(held.amount_minor, held.currency)),
        recipient_id=held.recipient_id,
        note=held.note,
        created_at=held.created_at,
        expected_by=held.expected_by,
    )


@router.get("/transfers/held")
def list_held_transfers(actor: CurrentUser, rt: RuntimeDep) -> list[HeldTransferOut]:
    """Transfers under review (审核中), with the expected decision time."""
    return [_held_out(h) for h in held_transfers.held_transfers_of(rt, actor)]


@router.post("/transfers/held/{held_id}/cancel")
def cancel_held_transfer(held_id: str, actor: CurrentUser, rt: RuntimeDep) -> HeldTransferOut:
    """Withdraw a transfer under review: the reserved money is available again."""
    return _held_out(held_transfers.cancel_held(rt, actor, held_id))


@router.get("/transactions")
def list_transactions(
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    type: list[str] | None = Query(default=None, max_length=10),  # noqa: A002 - API name
    since: datetime | None = None,
    until: datetime | None = None,
    min_amount: str | None = Query(default=None, max_length=32),
    max_amount: str | None = Query(default=None, max_length=32),
    currency: str = Query(default="CNY", max_length=3),
    direction: str | None = Query(default=None, pattern="^(in|out)$"),
    status: list[str] | None = Query(default=None, max_length=10),
    cursor: int | None = None,
    limit: int = Query(default=20, ge=1, le=100),
) -> TransactionsOut:
    """The caller's movements, newest first. Each filter narrows before paging; `status`
    (repeatable: succeeded, processing, failed, under_review, cancelled, declined) leaving
    out "succeeded" returns every matching movement on one page, with no next cursor."""
    if status and not set(status) <= wallets.HISTORY_STATUSES:
        raise ValidationFailed("invalid_status", field="status")
    filters = wallets.HistoryFilter(
        kinds=type,
        since=since,
        until=until,
        direction=direction,
        statuses=status,
        min_amount=Money.parse(min_amount, currency, field="min_amount") if min_amount else None,
        max_amount=Money.parse(max_amount, currency, field="max_amount") if max_amount else None,
    )
    page = wallets.history_page(rt, actor, cursor=cursor, limit=limit, filters=filters)
    locale = request_locale(request)
    return TransactionsOut(
        items=[TransactionOut.of(i, locale) for i in page.items], next_cursor=page.next_cursor
    )


@router.post("/transactions/{transaction_id}/cancel")
def cancel_held_transaction(
    transaction_id: str, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> TransactionOut:
    """Cancel a movement under review (审核中): a transfer, a payment from the balance or a
    withdrawal the risk engine held. The reserved money is available again (a payment's
    order is payable again); the transaction then shows as cancelled. 409
    `held_transfer_settled` / `held_movement_settled` once a reviewer has decided."""
    held_transfers.cancel_held(rt, actor, transaction_id)
    return TransactionOut.of(
        wallets.transaction(rt, actor, transaction_id), request_locale(request)
    )


@router.get("/transactions/{transaction_id}")
def get_transaction(
    transaction_id: str, request: Request, actor: CurrentUser, rt: RuntimeDep
) -> TransactionOut:
    """One transaction by its entry id, or a top-up or withdrawal by its operation id (also
    while it is processing or after it failed, with the reason in the caller's language)."""
    item = wallets.transaction(rt, actor, transaction_id)
    return TransactionOut.of(item, request_locale(request))
