"""/api/v1/staff/risk/...: the risk review queue for reviewers and supervisors (`risk.review`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.risk import review, review_actions, review_view
from walletdesk.risk.review_models import ReviewCase

router = APIRouter(prefix="/api/v1/staff/risk", tags=["risk review"])

Reviewer = Annotated[Authenticated, Depends(requires(Permission.RISK_REVIEW))]


class CaseOut(BaseModel):
    id: str
    user_id: str
    status: str
    opened_at: datetime
    assigned_to: str | None
    escalated: bool
    four_eyes: bool
    max_score: int
    auto_frozen: bool
    pending_action: str | None
    pending_by: str | None
    label: str | None
    closed_at: datetime | None

    @classmethod
    def of(cls, c: ReviewCase) -> CaseOut:
        return cls(
            id=c.id,
            user_id=c.user_id,
            status=c.status,
            opened_at=c.opened_at,
            assigned_to=c.assigned_to,
            escalated=c.escalated,
            four_eyes=c.four_eyes,
            max_score=c.max_score,
            auto_frozen=c.auto_frozen,
            pending_action=c.pending_action,
            pending_by=c.pending_by,
            label=c.label,
            closed_at=c.closed_at,
        )


class HitOut(BaseModel):
    rule_id: str
    weight: int
    action: str
    reason: str


class DecisionOut(BaseModel):
    id: str
    movement_id: str
    action: str
    score: int
    amount_cny: str
    rule_set_version: int | None
    hits: list[HitOut]
    features: dict[str, object]


class CaseViewOut(BaseModel):
    case: CaseOut
    age_seconds: int
    sla_due_at: datetime
    sla_breached: bool
    needs_second_approver: bool
    decisions: list[DecisionOut]
    held_transfers: list[dict[str, object]]
    counterparty_history: dict[str, list[dict[str, object]]]
    past_alerts: list[dict[str, object]]
    devices: list[dict[str, object]]
    security_events: list[dict[str, object]]
    actions: list[dict[str, object]]


class CommentIn(BaseModel):
    comment: str = Field(min_length=1, max_length=1000)


class ClosingIn(CommentIn):
    label: str = Field(examples=["false_positive", "valuable_alert", "confirmed_fraud"])


class ActionOut(BaseModel):
    case: CaseOut
    done: bool = Field(description="False while waiting for a second approver")
    entry_ids: list[str] = []


def _action(result: review_actions.ActionResult) -> ActionOut:
    return ActionOut(case=CaseOut.of(result.case), done=result.done, entry_ids=result.entry_ids)


@router.get("/cases")
def list_cases(actor: Reviewer, rt: RuntimeDep) -> list[CaseOut]:
    return [CaseOut.of(c) for c in review.open_cases(rt, actor)]


@router.post("/cases/next")
def take_next_case(actor: Reviewer, rt: RuntimeDep) -> CaseOut | None:
    case = review.next_case(rt, actor)
    return CaseOut.of(case) if case else None


@router.get("/cases/{case_id}")
def get_case(case_id: str, request: Request, actor: Reviewer, rt: RuntimeDep) -> CaseViewOut:
    view = review_view.case_view(rt, actor, case_id)
    locale = request_locale(request)
    return CaseViewOut(
        case=CaseOut.of(view.case),
        age_seconds=int(view.age.total_seconds()),
        sla_due_at=view.sla_due_at,
        sla_breached=view.sla_breached,
        needs_second_approver=view.needs_second_approver,
        decisions=[
            DecisionOut(
                id=d.id,
                movement_id=d.movement_id,
                action=str(d.action),
                score=d.score,
                amount_cny=f"{d.amount_cny_minor / 100:.2f}",
                rule_set_version=d.rule_set_version,
                hits=[
                    HitOut(
                        rule_id=h.rule_id,
                        weight=h.weight,
                        action=str(h.action),
                        reason=h.reason(locale),
                    )
                    for h in d.hits
                ],
                features=dict(d.features),
            )
            for d in view.decisions
        ],
        held_transfers=[
            {
                "id": h.id,
                "status": h.status,
                "amount_minor": h.amount_minor,
                "currency": h.currency,
                "recipient_id": h.recipient_id,
                "created_at": h.created_at,
                "decline_at": h.decline_at,
            }
            for h in view.held
        ],
        counterparty_history=view.counterparty_history,
        past_alerts=[
            {"case_id": a.case_id, "action": a.action, "score": a.score, "at": a.created_at}
            for a in view.past_alerts
        ],
        devices=[
            {"id": d.id, "name": d.name, "first_seen_at": d.first_seen_at, "last_ip": d.last_ip}
            for d in view.devices
        ],
        security_events=view.security_events,
        actions=[
            {"actor_id": a.actor_id, "action": a.action, "comment": a.comment, "at": a.created_at}
            for a in view.actions
        ],
    )


@router.post("/cases/{case_id}/approve")
def approve(case_id: str, body: ClosingIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(
        review_actions.approve_case(rt, actor, case_id, comment=body.comment, label=body.label)
    )


@router.post("/cases/{case_id}/decline")
def decline(case_id: str, body: ClosingIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(
        review_actions.decline_case(rt, actor, case_id, comment=body.comment, label=body.label)
    )


@router.post("/cases/{case_id}/freeze")
def freeze(case_id: str, body: ClosingIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(
        review_actions.decline_case(
            rt, actor, case_id, comment=body.comment, label=body.label, freeze=True
        )
    )


@router.post("/cases/{case_id}/unfreeze")
def unfreeze(case_id: str, body: CommentIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(review_actions.unfreeze_customer(rt, actor, case_id, comment=body.comment))


@router.post("/cases/{case_id}/ask-customer")
def ask(case_id: str, body: CommentIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(review_actions.ask_customer(rt, actor, case_id, comment=body.comment))


@router.post("/cases/{case_id}/escalate")
def escalate(case_id: str, body: CommentIn, actor: Reviewer, rt: RuntimeDep) -> ActionOut:
    return _action(review_actions.escalate_case(rt, actor, case_id, comment=body.comment))
