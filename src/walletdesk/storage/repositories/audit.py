"""The audit log table: append through the locked chain head, read in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from walletdesk.audit.chain import AuditEntry
from walletdesk.storage import tables as t

_BATCH = 1000


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock_head(self) -> tuple[int, str]:
        """Lock and read the chain head; the lock is held until the transaction ends."""
        row = self.connection.execute(
            select(t.audit_head.c.last_seq, t.audit_head.c.last_hash)
            .where(t.audit_head.c.id == 1)
            .with_for_update()
        ).one()
        return int(row.last_seq), str(row.last_hash)

    def head(self) -> tuple[int, str]:
        row = self.connection.execute(
            select(t.audit_head.c.last_seq, t.audit_head.c.last_hash).where(t.audit_head.c.id == 1)
        ).one()
        return int(row.last_seq), str(row.last_hash)

    def append(self, entry: AuditEntry) -> None:
        self.connection.execute(
            insert(t.audit_log).values(
                seq=entry.seq,
                at=entry.at,
                actor_kind=entry.actor_kind,
                actor_id=entry.actor_id,
                action=entry.action,
                subject_kind=entry.subject_kind,
                subject_id=entry.subject_id,
                ip=entry.ip,
                details=entry.details,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        self.connection.execute(
            update(t.audit_head)
            .where(t.audit_head.c.id == 1)
            .values(last_seq=entry.seq, last_hash=entry.hash)
        )

    def iterate(self) -> Iterator[AuditEntry]:
        after = 0
        while True:
            rows = self.connection.execute(
                select(t.audit_log)
                .where(t.audit_log.c.seq > after)
                .order_by(t.audit_log.c.seq)
                .limit(_BATCH)
            ).all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = int(rows[-1].seq)

    def recent(
        self, *, subject_id: str | None = None, actor_id: str | None = None, limit: int = 50
    ) -> list[AuditEntry]:
        statement = select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(limit)
        if subject_id is not None:
            statement = statement.where(t.audit_log.c.subject_id == subject_id)
        if actor_id is not None:
            statement = statement.where(t.audit_log.c.actor_id == actor_id)
        return [_entry(row) for row in self.connection.execute(statement)]


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(**row._mapping)
