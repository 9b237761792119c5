"""Look-ups for the chat fan-out (`uow.chat.fanout`): everything a batch of events needs to
check its recipients, one statement per kind of row for the whole batch (cases, the cases'
contacts, sessions with their staff roles, people's names) instead of one per recipient.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from walletdesk.storage import tables as t
from walletdesk.storage import tables_support as s
from walletdesk.support.models import Case
from walletdesk.support.realtime_models import SessionState

_CASES = select(s.support_cases).where(s.support_cases.c.id.in_(bindparam("ids", expanding=True)))
_CONTACTS = select(
    s.support_contacts.c.id, s.support_contacts.c.user_id, s.support_contacts.c.display_name
).where(s.support_contacts.c.id.in_(bindparam("ids", expanding=True)))
_USER_NAMES = select(t.users.c.id, t.users.c.display_name).where(
    t.users.c.id.in_(bindparam("ids", expanding=True))
)
_SESSIONS = (
    select(
        t.sessions.c.id,
        t.sessions.c.revoked_at,
        t.sessions.c.expires_at,
        t.staff_roles.c.role,
    )
    .outerjoin(t.staff_roles, t.staff_roles.c.user_id == t.sessions.c.user_id)
    .where(t.sessions.c.id.in_(bindparam("ids", expanding=True)))
)


class FanoutRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def cases(self, case_ids: Collection[str]) -> dict[str, Case]:
        if not case_ids:
            return {}
        rows = self.connection.execute(_CASES, {"ids": sorted(case_ids)})
        return {row.id: Case(**row._mapping) for row in rows}

    def contacts(self, contact_ids: Collection[str]) -> dict[str, tuple[str | None, str | None]]:
        """contact id → (its wallet user's id, its display name)."""
        if not contact_ids:
            return {}
        rows = self.connection.execute(_CONTACTS, {"ids": sorted(contact_ids)})
        return {row.id: (row.user_id, row.display_name) for row in rows}

    def user_names(self, user_ids: Collection[str]) -> dict[str, str]:
        if not user_ids:
            return {}
        rows = self.connection.execute(_USER_NAMES, {"ids": sorted(user_ids)})
        return {row.id: row.display_name for row in rows}

    def sessions(self, session_ids: Collection[str]) -> dict[str, SessionState]:
        """session id → its state and its user's staff roles (missing: the session is gone)."""
        if not session_ids:
            return {}
        found: dict[str, tuple[datetime | None, datetime, set[str]]] = {}
        for row in self.connection.execute(_SESSIONS, {"ids": sorted(session_ids)}):
            entry = found.setdefault(row.id, (row.revoked_at, row.expires_at, set()))
            if row.role is not None:
                entry[2].add(row.role)
        return {
            key: SessionState(revoked, expires, frozenset(roles))
            for key, (revoked, expires, roles) in found.items()
        }
