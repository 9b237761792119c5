"""The withdrawal fee schedule, in one place: a few free withdrawals a month, then a
percentage (in basis points) with a minimum. Set through the environment, e.g.
``WALLETDESK_WITHDRAWAL_FREE_PER_MONTH=3``, ``WALLETDESK_WITHDRAWAL_FEE_BPS=10``,
``WALLETDESK_WITHDRAWAL_MIN_FEE=0.10`` (CNY)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict

from walletdesk.ledger.money import Money, percent_of

BEIJING = ZoneInfo("Asia/Shanghai")  # months turn over at Beijing midnight


class _FeeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALLETDESK_WITHDRAWAL_", extra="ignore")

    free_per_month: int = 2
    fee_bps: int = 10
    min_fee: str = "0.10"


@dataclass(frozen=True)
class FeeSchedule:
    free_per_month: int
    basis_points: int
    minimum: Money

    def fee(self, amount: Money, *, used_this_month: int) -> Money:
        if used_this_month < self.free_per_month:
            return Money.zero(amount.currency)
        fee = percent_of(amount, self.basis_points)
        return (
            fee if fee.minor >= self.minimum.minor else Money(self.minimum.minor, amount.currency)
        )


@cache
def schedule() -> FeeSchedule:
    loaded = _FeeSettings()
    return FeeSchedule(
        free_per_month=max(loaded.free_per_month, 0),
        basis_points=max(loaded.fee_bps, 0),
        minimum=Money.parse(loaded.min_fee, "CNY")
        if loaded.min_fee.strip("0.")
        else Money.zero("CNY"),
    )


def month_start(at: datetime) -> datetime:
    """The start of `at`'s month in Beijing, as a UTC instant."""
    local = at.astimezone(BEIJING)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
