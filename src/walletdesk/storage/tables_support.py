"""Support desk tables: contacts and identities, cases, conversations, messages, attachments,
the case history, status labels, SLA policies and targets, holiday years, dispute links."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from walletdesk.storage.tables import AUTO_ID, DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

support_contacts = Table(
    "support_contacts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), unique=True),
    Column("display_name", String(64), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

support_identities = Table(
    "support_identities",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("contact_id", String(ID), ForeignKey("support_contacts.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value_index", String(DIGEST), nullable=False),
    Column("value_enc", Text, nullable=False),
    Column("assurance", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("verified_at", UTCDateTime),
    UniqueConstraint("kind", "value_index", name="uq_support_identities_kind_value"),
)

support_status_labels = Table(
    "support_status_labels",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("category", String(20), nullable=False),
    Column("name_zh", String(64), nullable=False),
    Column("name_en", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(ID)),
)

support_cases = Table(
    "support_cases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("contact_id", String(ID), ForeignKey("support_contacts.id"), nullable=False, index=True),
    Column("subject", String(120), nullable=False),
    Column("type", String(16), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("category", String(20), nullable=False),
    Column("label", String(32), ForeignKey("support_status_labels.key")),
    Column("channel", String(8), nullable=False),
    Column("with_bot", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("locale", String(8), nullable=False),
    Column("assignee_id", String(ID), ForeignKey("users.id"), index=True),
    Column("sla_policy_id", String(ID)),
    Column("escalation_level", Integer, nullable=False),
    Column("next_escalation_at", UTCDateTime, index=True),
    Column("follow_up_of", String(ID), ForeignKey("support_cases.id")),
    Column("police_report_number", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("solved_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Index("ix_support_cases_category_created", "category", "created_at"),
)

support_conversations = Table(
    "support_conversations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("bot_owned", Boolean, nullable=False),
    Column("assurance", String(16), nullable=False),
    Column("identity_id", String(ID), ForeignKey("support_identities.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("handed_off_at", UTCDateTime),
)

support_messages = Table(
    "support_messages",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("conversation_id", String(ID), ForeignKey("support_conversations.id"), nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("author_kind", String(8), nullable=False),
    Column("author_id", String(ID)),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_support_messages_conversation", "conversation_id", "id"),
    Index("ix_support_messages_case", "case_id", "id"),
)

support_attachments = Table(
    "support_attachments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("message_id", AUTO_ID, ForeignKey("support_messages.id"), nullable=False, index=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False, index=True),
    Column("filename", String(120), nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(DIGEST), nullable=False),
    Column("content_enc", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

support_case_events = Table(
    "support_case_events",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(40), nullable=False, index=True),
    Column("actor_kind", String(8), nullable=False),
    Column("actor_id", String(ID)),
    Column("before_json", Text, nullable=False),
    Column("after_json", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    UniqueConstraint("case_id", "version", name="uq_support_case_events_case_version"),
)

support_dispute_transactions = Table(
    "support_dispute_transactions",
    metadata,
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("entry_id", String(ID), ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("linked_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("case_id", "entry_id", name="pk_support_dispute_transactions"),
)

support_sla_policies = Table(
    "support_sla_policies",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("priority", String(8)),
    Column("case_type", String(16)),
    Column("first_response_minutes", Integer, nullable=False),
    Column("next_response_minutes", Integer, nullable=False),
    Column("resolution_minutes", Integer, nullable=False),
    Column("calendar", String(32), nullable=False),
    Column("ladder", Text, nullable=False),
    Column("updated_at", UTCDateTime),
)

support_sla_targets = Table(
    "support_sla_targets",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("support_cases.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(10), nullable=False),
    Column("calendar", String(32), nullable=False),
    Column("budget_seconds", Integer, nullable=False),
    Column("used_seconds", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("running_since", UTCDateTime),
    Column("due_at", UTCDateTime),
    Column("breached_at", UTCDateTime),
    Column("fulfilled_at", UTCDateTime),
    UniqueConstraint("case_id", "kind", name="uq_support_sla_targets_case_kind"),
    Index("ix_support_sla_targets_state_due", "state", "due_at"),
)

support_holiday_years = Table(
    "support_holiday_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(ID)),
)
