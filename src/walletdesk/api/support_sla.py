"""SLA policies over the API (issue 5, items 5 and 15): what applies today, and setting or
removing a policy per priority and case type. The same services as the console's SLA page
(`support.sla_admin`), so validation, audit and "cases opened afterwards use it" are shared.
Included by `support_staff.router`, so the paths sit under `/api/v1/staff`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import sla_admin
from walletdesk.support.sla import EscalationAction, EscalationStep, SlaPolicy

router = APIRouter(tags=["support-sla"])

ConfigAdmin = Annotated[Authenticated, Depends(requires(Permission.CONFIG_MANAGE))]


class LadderStepOut(BaseModel):
    after_minutes: int = Field(description="Wall-clock minutes after the breach")
    action: str = Field(description="notify, reassign_senior or supervisor")


class SlaPolicyOut(BaseModel):
    id: str
    priority: str | None = Field(description="null: any priority")
    case_type: str | None = Field(description="null: any type")
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    calendar: str = Field(description="The business-hours calendar the minutes count in")
    ladder: list[LadderStepOut]
    stored: bool = Field(description="false: a shipped default")
    replaced: bool = Field(description="A default that a stored policy replaces")
    updated_at: datetime | None

    @classmethod
    def of(cls, policy: SlaPolicy, *, stored: bool, replaced: bool) -> SlaPolicyOut:
        return cls(
            id=policy.id,
            priority=policy.priority,
            case_type=policy.case_type,
            first_response_minutes=policy.first_response_minutes,
            next_response_minutes=policy.next_response_minutes,
            resolution_minutes=policy.resolution_minutes,
            calendar=policy.calendar,
            ladder=[
                LadderStepOut(after_minutes=s.after_minutes, action=s.action.value)
                for s in policy.ladder
            ],
            stored=stored,
            replaced=replaced,
            updated_at=policy.updated_at,
        )


class SlaPoliciesOut(BaseModel):
    calendars: list[str]
    items: list[SlaPolicyOut]


class LadderStepIn(BaseModel):
    after_minutes: int = Field(description="Wall-clock minutes after the breach")
    action: EscalationAction


class SlaPolicyIn(BaseModel):
    priority: str | None = Field(default=None, max_length=16, examples=["urgent"])
    case_type: str | None = Field(default=None, max_length=16, examples=["complaint"])
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    calendar: str = Field(default=sla_admin.NEW_POLICY_CALENDAR, max_length=32)
    ladder: list[LadderStepIn] | None = Field(
        default=None,
        max_length=20,
        description="Escalation steps in order; leave out to keep the policy's current ladder",
    )


@router.get("/sla-policies")
def list_sla_policies(auth: ConfigAdmin, rt: RuntimeDep) -> SlaPoliciesOut:
    return SlaPoliciesOut(
        calendars=sla_admin.calendar_keys(rt),
        items=[
            SlaPolicyOut.of(s.policy, stored=s.stored, replaced=s.replaced)
            for s in sla_admin.effective_policies(rt)
        ],
    )


@router.put("/sla-policies")
def set_sla_policy(
    body: SlaPolicyIn, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context
) -> SlaPolicyOut:
    """Store the policy for its priority and type, replacing one; audited. Cases opened or
    re-prioritised afterwards use it."""
    # The service reads the console's form fields; the API hands it the same text so both
    # doors share one validation (whole minutes in range, a scope, a known calendar).
    stored = sla_admin.check_set_policy(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        priority=body.priority or "",
        case_type=body.case_type or "",
        first_response=str(body.first_response_minutes),
        next_response=str(body.next_response_minutes),
        resolution=str(body.resolution_minutes),
        calendar=body.calendar,
        ladder=None
        if body.ladder is None
        else [EscalationStep(s.after_minutes, s.action) for s in body.ladder],
    )
    return SlaPolicyOut.of(stored, stored=True, replaced=False)


@router.delete("/sla-policies/{policy_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_sla_policy(policy_id: str, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context) -> None:
    sla_admin.remove_policy(rt, Actor.staff(auth.user.id, ctx.ip), policy_id)
