"""risk review: held transfers, review cases, their alerts and reviewer actions

Revision ID: 0007l_risk_review
Revises: 0006
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007l_risk_review"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = 32


def _at(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def _id(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.String(length=ID), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "held_transfers",
        _id("id", nullable=False),
        _id("user_id", nullable=False),
        _id("recipient_id", nullable=False),
        _id("hold_id", nullable=False),
        _id("decision_id", nullable=False),
        _id("case_id", nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cny_minor", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _at("created_at", nullable=False),
        _at("expected_by", nullable=False),
        _at("decline_at", nullable=False),
        _at("resolved_at"),
        _id("resolved_by"),
        _id("entry_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_transfers")),
        sa.UniqueConstraint("hold_id", name=op.f("uq_held_transfers_hold_id")),
    )
    with op.batch_alter_table("held_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_transfers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_held_transfers_status_decline_at", ["status", "decline_at"], unique=False
        )
        batch_op.create_index("ix_held_transfers_user_status", ["user_id", "status"], unique=False)

    op.create_table(
        "risk_review_cases",
        _id("id", nullable=False),
        _id("user_id", nullable=False),
        _id("open_user_id"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _at("opened_at", nullable=False),
        _id("assigned_to"),
        _at("assigned_at"),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("max_amount_cny_minor", sa.BigInteger(), nullable=False),
        sa.Column("auto_frozen", sa.Boolean(), nullable=False),
        sa.Column("pending_action", sa.String(length=16), nullable=True),
        _id("pending_by"),
        _at("pending_at"),
        sa.Column("label", sa.String(length=20), nullable=True),
        _at("closed_at"),
        _id("closed_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_review_cases")),
        sa.UniqueConstraint("open_user_id", name=op.f("uq_risk_review_cases_open_user_id")),
    )
    with op.batch_alter_table("risk_review_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_review_cases_queue", ["status", "assigned_to", "opened_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_risk_review_cases_user_id"), ["user_id"], unique=False)

    op.create_table(
        "risk_review_alerts",
        _id("id", nullable=False),
        _id("case_id", nullable=False),
        _id("user_id", nullable=False),
        _id("decision_id", nullable=False),
        sa.Column("movement_id", sa.String(length=64), nullable=False),
        sa.Column("counterparty_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_review_alerts")),
    )
    with op.batch_alter_table("risk_review_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_review_alerts_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_review_alerts_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "risk_review_actions",
        _id("id", nullable=False),
        _id("case_id", nullable=False),
        _id("actor_id", nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_review_actions")),
    )
    with op.batch_alter_table("risk_review_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_review_actions_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("risk_review_actions")
    op.drop_table("risk_review_alerts")
    op.drop_table("risk_review_cases")
    op.drop_table("held_transfers")
