"""Verification (审核) tables: the verification of a case and the registered outbound staff
contacts with their one-time contact codes."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from walletdesk.storage.tables import DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

support_verifications = Table(
    "support_verifications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False, unique=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("state", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("opened_by_kind", String(8), nullable=False),
    Column("opened_by", String(ID)),
    Column("operation_kind", String(40)),
    Column("operation_ref", String(64)),
    Column("note", String(500)),
    Column("challenge_state", String(12), nullable=False),
    Column("challenge_method", String(16)),
    Column("challenge_requested_at", UTCDateTime),
    Column("challenge_expires_at", UTCDateTime),
    Column("challenge_passed_at", UTCDateTime),
    Column("challenge_attempts", Integer, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(ID)),
    Column("outcome_note", String(500)),
    Column("operation_result", String(40)),
    Index("ix_support_verifications_user_state", "user_id", "state"),
    Index("ix_support_verifications_operation", "operation_kind", "operation_ref"),
)

support_outbound_contacts = Table(
    "support_outbound_contacts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("contact_id", String(ID), ForeignKey("support_contacts.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id")),
    Column("agent_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("purpose", String(24), nullable=False),
    Column("source", String(120), nullable=False),
    Column("destination_enc", Text, nullable=False),
    Column("code_digest", String(DIGEST), nullable=False),
    Column("code_enc", Text, nullable=False),
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), index=True),
    Column(
        "verification_id",
        String(ID),
        # The conventional name would pass PostgreSQL's 63-character limit.
        ForeignKey("support_verifications.id", name="fk_support_outbound_contacts_verification"),
        index=True,
    ),
    Column("completed_at", UTCDateTime),
    Index("ix_support_outbound_contacts_code", "code_digest", "window_end"),
    Index("ix_support_outbound_contacts_user", "user_id", "window_end"),
)
