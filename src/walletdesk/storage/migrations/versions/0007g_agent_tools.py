"""agent tools: macros, reveal grants, case-action proposals and thresholds, fee waivers,
limit overrides

Revision ID: 0007g_agent_tools
Revises: 0006
Create Date: 2026-11-25 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007g_agent_tools"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_action_policies",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("approval_above", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_case_action_policies")),
    )
    op.create_table(
        "support_macros",
        sa.Column("shortcut", sa.String(length=32), nullable=False),
        sa.Column("title_zh", sa.String(length=80), nullable=False),
        sa.Column("title_en", sa.String(length=80), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("shortcut", name=op.f("pk_support_macros")),
    )
    op.create_table(
        "case_action_proposals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount_cny", sa.BigInteger(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("transaction_ids", sa.Text(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column(
            "executing_since", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "executed_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_case_action_proposals_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["users.id"], name=op.f("fk_case_action_proposals_customer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_case_action_proposals_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["users.id"], name=op.f("fk_case_action_proposals_proposed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_action_proposals")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_case_action_proposals_idempotency_key")
        ),
    )
    with op.batch_alter_table("case_action_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_action_proposals_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_action_proposals_status", ["status", "created_at"], unique=False
        )

    op.create_table(
        "support_reveal_grants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_reveal_grants_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_support_reveal_grants_staff_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_reveal_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_reveal_grants")),
    )
    with op.batch_alter_table("support_reveal_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_reveal_grants_staff_case",
            ["staff_id", "case_id", "expires_at"],
            unique=False,
        )

    op.create_table(
        "case_fee_waivers",
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.String(length=32), nullable=False),
        sa.Column("waiver_entry_id", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_case_fee_waivers_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["case_action_proposals.id"],
            name=op.f("fk_case_fee_waivers_proposal_id_case_action_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["waiver_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_case_fee_waivers_waiver_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_case_fee_waivers")),
    )
    op.create_table(
        "limit_overrides",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("per_transaction", sa.BigInteger(), nullable=False),
        sa.Column("per_day", sa.BigInteger(), nullable=False),
        sa.Column("per_year", sa.BigInteger(), nullable=False),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_cases.id"], name=op.f("fk_limit_overrides_case_id_support_cases")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["case_action_proposals.id"],
            name=op.f("fk_limit_overrides_proposal_id_case_action_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_limit_overrides_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_limit_overrides")),
    )


def downgrade() -> None:
    op.drop_table("limit_overrides")
    op.drop_table("case_fee_waivers")
    with op.batch_alter_table("support_reveal_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_support_reveal_grants_staff_case")

    op.drop_table("support_reveal_grants")
    with op.batch_alter_table("case_action_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_case_action_proposals_status")
        batch_op.drop_index(batch_op.f("ix_case_action_proposals_case_id"))

    op.drop_table("case_action_proposals")
    op.drop_table("support_macros")
    op.drop_table("case_action_policies")
