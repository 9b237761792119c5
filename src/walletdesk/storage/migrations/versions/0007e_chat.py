"""live chat: read receipts, open sockets, agents' chosen status, socket tickets, hand-off
requests made outside agents' hours

Revision ID: 0007e_chat
Revises: 0006
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007e_chat"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_sockets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=32), nullable=True),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column(
            "connected_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("seen_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_sockets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sockets")),
    )
    op.create_index(
        op.f("ix_chat_sockets_contact_id"), "chat_sockets", ["contact_id"], unique=False
    )
    op.create_index(op.f("ix_chat_sockets_node"), "chat_sockets", ["node"], unique=False)
    op.create_index(op.f("ix_chat_sockets_user_id"), "chat_sockets", ["user_id"], unique=False)
    op.create_table(
        "chat_staff_presence",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_staff_presence_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_chat_staff_presence")),
    )
    op.create_table(
        "chat_tickets",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_chat_tickets_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_chat_tickets")),
    )
    op.create_index(
        op.f("ix_chat_tickets_expires_at"), "chat_tickets", ["expires_at"], unique=False
    )
    op.create_table(
        "chat_handoff_requests",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "requested_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("due_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_chat_handoff_requests_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["support_conversations.id"],
            name=op.f("fk_chat_handoff_requests_conversation_id_support_conversations"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_chat_handoff_requests")),
    )
    op.create_index(
        "ix_chat_handoff_requests_due", "chat_handoff_requests", ["done_at", "due_at"], unique=False
    )
    op.create_table(
        "chat_read_marks",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("reader_kind", sa.String(length=8), nullable=False),
        sa.Column("reader_id", sa.String(length=32), nullable=False),
        sa.Column("up_to", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("read_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["support_conversations.id"],
            name=op.f("fk_chat_read_marks_conversation_id_support_conversations"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "reader_kind", "reader_id", name=op.f("pk_chat_read_marks")
        ),
    )


def downgrade() -> None:
    op.drop_table("chat_read_marks")
    op.drop_index("ix_chat_handoff_requests_due", table_name="chat_handoff_requests")
    op.drop_table("chat_handoff_requests")
    op.drop_index(op.f("ix_chat_tickets_expires_at"), table_name="chat_tickets")
    op.drop_table("chat_tickets")
    op.drop_table("chat_staff_presence")
    op.drop_index(op.f("ix_chat_sockets_user_id"), table_name="chat_sockets")
    op.drop_index(op.f("ix_chat_sockets_node"), table_name="chat_sockets")
    op.drop_index(op.f("ix_chat_sockets_contact_id"), table_name="chat_sockets")
    op.drop_table("chat_sockets")
