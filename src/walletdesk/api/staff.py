"""/api/v1/staff and /api/v1/admin: customer look-up (masked), roles, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.audit import services as audit
from walletdesk.audit.services import Actor
from walletdesk.identity import profile, staff
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission

router = APIRouter(prefix="/api/v1", tags=["staff"])

CustomerReader = Annotated[Authenticated, Depends(requires(Permission.CUSTOMER_READ))]
StaffManager = Annotated[Authenticated, Depends(requires(Permission.STAFF_MANAGE))]
AuditReader = Annotated[Authenticated, Depends(requires(Permission.AUDIT_READ))]
AuditVerifier = Annotated[Authenticated, Depends(requires(Permission.AUDIT_VERIFY))]


class CustomerOut(BaseModel):
    id: str
    display_name: str
    phone: str | None = Field(description="Masked, e.g. 138****1234")
    email: str | None
    real_name: str | None = Field(description="Masked, e.g. *明")
    id_number: str | None = Field(description="Masked, e.g. 1101**********4578")
    kyc_tier: int
    two_factor: bool
    frozen: bool
    created_at: datetime


class RoleIn(BaseModel):
    role: str = Field(max_length=32)


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    details: str
    hash: str


class AuditVerifyOut(BaseModel):
    checked: int
    intact: bool
    first_broken_seq: int | None
    reason: str | None


@router.get("/staff/customers/{user_id}")
def customer(user_id: str, actor: CustomerReader, rt: RuntimeDep) -> CustomerOut:
    view = profile.customer_profile(rt, actor, user_id)
    return CustomerOut(
        id=view.id,
        display_name=view.display_name,
        phone=view.phone,
        email=view.email,
        real_name=view.real_name,
        id_number=view.id_number,
        kyc_tier=view.kyc_tier,
        two_factor=view.two_factor,
        frozen=view.frozen,
        created_at=view.created_at,
    )


@router.post("/admin/staff/{user_id}/roles", status_code=status.HTTP_204_NO_CONTENT)
def grant_role(
    user_id: str, body: RoleIn, actor: StaffManager, rt: RuntimeDep, ctx: Context
) -> None:
    staff.grant_role(rt, user_id=user_id, role=body.role, actor=Actor.staff(actor.user.id, ctx.ip))


@router.delete("/admin/staff/{user_id}/roles/{role}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_role(user_id: str, role: str, actor: StaffManager, rt: RuntimeDep, ctx: Context) -> None:
    staff.revoke_role(rt, user_id=user_id, role=role, actor=Actor.staff(actor.user.id, ctx.ip))


@router.get("/admin/audit")
def audit_log(
    actor: AuditReader,
    rt: RuntimeDep,
    subject_id: str | None = Query(default=None, max_length=32),
    limit: int = Query(default=50, ge=1, le=500),
) -> list[AuditEntryOut]:
    entries = audit.recent_entries(rt.db, subject_id=subject_id, limit=limit)
    return [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor_kind=e.actor_kind,
            actor_id=e.actor_id,
            action=e.action,
            subject_kind=e.subject_kind,
            subject_id=e.subject_id,
            details=e.details,
            hash=e.hash,
        )
        for e in entries
    ]


@router.post("/admin/audit/verify")
def verify_audit(actor: AuditVerifier, rt: RuntimeDep) -> AuditVerifyOut:
    result = audit.verify_database(rt.db)
    return AuditVerifyOut(
        checked=result.checked,
        intact=result.broken is None,
        first_broken_seq=result.broken.seq if result.broken else None,
        reason=result.broken.reason if result.broken else None,
    )
