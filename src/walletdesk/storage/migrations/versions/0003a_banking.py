"""banking: bound bank cards and bank operations (top-ups, withdrawals)

Revision ID: 0003a
Revises: 0002
Create Date: 2026-11-22 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0003a"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = walletdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bank_cards",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("card_type", sa.String(length=8), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("binding_request_id", sa.String(length=32), nullable=False),
        sa.Column("gateway_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("verified_at", UTC_DATETIME, nullable=True),
        sa.Column("removed_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bank_cards_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_cards")),
        sa.UniqueConstraint("binding_request_id", name=op.f("uq_bank_cards_binding_request_id")),
    )
    with op.batch_alter_table("bank_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_cards_user_id"), ["user_id"], unique=False)

    op.create_table(
        "bank_operations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("card_id", sa.String(length=32), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("client_key", sa.String(length=128), nullable=True),
        sa.Column("reason_code", sa.String(length=32), nullable=True),
        sa.Column("hold_id", sa.String(length=32), nullable=True),
        sa.Column("entry_id", sa.String(length=32), nullable=True),
        sa.Column("bank_reference", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("resolved_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "amount > 0 AND fee >= 0", name=op.f("ck_bank_operations_positive_amount")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["bank_cards.id"], name=op.f("fk_bank_operations_card_id_bank_cards")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_bank_operations_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["holds.id"], name=op.f("fk_bank_operations_hold_id_holds")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bank_operations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_operations")),
        sa.UniqueConstraint("user_id", "client_key", name="uq_bank_operations_user_key"),
    )
    with op.batch_alter_table("bank_operations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_operations_user_created", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_bank_operations_status_updated", ["status", "updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_operations", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_operations_status_updated")
        batch_op.drop_index("ix_bank_operations_user_created")
    op.drop_table("bank_operations")
    with op.batch_alter_table("bank_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_cards_user_id"))
    op.drop_table("bank_cards")
