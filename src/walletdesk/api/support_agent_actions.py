"""Case actions under maker-checker, the approvals inbox and the approval thresholds,
under /api/v1/staff/cases/{id}/actions, /api/v1/staff/actions, /api/v1/staff/approvals and
/api/v1/admin/case-action-policies (included by `support_agent_tools.router`)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.api.wallets import MoneyOut
from walletdesk.audit.services import Actor
from walletdesk.errors import ValidationFailed
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.money import Money
from walletdesk.support import actions
from walletdesk.support.access import SupportActor
from walletdesk.support.actions_model import ActionKind, ActionPolicy, Proposal
from walletdesk.support.actions_targets import ActionRequest

router = APIRouter(tags=["support-agent-tools"])
"""Paths below /api/v1: `support_agent_tools.router` includes this one under that prefix."""

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Approver = Annotated[Authenticated, Depends(requires(Permission.CASES_APPROVE))]
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]


def _cny(minor: int) -> MoneyOut:
    return MoneyOut.of(Money(minor, "CNY"))


class LimitsIn(BaseModel):
    per_transaction: str = Field(max_length=32, examples=["20000.00"])
    per_day: str = Field(max_length=32, examples=["50000.00"])
    per_year: str = Field(max_length=32, examples=["200000.00"])


class ActionIn(BaseModel):
    kind: ActionKind
    reason: str = Field(max_length=500)
    transaction_ids: list[str] = Field(default_factory=list, max_length=20)
    target_id: str | None = Field(
        default=None,
        max_length=40,
        description="refund: the payment id; reverse, waive_fee: the transaction id; "
        "release_hold: the hold id",
    )
    amount: str | None = Field(default=None, max_length=32, description="refund only")
    currency: str = Field(default="CNY", max_length=3)
    limits: LimitsIn | None = Field(default=None, description="raise_limit only, in CNY")
    days: int | None = Field(default=None, description="raise_limit only: how long it lasts")
    version: int | None = Field(default=None, description="Refused with 409 if the case moved on")

    def request(self) -> ActionRequest:
        limit = None
        if self.limits is not None:
            limit = Limit(
                Money.parse(self.limits.per_transaction, "CNY", field="limits").minor,
                Money.parse(self.limits.per_day, "CNY", field="limits").minor,
                Money.parse(self.limits.per_year, "CNY", field="limits").minor,
            )
        return ActionRequest(
            kind=self.kind,
            reason=self.reason,
            transaction_ids=tuple(self.transaction_ids),
            target_id=self.target_id,
            amount=Money.parse(self.amount, self.currency) if self.amount else None,
            limit=limit,
            days=self.days,
        )


class ActionOut(BaseModel):
    id: str
    case_id: str
    kind: str
    status: str = Field(description="pending, executing, executed, failed, rejected or cancelled")
    needs_approval: bool
    proposed_by: str
    reason: str
    target_id: str | None
    amount: MoneyOut | None
    transaction_ids: list[str]
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    executed_at: datetime | None
    result: dict[str, Any] | None
    failure_code: str | None
    idempotency_key: str
    created_at: datetime

    @classmethod
    def of(cls, p: Proposal) -> ActionOut:
        return cls(
            id=p.id,
            case_id=p.case_id,
            kind=p.kind,
            status=p.status,
            needs_approval=p.needs_approval,
            proposed_by=p.proposed_by,
            reason=p.reason,
            target_id=p.target_id,
            amount=MoneyOut.of(Money(p.amount, p.currency))
            if p.amount is not None and p.currency
            else None,
            transaction_ids=p.linked,
            decided_by=p.decided_by,
            decided_at=p.decided_at,
            decision_note=p.decision_note,
            executed_at=p.executed_at,
            result=p.outcome,
            failure_code=p.failure_code,
            idempotency_key=p.idempotency_key,
            created_at=p.created_at,
        )


@router.post("/staff/cases/{case_id}/actions", status_code=status.HTTP_201_CREATED)
def propose_action(case_id: str, body: ActionIn, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    proposal = actions.propose(
        rt, SupportActor.agent(auth), case_id, body.request(), expected_version=body.version
    )
    return ActionOut.of(proposal)


@router.get("/staff/cases/{case_id}/actions")
def case_actions(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> list[ActionOut]:
    return [ActionOut.of(p) for p in actions.case_actions(rt, SupportActor.agent(auth), case_id)]


@router.get("/staff/actions/{action_id}")
def get_action(action_id: str, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.action(rt, SupportActor.agent(auth), action_id))


class DecisionIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class RejectIn(BaseModel):
    reason: str = Field(max_length=500)


@router.post("/staff/actions/{action_id}/approve")
def approve_action(
    action_id: str, auth: Approver, rt: RuntimeDep, body: DecisionIn | None = None
) -> ActionOut:
    note = body.note if body else None
    return ActionOut.of(actions.approve(rt, SupportActor.agent(auth), action_id, note=note))


@router.post("/staff/actions/{action_id}/reject")
def reject_action(action_id: str, body: RejectIn, auth: Approver, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.reject(rt, SupportActor.agent(auth), action_id, reason=body.reason))


@router.post("/staff/actions/{action_id}/cancel")
def cancel_action(action_id: str, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.cancel(rt, SupportActor.agent(auth), action_id))


class AwaitingOut(ActionOut):
    case_subject: str
    proposer_name: str | None
    mine: bool = Field(description="You proposed it: someone else must approve it")


class ApprovalsOut(BaseModel):
    items: list[AwaitingOut]
    next_cursor: str | None


def _cursor(proposal: Proposal) -> str:
    text = f"{proposal.created_at.isoformat()}|{proposal.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, proposal_id = text.partition("|")
        parsed = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed("invalid_cursor", field="cursor") from None
    if parsed.tzinfo is None or not proposal_id:
        raise ValidationFailed("invalid_cursor", field="cursor")
    return parsed, proposal_id


@router.get("/staff/approvals")
def approvals(
    auth: Approver,
    rt: RuntimeDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=actions.INBOX_MAX),
) -> ApprovalsOut:
    found = actions.approvals_inbox(
        rt, SupportActor.agent(auth), limit=limit, after=_after(cursor) if cursor else None
    )
    return ApprovalsOut(
        items=[
            AwaitingOut(
                **ActionOut.of(item.proposal).model_dump(),
                case_subject=item.case_subject,
                proposer_name=item.proposer_name,
                mine=item.mine,
            )
            for item in found
        ],
        next_cursor=_cursor(found[-1].proposal) if len(found) == limit else None,
    )


class PolicyOut(BaseModel):
    kind: str
    approval_above: MoneyOut | None = Field(
        description="A second person approves above this amount; null: always"
    )
    updated_at: datetime | None
    updated_by: str | None


class PolicyIn(BaseModel):
    approval_above: str | None = Field(
        max_length=32, description="CNY; null: every such action needs a second person"
    )


def _policy_out(policy: ActionPolicy) -> PolicyOut:
    return PolicyOut(
        kind=policy.kind,
        approval_above=_cny(policy.approval_above) if policy.approval_above is not None else None,
        updated_at=policy.updated_at,
        updated_by=policy.updated_by,
    )


def _threshold(text: str) -> Money:
    """A threshold may be zero (every such action waits), unlike an amount to move."""
    if text.strip() in ("0", "0.0", "0.00"):
        return Money.zero("CNY")
    return Money.parse(text, "CNY", field="approval_above")


@router.get("/admin/case-action-policies")
def action_policies(auth: Supervisor, rt: RuntimeDep) -> list[PolicyOut]:
    return [_policy_out(p) for p in actions.policies(rt)]


@router.put("/admin/case-action-policies/{kind}")
def set_action_policy(
    kind: ActionKind, body: PolicyIn, auth: Supervisor, rt: RuntimeDep, ctx: Context
) -> PolicyOut:
    above = _threshold(body.approval_above) if body.approval_above is not None else None
    return _policy_out(actions.set_policy(rt, Actor.staff(auth.user.id, ctx.ip), kind, above))
