"""/api/v1/staff/cases: the agents' side of the support desk.

Everything here needs `cases.work`; assigning a case to someone else also needs
`cases.supervise` (checked by the service). Agents see every message, internal notes and the
full history with before and after values.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field

from walletdesk.api import support_calendars, support_labels, support_sla, support_webhooks
from walletdesk.api.access import requires
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.support import (
    AttachmentIn,
    ExpectedOut,
    MessageOut,
    attachment_response,
    uploads_of,
)
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import casework, views
from walletdesk.support.access import SupportActor
from walletdesk.support.attachments import MAX_PER_MESSAGE
from walletdesk.support.models import CaseType, Priority, Visibility
from walletdesk.support.queries import CaseFilter
from walletdesk.support.statuses import STAFF_NAMES, Category

router = APIRouter(prefix="/api/v1/staff", tags=["support-staff"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
STAFF_BASE = "/api/v1/staff"


class StaffStatusOut(BaseModel):
    category: str
    label: str | None
    name: str = Field(description="The label's name, else the category's, in your language")


class TargetOut(BaseModel):
    kind: str = Field(description="first_response, next_response or resolution")
    state: str = Field(description="active, breached or met")
    paused: bool
    due_at: datetime | None
    breached_at: datetime | None
    fulfilled_at: datetime | None
    used_seconds: int
    budget_seconds: int


class StaffCaseOut(BaseModel):
    id: str
    version: int = Field(description="Goes up with every history event")
    subject: str
    type: str
    priority: str
    channel: str
    status: StaffStatusOut
    with_bot: bool
    assignee_id: str | None
    contact_id: str
    escalation_level: int
    sla_policy_id: str | None
    sla: list[TargetOut]
    expected: ExpectedOut
    follow_up_of: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: views.CaseView, locale: str) -> StaffCaseOut:
        case = view.case
        name = view.label_name or translate(STAFF_NAMES[Category(case.category)], locale)
        return cls(
            id=case.id,
            version=case.version,
            subject=case.subject,
            type=case.type,
            priority=case.priority,
            channel=case.channel,
            status=StaffStatusOut(category=case.category, label=case.label, name=name),
            with_bot=case.with_bot,
            assignee_id=case.assignee_id,
            contact_id=case.contact_id,
            escalation_level=case.escalation_level,
            sla_policy_id=case.sla_policy_id,
            sla=[
                TargetOut(
                    kind=t.kind,
                    state=t.state,
                    paused=t.is_open and not t.is_running,
                    due_at=t.due_at,
                    breached_at=t.breached_at,
                    fulfilled_at=t.fulfilled_at,
                    used_seconds=t.used_seconds,
                    budget_seconds=t.budget_seconds,
                )
                for t in view.targets
            ],
            expected=ExpectedOut.of(view.expectations),
            follow_up_of=case.follow_up_of,
            created_at=case.created_at,
            updated_at=case.updated_at,
        )


class ContactOut(BaseModel):
    id: str
    display_name: str
    user_id: str | None = Field(description="The wallet user; see /api/v1/staff/customers/{id}")


class ConversationOut(BaseModel):
    id: str
    channel: str
    bot_owned: bool
    assurance: str
    created_at: datetime
    handed_off_at: datetime | None


class EventOut(BaseModel):
    version: int
    kind: str
    at: datetime
    actor_kind: str
    actor_id: str | None
    public: bool
    before: dict[str, Any]
    after: dict[str, Any]


class StaffCaseDetailOut(StaffCaseOut):
    contact: ContactOut | None
    conversations: list[ConversationOut]
    messages: list[MessageOut]
    history: list[EventOut]
    disputed_transactions: list[str]
    police_report_number: str | None
    follow_up_case_id: str | None


class CasesOut(BaseModel):
    items: list[StaffCaseOut]
    next_cursor: str | None


class ReplyIn(BaseModel):
    text: str = Field(default="", max_length=4000)
    visibility: Visibility = Visibility.PUBLIC
    conversation_id: str | None = Field(default=None, max_length=40)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_PER_MESSAGE)
    version: int | None = Field(
        default=None, description="The case version the reply was written against (409 if stale)"
    )


class ReplyOut(BaseModel):
    case_id: str
    version: int
    message: MessageOut


class StatusIn(BaseModel):
    status: str = Field(max_length=32, description="A category code or a team's label key")
    version: int | None = Field(
        default=None, description="The case version the change was decided on (409 if stale)"
    )


class AssignIn(BaseModel):
    assignee_id: str | None = Field(max_length=40, description="null to unassign")


class PriorityIn(BaseModel):
    priority: Priority


def encode_cursor(position: tuple[datetime, str]) -> str:
    text = f"{position[0].isoformat()}|{position[1]}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, case_id = text.partition("|")
        parsed = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed("invalid_cursor", field="cursor") from None
    if parsed.tzinfo is None or not case_id:
        raise ValidationFailed("invalid_cursor", field="cursor")
    return parsed, case_id


def _summary(rt: RuntimeDep, actor: SupportActor, case_id: str, locale: str) -> StaffCaseOut:
    return StaffCaseOut.of(views.case_view(rt, actor, case_id), locale)


@router.get("/cases")
def list_cases(
    auth: CaseWorker,
    rt: RuntimeDep,
    request: Request,
    status_: list[Category] = Query(default=[], alias="status"),
    label: str | None = Query(default=None, max_length=32),
    assignee: str | None = Query(default=None, max_length=40, description="me, none or an id"),
    type_: list[CaseType] = Query(default=[], alias="type"),
    priority: list[Priority] = Query(default=[]),
    include_bot: bool = False,
    breached: bool | None = None,
    contact_id: str | None = Query(default=None, max_length=40),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=views.PAGE_MAX),
) -> CasesOut:
    filters = CaseFilter(
        categories=[c.value for c in status_],
        label=label,
        assignee_id=auth.user.id if assignee == "me" else None if assignee == "none" else assignee,
        unassigned=assignee == "none",
        types=[t.value for t in type_],
        priorities=[p.value for p in priority],
        include_bot=include_bot,
        breached=breached,
        contact_id=contact_id,
        before=decode_cursor(cursor) if cursor else None,
    )
    page = views.staff_cases(rt, SupportActor.agent(auth), filters, limit=limit)
    locale = request_locale(request)
    return CasesOut(
        items=[StaffCaseOut.of(v, locale) for v in page.items],
        next_cursor=encode_cursor(page.next_before) if page.next_before else None,
    )


@router.get("/cases/{case_id}")
def case_detail(
    case_id: str, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffCaseDetailOut:
    view = views.case_view(rt, SupportActor.agent(auth), case_id)
    contact = view.contact
    return StaffCaseDetailOut(
        **StaffCaseOut.of(view, request_locale(request)).model_dump(),
        contact=ContactOut(
            id=contact.id, display_name=contact.display_name, user_id=contact.user_id
        )
        if contact
        else None,
        conversations=[
            ConversationOut(
                id=c.id,
                channel=c.channel,
                bot_owned=c.bot_owned,
                assurance=c.assurance,
                created_at=c.created_at,
                handed_off_at=c.handed_off_at,
            )
            for c in view.conversations
        ],
        messages=[MessageOut.of(m, STAFF_BASE) for m in view.messages],
        history=[
            EventOut(
                version=e.version,
                kind=e.kind,
                at=e.at,
                actor_kind=e.actor_kind,
                actor_id=e.actor_id,
                public=e.public,
                before=e.before,
                after=e.after,
            )
            for e in view.history
        ],
        disputed_transactions=view.disputed_transactions,
        police_report_number=view.case.police_report_number,
        follow_up_case_id=view.follow_up_case_id,
    )


@router.post("/cases/{case_id}/messages", status_code=status.HTTP_201_CREATED)
def reply(case_id: str, body: ReplyIn, auth: CaseWorker, rt: RuntimeDep) -> ReplyOut:
    posted = casework.agent_reply(
        rt,
        SupportActor.agent(auth),
        case_id,
        text=body.text,
        visibility=body.visibility,
        conversation_id=body.conversation_id,
        uploads=uploads_of(body.attachments, rt.settings.support_attachment_max_bytes),
        expected_version=body.version,
    )
    message = views.MessageView(posted.message, auth.user.display_name, posted.attachments)
    return ReplyOut(
        case_id=posted.case.id,
        version=posted.case.version,
        message=MessageOut.of(message, STAFF_BASE),
    )


@router.post("/cases/{case_id}/status")
def change_status(
    case_id: str, body: StatusIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffCaseOut:
    actor = SupportActor.agent(auth)
    casework.change_status(rt, actor, case_id, body.status, expected_version=body.version)
    return _summary(rt, actor, case_id, request_locale(request))


@router.post("/cases/{case_id}/assign")
def assign(
    case_id: str, body: AssignIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffCaseOut:
    actor = SupportActor.agent(auth)
    casework.assign(rt, actor, case_id, body.assignee_id)
    return _summary(rt, actor, case_id, request_locale(request))


@router.post("/cases/{case_id}/priority")
def change_priority(
    case_id: str, body: PriorityIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> StaffCaseOut:
    actor = SupportActor.agent(auth)
    casework.change_priority(rt, actor, case_id, body.priority)
    return _summary(rt, actor, case_id, request_locale(request))


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def attachment(case_id: str, attachment_id: str, auth: CaseWorker, rt: RuntimeDep) -> Response:
    found, content = views.attachment_content(rt, SupportActor.agent(auth), case_id, attachment_id)
    return attachment_response(found, content)


router.include_router(support_labels.router)
router.include_router(support_sla.router)
router.include_router(support_calendars.router)
router.include_router(support_webhooks.router)
