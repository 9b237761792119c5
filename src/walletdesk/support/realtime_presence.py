"""Presence: who is on a chat socket right now, and the status agents chose.

Every open WebSocket is a row in `chat_sockets`, written by the server process that holds it
and refreshed by that process every `HEARTBEAT` (30 s); a row not refreshed within
`PRESENCE_TTL` (90 s) no longer counts (its server stopped), so presence needs no
cross-process bookkeeping.

- An agent is **offline** without a live inbox socket; with one, they are what they chose
  with `choose_status` (online unless they said away or offline).
- A customer is **online** while a socket of theirs is open on any of their conversations;
  the agents of their cases see it (`case_presence`), with when they were last seen.

Routing reads agents' statuses with `agent_presence(uow, now, user_ids)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from walletdesk.identity.permissions import ROLE_PERMISSIONS, Permission
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.realtime_models import (
    AgentStatus,
    Presence,
    SocketKind,
    SocketRecord,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

Publish = Callable[[dict[str, Any]], None]
FORGET_AFTER = timedelta(days=1)
"""Rows of sockets not refreshed for this long are deleted (their server died)."""


def _last_seen(records: list[SocketRecord], now: datetime) -> tuple[bool, datetime | None]:
    live = any(r.is_live(now) for r in records)
    seen = max((r.seen_at for r in records), default=None)
    return live, seen


def agent_presence(uow: UnitOfWork, now: datetime, user_ids: list[str]) -> dict[str, Presence]:
    """Each agent's status now: offline without a live inbox socket, else their choice."""
    sockets: dict[str, list[SocketRecord]] = {user_id: [] for user_id in user_ids}
    for record in uow.chat.sockets.for_users(user_ids):
        if record.kind == SocketKind.STAFF:
            sockets[record.user_id].append(record)
    chosen = uow.chat.staff_presence.chosen(user_ids)
    result = {}
    for user_id in user_ids:
        live, seen = _last_seen(sockets[user_id], now)
        choice = chosen.get(user_id, (AgentStatus.ONLINE.value, None))[0]
        status = AgentStatus(choice) if live else AgentStatus.OFFLINE
        result[user_id] = Presence(status.value, seen)
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


def choose_status(
    rt: Runtime, auth: Authenticated, status: AgentStatus, publish: Publish | None = None
) -> Presence:
    """An agent says whether they take chats (online), are away, or appear offline."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        before = agent_presence(uow, now, [auth.user.id])[auth.user.id]
        uow.chat.staff_presence.choose(auth.user.id, status.value, now)
        after = agent_presence(uow, now, [auth.user.id])[auth.user.id]
        if publish is not None and after.status != before.status:
            event = agent_event(auth.user.id, after)
            uow.on_commit(lambda: publish(event))
        uow.commit()
    return after


def record_sockets(
    rt: Runtime,
    opened: list[SocketRecord],
    closed: list[SocketRecord],
    publish: Publish | None = None,
) -> None:
    """Store sockets that opened and forget those that closed (one transaction for a batch),
    then announce the agents and customers whose presence changed."""
    now = rt.clock.now()
    changed = opened + closed
    agents = sorted({r.user_id for r in changed if r.kind == SocketKind.STAFF})
    contacts = sorted({r.contact_id for r in changed if r.contact_id})
    with rt.db.uow() as uow:
        agents_before = agent_presence(uow, now, agents)
        contacts_before = {c: customer_presence(uow, now, c) for c in contacts}
        uow.chat.sockets.remove_many([r.id for r in closed])
        uow.chat.sockets.add_many(opened)
        events = [
            agent_event(user_id, presence)
            for user_id, presence in agent_presence(uow, now, agents).items()
            if presence.status != agents_before[user_id].status
        ]
        for contact_id in contacts:
            presence = customer_presence(uow, now, contact_id)
            if presence.status != contacts_before[contact_id].status:
                events.append(customer_event(contact_id, presence))
        if publish is not None:
            for event in events:
                uow.on_commit(lambda event=event: publish(event))  # type: ignore[misc]
        uow.commit()


def heartbeat(rt: Runtime, node: str) -> None:
    """Refresh this server's sockets; forget sockets and tickets long gone."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        uow.chat.sockets.refresh_node(node, now)
        uow.chat.sockets.purge_seen_before(now - FORGET_AFTER)
        uow.chat.tickets.purge_expired(now - FORGET_AFTER)
        uow.commit()


def forget_node(rt: Runtime, node: str) -> None:
    """This server stops: its sockets are gone."""
    with rt.db.uow() as uow:
        uow.chat.sockets.remove_node(node)
        uow.commit()
