"""Storage for routing: queues and routed cases here, agents' profiles in `routing_agents`.
`RoutingStore` bundles them for the unit of work (`uow.routing`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from walletdesk.storage import tables_routing as r
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.storage.repositories.routing_agents import AgentRepository
from walletdesk.support.routing_model import Queue, RoutedCase, RoutingState


def _join(values: Sequence[str]) -> str:
    return ",".join(values)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(v for v in (text or "").split(",") if v)


class QueueRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def _queue(row: Row[Any]) -> Queue:
        m = row._mapping
        return Queue(
            id=m["id"],
            name_zh=m["name_zh"],
            name_en=m["name_en"],
            position=m["position"],
            case_types=_split(m["case_types"]),
            locales=_split(m["locales"]),
            priorities=_split(m["priorities"]),
            risk_flags=_split(m["risk_flags"]),
            skill_language=m["skill_language"],
            skill_topic=m["skill_topic"],
            active=m["active"],
            rr_last_agent=m["rr_last_agent"],
            created_at=m["created_at"],
            updated_at=m["updated_at"],
            updated_by=m["updated_by"],
        )

    @staticmethod
    def _values(queue: Queue) -> dict[str, Any]:
        return {
            "id": queue.id,
            "name_zh": queue.name_zh,
            "name_en": queue.name_en,
            "position": queue.position,
            "case_types": _join(queue.case_types),
            "locales": _join(queue.locales),
            "priorities": _join(queue.priorities),
            "risk_flags": _join(queue.risk_flags),
            "skill_language": queue.skill_language,
            "skill_topic": queue.skill_topic,
            "active": queue.active,
            "rr_last_agent": queue.rr_last_agent,
            "created_at": queue.created_at,
            "updated_at": queue.updated_at,
            "updated_by": queue.updated_by,
        }

    def all(self) -> list[Queue]:
        q = r.routing_queues.c
        rows = self.connection.execute(select(r.routing_queues).order_by(q.position, q.id))
        return [self._queue(row) for row in rows]

    def get(self, queue_id: str, *, for_update: bool = False) -> Queue | None:
        statement = select(r.routing_queues).where(r.routing_queues.c.id == queue_id)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        return self._queue(row) if row else None

    def add(self, queue: Queue) -> None:
        self.connection.execute(insert(r.routing_queues).values(self._values(queue)))

    def add_missing(self, queues: Sequence[Queue]) -> None:
        """Insert the queues whose id is not taken (a concurrent seeding is harmless)."""
        for queue in queues:
            self.connection.execute(
                insert_ignoring_conflicts(self.connection, r.routing_queues).values(
                    self._values(queue)
                )
            )

    def save(self, queue: Queue) -> None:
        values = self._values(queue)
        queue_id = values.pop("id")
        values.pop("rr_last_agent")  # the pointer moves only through `move_pointer`
        self.connection.execute(
            update(r.routing_queues).where(r.routing_queues.c.id == queue_id).values(values)
        )

    def move_pointer(self, queue_id: str, agent_id: str) -> None:
        self.connection.execute(
            update(r.routing_queues)
            .where(r.routing_queues.c.id == queue_id)
            .values(rr_last_agent=agent_id)
        )

    def stats(self) -> dict[str, tuple[int, int, datetime | None]]:
        """Per queue: (waiting, offered, oldest waiting since)."""
        c = r.routing_cases.c
        waiting = RoutingState.WAITING.value
        rows = self.connection.execute(
            select(
                c.queue_id,
                func.count().filter(c.state == waiting),
                func.count().filter(c.state == RoutingState.OFFERED.value),
                func.min(c.enqueued_at).filter(c.state == waiting),
            )
            .where(c.state.in_([waiting, RoutingState.OFFERED.value]))
            .group_by(c.queue_id)
        )
        return {row[0]: (int(row[1]), int(row[2]), row[3]) for row in rows}


_ROUTED_BY_CASE = select(r.routing_cases).where(r.routing_cases.c.case_id == bindparam("case_id"))
_SAVE_ROUTED = update(r.routing_cases).where(r.routing_cases.c.case_id == bindparam("_case_id"))


class RoutedCaseRepository:
    """Routed cases. A case's row is read once per unit of work (`get` keeps what it read and
    what this unit of work wrote): every history event of a case checks it, and one chat
    message writes two or three events. Copies go out, so a caller's unsaved change never
    leaks into what the next `get` returns."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._known: dict[str, RoutedCase | None] = {}

    @staticmethod
    def _routed(row: Row[Any]) -> RoutedCase:
        m = row._mapping
        return RoutedCase(
            case_id=m["case_id"],
            queue_id=m["queue_id"],
            channel=m["channel"],
            state=m["state"],
            rank=m["rank"],
            updated_at=m["updated_at"],
            flags=_split(m["flags"]),
            enqueued_at=m["enqueued_at"],
            agent_id=m["agent_id"],
            offered_at=m["offered_at"],
            passed_over=_split(m["passed_over"]),
        )

    @staticmethod
    def _values(routed: RoutedCase) -> dict[str, Any]:
        return {
            "case_id": routed.case_id,
            "queue_id": routed.queue_id,
            "channel": routed.channel,
            "state": routed.state,
            "rank": routed.rank,
            "flags": _join(routed.flags),
            "enqueued_at": routed.enqueued_at,
            "agent_id": routed.agent_id,
            "offered_at": routed.offered_at,
            "passed_over": _join(routed.passed_over),
            "updated_at": routed.updated_at,
        }

    def get(self, case_id: str) -> RoutedCase | None:
        if case_id not in self._known:
            row = self.connection.execute(_ROUTED_BY_CASE, {"case_id": case_id}).first()
            self._known[case_id] = self._routed(row) if row else None
        known = self._known[case_id]
        return dataclasses.replace(known) if known else None

    def _remember(self, routed: RoutedCase) -> None:
        self._known[routed.case_id] = dataclasses.replace(routed)

    def add(self, routed: RoutedCase) -> None:
        self.connection.execute(insert(r.routing_cases), self._values(routed))
        self._remember(routed)

    def add_many(self, routed: Sequence[RoutedCase]) -> None:
        if routed:
            self.connection.execute(insert(r.routing_cases), [self._values(x) for x in routed])
            for each in routed:
                self._remember(each)

    def save(self, routed: RoutedCase) -> None:
        values = self._values(routed)
        values["_case_id"] = values.pop("case_id")
        self.connection.execute(_SAVE_ROUTED, values)
        self._remember(routed)

    def waiting_head(self, queue_id: str, channel: str) -> tuple[int, datetime, str] | None:
        """The next waiting case of a queue on a channel: (rank, enqueued_at, case id)."""
        c = r.routing_cases.c
        row = self.connection.execute(
            select(c.rank, c.enqueued_at, c.case_id)
            .where(
                c.state == RoutingState.WAITING.value,
                c.queue_id == queue_id,
                c.channel == channel,
            )
            .order_by(c.rank, c.enqueued_at, c.case_id)
            .limit(1)
        ).first()
        return (row.rank, row.enqueued_at, row.case_id) if row else None

    def lapsed_offers(self, cutoff: datetime, *, limit: int) -> list[str]:
        """Cases offered at or before `cutoff` and still not answered."""
        c = r.routing_cases.c
        rows = self.connection.execute(
            select(c.case_id)
            .where(c.state == RoutingState.OFFERED.value, c.offered_at <= cutoff)
            .order_by(c.offered_at, c.case_id)
            .limit(limit)
        )
        return [row.case_id for row in rows]

    def offers_to(self, agent_id: str) -> list[str]:
        c = r.routing_cases.c
        rows = self.connection.execute(
            select(c.case_id)
            .where(c.agent_id == agent_id, c.state == RoutingState.OFFERED.value)
            .order_by(c.offered_at, c.case_id)
        )
        return [row.case_id for row in rows]


class RoutingStore:
    """The routing repositories bound to one unit of work's connection (`uow.routing`)."""

    def __init__(self, connection: Connection) -> None:
        self.queues = QueueRepository(connection)
        self.agents = AgentRepository(connection)
        self.cases = RoutedCaseRepository(connection)
