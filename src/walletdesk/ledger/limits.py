"""Payment limits by account type and KYC tier, in one table, checked inside the posting
transaction through guarded usage counters (so concurrent payments cannot both slip under).

Defaults follow the PBOC's classes of payment accounts (《非银行支付机构网络支付业务管理办法》):
an account without real-name checks can pay little (Class I: ¥1,000 in total), a real-name
account up to ¥100,000 a year (Class II), a fully verified one ¥200,000 a year (Class III).
Amounts are in CNY fen; limits count CNY movements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from walletdesk.i18n import N_, Text
from walletdesk.ledger.errors import LimitExceeded
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

BEIJING = ZoneInfo("Asia/Shanghai")  # days and years turn over at Beijing midnight
YUAN = 100


@dataclass(frozen=True)
class Limit:
    per_transaction: int
    per_day: int
    per_year: int


PERSONAL_LIMITS: dict[int, Limit] = {
    0: Limit(per_transaction=500 * YUAN, per_day=1_000 * YUAN, per_year=1_000 * YUAN),
    1: Limit(per_transaction=5_000 * YUAN, per_day=10_000 * YUAN, per_year=100_000 * YUAN),
    2: Limit(per_transaction=50_000 * YUAN, per_day=100_000 * YUAN, per_year=200_000 * YUAN),
    3: Limit(per_transaction=200_000 * YUAN, per_day=500_000 * YUAN, per_year=2_000_000 * YUAN),
}
BUSINESS_LIMIT = Limit(
    per_transaction=1_000_000 * YUAN, per_day=5_000_000 * YUAN, per_year=500_000_000 * YUAN
)

_PERIOD_WORDS = {"transaction": N_("single-payment"), "day": N_("daily"), "year": N_("yearly")}


def limit_for(kyc_tier: int, *, business: bool = False) -> Limit:
    if business:
        return BUSINESS_LIMIT
    return PERSONAL_LIMITS[max(0, min(kyc_tier, max(PERSONAL_LIMITS)))]


def _exceeded(period: str, cap: int, used: int, locale: str) -> LimitExceeded:
    return LimitExceeded(
        period=Text(_PERIOD_WORDS[period]),
        limit=Money(cap, "CNY").format(locale),
        remaining=Money(max(cap - used, 0), "CNY").format(locale),
    )


def consume_limits(
    uow: UnitOfWork,
    *,
    subject_id: str,
    amount: Money,
    limit: Limit,
    at: datetime,
    locale: str,
) -> None:
    """Count an outgoing CNY amount against the subject's limits, or raise `LimitExceeded`
    saying which limit and how much is left. Runs inside the caller's transaction."""
    if amount.currency != "CNY":
        return
    if amount.minor > limit.per_transaction:
        raise _exceeded("transaction", limit.per_transaction, 0, locale)
    local = at.astimezone(BEIJING)
    for period, start, cap in (
        ("day", local.strftime("%Y-%m-%d"), limit.per_day),
        ("year", local.strftime("%Y"), limit.per_year),
    ):
        if uow.limits.add(subject_id, period, start, amount.minor, cap) is None:
            raise _exceeded(period, cap, uow.limits.used(subject_id, period, start), locale)


def give_back_limits(uow: UnitOfWork, *, subject_id: str, amount: Money, used_at: datetime) -> None:
    """Return usage counted for a movement that failed later (a declined withdrawal), to
    the day and year it was counted in."""
    if amount.currency != "CNY":
        return
    local = used_at.astimezone(BEIJING)
    uow.limits.give_back(subject_id, "day", local.strftime("%Y-%m-%d"), amount.minor)
    uow.limits.give_back(subject_id, "year", local.strftime("%Y"), amount.minor)


def remaining(uow: UnitOfWork, *, subject_id: str, limit: Limit, at: datetime) -> dict[str, int]:
    local = at.astimezone(BEIJING)
    day = uow.limits.used(subject_id, "day", local.strftime("%Y-%m-%d"))
    year = uow.limits.used(subject_id, "year", local.strftime("%Y"))
    return {
        "per_transaction": limit.per_transaction,
        "day": max(limit.per_day - day, 0),
        "year": max(limit.per_year - year, 0),
    }
