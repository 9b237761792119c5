"""Bank cards and bank operations (ledger issue, items 2-4)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

TOKEN = 64

# Only what identifies a card without revealing it: the gateway's token, the bank, the type and
# the last four digits. The full number, CVV and PIN never reach this table.
bank_cards = Table(
    "bank_cards",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("bank_code", String(16), nullable=False),
    Column("card_type", String(8), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("status", String(24), nullable=False),
    Column("binding_request_id", String(ID), nullable=False, unique=True),
    Column("gateway_token", String(TOKEN)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("verified_at", UTCDateTime),
    Column("removed_at", UTCDateTime),
)

bank_operations = Table(
    "bank_operations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(12), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("card_id", String(ID), ForeignKey("bank_cards.id"), nullable=False),
    Column("bank_code", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("client_key", String(128)),
    Column("reason_code", String(32)),
    Column("hold_id", String(ID), ForeignKey("holds.id")),
    Column("entry_id", String(ID), ForeignKey("journal_entries.id")),
    Column("bank_reference", String(TOKEN)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("limit_counted", BigInteger),
    CheckConstraint("amount > 0 AND fee >= 0", name="positive_amount"),
    UniqueConstraint("user_id", "client_key", name="uq_bank_operations_user_key"),
    Index("ix_bank_operations_user_created", "user_id", "created_at"),
    Index("ix_bank_operations_status_updated", "status", "updated_at"),
)
