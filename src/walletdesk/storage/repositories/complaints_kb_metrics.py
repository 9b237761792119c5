"""The reads behind the support metrics: the case events of a period, and the status every case
was in at one instant (for the backlog). Everything is computed from the case history."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select

from walletdesk.storage import tables_routing as r
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.support import CaseEventRepository
from walletdesk.support.metrics_facts import (
    METRIC_EVENT_KINDS,
    STATUS_EVENT_KINDS,
    BacklogRow,
    CaseTrail,
)

E = s.support_case_events
C = s.support_cases
R = r.routing_cases
QUEUE = func.coalesce(R.c.queue_id, C.c.type).label("queue")
"""A case's routing queue; the case type for a case that was never routed."""


class MetricsReader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def trails(self, start: datetime, end: datetime) -> list[CaseTrail]:
        """Every case with an event in [start, end), with its metric-relevant events before
        `end` (agents' messages only, among messages), oldest first."""
        touched = select(E.c.case_id).where(E.c.at >= start, E.c.at < end).distinct()
        wanted = or_(
            E.c.kind.in_(METRIC_EVENT_KINDS),
            and_(E.c.kind == "message.added", E.c.actor_kind == "agent"),
            E.c.kind.like("verification.%"),
        )
        rows = self.connection.execute(
            select(E, C.c.type, C.c.priority, C.c.channel, QUEUE)
            .join(C, C.c.id == E.c.case_id)
            .outerjoin(R, R.c.case_id == E.c.case_id)
            .where(E.c.case_id.in_(touched), E.c.at < end, wanted)
            .order_by(E.c.case_id, E.c.version)
        )
        trails: dict[str, CaseTrail] = {}
        for row in rows:
            m = row._mapping
            trail = trails.get(m["case_id"])
            if trail is None:
                trail = trails[m["case_id"]] = CaseTrail(
                    m["case_id"], m["type"], m["priority"], m["channel"], m["queue"]
                )
            trail.events.append(CaseEventRepository._event(row))
        return list(trails.values())

    def backlog(self, at: datetime) -> list[BacklogRow]:
        """The cases that were neither solved nor closed just before `at`, from the last
        status event of each case before it; `with_bot` when no hand-off had happened yet."""
        last = (
            select(E.c.case_id, func.max(E.c.version).label("version"))
            .where(E.c.kind.in_(STATUS_EVENT_KINDS), E.c.at < at)
            .group_by(E.c.case_id)
            .subquery()
        )
        rows = self.connection.execute(
            select(E.c.case_id, E.c.kind, E.c.after_json, C.c.priority, C.c.channel, QUEUE)
            .join(last, and_(last.c.case_id == E.c.case_id, last.c.version == E.c.version))
            .join(C, C.c.id == E.c.case_id)
            .outerjoin(R, R.c.case_id == E.c.case_id)
        )
        open_rows = []
        for row in rows:
            after = json.loads(row.after_json)
            category = (
                after["status"]["category"] if row.kind == "case.created" else after.get("category")
            )
            if category in ("solved", "closed"):
                continue
            open_rows.append(
                BacklogRow(row.case_id, row.queue, row.priority, row.channel, with_bot=False)
            )
        if not open_rows:
            return []
        handed = {
            found.case_id
            for found in self.connection.execute(
                select(E.c.case_id).where(E.c.kind == "conversation.handed_off", E.c.at < at)
            )
        }
        created_with_bot = {
            found.case_id
            for found in self.connection.execute(
                select(E.c.case_id, E.c.after_json).where(E.c.kind == "case.created", E.c.at < at)
            )
            if json.loads(found.after_json).get("with_bot")
        }
        return [
            BacklogRow(
                row.case_id,
                row.queue,
                row.priority,
                row.channel,
                with_bot=row.case_id in created_with_bot and row.case_id not in handed,
            )
            for row in open_rows
        ]
