"""merge the session-4 branches: batch risk rows, admin configuration, deferred payment entry,
case webhooks

Revision ID: 0012
Revises: 0011a, 0011c, 0011g, 0011h
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0012"
down_revision = ("0011a", "0011c", "0011g", "0011h")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The branches touch separate tables and functions; merging them needs no schema change."""


def downgrade() -> None:
    """Nothing to undo: each branch downgrades on its own."""
