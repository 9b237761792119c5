"""The customer-360 panel beside a case and revealing one of its masked fields, under
/api/v1/staff/cases/{id}/customer (included by `support_agent_tools.router`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.api.wallets import MoneyOut, TransactionOut, WalletOut
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.ledger.money import Money
from walletdesk.support import customer360, reveal
from walletdesk.support.access import SupportActor

router = APIRouter(tags=["support-agent-tools"])
"""Paths below /api/v1: `support_agent_tools.router` includes this one under that prefix."""

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]


class FieldOut(BaseModel):
    value: str | None = Field(description="Masked unless revealed")
    revealed: bool
    revealed_until: datetime | None


class CustomerOut(BaseModel):
    id: str
    display_name: str
    locale: str
    kyc_tier: int
    two_factor: bool
    frozen: bool
    frozen_at: datetime | None
    frozen_reason: str | None
    locked_until: datetime | None = Field(description="Set while a password lock-out lasts")
    created_at: datetime


class LimitsOut(BaseModel):
    per_transaction: MoneyOut
    per_day: MoneyOut
    per_year: MoneyOut
    raised_until: datetime | None = Field(description="Set while a case raised the limits")


class HoldOut(BaseModel):
    id: str
    amount: MoneyOut
    status: str
    purpose: str
    reference: str | None
    created_at: datetime
    expires_at: datetime


class RiskDecisionOut(BaseModel):
    id: str
    movement_id: str
    movement_kind: str
    action: str
    score: int
    amount: MoneyOut
    reasons: list[str] = Field(description="Of the rules that fired, in your language")
    failed_closed: bool
    created_at: datetime


class ReviewCaseOut(BaseModel):
    id: str
    status: str
    opened_at: datetime
    movement_id: str | None
    summary: str


class DeviceOut(BaseModel):
    id: str
    name: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_ip: str | None = Field(description="Masked to its network")


class SecurityEventOut(BaseModel):
    at: datetime
    action: str = Field(examples=["password_reset.completed", "contact.changed", "wallet.frozen"])
    actor_kind: str
    details: dict[str, Any]


class Customer360Out(BaseModel):
    case_id: str
    customer: CustomerOut
    fields: dict[str, FieldOut] = Field(description="phone, email, real_name, id_number")
    balances: list[WalletOut]
    limits: LimitsOut
    transactions: list[TransactionOut]
    holds: list[HoldOut]
    risk_decisions: list[RiskDecisionOut]
    review_cases: list[ReviewCaseOut]
    devices: list[DeviceOut]
    security_events: list[SecurityEventOut]


def _cny(minor: int) -> MoneyOut:
    return MoneyOut.of(Money(minor, "CNY"))


@router.get("/staff/cases/{case_id}/customer")
def customer_panel(
    case_id: str, auth: CaseWorker, rt: RuntimeDep, request: Request, ctx: Context
) -> Customer360Out:
    view = customer360.customer_360(rt, auth, case_id, ip=ctx.ip)
    locale = request_locale(request)
    return Customer360Out(
        case_id=case_id,
        customer=CustomerOut(
            id=view.user_id,
            display_name=view.display_name,
            locale=view.locale,
            kyc_tier=view.kyc_tier,
            two_factor=view.two_factor,
            frozen=view.frozen,
            frozen_at=view.frozen_at,
            frozen_reason=view.frozen_reason,
            locked_until=view.locked_until,
            created_at=view.created_at,
        ),
        fields={
            name: FieldOut(
                value=shown.value,
                revealed=shown.revealed_until is not None,
                revealed_until=shown.revealed_until,
            )
            for name, shown in view.fields.items()
        },
        balances=[
            WalletOut(
                currency=b.currency,
                available=b.available.to_string(),
                held=b.held.to_string(),
                total=b.total.to_string(),
            )
            for b in view.balances
        ],
        limits=LimitsOut(
            per_transaction=_cny(view.limit.per_transaction),
            per_day=_cny(view.limit.per_day),
            per_year=_cny(view.limit.per_year),
            raised_until=view.limit_raised_until,
        ),
        transactions=[TransactionOut.of(item, locale) for item in view.transactions],
        holds=[
            HoldOut(
                id=h.id,
                amount=MoneyOut.of(Money(h.amount, h.currency)),
                status=h.status,
                purpose=h.purpose,
                reference=h.reference,
                created_at=h.created_at,
                expires_at=h.expires_at,
            )
            for h in view.holds
        ],
        risk_decisions=[
            RiskDecisionOut(
                id=d.id,
                movement_id=d.movement_id,
                movement_kind=str(d.movement_kind),
                action=str(d.action),
                score=d.score,
                amount=MoneyOut.of(Money(d.amount_minor, d.currency)),
                reasons=[hit.reason(locale) for hit in d.hits],
                failed_closed=d.failed_closed,
                created_at=d.created_at,
            )
            for d in view.risk_decisions
        ],
        review_cases=[
            ReviewCaseOut(
                id=r.id,
                status=r.status,
                opened_at=r.opened_at,
                movement_id=r.movement_id,
                summary=r.summary,
            )
            for r in view.review_cases
        ],
        devices=[
            DeviceOut(
                id=d.id,
                name=d.name,
                first_seen_at=d.first_seen_at,
                last_seen_at=d.last_seen_at,
                last_ip=d.last_ip,
            )
            for d in view.devices
        ],
        security_events=[
            SecurityEventOut(at=e.at, action=e.action, actor_kind=e.actor_kind, details=e.details)
            for e in view.security_events
        ],
    )


class RevealIn(BaseModel):
    field: str = Field(max_length=16, description="phone, email, real_name or id_number")
    reason: str = Field(max_length=200, examples=["客户来电核对绑定手机号，用于本工单退款"])


class RevealOut(BaseModel):
    field: str
    value: str
    expires_at: datetime
    reveal_id: str


@router.post("/staff/cases/{case_id}/customer/reveal")
def reveal_field(
    case_id: str, body: RevealIn, auth: CaseWorker, rt: RuntimeDep, ctx: Context
) -> RevealOut:
    shown = reveal.reveal(
        rt, SupportActor.agent(auth), case_id, field=body.field, reason=body.reason, ip=ctx.ip
    )
    return RevealOut(
        field=shown.grant.field,
        value=shown.value,
        expires_at=shown.grant.expires_at,
        reveal_id=shown.grant.id,
    )
