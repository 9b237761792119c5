"""Verification (审核) for agents (`cases.work`): open a verification, ask for the in-app
check, schedule a verified call, record the outcome; and register any other outbound contact
(`/api/v1/staff/cases/{id}/contacts`) before making it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import RuntimeDep
from walletdesk.api.verification import ChallengeOut, challenge_out
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import contacts_registry, verification, verification_challenge
from walletdesk.support.access import SupportActor
from walletdesk.support.verification_models import (
    ContactChannel,
    ContactPurpose,
    OutboundContact,
    Outcome,
    Reason,
)
from walletdesk.support.verification_operations import OperationRef

router = APIRouter(prefix="/api/v1/staff", tags=["verification"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]


class OperationIn(BaseModel):
    kind: str = Field(max_length=40, examples=["transfer_hold"])
    ref: str = Field(max_length=64, description="The owner's id of the pending operation")


class OpenVerificationIn(BaseModel):
    user_id: str = Field(max_length=40)
    reason: Reason
    operation: OperationIn | None = None
    note: str | None = Field(default=None, max_length=500)


class ContactOut(BaseModel):
    id: str
    channel: str
    purpose: str
    source: str
    agent_id: str
    case_id: str | None
    verification_id: str | None
    window_start: datetime
    window_end: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, c: OutboundContact) -> ContactOut:
        return cls(
            id=c.id,
            channel=c.channel,
            purpose=c.purpose,
            source=c.source,
            agent_id=c.agent_id,
            case_id=c.case_id,
            verification_id=c.verification_id,
            window_start=c.window_start,
            window_end=c.window_end,
            completed_at=c.completed_at,
        )


class RegisteredContactOut(ContactOut):
    code: str = Field(description="Say it (or put it in the message): the customer checks it")


class StaffVerificationOut(BaseModel):
    id: str
    case_id: str
    case_version: int
    user_id: str
    reason: str
    state: str
    operation_kind: str | None
    operation_ref: str | None
    operation_result: str | None
    note: str | None
    challenge: ChallengeOut
    challenge_attempts: int
    challenge_passed_at: datetime | None
    contacts: list[ContactOut]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    outcome_note: str | None


def _staff_view(rt: RuntimeDep, auth: Authenticated, verification_id: str) -> StaffVerificationOut:
    view = verification.verification_view(rt, SupportActor.agent(auth), verification_id)
    v = view.verification
    return StaffVerificationOut(
        id=v.id,
        case_id=v.case_id,
        case_version=view.case.version,
        user_id=v.user_id,
        reason=v.reason,
        state=v.state,
        operation_kind=v.operation_kind,
        operation_ref=v.operation_ref,
        operation_result=v.operation_result,
        note=v.note,
        challenge=challenge_out(v, rt.clock.now()),
        challenge_attempts=v.challenge_attempts,
        challenge_passed_at=v.challenge_passed_at,
        contacts=[ContactOut.of(c) for c in view.contacts],
        created_at=v.created_at,
        decided_at=v.decided_at,
        decided_by=v.decided_by,
        outcome_note=v.outcome_note,
    )


@router.post("/verifications", status_code=status.HTTP_201_CREATED)
def open_verification(
    body: OpenVerificationIn, auth: CaseWorker, rt: RuntimeDep
) -> StaffVerificationOut:
    opened = verification.open_verification(
        rt,
        SupportActor.agent(auth),
        user_id=body.user_id,
        reason=body.reason,
        operation=OperationRef(body.operation.kind, body.operation.ref) if body.operation else None,
        note=body.note,
    )
    return _staff_view(rt, auth, opened.id)


@router.get("/verifications/{verification_id}")
def verification_detail(
    verification_id: str, auth: CaseWorker, rt: RuntimeDep
) -> StaffVerificationOut:
    return _staff_view(rt, auth, verification_id)


@router.post("/verifications/{verification_id}/challenge")
def request_challenge(
    verification_id: str, auth: CaseWorker, rt: RuntimeDep
) -> StaffVerificationOut:
    """Ask the customer to confirm in the app (authenticator code, else a texted code)."""
    verification_challenge.request_challenge(rt, SupportActor.agent(auth), verification_id)
    return _staff_view(rt, auth, verification_id)


class ScheduleCallIn(BaseModel):
    minutes: int | None = Field(default=None, ge=1, le=60, description="Default 10")


@router.post("/verifications/{verification_id}/calls", status_code=status.HTTP_201_CREATED)
def schedule_call(
    verification_id: str,
    auth: CaseWorker,
    rt: RuntimeDep,
    body: ScheduleCallIn | None = None,
) -> RegisteredContactOut:
    """Announce a verified call in the customer's app before dialling."""
    registered = verification.schedule_call(
        rt, SupportActor.agent(auth), verification_id, minutes=body.minutes if body else None
    )
    return RegisteredContactOut(
        **ContactOut.of(registered.contact).model_dump(), code=registered.code
    )


class OutcomeIn(BaseModel):
    outcome: Outcome
    note: str | None = Field(default=None, max_length=500)


@router.post("/verifications/{verification_id}/outcome")
def record_outcome(
    verification_id: str, body: OutcomeIn, auth: CaseWorker, rt: RuntimeDep
) -> StaffVerificationOut:
    """verified releases what waited for the check; failed and suspicious cancel it."""
    verification.record_outcome(
        rt, SupportActor.agent(auth), verification_id, body.outcome, note=body.note
    )
    return _staff_view(rt, auth, verification_id)


class RegisterContactIn(BaseModel):
    channel: ContactChannel
    purpose: ContactPurpose
    window_minutes: int | None = Field(default=None, ge=1, le=72 * 60)


@router.post("/cases/{case_id}/contacts", status_code=status.HTTP_201_CREATED)
def register_contact(
    case_id: str, body: RegisterContactIn, auth: CaseWorker, rt: RuntimeDep
) -> RegisteredContactOut:
    """Register an outbound contact (call, SMS, chat, email, WeChat) before making it."""
    registered = contacts_registry.register_contact(
        rt,
        SupportActor.agent(auth),
        case_id,
        channel=body.channel,
        purpose=body.purpose,
        window=timedelta(minutes=body.window_minutes) if body.window_minutes else None,
    )
    return RegisteredContactOut(
        **ContactOut.of(registered.contact).model_dump(), code=registered.code
    )
