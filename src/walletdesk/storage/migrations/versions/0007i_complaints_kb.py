"""complaints and suggestions with reference numbers, satisfaction surveys (CSAT), the support
desk's policies, and the knowledge base (articles, versions, feedback)

Revision ID: 0007i_complaints_kb
Revises: 0006
Create Date: 2026-11-24 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0007i_complaints_kb"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column(
            "published_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_articles_slug")),
    )
    op.create_table(
        "reference_counters",
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name="pk_reference_counters"),
    )
    op.create_table(
        "support_desk_policies",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_support_desk_policies")),
    )
    op.create_table(
        "kb_article_versions",
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("keywords_zh", sa.String(length=400), nullable=False),
        sa.Column("keywords_en", sa.String(length=400), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_article_versions_article_id_kb_articles"),
        ),
        sa.PrimaryKeyConstraint("article_id", "version", name="pk_kb_article_versions"),
    )
    op.create_table(
        "kb_feedback",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["kb_articles.id"], name=op.f("fk_kb_feedback_article_id_kb_articles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_feedback")),
    )
    with op.batch_alter_table("kb_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_feedback_article_id"), ["article_id"], unique=False)

    op.create_table(
        "complaint_records",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column(
            "received_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("due_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("deadline_basis", sa.String(length=10), nullable=False),
        sa.Column(
            "investigating_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("result_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_by", sa.String(length=32), nullable=True),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.Column(
            "appealed_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("appeal_reason", sa.Text(), nullable=True),
        sa.Column(
            "appeal_due_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "appeal_result_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("appeal_result_by", sa.String(length=32), nullable=True),
        sa.Column("appeal_result_text", sa.Text(), nullable=True),
        sa.Column(
            "confirmed_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column(
            "next_escalation_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_complaint_records_case_id_support_cases"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_complaint_records")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaint_records_reference")),
    )
    with op.batch_alter_table("complaint_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_records_next_escalation_at"),
            ["next_escalation_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_records_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "csat_surveys",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("asked_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_cases.id"], name=op.f("fk_csat_surveys_case_id_support_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_csat_surveys")),
    )
    with op.batch_alter_table("csat_surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_surveys_asked_at"), ["asked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_csat_surveys_rated_at"), ["rated_at"], unique=False)

    op.create_table(
        "suggestion_records",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("topic", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "received_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column(
            "answered_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_suggestion_records_case_id_support_cases"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_suggestion_records")),
        sa.UniqueConstraint("reference", name=op.f("uq_suggestion_records_reference")),
    )
    with op.batch_alter_table("suggestion_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_records_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestion_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_records_received_at"))

    op.drop_table("suggestion_records")
    with op.batch_alter_table("csat_surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csat_surveys_rated_at"))
        batch_op.drop_index(batch_op.f("ix_csat_surveys_asked_at"))

    op.drop_table("csat_surveys")
    with op.batch_alter_table("complaint_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_records_received_at"))
        batch_op.drop_index(batch_op.f("ix_complaint_records_next_escalation_at"))

    op.drop_table("complaint_records")
    with op.batch_alter_table("kb_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_feedback_article_id"))

    op.drop_table("kb_feedback")
    op.drop_table("kb_article_versions")
    op.drop_table("support_desk_policies")
    op.drop_table("reference_counters")
    op.drop_table("kb_articles")
