"""/api/v1/conversations and /api/v1/cases: help from the customer's side (in-app chat).

A conversation starts a case with the bot; `handoff` asks for a human. Customers see their
own cases only (the door: `support.access.access_case_for`), public messages only, and what
to expect: the status and when the next answer and the resolution are due.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.i18n import translate
from walletdesk.support import conversations, realtime_hours, views
from walletdesk.support.access import SupportActor
from walletdesk.support.attachments import MAX_PER_MESSAGE, Upload
from walletdesk.support.errors import AttachmentRefused
from walletdesk.support.history import CUSTOMER_SENTENCES, CaseEvent, EventKind
from walletdesk.support.models import Attachment, CaseType
from walletdesk.support.statuses import CUSTOMER_SENTENCES as STATUS_SENTENCES
from walletdesk.support.statuses import Category

router = APIRouter(prefix="/api/v1", tags=["support"])

TEXT_MAX = 4000
ENCODED_MAX = 7_200_000  # base64 of a little over 5 MiB
CURSOR_MAX = 2**62  # message ids are 64-bit; larger numbers are refused, not sent to SQL


class AttachmentIn(BaseModel):
    filename: str = Field(max_length=200, examples=["receipt.png"])
    content_base64: str = Field(max_length=ENCODED_MAX)


def uploads_of(items: list[AttachmentIn], max_bytes: int) -> list[Upload]:
    uploads = []
    for item in items:
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise AttachmentRefused(
                field="attachments", max_mb=f"{max_bytes / (1024 * 1024):g}"
            ) from None
        uploads.append(Upload(item.filename, content))
    return uploads


class ConversationIn(BaseModel):
    text: str = Field(default="", max_length=TEXT_MAX, examples=["我的提现三天了还没到账"])
    type: CaseType = Field(default=CaseType.QUESTION)
    transaction_ids: list[str] = Field(
        default_factory=list, max_length=20, description="Disputes: the movements not made"
    )
    police_report_number: str | None = Field(default=None, max_length=40)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_PER_MESSAGE)


class MessageIn(BaseModel):
    text: str = Field(default="", max_length=TEXT_MAX)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_PER_MESSAGE)


class HandoffIn(BaseModel):
    reason: str | None = Field(default=None, max_length=200)


class AttachmentOut(BaseModel):
    id: str
    filename: str
    media_type: str
    size: int
    url: str

    @classmethod
    def of(cls, attachment: Attachment, base: str) -> AttachmentOut:
        return cls(
            id=attachment.id,
            filename=attachment.filename,
            media_type=attachment.media_type,
            size=attachment.size,
            url=f"{base}/cases/{attachment.case_id}/attachments/{attachment.id}",
        )


class AuthorOut(BaseModel):
    kind: str = Field(description="contact, agent, bot or system")
    name: str | None


class MessageOut(BaseModel):
    id: int = Field(description="Increases within a conversation; the pagination cursor")
    conversation_id: str
    visibility: str = Field(description="public, or internal (staff notes)")
    author: AuthorOut
    text: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, view: views.MessageView, base: str = "/api/v1") -> MessageOut:
        m = view.message
        assert m.id is not None
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            visibility=m.visibility,
            author=AuthorOut(kind=m.author_kind, name=view.author_name),
            text=m.body,
            created_at=m.created_at,
            attachments=[AttachmentOut.of(a, base) for a in view.attachments],
        )


class StatusOut(BaseModel):
    code: str = Field(description="new, open, pending_customer, pending_internal, on_hold, …")
    text: str


class ExpectedOut(BaseModel):
    waiting_for: str | None = Field(description="bot, support, customer, or null when done")
    next_reply_by: datetime | None = Field(description="When an agent's answer is due")
    reply_overdue: bool
    resolution_by: datetime | None
    resolution_overdue: bool
    human_reply_by: datetime | None = Field(
        description="While with the assistant: when an agent would answer after a hand-off"
    )

    @classmethod
    def of(cls, e: views.Expectations) -> ExpectedOut:
        return cls(
            waiting_for=e.waiting_for,
            next_reply_by=e.next_reply_by,
            reply_overdue=e.reply_overdue,
            resolution_by=e.resolution_by,
            resolution_overdue=e.resolution_overdue,
            human_reply_by=e.human_reply_by,
        )


class CaseOut(BaseModel):
    id: str
    type: str
    subject: str
    status: StatusOut
    expected: ExpectedOut
    conversation_ids: list[str]
    follow_up_of: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: views.CaseView, locale: str) -> CaseOut:
        case = view.case
        category = Category(case.category)
        return cls(
            id=case.id,
            type=case.type,
            subject=case.subject,
            status=StatusOut(
                code=category.value, text=translate(STATUS_SENTENCES[category], locale)
            ),
            expected=ExpectedOut.of(view.expectations),
            conversation_ids=[c.id for c in view.conversations],
            follow_up_of=case.follow_up_of,
            created_at=case.created_at,
            updated_at=case.updated_at,
        )


class TimelineOut(BaseModel):
    kind: str
    at: datetime
    text: str


def timeline(events: list[CaseEvent], locale: str) -> list[TimelineOut]:
    items = []
    for event in events:
        try:
            sentence = CUSTOMER_SENTENCES.get(EventKind(event.kind))
        except ValueError:
            continue  # a kind written by another module (complaints, CSAT) with its own view
        if sentence is None:
            continue
        status_text = ""
        category = event.after.get("category")
        if category:
            status_text = translate(STATUS_SENTENCES[Category(category)], locale)
        items.append(
            TimelineOut(
                kind=event.kind, at=event.at, text=translate(sentence, locale, status=status_text)
            )
        )
    return items


class DisputeOut(BaseModel):
    transaction_ids: list[str]
    police_report_number: str | None


class CaseDetailOut(CaseOut):
    timeline: list[TimelineOut]
    messages: list[MessageOut]
    dispute: DisputeOut | None
    follow_up_case_id: str | None


class StartedOut(BaseModel):
    conversation_id: str
    case: CaseOut
    message: MessageOut


class PostedOut(BaseModel):
    conversation_id: str
    case_id: str
    follow_up: bool = Field(description="The case was closed: this message began a new one")
    message: MessageOut


class MessagesOut(BaseModel):
    items: list[MessageOut]
    older_cursor: int | None = Field(description="Pass as `before` for the previous page")
    newer_cursor: int | None = Field(description="Pass as `after` for the next page")


def posted_message(posted: conversations.Posted, author_name: str | None) -> MessageOut:
    return MessageOut.of(views.MessageView(posted.message, author_name, posted.attachments))


@router.post("/conversations", status_code=status.HTTP_201_CREATED)
def start_conversation(
    body: ConversationIn, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> StartedOut:
    posted = conversations.start_chat(
        rt,
        auth,
        text=body.text,
        case_type=body.type,
        uploads=uploads_of(body.attachments, rt.settings.support_attachment_max_bytes),
        dispute=conversations.DisputeClaim(body.transaction_ids, body.police_report_number)
        if body.transaction_ids or body.police_report_number
        else None,
    )
    view = views.case_view(rt, SupportActor.customer(auth), posted.case.id)
    return StartedOut(
        conversation_id=posted.conversation.id,
        case=CaseOut.of(view, request_locale(request)),
        message=posted_message(posted, auth.user.display_name),
    )


@router.get("/conversations/{conversation_id}/messages")
def list_messages(
    conversation_id: str,
    auth: CurrentUser,
    rt: RuntimeDep,
    before: int | None = Query(default=None, ge=1, le=CURSOR_MAX),
    after: int | None = Query(default=None, ge=0, le=CURSOR_MAX),
    limit: int = Query(default=50, ge=1, le=views.PAGE_MAX),
) -> MessagesOut:
    page = views.conversation_messages(
        rt, SupportActor.customer(auth), conversation_id, before=before, after=after, limit=limit
    )
    return MessagesOut(
        items=[MessageOut.of(item) for item in page.items],
        older_cursor=page.older_cursor,
        newer_cursor=page.newer_cursor,
    )


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
def post_message(
    conversation_id: str, body: MessageIn, auth: CurrentUser, rt: RuntimeDep
) -> PostedOut:
    posted = conversations.post_customer_message(
        rt,
        auth,
        conversation_id,
        text=body.text,
        uploads=uploads_of(body.attachments, rt.settings.support_attachment_max_bytes),
    )
    return PostedOut(
        conversation_id=posted.conversation.id,
        case_id=posted.case.id,
        follow_up=posted.follow_up,
        message=posted_message(posted, auth.user.display_name),
    )


@router.post("/conversations/{conversation_id}/handoff")
def handoff(
    conversation_id: str,
    auth: CurrentUser,
    rt: RuntimeDep,
    request: Request,
    body: HandoffIn | None = None,
) -> CaseOut:
    actor = SupportActor.customer(auth)
    # Outside agents' hours the assistant keeps the chat until they come (realtime_hours).
    asked = realtime_hours.ask_for_human(
        rt, actor, conversation_id, reason=(body.reason if body else None) or "customer_asked"
    )
    return CaseOut.of(views.case_view(rt, actor, asked.case.id), request_locale(request))


@router.get("/cases")
def my_cases(auth: CurrentUser, rt: RuntimeDep, request: Request) -> list[CaseOut]:
    locale = request_locale(request)
    return [CaseOut.of(v, locale) for v in views.customer_cases(rt, SupportActor.customer(auth))]


@router.get("/cases/{case_id}")
def my_case(case_id: str, auth: CurrentUser, rt: RuntimeDep, request: Request) -> CaseDetailOut:
    locale = request_locale(request)
    view = views.case_view(rt, SupportActor.customer(auth), case_id)
    dispute = None
    if view.case.type == CaseType.DISPUTE:
        dispute = DisputeOut(
            transaction_ids=view.disputed_transactions,
            police_report_number=view.case.police_report_number,
        )
    return CaseDetailOut(
        **CaseOut.of(view, locale).model_dump(),
        timeline=timeline(view.history, locale),
        messages=[MessageOut.of(m) for m in view.messages],
        dispute=dispute,
        follow_up_case_id=view.follow_up_case_id,
    )


def attachment_response(attachment: Attachment, content: bytes) -> Response:
    return Response(
        content,
        media_type=attachment.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def my_attachment(case_id: str, attachment_id: str, auth: CurrentUser, rt: RuntimeDep) -> Response:
    attachment, content = views.attachment_content(
        rt, SupportActor.customer(auth), case_id, attachment_id
    )
    return attachment_response(attachment, content)
