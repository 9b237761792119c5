"""Run-time configuration that admins change from the console (issue 7, item 7): the
withdrawal fee schedule, the payment limits by account type and KYC tier, and the weekly
business hours of the support calendars.

Every table is append-only: a change is a new row, so the rows are the versions and the
current value of a thing is its latest row. Code defaults apply until a first row exists.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, String, Table, Text

from walletdesk.storage.tables import AUTO_ID, ID, metadata
from walletdesk.storage.types import UTCDateTime

config_fee_schedules = Table(
    "config_fee_schedules",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("free_per_month", Integer, nullable=False),
    Column("fee_bps", Integer, nullable=False),
    Column("min_fee_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("set_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "free_per_month >= 0 AND fee_bps >= 0 AND min_fee_minor >= 0", name="not_negative"
    ),
)

config_limits = Table(
    "config_limits",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("account_type", String(16), nullable=False),
    Column("kyc_tier", Integer, nullable=False),
    Column("per_transaction", BigInteger, nullable=False),
    Column("per_day", BigInteger, nullable=False),
    Column("per_year", BigInteger, nullable=False),
    Column("set_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "per_transaction > 0 AND per_transaction <= per_day AND per_day <= per_year",
        name="ordered",
    ),
    Index("ix_config_limits_class", "account_type", "kyc_tier", "id"),
)

config_business_hours = Table(
    "config_business_hours",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("calendar", String(32), nullable=False),
    Column("weekly", Text, nullable=False),
    Column("makeup_day", Text, nullable=False),
    Column("set_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_config_business_hours_calendar", "calendar", "id"),
)
