"""Live-chat tables: read receipts, open sockets (presence bookkeeping; agents' status lives in
`routing_agents`), socket tickets, and hand-off requests made while no agent was on duty."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, PrimaryKeyConstraint, String, Table

from walletdesk.storage.tables import AUTO_ID, DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

chat_read_marks = Table(
    "chat_read_marks",
    metadata,
    Column("conversation_id", String(ID), ForeignKey("support_conversations.id"), nullable=False),
    Column("reader_kind", String(8), nullable=False),
    Column("reader_id", String(ID), nullable=False),
    Column("up_to", AUTO_ID, nullable=False),
    Column("read_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("conversation_id", "reader_kind", "reader_id"),
)

chat_sockets = Table(
    "chat_sockets",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("node", String(ID), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("contact_id", String(ID), index=True),
    Column("conversation_id", String(ID)),
    Column("connected_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

chat_tickets = Table(
    "chat_tickets",
    metadata,
    Column("digest", String(DIGEST), primary_key=True),
    Column("session_id", String(ID), ForeignKey("sessions.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("used_at", UTCDateTime),
)

chat_handoff_requests = Table(
    "chat_handoff_requests",
    metadata,
    Column("conversation_id", String(ID), ForeignKey("support_conversations.id"), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("reason", String(200)),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime),
    Index("ix_chat_handoff_requests_due", "done_at", "due_at"),
)
