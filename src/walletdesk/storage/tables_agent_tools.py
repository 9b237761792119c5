"""Agent tools: macros (canned replies), time-boxed reveals of a customer's masked fields,
case actions under maker-checker (proposals, approval thresholds, fee waivers) and the
per-user limit overrides those actions set."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, String, Table, Text

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

support_macros = Table(
    "support_macros",
    metadata,
    Column("shortcut", String(32), primary_key=True),
    Column("title_zh", String(80), nullable=False),
    Column("title_en", String(80), nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(ID)),
)

support_reveal_grants = Table(
    "support_reveal_grants",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("staff_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("field", String(16), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_support_reveal_grants_staff_case", "staff_id", "case_id", "expires_at"),
)

case_action_policies = Table(
    "case_action_policies",
    metadata,
    Column("kind", String(24), primary_key=True),
    Column("approval_above", BigInteger),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(ID)),
)

case_action_proposals = Table(
    "case_action_proposals",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("proposed_by", String(ID), ForeignKey("users.id"), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("target_id", String(ID)),
    Column("amount", BigInteger),
    Column("currency", String(3)),
    Column("amount_cny", BigInteger),
    Column("params", Text, nullable=False),
    Column("transaction_ids", Text, nullable=False),
    Column("needs_approval", Boolean, nullable=False),
    Column("idempotency_key", String(80), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", String(ID), ForeignKey("users.id")),
    Column("decided_at", UTCDateTime),
    Column("decision_note", String(500)),
    Column("executing_since", UTCDateTime),
    Column("executed_at", UTCDateTime),
    Column("result", Text),
    Column("failure_code", String(64)),
    Index("ix_case_action_proposals_status", "status", "created_at"),
)

case_fee_waivers = Table(
    "case_fee_waivers",
    metadata,
    Column("entry_id", String(ID), ForeignKey("journal_entries.id"), primary_key=True),
    Column("proposal_id", String(ID), ForeignKey("case_action_proposals.id"), nullable=False),
    Column("waiver_entry_id", String(ID), ForeignKey("journal_entries.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

limit_overrides = Table(
    "limit_overrides",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("per_transaction", BigInteger, nullable=False),
    Column("per_day", BigInteger, nullable=False),
    Column("per_year", BigInteger, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("proposal_id", String(ID), ForeignKey("case_action_proposals.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
