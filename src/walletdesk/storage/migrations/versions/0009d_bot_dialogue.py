"""bot dialogue: the proactive suggestions each user dismissed

Revision ID: 0009d_bot_dialogue
Revises: 0008
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0009d_bot_dialogue"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_dismissed_suggestions",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("suggestion_key", sa.String(length=120), nullable=False),
        sa.Column(
            "dismissed_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bot_dismissed_suggestions_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "suggestion_key", name=op.f("pk_bot_dismissed_suggestions")
        ),
    )


def downgrade() -> None:
    op.drop_table("bot_dismissed_suggestions")
