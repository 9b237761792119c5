"""merge the risk-wiring, one-agent-status, bot-dialogue and one-round-trip-entry branches

Revision ID: 0010
Revises: 0009a_risk_wire, 0009c_one_status, 0009d_bot_dialogue, 0009f
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0010"
down_revision = ("0009a_risk_wire", "0009c_one_status", "0009d_bot_dialogue", "0009f")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The branches touch separate tables and functions; merging them needs no schema change."""


def downgrade() -> None:
    """Nothing to undo: each branch downgrades on its own."""
