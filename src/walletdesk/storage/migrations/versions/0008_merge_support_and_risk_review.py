"""merge the chat, routing, agent-tools, verification, complaints/KB and risk-review branches

Revision ID: 0008
Revises: 0007e_chat, 0007f_routing, 0007g_agent_tools, 0007h_verification,
         0007i_complaints_kb, 0007l_risk_review
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0008"
down_revision = (
    "0007e_chat",
    "0007f_routing",
    "0007g_agent_tools",
    "0007h_verification",
    "0007i_complaints_kb",
    "0007l_risk_review",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The branches touch separate tables; merging them needs no schema change."""


def downgrade() -> None:
    """Nothing to undo: each branch downgrades on its own."""
