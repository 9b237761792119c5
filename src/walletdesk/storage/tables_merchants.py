"""Merchants, payment orders, refunds, coupon campaigns and coupons (issue 3 items 5 and 11).

The money itself lives in the ledger tables; these rows are the business records around it.
Two invariants are also written into the schema, so even a buggy caller cannot break them:
a payment's refunds never exceed what was paid, and a campaign never issues more coupons
than its quantity.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from walletdesk.storage.tables import DIGEST, ID, metadata
from walletdesk.storage.types import UTCDateTime

merchants = Table(
    "merchants",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("api_key_hash", String(DIGEST), nullable=False, unique=True),
    Column("webhook_url", String(500)),
    Column("webhook_secret_enc", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

payment_orders = Table(
    "payment_orders",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("merchant_id", String(ID), ForeignKey("merchants.id"), nullable=False),
    Column("merchant_order_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("description", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("payer_id", String(ID), ForeignKey("users.id"), index=True),
    Column("paid_at", UTCDateTime),
    # Checked at commit (migration 0011g): a payment names its entry when it claims the
    # order and posts the entry last.
    Column(
        "entry_id",
        String(ID),
        ForeignKey("journal_entries.id", deferrable=True, initially="DEFERRED"),
    ),
    Column("user_paid", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("coupon_id", String(ID)),
    Column("points_earned", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    # Paying by bound card and paying a foreign-currency order (migration 0005a).
    Column("method", String(8)),
    Column("operation_id", String(ID), ForeignKey("bank_operations.id"), index=True),
    Column("fx_entry_id", String(ID), ForeignKey("journal_entries.id")),
    Column("fx_bought", BigInteger, nullable=False, server_default="0"),
    Column("fx_sold", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("merchant_id", "merchant_order_id", name="uq_payment_orders_merchant_order"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("refunded >= 0 AND refunded <= amount", name="refunded_within_amount"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("payment_id", String(ID), ForeignKey("payment_orders.id"), nullable=False),
    Column("out_request_no", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("to_wallet", BigInteger, nullable=False),
    Column("to_coupon", BigInteger, nullable=False),
    Column("entry_id", String(ID), ForeignKey("journal_entries.id")),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("payment_id", "out_request_no", name="uq_refunds_payment_request"),
)

coupon_campaigns = Table(
    "coupon_campaigns",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_off", BigInteger, nullable=False),
    Column("min_spend", BigInteger, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("issued", Integer, nullable=False),
    Column("created_by", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("issued >= 0 AND issued <= quantity", name="issued_within_quantity"),
)

coupons = Table(
    "coupons",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("campaign_id", String(ID), ForeignKey("coupon_campaigns.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_off", BigInteger, nullable=False),
    Column("min_spend", BigInteger, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("payment_id", String(ID), ForeignKey("payment_orders.id")),
)
