"""The checks of a fan-out batch (`realtime_fanout.plan`): the batch's cases and names are read
up front, frames are queued as `pending`, and `Checks.settle` checks every socket that would
get one through the doors, as of now, with one query for all their sessions and roles: the
session must still be live, staff must still work cases, and the case's door
(`access.may_see_case`, the rule of `access_case_for`) must still let the actor in. A socket
whose session ended is closed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.support.access import ActorKind, SupportActor, may_see_case, may_work_cases
from walletdesk.support.models import AuthorKind, Case
from walletdesk.support.realtime_listeners import Listener
from walletdesk.support.realtime_models import SessionState

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

Envelope = dict[str, Any]
REVOKED = 4401
FORBIDDEN = 4403


@dataclass
class Plan:
    deliveries: list[tuple[Listener, str]] = field(default_factory=list)
    closing: list[tuple[Listener, int]] = field(default_factory=list)


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def utc_text(text: str | None) -> str | None:
    """An ISO time in UTC written as the REST API does (…Z)."""
    return text.replace("+00:00", "Z") if text else text


@dataclass
class Pending:
    """A frame for a socket, sent once the batch's checks say the socket may have it."""

    listener: Listener
    case_id: str | None
    payload: dict[str, Any]
    about_agent: str | None = None
    """Agent presence: only that agent's own sockets and supervisors get it."""


class Checks:
    """The per-batch view of the database. Payloads are built first (cases and names are
    read up front for the whole batch); `settle` then checks every socket that would get a
    frame with one query for all their sessions and roles, as of now."""

    def __init__(self, uow: UnitOfWork, now: datetime, plan: Plan) -> None:
        self.uow = uow
        self.now = now
        self.plan = plan
        self.pending: list[Pending] = []
        self._cases: dict[str, Case | None] = {}
        self._contacts: dict[str, tuple[str | None, str | None]] = {}
        self._agent_names: dict[str, str] = {}

    def prefetch(self, envelopes: list[Envelope]) -> None:
        """Read the batch's cases, their contacts and the names its frames show."""
        case_ids: set[str] = set()
        agents: set[str] = set()
        contacts: set[str] = set()
        for envelope in envelopes:
            kind = envelope.get("kind")
            body = envelope["event"] if kind == "case" else envelope
            if body.get("case_id"):
                case_ids.add(body["case_id"])
            people = [body.get("message") or {}, body.get("by") or {}, body.get("reader") or {}]
            for person in people:
                author_kind = person.get("author_kind") or person.get("kind")
                author_id = person.get("author_id") or person.get("id")
                if author_id and author_kind == AuthorKind.AGENT:
                    agents.add(author_id)
                elif author_id and author_kind == AuthorKind.CONTACT:
                    contacts.add(author_id)
            if kind == "presence" and envelope.get("subject") == "agent":
                agents.add(envelope["user_id"])
        self._remember_cases(case_ids)
        contacts.update(c.contact_id for c in self._cases.values() if c is not None)
        self._remember_contacts(contacts)
        self._agent_names.update(self.uow.chat.fanout.user_names(agents))

    def _remember_cases(self, case_ids: set[str]) -> None:
        wanted = case_ids - self._cases.keys()
        found = self.uow.chat.fanout.cases(wanted)
        for case_id in wanted:
            self._cases[case_id] = found.get(case_id)

    def _remember_contacts(self, contact_ids: set[str]) -> None:
        wanted = contact_ids - self._contacts.keys()
        found = self.uow.chat.fanout.contacts(wanted)
        for contact_id in wanted:
            self._contacts[contact_id] = found.get(contact_id, (None, None))

    def case(self, case_id: str) -> Case | None:
        if case_id not in self._cases:
            self._remember_cases({case_id})
        return self._cases[case_id]

    def remember(self, case: Case) -> None:
        self._cases.setdefault(case.id, case)

    def name(self, kind: str, author_id: str | None) -> str | None:
        if not author_id:
            return None
        if kind == AuthorKind.AGENT:
            if author_id not in self._agent_names:
                self._agent_names.update(self.uow.chat.fanout.user_names([author_id]))
            return self._agent_names.get(author_id)
        if kind == AuthorKind.CONTACT:
            self._remember_contacts({author_id})
            return self._contacts[author_id][1]
        return None

    def settle(self) -> None:
        """Check every socket that would get a frame, through the doors, as of now: its
        session must still be live, staff must still work cases, and the case's door must
        let the actor in. A socket whose session ended is closed."""
        if not self.pending:
            return
        sessions = self.uow.chat.fanout.sessions({p.listener.session_id for p in self.pending})
        self._remember_contacts({c.contact_id for c in self._cases.values() if c is not None})
        live: dict[str, frozenset[str] | None] = {}
        texts: dict[int, str] = {}
        for item in self.pending:
            listener = item.listener
            if listener.id not in live:
                live[listener.id] = self._live_roles(listener, sessions.get(listener.session_id))
            roles = live[listener.id]
            if roles is None or not self._may_have(item, roles):
                continue
            key = id(item.payload)
            if key not in texts:
                texts[key] = _json(item.payload)
            self.plan.deliveries.append((listener, texts[key]))

    def _live_roles(
        self, listener: Listener, session: SessionState | None
    ) -> frozenset[str] | None:
        """The user's roles now if the socket may still receive; else None, and it closes."""
        code = REVOKED
        ok = session is not None and session.is_active(self.now)
        roles = session.roles if session is not None else frozenset()
        if ok and listener.is_staff and not may_work_cases(roles):
            ok, code = False, FORBIDDEN
        if not ok:
            self.plan.closing.append((listener, code))
            return None
        return roles

    def _may_have(self, item: Pending, roles: frozenset[str]) -> bool:
        listener = item.listener
        if item.about_agent is not None:
            supervises = has_permission(roles, Permission.CASES_SUPERVISE)
            return listener.user_id == item.about_agent or supervises
        assert item.case_id is not None
        case = self._cases.get(item.case_id)
        if case is None:
            return False
        if listener.is_staff:
            return may_see_case(SupportActor(ActorKind.AGENT, listener.user_id, roles), None)
        return may_see_case(listener.actor, self._contacts.get(case.contact_id, (None, None))[0])
