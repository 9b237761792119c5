"""risk wire: held_transfers hold every kind of movement (transfer, payment, withdrawal)

A held merchant payment or withdrawal is kept like a held transfer, with its kind, the
object it belongs to (the payment order or the bank operation) and the few facts its
approval needs; a withdrawal has no receiving wallet, so `recipient_id` may be empty.

Revision ID: 0009a_risk_wire
Revises: 0008
Create Date: 2026-11-22 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009a_risk_wire"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("held_transfers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="transfer")
        )
        batch_op.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("details", sa.Text(), nullable=False, server_default="{}"))
        batch_op.alter_column("recipient_id", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    # Held payments and withdrawals have no place in the older table: they are dropped with
    # their columns (their holds stay and expire, which gives the money back).
    op.execute("DELETE FROM held_transfers WHERE kind <> 'transfer'")
    with op.batch_alter_table("held_transfers", schema=None) as batch_op:
        batch_op.alter_column("recipient_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("details")
        batch_op.drop_column("reference")
        batch_op.drop_column("kind")
