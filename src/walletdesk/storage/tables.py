"""Table definitions. Alembic migrations in `storage/migrations` create exactly these
(a test compares the migrated schema with this metadata)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from walletdesk.storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

ID = 32  # length of ids such as usr_xxxxxxxxxxxxxxxx
DIGEST = 64  # hex sha256 / HMAC

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("display_name", String(64), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("kyc_tier", Integer, nullable=False, default=0),
    Column("password_hash", String(255), nullable=False),
    Column("phone_enc", Text),
    Column("phone_index", String(DIGEST), unique=True),
    Column("email_enc", Text),
    Column("email_index", String(DIGEST), unique=True),
    Column("id_number_enc", Text),
    Column("id_number_index", String(DIGEST), unique=True),
    Column("real_name_enc", Text),
    Column("kyc_submitted_at", UTCDateTime),
    Column("password_changed_at", UTCDateTime),
    Column("password_reset_at", UTCDateTime),
    Column("contact_changed_at", UTCDateTime),
    Column("failed_login_count", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("totp_secret_enc", Text),
    Column("totp_enabled_at", UTCDateTime),
    Column("totp_last_counter", BigInteger),
    Column("frozen_at", UTCDateTime),
    Column("frozen_reason", String(500)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

staff_roles = Table(
    "staff_roles",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("granted_by", String(ID)),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("fingerprint", String(DIGEST), nullable=False),
    Column("name", String(120), nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("last_ip", String(64)),
    UniqueConstraint("user_id", "fingerprint", name="uq_devices_user_fingerprint"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(DIGEST), nullable=False, unique=True),
    Column("kind", String(8), nullable=False),
    Column("device_id", String(ID), ForeignKey("devices.id")),
    Column("ip", String(64)),
    Column("user_agent", String(300)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("two_factor_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoked_reason", String(32)),
)

login_challenges = Table(
    "login_challenges",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(DIGEST), nullable=False, unique=True),
    Column("kind", String(8), nullable=False),
    Column("device_fingerprint", String(DIGEST), nullable=False),
    Column("device_name", String(120), nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(300)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("consumed_at", UTCDateTime),
)

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id")),
    Column("purpose", String(32), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("destination_index", String(DIGEST), nullable=False),
    Column("code_digest", String(DIGEST), nullable=False),
    Column("context_enc", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("consumed_at", UTCDateTime),
    Index("ix_one_time_codes_lookup", "destination_index", "purpose", "created_at"),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("code_digest", String(DIGEST), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(ID)),
    Column("action", String(64), nullable=False, index=True),
    Column("subject_kind", String(32)),
    Column("subject_id", String(ID), index=True),
    Column("ip", String(64)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(DIGEST), nullable=False),
    Column("hash", String(DIGEST), nullable=False),
)

# One row: the head of the audit chain. Locking it serialises appends on PostgreSQL so two
# concurrent transactions can never both extend the same previous entry.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(DIGEST), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id")),
    Column("destination_enc", Text),
    Column("locale", String(8), nullable=False),
    Column("template", String(64), nullable=False),
    Column("subject_enc", Text),
    Column("body_enc", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    Column("last_error", String(500)),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(ID), primary_key=True),  # the outbox id: redelivery is a no-op
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("template", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
)

# What the SMS and email simulators "sent": the stand-in for a provider's delivery log.
simulated_messages = Table(
    "simulated_messages",
    metadata,
    Column("id", String(ID), primary_key=True),  # the outbox id: de-duplicated
    Column("channel", String(16), nullable=False),
    Column("destination_enc", Text, nullable=False),
    Column("subject_enc", Text),
    Column("body_enc", Text, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
)

# --- ledger -----------------------------------------------------------------------------------

AUTO_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("code", String(96), nullable=False, unique=True),
    Column("kind", String(24), nullable=False),
    Column("owner_id", String(ID), index=True),
    Column("currency", String(3), nullable=False),
    Column("allow_negative", Boolean, nullable=False),
    Column("posted", BigInteger, nullable=False),
    Column("held", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("allow_negative OR posted - held >= 0", name="available_not_negative"),
    CheckConstraint("held >= 0", name="held_not_negative"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("description", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("actor_id", String(ID)),
    Column("reverses_entry_id", String(ID), ForeignKey("journal_entries.id"), unique=True),
)

postings = Table(
    "postings",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("entry_id", String(ID), ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("account_id", String(ID), ForeignKey("ledger_accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("account_seq", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "account_seq", name="uq_postings_account_seq"),
    Index("ix_postings_account_created", "account_id", "created_at"),
)

holds = Table(
    "holds",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("account_id", String(ID), ForeignKey("ledger_accounts.id"), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("purpose", String(24), nullable=False),
    Column("reference", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("resolved_at", UTCDateTime),
    Column("captured_amount", BigInteger),
    Column("capture_entry_id", String(ID), ForeignKey("journal_entries.id")),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(ID), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(DIGEST), nullable=False),
    Column("status", String(12), nullable=False),
    Column("lease_token", String(ID), nullable=False),
    Column("lease_until", UTCDateTime, nullable=False),
    Column("response_status", Integer),
    Column("response_body", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

limit_usage = Table(
    "limit_usage",
    metadata,
    Column("subject_id", String(ID), primary_key=True),
    Column("period", String(8), primary_key=True),
    Column("period_start", String(10), primary_key=True),
    Column("used", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
)
