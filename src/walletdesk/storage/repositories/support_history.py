"""Storage of the append-only case history (`uow.support.events`).

`append` bumps the case's version and stores the event under the new version. On PostgreSQL
that is one statement (an `UPDATE … RETURNING` in a `WITH`, feeding the `INSERT`): every chat
message writes at least one event, and each round trip to the database was a measurable share
of a message's cost (docs/benchmarks.md, chat). SQLite cannot modify rows inside `WITH`, so it
runs the two statements; its round trips stay inside the process.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from walletdesk.storage import tables_support as s
from walletdesk.support.history_events import CaseEvent

_EVENT_COLUMNS = (
    "case_id",
    "version",
    "at",
    "kind",
    "actor_kind",
    "actor_id",
    "before_json",
    "after_json",
    "public",
)

# Built once: the chat path runs these for every message.
BUMP_VERSION = (
    update(s.support_cases)
    .where(s.support_cases.c.id == bindparam("case_id"))
    .values(version=s.support_cases.c.version + 1)
    .returning(s.support_cases.c.version)
)
_ADD_EVENT = insert(s.support_case_events).returning(s.support_case_events.c.id)


def _bump_and_add() -> Any:
    """WITH bumped AS (UPDATE support_cases … RETURNING version)
    INSERT INTO support_case_events (…) SELECT :case_id, bumped.version, … FROM bumped
    RETURNING id, version"""
    bumped = BUMP_VERSION.cte("bumped")
    events = s.support_case_events
    values = select(
        *(
            bumped.c.version if name == "version" else bindparam(name, type_=events.c[name].type)
            for name in _EVENT_COLUMNS
        )
    )
    return (
        insert(events)
        .from_select(list(_EVENT_COLUMNS), values)
        .add_cte(bumped)
        .returning(events.c.id, events.c.version)
    )


_BUMP_AND_ADD_EVENT = _bump_and_add()


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class CaseEventRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _parameters(self, event: CaseEvent) -> dict[str, Any]:
        return {
            "case_id": event.case_id,
            "version": event.version,
            "at": event.at,
            "kind": event.kind,
            "actor_kind": event.actor_kind,
            "actor_id": event.actor_id,
            "before_json": _json(event.before),
            "after_json": _json(event.after),
            "public": event.public,
        }

    def add(self, event: CaseEvent) -> CaseEvent:
        """Store an event under the version it carries (the caller bumped the case)."""
        new_id = self.connection.execute(_ADD_EVENT, self._parameters(event)).scalar_one()
        event.id = int(new_id)
        return event

    def append(self, event: CaseEvent) -> CaseEvent:
        """Bump the case's version and store the event under the new one; sets the event's
        `id` and `version`. The case row must exist (the caller holds its lock)."""
        parameters = self._parameters(event)
        if self.connection.dialect.name == "postgresql":
            del parameters["version"]
            row = self.connection.execute(_BUMP_AND_ADD_EVENT, parameters).one()
            event.id, event.version = int(row[0]), int(row[1])
            return event
        event.version = int(
            self.connection.execute(BUMP_VERSION, {"case_id": event.case_id}).scalar_one()
        )
        parameters["version"] = event.version
        event.id = int(self.connection.execute(_ADD_EVENT, parameters).scalar_one())
        return event

    def for_case(self, case_id: str, *, public_only: bool = False) -> list[CaseEvent]:
        c = s.support_case_events.c
        statement = select(s.support_case_events).where(c.case_id == case_id)
        if public_only:
            statement = statement.where(c.public.is_(True))
        rows = self.connection.execute(statement.order_by(c.version))
        return [self._event(row) for row in rows]

    @staticmethod
    def _event(row: Row[Any]) -> CaseEvent:
        m = row._mapping
        return CaseEvent(
            id=m["id"],
            case_id=m["case_id"],
            version=m["version"],
            at=m["at"],
            kind=m["kind"],
            actor_kind=m["actor_kind"],
            actor_id=m["actor_id"],
            before=json.loads(m["before_json"]),
            after=json.loads(m["after_json"]),
            public=m["public"],
        )
