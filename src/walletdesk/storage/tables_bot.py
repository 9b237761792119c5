"""The service bot's own table: the proactive suggestions each user dismissed.

Everything else the bot remembers (what it understood, what it offered, which tools it ran,
the customers' thumbs up/down) is written as case events, so the case history and the
metrics read it like any other change."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, PrimaryKeyConstraint, String, Table

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

bot_dismissed_suggestions = Table(
    "bot_dismissed_suggestions",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("suggestion_key", String(120), nullable=False),
    Column("dismissed_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("user_id", "suggestion_key"),
)
