"""Risk tables (risk issue): the engine's own movement history, decisions, rule-set versions,
block lists and per-customer snoozes."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from walletdesk.storage.tables import AUTO_ID, DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

REF = 64  # movement ids and party ids from any source (wallets, merchants, cards, PaySim)

risk_events = Table(
    "risk_events",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("movement_id", String(REF), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("outgoing", Boolean, nullable=False),
    Column("sender_id", String(REF), nullable=False),
    Column("receiver_id", String(REF)),
    Column("device_id", String(REF)),
    Column("ip", String(64)),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_cny_minor", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    # Each window is a range of one of these, and the columns the aggregates read ride along,
    # so the engine reads index pages only, never the table (covering on SQLite and PostgreSQL).
    Index(
        "ix_risk_events_sender_at", "sender_id", "at", "outgoing", "amount_cny_minor", "receiver_id"
    ),
    Index("ix_risk_events_receiver_at", "receiver_id", "at", "amount_cny_minor", "sender_id"),
    Index("ix_risk_events_device_at", "device_id", "at", "amount_cny_minor", "sender_id"),
    Index("ix_risk_events_ip_at", "ip", "at", "amount_cny_minor", "sender_id"),
    Index("ix_risk_events_pair", "sender_id", "receiver_id", "at"),
)

risk_decisions = Table(
    "risk_decisions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("movement_id", String(REF), nullable=False, index=True),
    Column("movement_kind", String(16), nullable=False),
    Column("user_id", String(REF), nullable=False),
    Column("counterparty_id", String(REF)),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_cny_minor", BigInteger, nullable=False),
    Column("action", String(16), nullable=False),
    Column("score", Integer, nullable=False),
    Column("four_eyes", Boolean, nullable=False),
    Column("rule_set_version", Integer),
    Column("hits", Text, nullable=False),
    Column("snoozed", Text, nullable=False),
    Column("features", Text, nullable=False),
    Column("failure", String(120)),
    Column("elapsed_us", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    Index("ix_risk_decisions_user_created", "user_id", "created_at"),
)

risk_rule_sets = Table(
    "risk_rule_sets",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("source", Text, nullable=False),
    Column("sha256", String(DIGEST), nullable=False),
    Column("rule_count", Integer, nullable=False),
    Column("comment", String(500), nullable=False),
    Column("based_on", Integer),
    Column("created_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("version > 0", name="version_positive"),
)

risk_list_entries = Table(
    "risk_list_entries",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("value", String(REF), nullable=False),
    Column("label", String(120), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("range_start", String(32)),
    Column("range_end", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(ID)),
    Column("removed_at", UTCDateTime),
    Column("removed_by", String(ID)),
    Index("ix_risk_list_entries_kind_value", "kind", "value"),
    Index("ix_risk_list_entries_range", "kind", "range_start"),
)

risk_snoozes = Table(
    "risk_snoozes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(REF), nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("until", UTCDateTime, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(ID)),
    Column("lifted_at", UTCDateTime),
    Column("lifted_by", String(ID)),
    Index("ix_risk_snoozes_user_until", "user_id", "until"),
)
