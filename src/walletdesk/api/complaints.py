"""Complaints (投诉), suggestions (建议) and satisfaction ratings, from the customer's side.

Customers file a complaint and follow it by its reference number (TS-YYYYMMDD-NNNN), appeal
its result once or confirm it; send suggestions and read the answers; rate a solved request
once. The staff side is in `complaints_staff.py`.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, Public
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.support import AttachmentIn, uploads_of
from walletdesk.i18n import translate
from walletdesk.support import complaints, complaints_views, csat, suggestions
from walletdesk.support.access import SupportActor
from walletdesk.support.attachments import MAX_PER_MESSAGE
from walletdesk.support.complaints_model import (
    CATEGORY_NAMES,
    STEP_NAMES,
    ComplaintCategory,
)
from walletdesk.support.statuses import Category

router = APIRouter(prefix="/api/v1", tags=["complaints"])
TEXT_MAX = 4000


class ComplaintIn(BaseModel):
    category: ComplaintCategory
    text: str = Field(max_length=TEXT_MAX, examples=["提现手续费和页面上写的不一样"])
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_PER_MESSAGE)


class AppealIn(BaseModel):
    reason: str = Field(max_length=TEXT_MAX, examples=["处理结果没有解释为什么扣了两次费"])


class StepOut(BaseModel):
    step: str
    name: str
    at: datetime | None
    done: bool


class AppealOut(BaseModel):
    reason: str | None
    at: datetime
    due_at: datetime | None
    result: str | None
    result_at: datetime | None


class ComplaintOut(BaseModel):
    reference: str = Field(examples=["TS-20261123-0001"])
    case_id: str
    conversation_id: str | None = Field(description="Where the complaint is discussed")
    category: str
    category_name: str
    step: str = Field(description="received, investigating, result, appealed, … confirmed")
    received_at: datetime
    due_at: datetime = Field(description="The last instant a result is on time")
    overdue: bool
    result: str | None
    result_at: datetime | None
    appeal: AppealOut | None
    confirmed_at: datetime | None
    can_appeal: bool
    can_confirm: bool
    timeline: list[StepOut]

    @classmethod
    def of(cls, view: complaints_views.ComplaintView, locale: str) -> ComplaintOut:
        c = view.complaint
        appeal = None
        if c.appealed_at is not None:
            appeal = AppealOut(
                reason=c.appeal_reason,
                at=c.appealed_at,
                due_at=c.appeal_due_at,
                result=c.appeal_result_text,
                result_at=c.appeal_result_at,
            )
        final = c.confirmed_at is not None
        return cls(
            reference=c.reference,
            case_id=c.case_id,
            conversation_id=view.conversation_id,
            category=c.category,
            category_name=translate(CATEGORY_NAMES[ComplaintCategory(c.category)], locale),
            step=c.step.value,
            received_at=c.received_at,
            due_at=c.due_at,
            overdue=view.overdue,
            result=c.result_text,
            result_at=c.result_at,
            appeal=appeal,
            confirmed_at=c.confirmed_at,
            can_appeal=not final
            and c.result_at is not None
            and c.appealed_at is None
            and view.case.category != Category.CLOSED,
            can_confirm=not final and not c.awaiting_result,
            timeline=[
                StepOut(
                    step=e.step.value,
                    name=translate(STEP_NAMES[e.step], locale),
                    at=e.at,
                    done=e.done,
                )
                for e in view.timeline
            ],
        )


class CategoryOut(BaseModel):
    code: str
    name: str


@router.get("/complaint-categories", dependencies=[Public])
def complaint_categories(request: Request) -> list[CategoryOut]:
    locale = request_locale(request)
    return [CategoryOut(code=c.value, name=translate(n, locale)) for c, n in CATEGORY_NAMES.items()]


@router.post("/complaints", status_code=status.HTTP_201_CREATED)
def file_complaint(
    body: ComplaintIn, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> ComplaintOut:
    view = complaints.file_complaint(
        rt,
        auth,
        category=body.category,
        text=body.text,
        uploads=uploads_of(body.attachments, rt.settings.support_attachment_max_bytes),
    )
    return ComplaintOut.of(view, request_locale(request))


@router.get("/complaints")
def my_complaints(auth: CurrentUser, rt: RuntimeDep, request: Request) -> list[ComplaintOut]:
    locale = request_locale(request)
    return [ComplaintOut.of(v, locale) for v in complaints_views.my_complaints(rt, auth)]


@router.get("/complaints/{reference}")
def my_complaint(
    reference: str, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> ComplaintOut:
    view = complaints_views.my_complaint(rt, auth, reference)
    return ComplaintOut.of(view, request_locale(request))


@router.post("/complaints/{reference}/appeal")
def appeal(
    reference: str, body: AppealIn, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> ComplaintOut:
    view = complaints.appeal(rt, auth, reference, reason=body.reason)
    return ComplaintOut.of(view, request_locale(request))


@router.post("/complaints/{reference}/confirm")
def confirm(reference: str, auth: CurrentUser, rt: RuntimeDep, request: Request) -> ComplaintOut:
    view = complaints.confirm(rt, auth, reference)
    return ComplaintOut.of(view, request_locale(request))


# --- suggestions --------------------------------------------------------------------------


class SuggestionIn(BaseModel):
    text: str = Field(max_length=TEXT_MAX, examples=["希望账单可以按标签筛选"])
    topic: suggestions.SuggestionTopic = suggestions.SuggestionTopic.OTHER


class SuggestionOut(BaseModel):
    reference: str = Field(examples=["JY-20261123-0001"])
    case_id: str
    topic: str
    status: str
    status_name: str
    received_at: datetime
    answer: str | None
    answered_at: datetime | None

    @classmethod
    def of(cls, view: suggestions.SuggestionView, locale: str) -> SuggestionOut:
        s = view.suggestion
        name = suggestions.STATUS_NAMES[suggestions.SuggestionStatus(s.status)]
        return cls(
            reference=s.reference,
            case_id=s.case_id,
            topic=s.topic,
            status=s.status,
            status_name=translate(name, locale),
            received_at=s.received_at,
            answer=s.answer_text,
            answered_at=s.answered_at,
        )


@router.post("/suggestions", status_code=status.HTTP_201_CREATED)
def submit_suggestion(
    body: SuggestionIn, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> SuggestionOut:
    view = suggestions.submit_suggestion(rt, auth, text=body.text, topic=body.topic)
    return SuggestionOut.of(view, request_locale(request))


@router.get("/suggestions")
def my_suggestions(auth: CurrentUser, rt: RuntimeDep, request: Request) -> list[SuggestionOut]:
    locale = request_locale(request)
    return [SuggestionOut.of(v, locale) for v in suggestions.my_suggestions(rt, auth)]


@router.get("/suggestions/{reference}")
def my_suggestion(
    reference: str, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> SuggestionOut:
    view = suggestions.my_suggestion(rt, auth, reference)
    return SuggestionOut.of(view, request_locale(request))


# --- ratings ------------------------------------------------------------------------------


class RatingIn(BaseModel):
    score: int = Field(description="1 (very dissatisfied) to 5 (very satisfied)")
    comment: str | None = Field(default=None, max_length=csat.COMMENT_MAX)


class RatingOut(BaseModel):
    asked: bool
    asked_at: datetime | None = None
    score: int | None = None
    comment: str | None = None
    rated_at: datetime | None = None
    can_rate: bool = False

    @classmethod
    def of(cls, survey: csat.CsatSurvey | None) -> RatingOut:
        if survey is None:
            return cls(asked=False)
        return cls(
            asked=True,
            asked_at=survey.asked_at,
            score=survey.score,
            comment=survey.comment,
            rated_at=survey.rated_at,
            can_rate=survey.score is None,
        )


@router.get("/cases/{case_id}/rating")
def my_rating(case_id: str, auth: CurrentUser, rt: RuntimeDep) -> RatingOut:
    return RatingOut.of(csat.survey_for(rt, SupportActor.customer(auth), case_id))


@router.post("/cases/{case_id}/rating")
def rate(case_id: str, body: RatingIn, auth: CurrentUser, rt: RuntimeDep) -> RatingOut:
    survey = csat.rate(
        rt, SupportActor.customer(auth), case_id, score=body.score, comment=body.comment
    )
    return RatingOut.of(survey)
