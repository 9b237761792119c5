"""FX tables: the admin-set rate history and customers' quotes (ledger issue, item 10)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from walletdesk.storage.tables import AUTO_ID, ID, metadata
from walletdesk.storage.types import UTCDateTime

RATE_TEXT = 32  # a decimal such as "7.18500000", stored as text so it is never a float

fx_rates = Table(
    "fx_rates",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("base", String(3), nullable=False),
    Column("quote", String(3), nullable=False),
    Column("mid", String(RATE_TEXT), nullable=False),
    Column("spread_bps", Integer, nullable=False),
    Column("set_by", String(ID)),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("spread_bps >= 0", name="spread_not_negative"),
    Index("ix_fx_rates_pair_effective", "base", "quote", "effective_at"),
)

fx_quotes = Table(
    "fx_quotes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    Column("sell_currency", String(3), nullable=False),
    Column("buy_currency", String(3), nullable=False),
    Column("sell_amount", BigInteger, nullable=False),
    Column("buy_amount", BigInteger, nullable=False),
    Column("rate", String(RATE_TEXT), nullable=False),
    Column("pricing", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("entry_id", String(ID), ForeignKey("journal_entries.id"), unique=True),
    CheckConstraint("sell_amount > 0 AND buy_amount > 0", name="amounts_positive"),
)
