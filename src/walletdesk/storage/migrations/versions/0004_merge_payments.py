"""merge the banking, merchants and FX branches

Revision ID: 0004
Revises: 0003a, 0003b, 0003c
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0004"
down_revision = ("0003a", "0003b", "0003c")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The three branches touch separate tables; merging them needs no schema change."""


def downgrade() -> None:
    """Nothing to undo: each branch downgrades on its own."""
