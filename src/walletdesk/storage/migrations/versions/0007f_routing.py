"""routing: queues, agents' status, skills and per-channel capacity with load counters, and
each routed case's queue, state and rank

Revision ID: 0007f_routing
Revises: 0006
Create Date: 2026-11-24 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007f_routing"
down_revision = "0006"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "routing_queues",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("case_types", sa.String(length=200), nullable=False),
        sa.Column("locales", sa.String(length=100), nullable=False),
        sa.Column("priorities", sa.String(length=100), nullable=False),
        sa.Column("risk_flags", sa.String(length=200), nullable=False),
        sa.Column("skill_language", sa.String(length=16), nullable=True),
        sa.Column("skill_topic", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rr_last_agent", sa.String(length=32), nullable=True),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_queues")),
    )
    op.create_table(
        "routing_agents",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        _at("status_changed_at", nullable=False),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_routing_agents_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_routing_agents")),
    )
    op.create_table(
        "routing_agent_skills",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_routing_agent_skills_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "value", name="pk_routing_agent_skills"),
    )
    op.create_table(
        "routing_agent_channels",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("load", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_routing_agent_channels_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "channel", name="pk_routing_agent_channels"),
    )
    op.create_table(
        "routing_cases",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("queue_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("flags", sa.String(length=200), nullable=False),
        _at("enqueued_at", nullable=True),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        _at("offered_at", nullable=True),
        sa.Column("passed_over", sa.Text(), nullable=False),
        _at("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_routing_cases_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_cases.id"], name=op.f("fk_routing_cases_case_id_support_cases")
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["routing_queues.id"],
            name=op.f("fk_routing_cases_queue_id_routing_queues"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_routing_cases")),
    )
    with op.batch_alter_table("routing_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_cases_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            "ix_routing_cases_waiting",
            ["state", "queue_id", "channel", "rank", "enqueued_at"],
            unique=False,
        )
        batch_op.create_index("ix_routing_cases_offered", ["state", "offered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routing_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_cases_offered")
        batch_op.drop_index("ix_routing_cases_waiting")
        batch_op.drop_index(batch_op.f("ix_routing_cases_agent_id"))
    op.drop_table("routing_cases")
    op.drop_table("routing_agent_channels")
    op.drop_table("routing_agent_skills")
    op.drop_table("routing_agents")
    op.drop_table("routing_queues")
