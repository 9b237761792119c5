"""Subscribers to case events (issue 5, item 15): endpoints an admin registered, each with
its own signing secret (encrypted, like merchants' webhook secrets) and an optional filter of
event kinds. Deliveries themselves are outbox rows."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

support_case_webhooks = Table(
    "support_case_webhooks",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("url", String(500), nullable=False),
    Column("secret_enc", Text, nullable=False),
    # A JSON list of event kinds; an empty list means every kind.
    Column("kinds_json", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
    Index("ix_support_case_webhooks_active", "active"),
)
