"""fx: rate history and quotes

Revision ID: 0003c
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0003c"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fx_rates",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("mid", sa.String(length=32), nullable=False),
        sa.Column("spread_bps", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=True),
        sa.Column(
            "effective_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint("spread_bps >= 0", name=op.f("ck_fx_rates_spread_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
    )
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fx_rates_pair_effective", ["base", "quote", "effective_at"], unique=False
        )

    op.create_table(
        "fx_quotes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("sell_currency", sa.String(length=3), nullable=False),
        sa.Column("buy_currency", sa.String(length=3), nullable=False),
        sa.Column("sell_amount", sa.BigInteger(), nullable=False),
        sa.Column("buy_amount", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(length=32), nullable=False),
        sa.Column("pricing", sa.Text(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "sell_amount > 0 AND buy_amount > 0", name=op.f("ck_fx_quotes_amounts_positive")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_fx_quotes_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_quotes")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_fx_quotes_entry_id")),
    )
    with op.batch_alter_table("fx_quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fx_quotes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fx_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fx_quotes_user_id"))

    op.drop_table("fx_quotes")
    with op.batch_alter_table("fx_rates", schema=None) as batch_op:
        batch_op.drop_index("ix_fx_rates_pair_effective")

    op.drop_table("fx_rates")
