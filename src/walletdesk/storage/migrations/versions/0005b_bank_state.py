"""bank state: the bank simulator's books in the database; the limit a withdrawal counted

Revision ID: 0005b_bank_state
Revises: 0004
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0005b_bank_state"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_DATETIME = walletdesk.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bank_sim_cards",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("number_digest", sa.String(length=64), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("card_type", sa.String(length=8), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("daily_limit", sa.BigInteger(), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_bank_sim_cards")),
        sa.UniqueConstraint("number_digest", name=op.f("uq_bank_sim_cards_number_digest")),
    )
    op.create_table(
        "bank_sim_bindings",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("card_token", sa.String(length=32), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_token"],
            ["bank_sim_cards.token"],
            name=op.f("fk_bank_sim_bindings_card_token_bank_sim_cards"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_bank_sim_bindings")),
    )
    op.create_table(
        "bank_sim_daily_usage",
        sa.Column("card_token", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_token"],
            ["bank_sim_cards.token"],
            name=op.f("fk_bank_sim_daily_usage_card_token_bank_sim_cards"),
        ),
        sa.PrimaryKeyConstraint("card_token", "day", name=op.f("pk_bank_sim_daily_usage")),
    )
    op.create_table(
        "bank_sim_operations",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("card_token", sa.String(length=32), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("lost", sa.Boolean(), nullable=False),
        sa.Column("ready_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["card_token"],
            ["bank_sim_cards.token"],
            name=op.f("fk_bank_sim_operations_card_token_bank_sim_cards"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_bank_sim_operations")),
    )
    op.create_table(
        "bank_sim_scripts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("card_token", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_token"],
            ["bank_sim_cards.token"],
            name=op.f("fk_bank_sim_scripts_card_token_bank_sim_cards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_sim_scripts")),
    )
    with op.batch_alter_table("bank_sim_scripts", schema=None) as batch_op:
        batch_op.create_index("ix_bank_sim_scripts_card", ["card_token", "id"], unique=False)

    with op.batch_alter_table("bank_operations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("limit_counted", sa.BigInteger(), nullable=True))
    # Withdrawals so far were all in CNY and counted their amount as it was.
    op.execute(
        "UPDATE bank_operations SET limit_counted = amount "
        "WHERE kind = 'withdrawal' AND currency = 'CNY'"
    )


def downgrade() -> None:
    with op.batch_alter_table("bank_operations", schema=None) as batch_op:
        batch_op.drop_column("limit_counted")

    with op.batch_alter_table("bank_sim_scripts", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_sim_scripts_card")

    op.drop_table("bank_sim_scripts")
    op.drop_table("bank_sim_operations")
    op.drop_table("bank_sim_daily_usage")
    op.drop_table("bank_sim_bindings")
    op.drop_table("bank_sim_cards")
