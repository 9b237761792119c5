"""Live chat: the WebSockets, socket tickets, agents' presence and the agents' hours.

- `WS /api/v1/conversations/{id}/ws`: the customer's socket on one of their conversations.
- `WS /api/v1/staff/ws`: an agent's inbox (cases assigned to them, cases they `watch`, the
  queue).
- Authenticate a socket with `Sec-WebSocket-Protocol: walletdesk.chat.v1, bearer.<token>`
  (the server answers `walletdesk.chat.v1`), or with `?ticket=` from `POST /api/v1/chat/tickets`
  (single use, 60 s). A long-lived token never goes in a URL.
- Messages are still posted over REST; the sockets push them, with typing, read receipts,
  presence and case changes, after commit. Frames are described in docs/api.md.

A refused handshake is closed before it is accepted: 4401 not signed in, 4403 not allowed,
4404 no such conversation (someone else's looks the same).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketException
from pydantic import BaseModel, Field
from starlette.websockets import WebSocketDisconnected

from walletdesk.api.access import CurrentUser, Public, access_rule, requires
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.errors import AuthenticationFailed, NotFound
from walletdesk.i18n import from_accept_language, negotiate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.runtime import Runtime
from walletdesk.support import realtime_hours, realtime_presence, realtime_receipts
from walletdesk.support.access import SupportActor, may_work_cases
from walletdesk.support.realtime import ChatHub
from walletdesk.support.realtime_models import Presence
from walletdesk.support.realtime_tickets import PROTOCOL, issue_ticket, socket_identity
from walletdesk.support.routing_model import AgentStatus

router = APIRouter(tags=["chat"])

NOT_SIGNED_IN = 4401
NOT_ALLOWED = 4403
NOT_FOUND = 4404

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]


def _runtime(websocket: WebSocket) -> Runtime:
    runtime: Runtime = websocket.app.state.runtime
    return runtime


def hub_of(websocket: WebSocket) -> ChatHub:
    hub: ChatHub = websocket.app.state.chat_hub
    return hub


def _identify(websocket: WebSocket) -> Authenticated:
    try:
        return socket_identity(
            _runtime(websocket),
            protocols=list(websocket.scope.get("subprotocols") or []),
            authorization=websocket.headers.get("authorization"),
            ticket=websocket.query_params.get("ticket"),
            ip=websocket.client.host if websocket.client else None,
        )
    except AuthenticationFailed:
        raise WebSocketException(code=NOT_SIGNED_IN) from None


@access_rule("authenticated")
async def socket_user(websocket: WebSocket) -> Authenticated:
    """A signed-in person, from the handshake (protocol header, Authorization or ticket)."""
    return await hub_of(websocket).run(_identify, websocket)


@access_rule(f"permission:{Permission.CASES_WORK.value}")
async def socket_case_worker(websocket: WebSocket) -> Authenticated:
    auth = await hub_of(websocket).run(_identify, websocket)
    if not may_work_cases(auth.roles):
        raise WebSocketException(code=NOT_ALLOWED)
    return auth


SocketUser = Annotated[Authenticated, Depends(socket_user)]
SocketCaseWorker = Annotated[Authenticated, Depends(socket_case_worker)]


def _locale(websocket: WebSocket, auth: Authenticated) -> str:
    return negotiate(
        from_accept_language(websocket.headers.get("accept-language")), auth.user.locale
    )


async def _accept(websocket: WebSocket) -> None:
    offered = list(websocket.scope.get("subprotocols") or [])
    await websocket.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)


def _iso(value: datetime | None) -> str | None:
    """UTC as the REST API writes it (2026-11-23T09:00:00Z)."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def _presence(presence: Presence) -> dict[str, Any]:
    return {"status": presence.status, "last_seen_at": _iso(presence.last_seen_at)}


def _hours(hours: realtime_hours.AgentHours, locale: str) -> dict[str, Any]:
    return {
        "humans_online": hours.humans_online,
        "next_human_at": _iso(hours.next_human_at),
        "text": hours.sentence(locale),
    }


@router.websocket("/api/v1/conversations/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str, auth: SocketUser) -> None:
    rt, hub = _runtime(websocket), hub_of(websocket)
    actor = SupportActor.customer(auth)
    try:
        opened = await hub.run(realtime_receipts.conversation_seen, rt, actor, conversation_id)
    except NotFound:
        raise WebSocketException(code=NOT_FOUND) from None
    locale = _locale(websocket, auth)
    await _accept(websocket)
    listener = hub.listener(
        auth,
        actor,
        locale,
        conversation_id=opened.conversation_id,
        case_id=opened.case_id,
        contact_id=opened.contact_id,
    )
    await hub.attach(listener)
    try:
        seen, hours, agent = await hub.run(_customer_state, rt, actor, conversation_id)
        hub.release(
            listener,
            {
                "type": "ready",
                "conversation_id": seen.conversation_id,
                "case_id": seen.case_id,
                "last_message_id": seen.last_message_id,
                "read": [
                    {
                        "reader": {"kind": m.reader_kind},
                        "up_to": m.up_to,
                        "at": _iso(m.read_at),
                    }
                    for m in seen.marks
                    if m.up_to
                ],
                "hours": _hours(hours, locale),
                "agent": agent.as_frame() if agent else None,
            },
        )
        await hub.serve(listener, websocket, frames_of(websocket))
    finally:
        await hub.detach(listener)


async def frames_of(websocket: WebSocket) -> AsyncIterator[str]:
    """The client's text frames until it leaves. Starlette ends `iter_text` quietly when the
    client closes first, but raises `WebSocketDisconnected` when our side is already closed
    (the hub closed a slow socket, or a push found the client gone): that is a goodbye too,
    not an error to log."""
    try:
        async for text in websocket.iter_text():
            yield text
    except WebSocketDisconnected:
        return


@router.websocket("/api/v1/staff/ws")
async def inbox_socket(websocket: WebSocket, auth: SocketCaseWorker) -> None:
    rt, hub = _runtime(websocket), hub_of(websocket)
    locale = _locale(websocket, auth)
    await _accept(websocket)
    listener = hub.listener(auth, SupportActor.agent(auth), locale)
    await hub.attach(listener)
    try:
        me, hours = await hub.run(_agent_state, rt, auth)
        hub.release(
            listener,
            {
                "type": "ready",
                "user_id": auth.user.id,
                "presence": _presence(me),
                "hours": _hours(hours, locale),
            },
        )
        await hub.serve(listener, websocket, frames_of(websocket))
    finally:
        await hub.detach(listener)


def _customer_state(
    rt: Runtime, actor: SupportActor, conversation_id: str
) -> tuple[
    realtime_receipts.ConversationSeen,
    realtime_hours.AgentHours,
    realtime_presence.AssignedAgent | None,
]:
    seen = realtime_receipts.conversation_seen(rt, actor, conversation_id)
    return (
        seen,
        realtime_hours.agent_hours(rt),
        realtime_presence.customer_agent(rt, seen.assignee_id),
    )


def _agent_state(rt: Runtime, auth: Authenticated) -> tuple[Presence, realtime_hours.AgentHours]:
    with rt.db.uow(read_only=True) as uow:
        me = realtime_presence.agent_presence(uow, rt.clock.now(), [auth.user.id])[auth.user.id]
    return me, realtime_hours.agent_hours(rt)


# -- REST ------------------------------------------------------------------------------------


class TicketOut(BaseModel):
    ticket: str = Field(description="Pass as ?ticket= when opening a chat socket; works once")
    expires_at: datetime
    protocol: str = Field(default=PROTOCOL, description="The WebSocket subprotocol to offer")


@router.post("/api/v1/chat/tickets", status_code=201)
def chat_ticket(auth: CurrentUser, rt: RuntimeDep) -> TicketOut:
    ticket = issue_ticket(rt, auth)
    return TicketOut(ticket=ticket.value, expires_at=ticket.expires_at)


class HoursOut(BaseModel):
    humans_online: bool = Field(description="Agents are on duty now")
    next_human_at: datetime | None = Field(description="When agents are next on duty")
    closes_at: datetime | None = Field(description="While on duty: when today's hours end")
    timezone: str
    weekly: dict[str, list[str]] = Field(description='mon..sun: ["09:00-18:00"]; no holidays')
    text: str = Field(description="What to tell the customer, in their language")


@router.get("/api/v1/support/hours", dependencies=[Public])
def support_hours(rt: RuntimeDep, request: Request) -> HoursOut:
    hours = realtime_hours.agent_hours(rt)
    return HoursOut(
        humans_online=hours.humans_online,
        next_human_at=hours.next_human_at,
        closes_at=hours.closes_at,
        timezone=hours.timezone,
        weekly=hours.weekly,
        text=hours.sentence(request_locale(request)),
    )


class PresenceIn(BaseModel):
    status: AgentStatus


class PresenceOut(BaseModel):
    status: str = Field(description="online, away or offline: the status routing uses")
    last_seen_at: datetime | None

    @classmethod
    def of(cls, presence: Presence) -> PresenceOut:
        return cls(status=presence.status, last_seen_at=presence.last_seen_at)


class AgentPresenceOut(PresenceOut):
    user_id: str
    name: str


class CasePresenceOut(BaseModel):
    customer: PresenceOut
    assignee_id: str | None
    assignee: PresenceOut | None


@router.post("/api/v1/staff/presence")
def choose_presence(
    body: PresenceIn, auth: CaseWorker, rt: RuntimeDep, request: Request
) -> PresenceOut:
    """The same as `POST /api/v1/staff/status` (kept for chat clients): one status."""
    hub: ChatHub = request.app.state.chat_hub
    chosen = realtime_presence.set_agent_status(
        rt, SupportActor.agent(auth), body.status, hub.publish
    )
    return PresenceOut.of(chosen.presence)


@router.get("/api/v1/staff/presence")
def team_presence(auth: CaseWorker, rt: RuntimeDep) -> list[AgentPresenceOut]:
    return [
        AgentPresenceOut(
            user_id=agent.user_id,
            name=agent.name,
            status=agent.presence.status,
            last_seen_at=agent.presence.last_seen_at,
        )
        for agent in realtime_presence.team_presence(rt)
    ]


@router.get("/api/v1/staff/cases/{case_id}/presence")
def case_presence(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> CasePresenceOut:
    seen = realtime_presence.case_presence(rt, SupportActor.agent(auth), case_id)
    return CasePresenceOut(
        customer=PresenceOut.of(seen.customer),
        assignee_id=seen.assignee_id,
        assignee=PresenceOut.of(seen.assignee) if seen.assignee else None,
    )
