"""/api/v1/staff: handling complaints and suggestions (`cases.work`), and for supervisors
(`cases.supervise`) the complaint deadline and CSAT policies and the regulator's CSV export of
the complaints received in a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.complaints import TEXT_MAX, ComplaintOut, SuggestionOut
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import (
    complaints,
    complaints_export,
    complaints_handling,
    complaints_views,
    csat,
    suggestions,
)
from walletdesk.support.access import SupportActor
from walletdesk.support.complaints_model import (
    ComplaintCategory,
    ComplaintPolicy,
    DeadlineBasis,
    LadderAction,
    LadderStep,
)

router = APIRouter(prefix="/api/v1/staff", tags=["complaints-staff"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]


class StaffComplaintOut(ComplaintOut):
    case_status: str
    assignee_id: str | None
    result_by: str | None
    appeal_result_by: str | None
    escalation_level: int
    next_escalation_at: datetime | None

    @classmethod
    def staff(cls, view: complaints_views.ComplaintView, locale: str) -> StaffComplaintOut:
        c = view.complaint
        return cls(
            **ComplaintOut.of(view, locale).model_dump(),
            case_status=view.case.category,
            assignee_id=view.case.assignee_id,
            result_by=c.result_by,
            appeal_result_by=c.appeal_result_by,
            escalation_level=c.escalation_level,
            next_escalation_at=c.next_escalation_at,
        )


class CategoryIn(BaseModel):
    category: ComplaintCategory


class InvestigateIn(BaseModel):
    note: str | None = Field(default=None, max_length=TEXT_MAX)


class ResultIn(BaseModel):
    text: str = Field(max_length=TEXT_MAX)


class LadderStepIO(BaseModel):
    percent: int = Field(ge=1, le=100)
    action: LadderAction


class ComplaintPolicyIO(BaseModel):
    deadline_days: int = Field(examples=[15])
    basis: DeadlineBasis = Field(description="calendar or business days")
    appeal_days: int = Field(examples=[15])
    ladder: list[LadderStepIO] = Field(max_length=10)

    @classmethod
    def of(cls, policy: ComplaintPolicy) -> ComplaintPolicyIO:
        return cls(
            deadline_days=policy.deadline_days,
            basis=policy.basis,
            appeal_days=policy.appeal_days,
            ladder=[LadderStepIO(percent=s.percent, action=s.action) for s in policy.ladder],
        )


class CsatPolicyIO(BaseModel):
    low_score_max: int = Field(description="Scores up to this are low; 0 turns it off")
    action: csat.LowScoreAction


class AnswerIn(BaseModel):
    status: suggestions.SuggestionStatus
    answer: str | None = Field(default=None, max_length=TEXT_MAX)


def _staff_view(
    rt: RuntimeDep, auth: Authenticated, case_id: str, locale: str
) -> StaffComplaintOut:
    return StaffComplaintOut.staff(
        complaints_views.staff_complaint(rt, SupportActor.agent(auth), case_id), locale
    )


@router.get("/complaints")
def staff_complaints(
    auth: CaseWorker,
    rt: RuntimeDep,
    request: Request,
    awaiting_result: bool | None = None,
    limit: int = Query(default=100, ge=1, le=200),
) -> list[StaffComplaintOut]:
    locale = request_locale(request)
    found = complaints_views.staff_complaints(
        rt, SupportActor.agent(auth), awaiting_result=awaiting_result, limit=limit
    )
    return [StaffComplaintOut.staff(v, locale) for v in found]


@router.get("/complaints.csv")
def export_complaints(
    auth: Supervisor,
    rt: RuntimeDep,
    ctx: Context,
    start: datetime = Query(alias="from"),
    end: datetime = Query(alias="to"),
) -> StreamingResponse:
    rows = complaints_export.export_rows(
        rt, Actor.staff(auth.user.id, ctx.ip), start=start, end=end
    )
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="walletdesk-complaints.csv"'},
    )


@router.get("/complaints/{case_id}")
def staff_complaint(
    case_id: str, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffComplaintOut:
    return _staff_view(rt, auth, case_id, request_locale(request))


@router.post("/cases/{case_id}/complaint")
def register_complaint(
    case_id: str, body: CategoryIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffComplaintOut:
    complaints_handling.set_category(rt, SupportActor.agent(auth), case_id, body.category)
    return _staff_view(rt, auth, case_id, request_locale(request))


@router.post("/complaints/{case_id}/investigating")
def investigating(
    case_id: str, body: InvestigateIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffComplaintOut:
    complaints_handling.start_investigation(rt, SupportActor.agent(auth), case_id, note=body.note)
    return _staff_view(rt, auth, case_id, request_locale(request))


@router.post("/complaints/{case_id}/result")
def give_result(
    case_id: str, body: ResultIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffComplaintOut:
    complaints_handling.give_result(rt, SupportActor.agent(auth), case_id, text=body.text)
    return _staff_view(rt, auth, case_id, request_locale(request))


@router.get("/complaint-policy")
def complaint_policy(auth: CaseWorker, rt: RuntimeDep) -> ComplaintPolicyIO:
    return ComplaintPolicyIO.of(complaints.read_complaint_policy(rt))


@router.put("/complaint-policy")
def set_complaint_policy(
    body: ComplaintPolicyIO, auth: Supervisor, rt: RuntimeDep, ctx: Context
) -> ComplaintPolicyIO:
    policy = ComplaintPolicy(
        deadline_days=body.deadline_days,
        basis=body.basis,
        appeal_days=body.appeal_days,
        ladder=tuple(LadderStep(s.percent, s.action) for s in body.ladder),
    )
    stored = complaints.set_complaint_policy(rt, Actor.staff(auth.user.id, ctx.ip), policy)
    return ComplaintPolicyIO.of(stored)


@router.get("/csat-policy")
def csat_policy(auth: CaseWorker, rt: RuntimeDep) -> CsatPolicyIO:
    policy = csat.read_csat_policy(rt)
    return CsatPolicyIO(low_score_max=policy.low_score_max, action=policy.action)


@router.put("/csat-policy")
def set_csat_policy(
    body: CsatPolicyIO, auth: Supervisor, rt: RuntimeDep, ctx: Context
) -> CsatPolicyIO:
    stored = csat.set_csat_policy(
        rt, Actor.staff(auth.user.id, ctx.ip), csat.CsatPolicy(body.low_score_max, body.action)
    )
    return CsatPolicyIO(low_score_max=stored.low_score_max, action=stored.action)


@router.get("/suggestions")
def staff_suggestions(
    auth: CaseWorker,
    rt: RuntimeDep,
    request: Request,
    status_: suggestions.SuggestionStatus | None = Query(default=None, alias="status"),
    limit: int = Query(default=100, ge=1, le=200),
) -> list[SuggestionOut]:
    locale = request_locale(request)
    found = suggestions.staff_suggestions(rt, SupportActor.agent(auth), status=status_, limit=limit)
    return [SuggestionOut.of(v, locale) for v in found]


@router.post("/suggestions/{case_id}/answer")
def answer_suggestion(
    case_id: str, body: AnswerIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> SuggestionOut:
    view = suggestions.answer_suggestion(
        rt, SupportActor.agent(auth), case_id, status=body.status, answer=body.answer
    )
    return SuggestionOut.of(view, request_locale(request))
