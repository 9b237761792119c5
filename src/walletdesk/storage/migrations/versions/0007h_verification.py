"""verification (审核): verifications of cases and registered outbound staff contacts

Revision ID: 0007h_verification
Revises: 0006
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007h_verification"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = 32


def _at(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, walletdesk.storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "support_verifications",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("case_id", sa.String(length=ID), nullable=False),
        sa.Column("user_id", sa.String(length=ID), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        _at("created_at", nullable=False),
        sa.Column("opened_by_kind", sa.String(length=8), nullable=False),
        sa.Column("opened_by", sa.String(length=ID), nullable=True),
        sa.Column("operation_kind", sa.String(length=40), nullable=True),
        sa.Column("operation_ref", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("challenge_state", sa.String(length=12), nullable=False),
        sa.Column("challenge_method", sa.String(length=16), nullable=True),
        _at("challenge_requested_at"),
        _at("challenge_expires_at"),
        _at("challenge_passed_at"),
        sa.Column("challenge_attempts", sa.Integer(), nullable=False),
        _at("decided_at"),
        sa.Column("decided_by", sa.String(length=ID), nullable=True),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.Column("operation_result", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_verifications_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_verifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_verifications")),
        sa.UniqueConstraint("case_id", name=op.f("uq_support_verifications_case_id")),
    )
    with op.batch_alter_table("support_verifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_verifications_operation",
            ["operation_kind", "operation_ref"],
            unique=False,
        )
        batch_op.create_index(
            "ix_support_verifications_user_state", ["user_id", "state"], unique=False
        )

    op.create_table(
        "support_outbound_contacts",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("contact_id", sa.String(length=ID), nullable=False),
        sa.Column("user_id", sa.String(length=ID), nullable=True),
        sa.Column("agent_id", sa.String(length=ID), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("destination_enc", sa.Text(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("code_enc", sa.Text(), nullable=False),
        _at("window_start", nullable=False),
        _at("window_end", nullable=False),
        _at("created_at", nullable=False),
        sa.Column("case_id", sa.String(length=ID), nullable=True),
        sa.Column("verification_id", sa.String(length=ID), nullable=True),
        _at("completed_at"),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_support_outbound_contacts_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_outbound_contacts_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["support_contacts.id"],
            name=op.f("fk_support_outbound_contacts_contact_id_support_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_outbound_contacts_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["support_verifications.id"],
            name="fk_support_outbound_contacts_verification",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_outbound_contacts")),
    )
    with op.batch_alter_table("support_outbound_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_outbound_contacts_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "ix_support_outbound_contacts_code", ["code_digest", "window_end"], unique=False
        )
        batch_op.create_index(
            "ix_support_outbound_contacts_user", ["user_id", "window_end"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_outbound_contacts_verification_id"),
            ["verification_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("support_outbound_contacts")
    op.drop_table("support_verifications")
