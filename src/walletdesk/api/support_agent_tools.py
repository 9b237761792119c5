"""The agents' tools beside a case, under /api/v1/staff and /api/v1/admin:

- internal notes with @mentions; macros (`/shortcut`) and knowledge-base insertion;
- "who is viewing" presence;
- the customer-360 panel and revealing a masked field (with a reason, time-boxed, audited);
- case actions under maker-checker, the approvals inbox, and the approval thresholds;
- macro administration.

A write that carries a stale case `version` answers 409 `case_changed` with the case's new
version and the events since (`install_agent_tool_handlers`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api import support_agent_actions, support_agent_customer
from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.api.errors import error_body
from walletdesk.api.support import MessageOut
from walletdesk.api.support_staff import STAFF_BASE, EventOut
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import macros, notes, viewers, views
from walletdesk.support.access import SupportActor
from walletdesk.support.history import CaseEvent
from walletdesk.support.versioning import CaseChanged

router = APIRouter(prefix="/api/v1", tags=["support-agent-tools"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
MacroManager = Annotated[Authenticated, Depends(requires(Permission.MACROS_MANAGE))]


def event_out(event: CaseEvent) -> EventOut:
    return EventOut(
        version=event.version,
        kind=event.kind,
        at=event.at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        public=event.public,
        before=event.before,
        after=event.after,
    )


def install_agent_tool_handlers(app: FastAPI) -> None:
    """`case_changed` carries what the agent missed: `case` (its new version) and `events`."""

    @app.exception_handler(CaseChanged)
    async def _case_changed(request: Request, exc: CaseChanged) -> Response:
        handler = getattr(request.app.state, "page_error_handler", None)
        if handler is not None and not request.url.path.startswith("/api/"):
            page: Response = handler(request, exc)
            return page
        body: dict[str, Any] = error_body(request, exc.code, exc.message)
        body["case"] = {"id": exc.case_id, "version": exc.current_version}
        body["events"] = [event_out(e).model_dump(mode="json") for e in exc.events]
        return JSONResponse(body, status_code=exc.http_status)


# -- notes, macros, knowledge base ------------------------------------------------------------


class NoteIn(BaseModel):
    text: str = Field(max_length=4000, examples=["@老周 客户说退款没到账，请帮忙看一下"])
    version: int | None = Field(default=None, description="Refused with 409 if the case moved on")
    conversation_id: str | None = Field(default=None, max_length=40)


class MentionOut(BaseModel):
    user_id: str
    name: str


class NoteOut(BaseModel):
    case_id: str
    version: int
    message: MessageOut
    mentions: list[MentionOut]
    unresolved: list[str] = Field(description="@words that named nobody (or several people)")


@router.post("/staff/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def add_note(case_id: str, body: NoteIn, auth: CaseWorker, rt: RuntimeDep) -> NoteOut:
    added = notes.add_note(
        rt,
        SupportActor.agent(auth),
        case_id,
        text=body.text,
        expected_version=body.version,
        conversation_id=body.conversation_id,
    )
    message = views.MessageView(added.message, auth.user.display_name, [])
    return NoteOut(
        case_id=added.case.id,
        version=added.case.version,
        message=MessageOut.of(message, STAFF_BASE),
        mentions=[MentionOut(user_id=m.user_id, name=m.name) for m in added.mentions],
        unresolved=added.unresolved,
    )


class MacroOut(BaseModel):
    shortcut: str
    title: str = Field(description="In your language")
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    active: bool
    shipped: bool = Field(description="One of the starter macros, unchanged")

    @classmethod
    def of(cls, macro: macros.Macro, locale: str) -> MacroOut:
        return cls(
            shortcut=macro.shortcut,
            title=macro.title(locale),
            title_zh=macro.title_zh,
            title_en=macro.title_en,
            body_zh=macro.body_zh,
            body_en=macro.body_en,
            active=macro.active,
            shipped=macro.updated_at is None,
        )


@router.get("/staff/macros")
def list_macros(auth: CaseWorker, rt: RuntimeDep, request: Request) -> list[MacroOut]:
    locale = request_locale(request)
    return [MacroOut.of(m, locale) for m in macros.list_macros(rt)]


class ExpandIn(BaseModel):
    text: str = Field(max_length=4000, examples=["/greet"])
    locale: str | None = Field(
        default=None, max_length=8, description="zh-CN or en; default: the case's language"
    )


class ExpandOut(BaseModel):
    text: str
    locale: str
    used: list[str]
    unknown: list[str]


@router.post("/staff/cases/{case_id}/macros/expand")
def expand_macros(case_id: str, body: ExpandIn, auth: CaseWorker, rt: RuntimeDep) -> ExpandOut:
    done = macros.expand(rt, SupportActor.agent(auth), case_id, body.text, locale=body.locale)
    return ExpandOut(text=done.text, locale=done.locale, used=done.used, unknown=done.unknown)


class ArticleIn(BaseModel):
    article_id: str = Field(max_length=64)
    locale: str | None = Field(default=None, max_length=8)
    title: str = Field(default="", max_length=200, description="Used if the KB does not know it")
    text: str = Field(default="", max_length=4000)
    url: str = Field(default="", max_length=500)


class ArticleOut(BaseModel):
    article_id: str
    title: str
    text: str
    url: str
    snippet: str = Field(description="What to put into the draft: text, then the link")
    source: str = Field(description="kb or request")


@router.post("/staff/cases/{case_id}/articles")
def insert_article(case_id: str, body: ArticleIn, auth: CaseWorker, rt: RuntimeDep) -> ArticleOut:
    found = macros.insert_article(
        rt,
        SupportActor.agent(auth),
        case_id,
        article_id=body.article_id,
        locale=body.locale,
        supplied=macros.SuppliedArticle(body.title, body.text, body.url),
    )
    return ArticleOut(
        article_id=found.article_id,
        title=found.title,
        text=found.text,
        url=found.url,
        snippet=found.snippet,
        source=found.source,
    )


class MacroIn(BaseModel):
    title_zh: str = Field(max_length=80)
    title_en: str = Field(max_length=80)
    body_zh: str = Field(max_length=2000)
    body_en: str = Field(max_length=2000)
    active: bool = True


@router.put("/admin/macros/{shortcut}")
def save_macro(
    shortcut: str, body: MacroIn, auth: MacroManager, rt: RuntimeDep, ctx: Context
) -> MacroOut:
    saved = macros.save_macro(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        macros.Macro(
            shortcut, body.title_zh, body.title_en, body.body_zh, body.body_en, body.active
        ),
    )
    return MacroOut.of(saved, ctx.locale or "zh-CN")


@router.delete("/admin/macros/{shortcut}", status_code=status.HTTP_204_NO_CONTENT)
def retire_macro(shortcut: str, auth: MacroManager, rt: RuntimeDep, ctx: Context) -> None:
    macros.retire_macro(rt, Actor.staff(auth.user.id, ctx.ip), shortcut)


# -- presence ---------------------------------------------------------------------------------


class ViewerOut(BaseModel):
    user_id: str
    name: str | None
    until: datetime
    me: bool


class ViewersOut(BaseModel):
    ttl_seconds: int = Field(description="Say you are still viewing at least this often")
    viewers: list[ViewerOut]


def _viewers_out(found: list[viewers.Viewer]) -> ViewersOut:
    return ViewersOut(
        ttl_seconds=int(viewers.VIEW_TTL.total_seconds()),
        viewers=[ViewerOut(user_id=v.user_id, name=v.name, until=v.until, me=v.me) for v in found],
    )


@router.post("/staff/cases/{case_id}/viewers")
def view_case(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> ViewersOut:
    return _viewers_out(viewers.record_view(rt, SupportActor.agent(auth), case_id))


@router.get("/staff/cases/{case_id}/viewers")
def case_viewers(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> ViewersOut:
    return _viewers_out(viewers.viewers(rt, SupportActor.agent(auth), case_id))


@router.delete("/staff/cases/{case_id}/viewers", status_code=status.HTTP_204_NO_CONTENT)
def leave_case(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> None:
    viewers.leave(rt, SupportActor.agent(auth), case_id)


router.include_router(support_agent_customer.router)
router.include_router(support_agent_actions.router)
