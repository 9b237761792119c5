"""Presence: each agent's one status, and who is on a chat socket right now.

An agent's status (online / away / offline) is `routing_agents.status`: routing picks by it and
chat shows it, so the two cannot disagree. It changes in these places only, all here:

- the agent sets it: `set_agent_status`, behind `POST /api/v1/staff/status`,
  `POST /api/v1/staff/presence` (the same thing, kept for older clients) and the console;
- their first inbox socket opens: offline becomes online (away and online stay as they are);
- their last inbox socket closes, or their server stops (`forget_node`): offline;
- the heartbeat finds their server died: every inbox socket of theirs went unrefreshed for
  `PRESENCE_TTL` and they did not set a status since: offline (`heartbeat`, and `sweep` from
  the support sweeper, so it happens even where no process holds a socket).

Every open WebSocket is a row in `chat_sockets` (connection bookkeeping), written by the server
process that holds it and refreshed by that process every `HEARTBEAT` (30 s); a row not
refreshed within `PRESENCE_TTL` (90 s) no longer counts. The rows give "last seen" for agents
and customers. A customer is **online** while a socket of theirs is open on any of their
conversations; the agents of their cases see it (`case_presence`).

Routing reads agents' statuses from its own table; chat reads them with
`agent_presence(uow, now, user_ids)`.

A customer sees only their case's agent: display name and status (`AssignedAgent`), in the
socket's `ready` frame, and pushed after commit when that agent's status changes or the case
changes hands (`realtime_fanout`). Never the agent's id, roles or when they were last seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from walletdesk.errors import Forbidden
from walletdesk.identity.permissions import ROLE_PERMISSIONS, Permission
from walletdesk.support import agents
from walletdesk.support.access import ActorKind, SupportActor, access_case_for, may_work_cases
from walletdesk.support.realtime_models import (
    PRESENCE_TTL,
    Presence,
    SocketKind,
    SocketRecord,
)
from walletdesk.support.routing_model import AgentProfile, AgentStatus

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

Publish = Callable[[dict[str, Any]], None]
FORGET_AFTER = timedelta(days=1)
"""Rows of sockets not refreshed for this long are deleted (their server died)."""


def _last_seen(records: list[SocketRecord], now: datetime) -> tuple[bool, datetime | None]:
    live = any(r.is_live(now) for r in records)
    seen = max((r.seen_at for r in records), default=None)
    return live, seen


def _staff_sockets(uow: UnitOfWork, user_ids: list[str]) -> dict[str, list[SocketRecord]]:
    sockets: dict[str, list[SocketRecord]] = {user_id: [] for user_id in user_ids}
    for record in uow.chat.sockets.for_users(user_ids):
        if record.kind == SocketKind.STAFF:
            sockets[record.user_id].append(record)
    return sockets


def _connected(uow: UnitOfWork, now: datetime, user_ids: list[str]) -> set[str]:
    """Those of `user_ids` with a live inbox socket."""
    sockets = _staff_sockets(uow, user_ids)
    return {user_id for user_id, records in sockets.items() if _last_seen(records, now)[0]}


def agent_presence(uow: UnitOfWork, now: datetime, user_ids: list[str]) -> dict[str, Presence]:
    """Each agent's status (routing's, offline without a profile) and when a socket of theirs
    was last seen."""
    sockets = _staff_sockets(uow, user_ids)
    statuses = uow.routing.agents.statuses(user_ids)
    result = {}
    for user_id in user_ids:
        status = statuses.get(user_id, (AgentStatus.OFFLINE.value, None))[0]
        result[user_id] = Presence(status, _last_seen(sockets[user_id], now)[1])
    return result


def customer_presence(uow: UnitOfWork, now: datetime, contact_id: str) -> Presence:
    live, seen = _last_seen(uow.chat.sockets.for_contacts([contact_id]), now)
    return Presence("online" if live else "offline", seen)


def case_workers(uow: UnitOfWork) -> list[str]:
    """Staff who may work cases (every role that grants `cases.work`)."""
    users: set[str] = set()
    for role, permissions in ROLE_PERMISSIONS.items():
        if Permission.CASES_WORK in permissions:
            users.update(uow.support.staff.with_role(role.value))
    return sorted(users)


@dataclass(frozen=True)
class AgentPresence:
    user_id: str
    name: str
    presence: Presence


def team_presence(rt: Runtime) -> list[AgentPresence]:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        workers = case_workers(uow)
        presence = agent_presence(uow, now, workers)
        people = [(user_id, uow.users.get(user_id)) for user_id in workers]
    return [
        AgentPresence(user_id, user.display_name if user else "", presence[user_id])
        for user_id, user in people
    ]


@dataclass(frozen=True)
class CasePresence:
    customer: Presence
    assignee_id: str | None
    assignee: Presence | None


def case_presence(rt: Runtime, actor: SupportActor, case_id: str) -> CasePresence:
    """Whether the customer of a case, and its agent, are here now (through the case's door)."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        customer = customer_presence(uow, now, case.contact_id)
        assignee = None
        if case.assignee_id:
            assignee = agent_presence(uow, now, [case.assignee_id])[case.assignee_id]
    return CasePresence(customer, case.assignee_id, assignee)


@dataclass(frozen=True)
class AssignedAgent:
    """What a customer may know of their case's agent."""

    name: str
    status: str

    def as_frame(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status}


def assigned_agent(uow: UnitOfWork, user_id: str | None) -> AssignedAgent | None:
    """The case's agent as the customer sees them (None: nobody has the case yet). The caller
    has opened the case through its door."""
    if user_id is None:
        return None
    status = uow.routing.agents.statuses([user_id]).get(user_id, (AgentStatus.OFFLINE.value,))[0]
    name = uow.chat.fanout.user_names([user_id]).get(user_id, "")
    return AssignedAgent(name, status)


def customer_agent(rt: Runtime, user_id: str | None) -> AssignedAgent | None:
    with rt.db.uow(read_only=True) as uow:
        return assigned_agent(uow, user_id)


def agent_event(user_id: str, presence: Presence) -> dict[str, Any]:
    return {
        "kind": "presence",
        "subject": "agent",
        "user_id": user_id,
        "status": presence.status,
        "last_seen_at": presence.last_seen_iso,
    }


def customer_event(contact_id: str, presence: Presence) -> dict[str, Any]:
    return {
        "kind": "presence",
        "subject": "customer",
        "contact_id": contact_id,
        "status": presence.status,
        "last_seen_at": presence.last_seen_iso,
    }


@dataclass(frozen=True)
class StatusSet:
    profile: AgentProfile
    presence: Presence


def set_agent_status(
    rt: Runtime, actor: SupportActor, status: AgentStatus, publish: Publish | None = None
) -> StatusSet:
    """The acting agent sets their one status: online takes cases first, away takes them when
    no online agent fits, offline takes none. Routing and chat both see the change; `publish`
    announces it to the team's sockets after commit."""
    if actor.kind is not ActorKind.AGENT or actor.user_id is None:
        raise Forbidden()
    if not may_work_cases(actor.roles):
        raise Forbidden()
    user_id = actor.user_id
    now = rt.clock.now()
    with rt.db.uow() as uow:
        changed = agents.change_status(rt, uow, user_id, status, now)
        presence = agent_presence(uow, now, [user_id])[user_id]
        if changed and publish is not None:
            event = agent_event(user_id, presence)
            uow.on_commit(lambda: publish(event))
        uow.commit()
    return StatusSet(agents.agent_profile(rt, user_id), presence)


def _works_cases(uow: UnitOfWork, user_id: str) -> bool:
    return may_work_cases(uow.staff_roles.roles_of(user_id))


def record_sockets(
    rt: Runtime,
    opened: list[SocketRecord],
    closed: list[SocketRecord],
    publish: Publish | None = None,
) -> None:
    """Store sockets that opened and forget those that closed (one transaction for a batch);
    an agent's first inbox socket turns offline into online, their last one closing sets
    offline. Then announce the agents and customers whose presence changed."""
    now = rt.clock.now()
    changed = opened + closed
    staff = [r for r in changed if r.kind == SocketKind.STAFF]
    agent_ids = sorted({r.user_id for r in staff})
    leaving = {r.user_id for r in closed if r.kind == SocketKind.STAFF}
    contacts = sorted({r.contact_id for r in changed if r.contact_id})
    with rt.db.uow() as uow:
        agents_before = agent_presence(uow, now, agent_ids)
        connected_before = _connected(uow, now, agent_ids)
        contacts_before = {c: customer_presence(uow, now, c) for c in contacts}
        uow.chat.sockets.remove_many([r.id for r in closed])
        uow.chat.sockets.add_many(opened)
        connected_after = _connected(uow, now, agent_ids)
        for user_id in agent_ids:
            if not _works_cases(uow, user_id):
                continue
            if user_id in connected_after and user_id not in connected_before:
                if agents_before[user_id].status == AgentStatus.OFFLINE:
                    agents.change_status(rt, uow, user_id, AgentStatus.ONLINE, now)
            elif user_id in leaving and user_id not in connected_after:
                agents.change_status(rt, uow, user_id, AgentStatus.OFFLINE, now)
        events = [
            agent_event(user_id, presence)
            for user_id, presence in agent_presence(uow, now, agent_ids).items()
            if presence.status != agents_before[user_id].status
        ]
        for contact_id in contacts:
            presence = customer_presence(uow, now, contact_id)
            if presence.status != contacts_before[contact_id].status:
                events.append(customer_event(contact_id, presence))
        _publish_after_commit(uow, events, publish)
        uow.commit()


def _publish_after_commit(
    uow: UnitOfWork, events: list[dict[str, Any]], publish: Publish | None
) -> None:
    if publish is not None:
        for event in events:
            uow.on_commit(lambda event=event: publish(event))  # type: ignore[misc]


def _set_offline(rt: Runtime, uow: UnitOfWork, user_ids: list[str], now: datetime) -> list[str]:
    """Set these agents offline; those whose status changed."""
    went = []
    for user_id in sorted(user_ids):
        if _works_cases(uow, user_id) and agents.change_status(
            rt, uow, user_id, AgentStatus.OFFLINE, now
        ):
            went.append(user_id)
    return went


def sweep_dead_servers(rt: Runtime, uow: UnitOfWork, now: datetime) -> list[str]:
    """Agents whose every inbox socket went unrefreshed for `PRESENCE_TTL` (their server
    died) go offline, unless they set a status after that (e.g. through the REST API)."""
    quiet = uow.chat.sockets.staff_last_seen_before(now - PRESENCE_TTL)
    gone = []
    for user_id, seen in sorted(quiet.items()):
        # Read under the row lock, so a status the agent sets meanwhile is not overwritten.
        profile = uow.routing.agents.get(user_id, for_update=True)
        if profile is None or profile.status == AgentStatus.OFFLINE:
            continue
        if profile.status_changed_at < seen + PRESENCE_TTL:
            gone.append(user_id)
    return _set_offline(rt, uow, gone, now)


def sweep(rt: Runtime, publish: Publish | None = None) -> list[str]:
    """The dead-server sweep on its own (the support sweeper runs it every round): a process
    that never held a socket has no heartbeat of its own to run it, and agents of a server
    that died must still go offline when no server that is up ever gets a socket. Returns
    the agents who went offline."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        went = sweep_dead_servers(rt, uow, now)
        if not went:
            return []
        presence = agent_presence(uow, now, went)
        _publish_after_commit(uow, [agent_event(u, presence[u]) for u in went], publish)
        uow.commit()
    return went


def heartbeat(rt: Runtime, node: str, publish: Publish | None = None) -> None:
    """Refresh this server's sockets; agents of servers that died go offline; forget sockets
    and tickets long gone."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        uow.chat.sockets.refresh_node(node, now)
        went = sweep_dead_servers(rt, uow, now)
        presence = agent_presence(uow, now, went)
        _publish_after_commit(uow, [agent_event(u, presence[u]) for u in went], publish)
        uow.chat.sockets.purge_seen_before(now - FORGET_AFTER)
        uow.chat.tickets.purge_expired(now - FORGET_AFTER)
        uow.commit()


def forget_node(rt: Runtime, node: str, publish: Publish | None = None) -> None:
    """This server stops: its sockets are gone, and agents left without one go offline."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        here = sorted({r.user_id for r in uow.chat.sockets.on_node(node) if r.kind == "staff"})
        uow.chat.sockets.remove_node(node)
        left = [u for u in here if u not in _connected(uow, now, here)]
        went = _set_offline(rt, uow, left, now)
        presence = agent_presence(uow, now, went)
        _publish_after_commit(uow, [agent_event(u, presence[u]) for u in went], publish)
        uow.commit()
