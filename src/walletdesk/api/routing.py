"""Routing over the API: the queue board and queue settings (supervisors), agents' skills and
capacity (admins), an agent's own status, accepting an offered case, supervisors reassigning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.api.support_staff import StaffCaseOut
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import agents, realtime_presence, routing_admin, routing_work, views
from walletdesk.support.access import SupportActor
from walletdesk.support.models import CaseType, Channel, Priority
from walletdesk.support.realtime import ChatHub
from walletdesk.support.routing_model import AgentProfile, AgentStatus, Queue, RiskFlag

router = APIRouter(prefix="/api/v1", tags=["routing"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]
StaffManager = Annotated[Authenticated, Depends(requires(Permission.STAFF_MANAGE))]


class QueueOut(BaseModel):
    id: str
    name: str = Field(description="In your language")
    name_zh: str
    name_en: str
    position: int = Field(
        description="Queues are tried in this order; the last active one "
        "takes what no other matches"
    )
    case_types: list[str]
    locales: list[str]
    priorities: list[str]
    risk_flags: list[str]
    skill_language: str | None
    skill_topic: str | None
    active: bool

    @classmethod
    def of(cls, queue: Queue, locale: str) -> QueueOut:
        return cls(
            id=queue.id,
            name=queue.name_en if locale == "en" else queue.name_zh,
            name_zh=queue.name_zh,
            name_en=queue.name_en,
            position=queue.position,
            case_types=list(queue.case_types),
            locales=list(queue.locales),
            priorities=list(queue.priorities),
            risk_flags=list(queue.risk_flags),
            skill_language=queue.skill_language,
            skill_topic=queue.skill_topic,
            active=queue.active,
        )


class QueueBoardOut(QueueOut):
    waiting: int
    offered: int = Field(description="Offered to an agent who has not answered yet")
    oldest_waiting_since: datetime | None
    oldest_waiting_seconds: int | None


class QueuesOut(BaseModel):
    items: list[QueueBoardOut]


class QueueIn(BaseModel):
    id: str = Field(max_length=32, description="2-32 lower-case letters, digits, underscores")
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=64)
    position: int = Field(ge=0, le=routing_admin.POSITION_MAX)
    case_types: list[CaseType] = Field(default_factory=list)
    locales: list[str] = Field(default_factory=list, max_length=4)
    priorities: list[Priority] = Field(default_factory=list)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    skill_language: str | None = Field(default=None, max_length=16)
    skill_topic: str | None = Field(default=None, max_length=32)
    active: bool = True


class QueuePatch(BaseModel):
    name_zh: str | None = Field(default=None, max_length=64)
    name_en: str | None = Field(default=None, max_length=64)
    position: int | None = Field(default=None, ge=0, le=routing_admin.POSITION_MAX)
    case_types: list[CaseType] | None = None
    locales: list[str] | None = Field(default=None, max_length=4)
    priorities: list[Priority] | None = None
    risk_flags: list[RiskFlag] | None = None
    skill_language: str | None = Field(default=None, max_length=16)
    skill_topic: str | None = Field(default=None, max_length=32)
    active: bool | None = None


class ChannelLoadOut(BaseModel):
    capacity: int
    load: int


class AgentOut(BaseModel):
    user_id: str
    status: str = Field(description="online, away or offline")
    status_changed_at: datetime
    languages: list[str]
    topics: list[str]
    channels: dict[str, ChannelLoadOut]

    @classmethod
    def of(cls, profile: AgentProfile) -> AgentOut:
        return cls(
            user_id=profile.user_id,
            status=profile.status,
            status_changed_at=profile.status_changed_at,
            languages=list(profile.languages),
            topics=list(profile.topics),
            channels={
                ch: ChannelLoadOut(capacity=slot.capacity, load=slot.load)
                for ch, slot in sorted(profile.channels.items())
            },
        )


class AgentsOut(BaseModel):
    items: list[AgentOut]


class StatusIn(BaseModel):
    status: AgentStatus


class SkillsIn(BaseModel):
    languages: list[str] = Field(max_length=4)
    topics: list[str] = Field(default_factory=list, max_length=agents.TOPICS_MAX)


class CapacityIn(BaseModel):
    capacity: dict[Channel, int] = Field(description="Unsolved cases at once, per channel")


class ReassignIn(BaseModel):
    agent_id: str | None = Field(max_length=40, description="null: back to the case's queue")


@router.get("/staff/queues")
def queue_board(auth: Supervisor, rt: RuntimeDep, request: Request) -> QueuesOut:
    locale = request_locale(request)
    now = rt.clock.now()
    items = []
    for stats in routing_admin.queue_board(rt):
        since = stats.oldest_waiting_since
        items.append(
            QueueBoardOut(
                **QueueOut.of(stats.queue, locale).model_dump(),
                waiting=stats.waiting,
                offered=stats.offered,
                oldest_waiting_since=since,
                oldest_waiting_seconds=int((now - since).total_seconds()) if since else None,
            )
        )
    return QueuesOut(items=items)


@router.post("/staff/queues", status_code=status.HTTP_201_CREATED)
def create_queue(
    body: QueueIn, auth: Supervisor, rt: RuntimeDep, ctx: Context, request: Request
) -> QueueOut:
    spec = routing_admin.QueueSpec(**body.model_dump(exclude={"id"}))
    queue = routing_admin.create_queue(rt, Actor.staff(auth.user.id, ctx.ip), body.id, spec)
    return QueueOut.of(queue, request_locale(request))


@router.patch("/staff/queues/{queue_id}")
def update_queue(
    queue_id: str,
    body: QueuePatch,
    auth: Supervisor,
    rt: RuntimeDep,
    ctx: Context,
    request: Request,
) -> QueueOut:
    changes = body.model_dump(exclude_unset=True)
    queue = routing_admin.update_queue(rt, Actor.staff(auth.user.id, ctx.ip), queue_id, changes)
    return QueueOut.of(queue, request_locale(request))


@router.get("/staff/agents")
def list_agents(auth: Supervisor, rt: RuntimeDep) -> AgentsOut:
    return AgentsOut(items=[AgentOut.of(p) for p in agents.agent_profiles(rt)])


@router.post("/staff/status")
def set_status(body: StatusIn, auth: CaseWorker, rt: RuntimeDep, request: Request) -> AgentOut:
    """The agent's one status, the same as `POST /api/v1/staff/presence`."""
    hub: ChatHub = request.app.state.chat_hub
    chosen = realtime_presence.set_agent_status(
        rt, SupportActor.agent(auth), body.status, hub.publish
    )
    return AgentOut.of(chosen.profile)


@router.put("/admin/agents/{user_id}/skills")
def set_skills(
    user_id: str, body: SkillsIn, auth: StaffManager, rt: RuntimeDep, ctx: Context
) -> AgentOut:
    profile = agents.set_agent_skills(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        user_id,
        languages=body.languages,
        topics=body.topics,
    )
    return AgentOut.of(profile)


@router.put("/admin/agents/{user_id}/capacity")
def set_capacity(
    user_id: str, body: CapacityIn, auth: StaffManager, rt: RuntimeDep, ctx: Context
) -> AgentOut:
    profile = agents.set_agent_capacity(
        rt, Actor.staff(auth.user.id, ctx.ip), user_id, body.capacity
    )
    return AgentOut.of(profile)


@router.post("/staff/cases/{case_id}/accept")
def accept(case_id: str, auth: CaseWorker, rt: RuntimeDep, request: Request) -> StaffCaseOut:
    actor = SupportActor.agent(auth)
    routing_work.accept_offer(rt, actor, case_id)
    return StaffCaseOut.of(views.case_view(rt, actor, case_id), request_locale(request))


@router.post("/staff/cases/{case_id}/reassign")
def reassign(
    case_id: str, body: ReassignIn, auth: Supervisor, rt: RuntimeDep, request: Request
) -> StaffCaseOut:
    actor = SupportActor.agent(auth)
    routing_work.reassign(rt, actor, case_id, body.agent_id)
    return StaffCaseOut.of(views.case_view(rt, actor, case_id), request_locale(request))
