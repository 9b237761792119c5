"""Risk review tables: movements held for review (transfers, payments, withdrawals), the one
open review case per customer, the alerts (decisions) that joined it and every reviewer action
with its comment."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

held_transfers = Table(
    "held_transfers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False),
    Column("recipient_id", String(ID)),  # none for a withdrawal (its card is in `details`)
    Column("hold_id", String(ID), nullable=False, unique=True),
    Column("decision_id", String(ID), nullable=False),
    Column("case_id", String(ID), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_cny_minor", BigInteger, nullable=False),
    Column("note", String(200)),
    Column("locale", String(16), nullable=False),
    Column("device_id", String(64)),
    Column("ip", String(64)),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expected_by", UTCDateTime, nullable=False),
    Column("decline_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", String(ID)),
    Column("entry_id", String(ID)),
    # What is held (migration 0009a): a transfer, a merchant payment or a withdrawal, the
    # payment order or bank operation it belongs to, and what its approval needs (JSON).
    Column("kind", String(16), nullable=False, server_default="transfer"),
    Column("reference", String(64)),
    Column("details", Text, nullable=False, server_default="{}"),
    Index("ix_held_transfers_user_status", "user_id", "status"),
    Index("ix_held_transfers_status_decline_at", "status", "decline_at"),
)

risk_review_cases = Table(
    "risk_review_cases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    # Equal to user_id while the case is open, NULL once closed: one open case per customer.
    Column("open_user_id", String(ID), unique=True),
    Column("status", String(16), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("assigned_to", String(ID)),
    Column("assigned_at", UTCDateTime),
    Column("escalated", Boolean, nullable=False),
    Column("four_eyes", Boolean, nullable=False),
    Column("max_score", Integer, nullable=False),
    Column("max_amount_cny_minor", BigInteger, nullable=False),
    Column("auto_frozen", Boolean, nullable=False),
    Column("pending_action", String(16)),
    Column("pending_by", String(ID)),
    Column("pending_at", UTCDateTime),
    Column("label", String(20)),
    Column("closed_at", UTCDateTime),
    Column("closed_by", String(ID)),
    Index("ix_risk_review_cases_queue", "status", "assigned_to", "opened_at"),
)

risk_review_alerts = Table(
    "risk_review_alerts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), nullable=False, index=True),
    Column("user_id", String(ID), nullable=False, index=True),
    Column("decision_id", String(ID), nullable=False),
    Column("movement_id", String(64), nullable=False),
    Column("counterparty_id", String(64)),
    Column("action", String(12), nullable=False),
    Column("score", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

risk_review_actions = Table(
    "risk_review_actions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), nullable=False, index=True),
    Column("actor_id", String(ID), nullable=False),
    Column("action", String(16), nullable=False),
    Column("comment", String(1000), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
