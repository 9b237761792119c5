"""risk: movement history, decisions, rule-set versions, block lists and snoozes

Revision ID: 0005c_risk
Revises: 0004
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0005c_risk"
down_revision = "0004"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "risk_events",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("movement_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outgoing", sa.Boolean(), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("receiver_id", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cny_minor", sa.BigInteger(), nullable=False),
        _at("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
        sa.UniqueConstraint("movement_id", name=op.f("uq_risk_events_movement_id")),
    )
    with op.batch_alter_table("risk_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_events_sender_at",
            ["sender_id", "at", "outgoing", "amount_cny_minor", "receiver_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_risk_events_receiver_at",
            ["receiver_id", "at", "amount_cny_minor", "sender_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_risk_events_device_at",
            ["device_id", "at", "amount_cny_minor", "sender_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_risk_events_ip_at", ["ip", "at", "amount_cny_minor", "sender_id"], unique=False
        )
        batch_op.create_index(
            "ix_risk_events_pair", ["sender_id", "receiver_id", "at"], unique=False
        )

    op.create_table(
        "risk_decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("movement_id", sa.String(length=64), nullable=False),
        sa.Column("movement_kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("counterparty_id", sa.String(length=64), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cny_minor", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=True),
        sa.Column("hits", sa.Text(), nullable=False),
        sa.Column("snoozed", sa.Text(), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.Column("failure", sa.String(length=120), nullable=True),
        sa.Column("elapsed_us", sa.BigInteger(), nullable=False),
        _at("created_at"),
        sa.CheckConstraint(
            "score >= 0 AND score <= 100", name=op.f("ck_risk_decisions_score_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_decisions")),
    )
    with op.batch_alter_table("risk_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_decisions_movement_id"), ["movement_id"], unique=False
        )
        batch_op.create_index(
            "ix_risk_decisions_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "risk_rule_sets",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rule_count", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        _at("created_at"),
        sa.CheckConstraint("version > 0", name=op.f("ck_risk_rule_sets_version_positive")),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_risk_rule_sets")),
    )

    op.create_table(
        "risk_list_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("range_start", sa.String(length=32), nullable=True),
        sa.Column("range_end", sa.String(length=32), nullable=True),
        _at("created_at"),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        _at("removed_at", nullable=True),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_list_entries")),
    )
    with op.batch_alter_table("risk_list_entries", schema=None) as batch_op:
        batch_op.create_index("ix_risk_list_entries_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index("ix_risk_list_entries_range", ["kind", "range_start"], unique=False)

    op.create_table(
        "risk_snoozes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        _at("until"),
        sa.Column("reason", sa.String(length=500), nullable=False),
        _at("created_at"),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        _at("lifted_at", nullable=True),
        sa.Column("lifted_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_snoozes")),
    )
    with op.batch_alter_table("risk_snoozes", schema=None) as batch_op:
        batch_op.create_index("ix_risk_snoozes_user_until", ["user_id", "until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_snoozes", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_snoozes_user_until")
    op.drop_table("risk_snoozes")
    with op.batch_alter_table("risk_list_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_list_entries_range")
        batch_op.drop_index("ix_risk_list_entries_kind_value")
    op.drop_table("risk_list_entries")
    op.drop_table("risk_rule_sets")
    with op.batch_alter_table("risk_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_decisions_user_created")
        batch_op.drop_index(batch_op.f("ix_risk_decisions_movement_id"))
    op.drop_table("risk_decisions")
    with op.batch_alter_table("risk_events", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_events_pair")
        batch_op.drop_index("ix_risk_events_ip_at")
        batch_op.drop_index("ix_risk_events_device_at")
        batch_op.drop_index("ix_risk_events_receiver_at")
        batch_op.drop_index("ix_risk_events_sender_at")
    op.drop_table("risk_events")
