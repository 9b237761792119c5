"""one agent status: drop chat_staff_presence, routing_agents.status is the only status

The chat layer kept the status agents chose in `chat_staff_presence` while routing kept its own
in `routing_agents.status`, and the two could disagree. Both now read and write
`routing_agents.status`; the chosen statuses are not carried over (a chosen status only counted
while the agent had an open inbox socket, and routing's row already holds what routing used).

Revision ID: 0009c_one_status
Revises: 0008
Create Date: 2026-11-22 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0009c_one_status"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("chat_staff_presence")


def downgrade() -> None:
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
