"""Merchant payment settings: how long an order stays payable and how points are earned.

Read from the environment (``WALLETDESK_MERCHANT_ORDER_TTL_MINUTES``,
``WALLETDESK_MERCHANT_POINTS_PER_YUAN``) when the runtime is built; tests replace
`rt.merchant_policy` with their own values.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SHARDS = 8
"""Ledger rows per merchant (and per hot platform account) that payments spread over."""


class MerchantPolicy(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALLETDESK_MERCHANT_", extra="ignore")

    order_ttl_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    """A payment order not paid within this time expires (Alipay's timeout_express)."""
    points_per_yuan: int = Field(default=1, ge=0, le=100)
    """Points (积分) earned per whole yuan the payer paid from their wallet; 0 turns points off.
    Only CNY payments earn points."""

    @property
    def order_ttl(self) -> timedelta:
        return timedelta(minutes=self.order_ttl_minutes)

    def points_for(self, paid_minor: int, currency: str) -> int:
        if currency != "CNY":
            return 0
        return (paid_minor // 100) * self.points_per_yuan
