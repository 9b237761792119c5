"""merge the merchant-payment, bank-simulator, risk, support and transfer-engine branches

Revision ID: 0006
Revises: 0005a, 0005b_bank_state, 0005c_risk, 0005d_support, 0005e
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0006"
down_revision = ("0005a", "0005b_bank_state", "0005c_risk", "0005d_support", "0005e")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The branches touch separate tables (and one PostgreSQL function); nothing to merge."""


def downgrade() -> None:
    """Nothing to undo: each branch downgrades on its own."""
