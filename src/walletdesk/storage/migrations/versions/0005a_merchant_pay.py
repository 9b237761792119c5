"""merchant payments by bound card and in foreign currencies

Revision ID: 0005a
Revises: 0004
Create Date: 2026-11-23

A payment order remembers how it was paid (`method`), the bank operation of its latest card
attempt (`operation_id`, indexed: the bank's answer finds the order through it) and, when the
payer bought the order currency with CNY, the conversion entry and both amounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005a"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("method", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("operation_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("fx_entry_id", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("fx_bought", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("fx_sold", sa.BigInteger(), nullable=False, server_default="0"))
        batch.create_foreign_key(
            op.f("fk_payment_orders_operation_id_bank_operations"),
            "bank_operations",
            ["operation_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_payment_orders_fx_entry_id_journal_entries"),
            "journal_entries",
            ["fx_entry_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_payment_orders_operation_id"), ["operation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_index(op.f("ix_payment_orders_operation_id"))
        batch.drop_constraint(
            op.f("fk_payment_orders_fx_entry_id_journal_entries"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_payment_orders_operation_id_bank_operations"), type_="foreignkey"
        )
        batch.drop_column("fx_sold")
        batch.drop_column("fx_bought")
        batch.drop_column("fx_entry_id")
        batch.drop_column("operation_id")
        batch.drop_column("method")
