"""merchants: merchants, payment orders, refunds, coupon campaigns and coupons

Revision ID: 0003b
Revises: 0002
Create Date: 2026-11-22 02:57:04.203217
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import walletdesk.storage.types

revision = "0003b"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coupon_campaigns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_off", sa.BigInteger(), nullable=False),
        sa.Column("min_spend", sa.BigInteger(), nullable=False),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "issued >= 0 AND issued <= quantity",
            name=op.f("ck_coupon_campaigns_issued_within_quantity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_campaigns")),
    )
    op.create_table(
        "merchants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("api_key_hash", sa.String(length=64), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_secret_enc", sa.Text(), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
        sa.UniqueConstraint("api_key_hash", name=op.f("uq_merchants_api_key_hash")),
    )
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("merchant_order_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("payer_id", sa.String(length=32), nullable=True),
        sa.Column("paid_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.String(length=32), nullable=True),
        sa.Column("user_paid", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("coupon_id", sa.String(length=32), nullable=True),
        sa.Column("points_earned", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_orders_amount_positive")),
        sa.CheckConstraint(
            "refunded >= 0 AND refunded <= amount",
            name=op.f("ck_payment_orders_refunded_within_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_payment_orders_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_payment_orders_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["users.id"], name=op.f("fk_payment_orders_payer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_orders")),
        sa.UniqueConstraint(
            "merchant_id", "merchant_order_id", name="uq_payment_orders_merchant_order"
        ),
    )
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_orders_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "coupons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_off", sa.BigInteger(), nullable=False),
        sa.Column("min_spend", sa.BigInteger(), nullable=False),
        sa.Column(
            "expires_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("issued_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["coupon_campaigns.id"],
            name=op.f("fk_coupons_campaign_id_coupon_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment_orders.id"], name=op.f("fk_coupons_payment_id_payment_orders")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coupons_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coupons_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("out_request_no", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("to_wallet", sa.BigInteger(), nullable=False),
        sa.Column("to_coupon", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", walletdesk.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["journal_entries.id"], name=op.f("fk_refunds_entry_id_journal_entries")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment_orders.id"], name=op.f("fk_refunds_payment_id_payment_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("payment_id", "out_request_no", name="uq_refunds_payment_request"),
    )


def downgrade() -> None:
    op.drop_table("refunds")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coupons_user_id"))

    op.drop_table("coupons")
    with op.batch_alter_table("payment_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_orders_payer_id"))

    op.drop_table("payment_orders")
    op.drop_table("merchants")
    op.drop_table("coupon_campaigns")
