"""case webhooks: subscriber endpoints for case events; the case history made append-only

Revision ID: 0011h
Revises: 0010
Create Date: 2026-11-22 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0011h"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_case_webhooks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("kinds_json", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "disabled_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_case_webhooks")),
    )
    op.create_index(
        "ix_support_case_webhooks_active", "support_case_webhooks", ["active"], unique=False
    )
    _forbid_case_history_rewrites()


def downgrade() -> None:
    _allow_case_history_rewrites()
    op.drop_index("ix_support_case_webhooks_active", table_name="support_case_webhooks")
    op.drop_table("support_case_webhooks")


def _forbid_case_history_rewrites() -> None:
    """The case history is append-only in the database itself, as the audit log is (0001)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION walletdesk_case_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'support_case_events is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER support_case_events_append_only BEFORE UPDATE OR DELETE "
            "ON support_case_events "
            "FOR EACH ROW EXECUTE FUNCTION walletdesk_case_events_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER support_case_events_no_{event.lower()} BEFORE {event} "
                "ON support_case_events "
                "BEGIN SELECT RAISE(ABORT, 'support_case_events is append-only'); END"
            )


def _allow_case_history_rewrites() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS support_case_events_append_only ON support_case_events")
        op.execute("DROP FUNCTION IF EXISTS walletdesk_case_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS support_case_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS support_case_events_no_delete")
