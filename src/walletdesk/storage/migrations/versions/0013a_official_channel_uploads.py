"""official channels registry documents uploaded from the admin console

Revision ID: 0013a
Revises: 0012
Create Date: 2026-11-22 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0013a"
down_revision = "0012"
branch_labels = None
depends_on = None

_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "official_channel_registry_versions",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=32), nullable=True),
        sa.Column(
            "uploaded_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_channel_registry_versions")),
    )
    with op.batch_alter_table("official_channel_registry_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_official_channel_registry_versions_version", ["version", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("official_channel_registry_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_official_channel_registry_versions_version")
    op.drop_table("official_channel_registry_versions")
