"""admin config: fee schedule, limits and business hours set from the console

Revision ID: 0011c
Revises: 0010
Create Date: 2026-11-22 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0011c"
down_revision = "0010"
branch_labels = None
depends_on = None

_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamp() -> list[sa.Column[object]]:
    return [
        sa.Column("set_by", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "config_fee_schedules",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("free_per_month", sa.Integer(), nullable=False),
        sa.Column("fee_bps", sa.Integer(), nullable=False),
        sa.Column("min_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_stamp(),
        sa.CheckConstraint(
            "free_per_month >= 0 AND fee_bps >= 0 AND min_fee_minor >= 0",
            name=op.f("ck_config_fee_schedules_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_fee_schedules")),
    )
    op.create_table(
        "config_limits",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("account_type", sa.String(length=16), nullable=False),
        sa.Column("kyc_tier", sa.Integer(), nullable=False),
        sa.Column("per_transaction", sa.BigInteger(), nullable=False),
        sa.Column("per_day", sa.BigInteger(), nullable=False),
        sa.Column("per_year", sa.BigInteger(), nullable=False),
        *_stamp(),
        sa.CheckConstraint(
            "per_transaction > 0 AND per_transaction <= per_day AND per_day <= per_year",
            name=op.f("ck_config_limits_ordered"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_limits")),
    )
    with op.batch_alter_table("config_limits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_config_limits_class", ["account_type", "kyc_tier", "id"], unique=False
        )
    op.create_table(
        "config_business_hours",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("calendar", sa.String(length=32), nullable=False),
        sa.Column("weekly", sa.Text(), nullable=False),
        sa.Column("makeup_day", sa.Text(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_business_hours")),
    )
    with op.batch_alter_table("config_business_hours", schema=None) as batch_op:
        batch_op.create_index("ix_config_business_hours_calendar", ["calendar", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("config_business_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_config_business_hours_calendar")
    op.drop_table("config_business_hours")
    with op.batch_alter_table("config_limits", schema=None) as batch_op:
        batch_op.drop_index("ix_config_limits_class")
    op.drop_table("config_limits")
    op.drop_table("config_fee_schedules")
