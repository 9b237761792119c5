"""Tables of complaints (投诉) and suggestions (建议), satisfaction surveys (CSAT), the desk's
policies, and the knowledge base (help-centre articles, their versions and feedback)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from walletdesk.storage.tables import AUTO_ID, ID, metadata
from walletdesk.storage.types import UTCDateTime

REFERENCE = 24  # TS-20261122-0001, with room for busy days

complaint_records = Table(
    "complaint_records",
    metadata,
    Column("case_id", String(ID), ForeignKey("support_cases.id"), primary_key=True),
    Column("reference", String(REFERENCE), nullable=False, unique=True),
    Column("category", String(24), nullable=False),
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("deadline_days", Integer, nullable=False),
    Column("deadline_basis", String(10), nullable=False),
    Column("investigating_at", UTCDateTime),
    Column("result_at", UTCDateTime),
    Column("result_by", String(ID)),
    Column("result_text", Text),
    Column("appealed_at", UTCDateTime),
    Column("appeal_reason", Text),
    Column("appeal_due_at", UTCDateTime),
    Column("appeal_result_at", UTCDateTime),
    Column("appeal_result_by", String(ID)),
    Column("appeal_result_text", Text),
    Column("confirmed_at", UTCDateTime),
    Column("escalation_level", Integer, nullable=False),
    Column("next_escalation_at", UTCDateTime, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

reference_counters = Table(
    "reference_counters",
    metadata,
    Column("prefix", String(4), nullable=False),
    Column("day", String(8), nullable=False),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("prefix", "day", name="pk_reference_counters"),
)

suggestion_records = Table(
    "suggestion_records",
    metadata,
    Column("case_id", String(ID), ForeignKey("support_cases.id"), primary_key=True),
    Column("reference", String(REFERENCE), nullable=False, unique=True),
    Column("topic", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("received_at", UTCDateTime, nullable=False, index=True),
    Column("answer_text", Text),
    Column("answered_at", UTCDateTime),
    Column("answered_by", String(ID)),
    Column("updated_at", UTCDateTime, nullable=False),
)

csat_surveys = Table(
    "csat_surveys",
    metadata,
    Column("case_id", String(ID), ForeignKey("support_cases.id"), primary_key=True),
    Column("conversation_id", String(ID)),
    Column("channel", String(8), nullable=False),
    Column("agent_id", String(ID)),
    Column("queue", String(32), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("asked_at", UTCDateTime, nullable=False, index=True),
    Column("score", Integer),
    Column("comment", Text),
    Column("rated_at", UTCDateTime, index=True),
    Column("outcome", String(16)),
)

support_desk_policies = Table(
    "support_desk_policies",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(ID)),
)

kb_articles = Table(
    "kb_articles",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("latest_version", Integer, nullable=False),
    Column("published_version", Integer),
    Column("published_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("created_by", String(ID)),
)

kb_article_versions = Table(
    "kb_article_versions",
    metadata,
    Column("article_id", String(ID), ForeignKey("kb_articles.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("category", String(32), nullable=False),
    Column("audience", String(10), nullable=False),
    Column("title_zh", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("keywords_zh", String(400), nullable=False),
    Column("keywords_en", String(400), nullable=False),
    Column("note", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(ID)),
    PrimaryKeyConstraint("article_id", "version", name="pk_kb_article_versions"),
)

kb_feedback = Table(
    "kb_feedback",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("article_id", String(ID), ForeignKey("kb_articles.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("locale", String(8), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text),
    Column("created_at", UTCDateTime, nullable=False),
)
