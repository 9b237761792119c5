"""Outbox, in-app inbox and the simulators' delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from walletdesk.notify.models import InboxNotification, OutboxMessage, OutboxStatus
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.base import DataclassRepository, insert_ignoring_conflicts


class OutboxRepository(DataclassRepository[OutboxMessage]):
    table = t.outbox
    model = OutboxMessage

    def claim_due(
        self, now: datetime, lease_until: datetime, *, ids: list[str] | None, limit: int
    ) -> list[OutboxMessage]:
        """Lease due messages to this worker: they become due again only if it dies."""
        statement = (
            select(t.outbox)
            .where(t.outbox.c.status == OutboxStatus.PENDING, t.outbox.c.next_attempt_at <= now)
            .order_by(t.outbox.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if ids is not None:
            statement = statement.where(t.outbox.c.id.in_(ids))
        claimed = self._many(statement)
        if claimed:
            self.connection.execute(
                update(t.outbox)
                .where(t.outbox.c.id.in_([message.id for message in claimed]))
                .values(attempts=t.outbox.c.attempts + 1, next_attempt_at=lease_until)
            )
        for message in claimed:
            message.attempts += 1
            message.next_attempt_at = lease_until
        return claimed

    def mark_delivered(self, ids: list[str], now: datetime) -> None:
        self.connection.execute(
            update(t.outbox)
            .where(t.outbox.c.id.in_(ids))
            .values(status=OutboxStatus.DELIVERED, delivered_at=now, last_error=None)
        )

    def recent(self, *, limit: int = 100) -> list[OutboxMessage]:
        return self._many(select(t.outbox).order_by(t.outbox.c.created_at.desc()).limit(limit))

    def count_by_status(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status)
        )
        return {str(status): int(count) for status, count in rows}


class InboxRepository(DataclassRepository[InboxNotification]):
    table = t.notifications
    model = InboxNotification

    def add_once(self, notification: InboxNotification) -> bool:
        """Insert unless this id is there already (a redelivery); one statement."""
        inserted = self.connection.execute(
            insert_ignoring_conflicts(self.connection, t.notifications)
            .values(self._values(notification))
            .returning(t.notifications.c.id)
        ).first()
        return inserted is not None

    def add_many_once(self, notifications: list[InboxNotification]) -> None:
        if notifications:
            self.connection.execute(
                insert_ignoring_conflicts(self.connection, t.notifications),
                [self._values(n) for n in notifications],
            )

    def list_for_user(self, user_id: str, *, limit: int = 50) -> list[InboxNotification]:
        return self._many(
            select(t.notifications)
            .where(t.notifications.c.user_id == user_id)
            .order_by(t.notifications.c.created_at.desc(), t.notifications.c.id)
            .limit(limit)
        )

    def unread_count(self, user_id: str) -> int:
        statement = select(func.count()).where(
            t.notifications.c.user_id == user_id, t.notifications.c.read_at.is_(None)
        )
        return int(self.connection.execute(statement).scalar_one())

    def mark_all_read(self, user_id: str, now: datetime) -> None:
        self.connection.execute(
            update(t.notifications)
            .where(t.notifications.c.user_id == user_id, t.notifications.c.read_at.is_(None))
            .values(read_at=now)
        )


class SimulatedMessageRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_once(self, values: dict[str, Any]) -> bool:
        exists = self.connection.execute(
            select(t.simulated_messages.c.id).where(t.simulated_messages.c.id == values["id"])
        ).first()
        if exists:
            return False
        self.connection.execute(insert(t.simulated_messages).values(**values))
        return True

    def recent(self, *, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.connection.execute(
            select(t.simulated_messages)
            .order_by(t.simulated_messages.c.sent_at.desc(), t.simulated_messages.c.id)
            .limit(limit)
        )
        return [dict(row._mapping) for row in rows]
