"""The service bot's reads and writes (`uow.bot`): dismissed suggestions, the bot's own case
events of one case, and the case events behind the bot's metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, or_, select

from walletdesk.storage import tables_bot as b
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.storage.repositories.support import CaseEventRepository
from walletdesk.support.history import CaseEvent

E = s.support_case_events
BOT_KINDS = "bot.%"
CONTAINMENT_KINDS = ("case.created", "conversation.handed_off", "status.changed")


class BotStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def dismissed(self, user_id: str) -> set[str]:
        t = b.bot_dismissed_suggestions.c
        rows = self.connection.execute(select(t.suggestion_key).where(t.user_id == user_id))
        return {row.suggestion_key for row in rows}

    def dismiss(self, user_id: str, key: str, at: datetime) -> None:
        """Dismissing twice keeps the first time."""
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, b.bot_dismissed_suggestions).values(
                user_id=user_id, suggestion_key=key, dismissed_at=at
            )
        )

    def last_event(self, case_id: str, kind: str) -> CaseEvent | None:
        row = self.connection.execute(
            select(E)
            .where(E.c.case_id == case_id, E.c.kind == kind)
            .order_by(E.c.version.desc())
            .limit(1)
        ).first()
        return CaseEventRepository._event(row) if row is not None else None

    def events_of(self, case_id: str, kind: str) -> list[CaseEvent]:
        rows = self.connection.execute(
            select(E).where(E.c.case_id == case_id, E.c.kind == kind).order_by(E.c.version)
        )
        return [CaseEventRepository._event(row) for row in rows]

    def metric_events(self, start: datetime, end: datetime) -> list[CaseEvent]:
        """Of every case created with the bot in [start, end): its creation, the bot's own
        events, its hand-offs and status changes before `end`, oldest first per case."""
        created = select(E.c.case_id).where(
            E.c.kind == "case.created", E.c.at >= start, E.c.at < end
        )
        rows = self.connection.execute(
            select(E)
            .where(
                E.c.case_id.in_(created),
                E.c.at < end,
                or_(E.c.kind.like(BOT_KINDS), E.c.kind.in_(CONTAINMENT_KINDS)),
            )
            .order_by(E.c.case_id, E.c.version)
        )
        return [CaseEventRepository._event(row) for row in rows]
