"""Live-chat repositories (`uow.chat`): read receipts, open sockets (connection bookkeeping;
agents' status lives in `routing_agents`), socket tickets and hand-off requests waiting for
agents' hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from walletdesk.storage import tables_chat as c
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.storage.repositories.chat_fanout import FanoutRepository
from walletdesk.support.realtime_models import HandoffRequest, ReadMark, SocketRecord


class ReadMarkRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def for_conversation(self, conversation_id: str) -> list[ReadMark]:
        t = c.chat_read_marks.c
        rows = self.connection.execute(
            select(c.chat_read_marks)
            .where(t.conversation_id == conversation_id)
            .order_by(t.reader_kind, t.reader_id)
        )
        return [ReadMark(**row._mapping) for row in rows]

    def get(self, conversation_id: str, reader_kind: str, reader_id: str) -> ReadMark | None:
        t = c.chat_read_marks.c
        row = self.connection.execute(
            select(c.chat_read_marks).where(
                t.conversation_id == conversation_id,
                t.reader_kind == reader_kind,
                t.reader_id == reader_id,
            )
        ).first()
        return ReadMark(**row._mapping) if row else None

    def advance(self, mark: ReadMark) -> bool:
        """Store `mark` unless the reader had already read as far; True when it moved."""
        t = c.chat_read_marks.c
        inserted = self.connection.execute(
            insert_ignoring_conflicts(self.connection, c.chat_read_marks)
            .values(
                conversation_id=mark.conversation_id,
                reader_kind=mark.reader_kind,
                reader_id=mark.reader_id,
                up_to=mark.up_to,
                read_at=mark.read_at,
            )
            # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT.
            .returning(t.up_to)
        ).first()
        if inserted is not None:
            return True
        moved = self.connection.execute(
            update(c.chat_read_marks)
            .where(
                t.conversation_id == mark.conversation_id,
                t.reader_kind == mark.reader_kind,
                t.reader_id == mark.reader_id,
                t.up_to < mark.up_to,
            )
            .values(up_to=mark.up_to, read_at=mark.read_at)
        )
        return bool(moved.rowcount == 1)

    def last_message_id(self, conversation_id: str, *, public_only: bool) -> int | None:
        m = s.support_messages.c
        statement = select(func.max(m.id)).where(m.conversation_id == conversation_id)
        if public_only:
            statement = statement.where(m.visibility == "public")
        value = self.connection.execute(statement).scalar()
        return int(value) if value is not None else None

    def last_public_at_or_before(self, conversation_id: str, up_to: int) -> int | None:
        m = s.support_messages.c
        value = self.connection.execute(
            select(func.max(m.id)).where(
                m.conversation_id == conversation_id, m.visibility == "public", m.id <= up_to
            )
        ).scalar()
        return int(value) if value is not None else None


class SocketRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_many(self, records: list[SocketRecord]) -> None:
        if records:
            self.connection.execute(
                insert(c.chat_sockets), [record.__dict__.copy() for record in records]
            )

    def remove_many(self, socket_ids: list[str]) -> None:
        if socket_ids:
            self.connection.execute(
                delete(c.chat_sockets).where(c.chat_sockets.c.id.in_(socket_ids))
            )

    def refresh_node(self, node: str, now: datetime) -> int:
        result = self.connection.execute(
            update(c.chat_sockets).where(c.chat_sockets.c.node == node).values(seen_at=now)
        )
        return int(result.rowcount)

    def on_node(self, node: str) -> list[SocketRecord]:
        rows = self.connection.execute(select(c.chat_sockets).where(c.chat_sockets.c.node == node))
        return [SocketRecord(**row._mapping) for row in rows]

    def remove_node(self, node: str) -> None:
        self.connection.execute(delete(c.chat_sockets).where(c.chat_sockets.c.node == node))

    def purge_seen_before(self, cutoff: datetime) -> int:
        """Forget sockets of servers that stopped without saying so."""
        result = self.connection.execute(
            delete(c.chat_sockets).where(c.chat_sockets.c.seen_at < cutoff)
        )
        return int(result.rowcount)

    def for_users(self, user_ids: list[str]) -> list[SocketRecord]:
        if not user_ids:
            return []
        rows = self.connection.execute(
            select(c.chat_sockets).where(c.chat_sockets.c.user_id.in_(user_ids))
        )
        return [SocketRecord(**row._mapping) for row in rows]

    def for_contacts(self, contact_ids: list[str]) -> list[SocketRecord]:
        if not contact_ids:
            return []
        rows = self.connection.execute(
            select(c.chat_sockets).where(c.chat_sockets.c.contact_id.in_(contact_ids))
        )
        return [SocketRecord(**row._mapping) for row in rows]

    def staff_last_seen_before(self, cutoff: datetime) -> dict[str, datetime]:
        """Staff whose every socket was last refreshed before `cutoff` (their server died),
        with the latest of those refreshes."""
        t = c.chat_sockets.c
        latest = func.max(t.seen_at)
        rows = self.connection.execute(
            select(t.user_id, latest.label("seen_at"))
            .where(t.kind == "staff")
            .group_by(t.user_id)
            .having(latest <= cutoff)
        )
        return {row.user_id: row.seen_at for row in rows}

    def staff_users(self) -> list[str]:
        rows = self.connection.execute(
            select(c.chat_sockets.c.user_id).where(c.chat_sockets.c.kind == "staff").distinct()
        )
        return [row.user_id for row in rows]


class TicketRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, digest: str, session_id: str, created_at: datetime, expires_at: datetime) -> None:
        self.connection.execute(
            insert(c.chat_tickets).values(
                digest=digest, session_id=session_id, created_at=created_at, expires_at=expires_at
            )
        )

    def use(self, digest: str, now: datetime) -> str | None:
        """The ticket's session id if it is unused and unexpired; marks it used."""
        t = c.chat_tickets.c
        used = self.connection.execute(
            update(c.chat_tickets)
            .where(t.digest == digest, t.used_at.is_(None), t.expires_at > now)
            .values(used_at=now)
        )
        if used.rowcount != 1:
            return None
        value = self.connection.execute(select(t.session_id).where(t.digest == digest)).scalar_one()
        return str(value)

    def purge_expired(self, cutoff: datetime) -> None:
        self.connection.execute(delete(c.chat_tickets).where(c.chat_tickets.c.expires_at < cutoff))


class HandoffRequestRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _request(self, row: Any) -> HandoffRequest:
        return HandoffRequest(**row._mapping)

    def pending(self, conversation_id: str) -> HandoffRequest | None:
        t = c.chat_handoff_requests.c
        row = self.connection.execute(
            select(c.chat_handoff_requests).where(
                t.conversation_id == conversation_id, t.done_at.is_(None)
            )
        ).first()
        return self._request(row) if row else None

    def put(self, request: HandoffRequest) -> None:
        """Record (or renew, once done) the conversation's request."""
        t = c.chat_handoff_requests.c
        values = request.__dict__.copy()
        conversation_id = values.pop("conversation_id")
        changed = self.connection.execute(
            update(c.chat_handoff_requests)
            .where(t.conversation_id == conversation_id)
            .values(values)
        )
        if changed.rowcount == 0:
            self.connection.execute(insert(c.chat_handoff_requests).values(request.__dict__))

    def due(self, now: datetime, *, limit: int) -> list[HandoffRequest]:
        t = c.chat_handoff_requests.c
        rows = self.connection.execute(
            select(c.chat_handoff_requests)
            .where(t.done_at.is_(None), t.due_at <= now)
            .order_by(t.due_at, t.conversation_id)
            .limit(limit)
        )
        return [self._request(row) for row in rows]

    def mark_done(self, conversation_id: str, at: datetime) -> None:
        t = c.chat_handoff_requests.c
        self.connection.execute(
            update(c.chat_handoff_requests)
            .where(t.conversation_id == conversation_id)
            .values(done_at=at)
        )


class ChatStore:
    """The live-chat repositories bound to one unit of work's connection (`uow.chat`)."""

    def __init__(self, connection: Connection) -> None:
        self.read_marks = ReadMarkRepository(connection)
        self.sockets = SocketRepository(connection)
        self.tickets = TicketRepository(connection)
        self.handoffs = HandoffRequestRepository(connection)
        self.fanout = FanoutRepository(connection)
