"""The bank simulator's own books: the state a real bank keeps on its side, here in the same
database so every server process (and a restart) sees one bank.

These tables belong to the simulated bank, not to walletdesk: nothing of walletdesk refers to
them, and the simulator reaches them only through its own short transactions. A card is known
by an HMAC digest of its number and its last four digits, never by the full number; a binding
code is kept as a digest too.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from walletdesk.storage.tables import AUTO_ID, DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

bank_sim_cards = Table(
    "bank_sim_cards",
    metadata,
    Column("token", String(ID), primary_key=True),
    Column("number_digest", String(DIGEST), nullable=False, unique=True),
    Column("last4", String(4), nullable=False),
    Column("bank_code", String(16), nullable=False),
    Column("card_type", String(8), nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("daily_limit", BigInteger, nullable=False),
    Column("frozen", Boolean, nullable=False),
    Column("expired", Boolean, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
)

# What each card spent per Beijing calendar day, against the bank's daily limit.
bank_sim_daily_usage = Table(
    "bank_sim_daily_usage",
    metadata,
    Column("card_token", String(ID), ForeignKey("bank_sim_cards.token"), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("spent", BigInteger, nullable=False),
)

bank_sim_bindings = Table(
    "bank_sim_bindings",
    metadata,
    Column("request_id", String(ID), primary_key=True),
    Column("card_token", String(ID), ForeignKey("bank_sim_cards.token"), nullable=False),
    Column("code_digest", String(DIGEST), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
)

# One row per request id: the bank's decision, visible from `ready_at` on.
bank_sim_operations = Table(
    "bank_sim_operations",
    metadata,
    Column("request_id", String(ID), primary_key=True),
    Column("card_token", String(ID), ForeignKey("bank_sim_cards.token"), nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", String(32)),
    Column("reference", String(ID)),
    Column("lost", Boolean, nullable=False),
    Column("ready_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Outcomes tests script per card, consumed in id order by the card's next operations.
bank_sim_scripts = Table(
    "bank_sim_scripts",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("card_token", String(ID), ForeignKey("bank_sim_cards.token"), nullable=False),
    Column("outcome", String(32), nullable=False),
    Index("ix_bank_sim_scripts_card", "card_token", "id"),
)
