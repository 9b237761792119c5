"""ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:45:37.446045
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=False),
        sa.Column(
            "lease_until", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "journal_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("reverses_entry_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_entries_reverses_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_journal_entries_reverses_entry_id")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journal_entries_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.Column("posted", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "allow_negative OR posted - held >= 0",
            name=op.f("ck_ledger_accounts_available_not_negative"),
        ),
        sa.CheckConstraint("held >= 0", name=op.f("ck_ledger_accounts_held_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_accounts_code")),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "limit_usage",
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.String(length=10), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject_id", "period", "period_start", name=op.f("pk_limit_usage")
        ),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "resolved_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("captured_amount", sa.BigInteger(), nullable=True),
        sa.Column("capture_entry_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name=op.f("fk_holds_account_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["capture_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_holds_capture_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holds_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holds_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account_seq", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_postings_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_postings_entry_id_journal_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
        sa.UniqueConstraint("account_id", "account_seq", name="uq_postings_account_seq"),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_postings_account_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_postings_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postings_entry_id"))
        batch_op.drop_index("ix_postings_account_created")

    op.drop_table("postings")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holds_expires_at"))
        batch_op.drop_index(batch_op.f("ix_holds_account_id"))

    op.drop_table("holds")
    op.drop_table("limit_usage")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_owner_id"))

    op.drop_table("ledger_accounts")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entries_created_at"))

    op.drop_table("journal_entries")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_expires_at"))

    op.drop_table("idempotency_keys")
