"""support desk: contacts, identities, cases, conversations, messages, attachments, case
history, status labels, SLA policies and targets, holiday years, dispute links

Revision ID: 0005d_support
Revises: 0004
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0005d_support"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_support_holiday_years")),
    )
    op.create_table(
        "support_sla_policies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=True),
        sa.Column("case_type", sa.String(length=16), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("next_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(length=32), nullable=False),
        sa.Column("ladder", sa.Text(), nullable=False),
        sa.Column("updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_sla_policies")),
    )
    op.create_table(
        "support_status_labels",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_support_status_labels")),
    )
    op.create_table(
        "support_contacts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_contacts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_contacts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_support_contacts_user_id")),
    )
    op.create_table(
        "support_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("with_bot", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("assignee_id", sa.String(length=32), nullable=True),
        sa.Column("sla_policy_id", sa.String(length=32), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column(
            "next_escalation_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("follow_up_of", sa.String(length=32), nullable=True),
        sa.Column("police_report_number", sa.String(length=40), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("solved_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_support_cases_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["support_contacts.id"],
            name=op.f("fk_support_cases_contact_id_support_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_of"],
            ["support_cases.id"],
            name=op.f("fk_support_cases_follow_up_of_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["label"],
            ["support_status_labels.key"],
            name=op.f("fk_support_cases_label_support_status_labels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_cases")),
    )
    with op.batch_alter_table("support_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_cases_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(
            "ix_support_cases_category_created", ["category", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_cases_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_cases_next_escalation_at"), ["next_escalation_at"], unique=False
        )

    op.create_table(
        "support_identities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_index", sa.String(length=64), nullable=False),
        sa.Column("value_enc", sa.Text(), nullable=False),
        sa.Column("assurance", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "verified_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["support_contacts.id"],
            name=op.f("fk_support_identities_contact_id_support_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_identities")),
        sa.UniqueConstraint("kind", "value_index", name="uq_support_identities_kind_value"),
    )
    with op.batch_alter_table("support_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_identities_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "support_case_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=8), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("after_json", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_case_events_case_id_support_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_case_events")),
        sa.UniqueConstraint("case_id", "version", name="uq_support_case_events_case_version"),
    )
    with op.batch_alter_table("support_case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_case_events_kind"), ["kind"], unique=False)

    op.create_table(
        "support_conversations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("bot_owned", sa.Boolean(), nullable=False),
        sa.Column("assurance", sa.String(length=16), nullable=False),
        sa.Column("identity_id", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "handed_off_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_conversations_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["support_identities.id"],
            name=op.f("fk_support_conversations_identity_id_support_identities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_conversations")),
    )
    with op.batch_alter_table("support_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_conversations_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "support_dispute_transactions",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("linked_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_dispute_transactions_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_support_dispute_transactions_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("case_id", "entry_id", name="pk_support_dispute_transactions"),
    )
    with op.batch_alter_table("support_dispute_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_dispute_transactions_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "support_sla_targets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("calendar", sa.String(length=32), nullable=False),
        sa.Column("budget_seconds", sa.Integer(), nullable=False),
        sa.Column("used_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "started_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "running_since", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("due_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "breached_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "fulfilled_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_sla_targets_case_id_support_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_sla_targets")),
        sa.UniqueConstraint("case_id", "kind", name="uq_support_sla_targets_case_kind"),
    )
    with op.batch_alter_table("support_sla_targets", schema=None) as batch_op:
        batch_op.create_index("ix_support_sla_targets_state_due", ["state", "due_at"], unique=False)

    op.create_table(
        "support_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("author_kind", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_messages_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["support_conversations.id"],
            name=op.f("fk_support_messages_conversation_id_support_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
    )
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.create_index("ix_support_messages_case", ["case_id", "id"], unique=False)
        batch_op.create_index(
            "ix_support_messages_conversation", ["conversation_id", "id"], unique=False
        )

    op.create_table(
        "support_attachments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_enc", sa.Text(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_cases.id"],
            name=op.f("fk_support_attachments_case_id_support_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["support_messages.id"],
            name=op.f("fk_support_attachments_message_id_support_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_attachments")),
    )
    with op.batch_alter_table("support_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_attachments_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_support_attachments_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("support_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_attachments_message_id"))
        batch_op.drop_index(batch_op.f("ix_support_attachments_case_id"))

    op.drop_table("support_attachments")
    with op.batch_alter_table("support_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_support_messages_conversation")
        batch_op.drop_index("ix_support_messages_case")

    op.drop_table("support_messages")
    with op.batch_alter_table("support_sla_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_support_sla_targets_state_due")

    op.drop_table("support_sla_targets")
    with op.batch_alter_table("support_dispute_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_dispute_transactions_entry_id"))

    op.drop_table("support_dispute_transactions")
    with op.batch_alter_table("support_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_conversations_case_id"))

    op.drop_table("support_conversations")
    with op.batch_alter_table("support_case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_case_events_kind"))

    op.drop_table("support_case_events")
    with op.batch_alter_table("support_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_identities_contact_id"))

    op.drop_table("support_identities")
    with op.batch_alter_table("support_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_cases_next_escalation_at"))
        batch_op.drop_index(batch_op.f("ix_support_cases_contact_id"))
        batch_op.drop_index("ix_support_cases_category_created")
        batch_op.drop_index(batch_op.f("ix_support_cases_assignee_id"))

    op.drop_table("support_cases")
    op.drop_table("support_contacts")
    op.drop_table("support_status_labels")
    op.drop_table("support_sla_policies")
    op.drop_table("support_holiday_years")
