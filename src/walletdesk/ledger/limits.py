"""Payment limits by account type and KYC tier, in one table, checked inside the posting
transaction through guarded usage counters (so concurrent payments cannot both slip under).

Defaults follow the PBOC's classes of payment accounts (《非银行支付机构网络支付业务管理办法》):
an account without real-name checks can pay little (Class I: ¥1,000 in total), a real-name
account up to ¥100,000 a year (Class II), a fully verified one ¥200,000 a year (Class III).
Limits are in CNY fen and count every currency: an amount in another currency counts as its
CNY equivalent at the admin rate table's mid rate in effect at the time of the payment, rounded
up to the fen (so many small payments can never slip under a limit together). Without a rate
for that currency nothing can be counted, so the payment is refused (fail closed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from walletdesk.errors import Conflict
from walletdesk.i18n import N_, Text
from walletdesk.ledger.errors import LimitExceeded
from walletdesk.ledger.fx_pricing import PIVOT
from walletdesk.ledger.fx_rates import rate_repository
from walletdesk.ledger.money import Money, exponent

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


def limit_for(
    kyc_tier: int,
    *,
    business: bool = False,
    uow: UnitOfWork | None = None,
    user_id: str | None = None,
    at: datetime | None = None,
) -> Limit:
    """The limits of a KYC tier (or of a business). Given `uow`, they are the ones in force
    (an admin may have changed them: `limits_config`); without, the defaults. Given `uow` and
    `user_id`, a raise granted to that user through a support case (`limit_overrides`, in
    effect at `at`) lifts each limit to the higher of the two; it never lowers one."""
    if uow is not None:
        from walletdesk.ledger.limits_config import limit_table  # it builds on this module

        base = limit_table(uow).for_tier(kyc_tier, business=business)
    elif business:
        base = BUSINESS_LIMIT
    else:
        base = PERSONAL_LIMITS[max(0, min(kyc_tier, max(PERSONAL_LIMITS)))]
    if uow is None or user_id is None:
        return base
    return lifted(base, uow.agent_tools.limit_overrides.in_effect(user_id, at))


def lifted(base: Limit, raised: Limit | None) -> Limit:
    """A raise lifts each limit to the higher of the two; it never lowers one."""
    if raised is None:
        return base
    return Limit(
        per_transaction=max(base.per_transaction, raised.per_transaction),
        per_day=max(base.per_day, raised.per_day),
        per_year=max(base.per_year, raised.per_year),
    )


def _exceeded(period: str, cap: int, used: int, locale: str) -> LimitExceeded:
    return LimitExceeded(
        period=Text(_PERIOD_WORDS[period]),
        limit=Money(cap, "CNY").format(locale),
        remaining=Money(max(cap - used, 0), "CNY").format(locale),
    )


class LimitRateUnavailable(Conflict):
    default_code = "limit_rate_unavailable"
    default_message = N_(
        "Payments in {currency} are paused: there is no exchange rate to count them against "
        "your limits. Please try again later."
    )


def cny_equivalent(uow: UnitOfWork, amount: Money, at: datetime) -> int:
    """What `amount` counts against the limits, in CNY fen: itself when it is CNY, otherwise
    its value at the mid rate in effect at `at`, rounded up to the fen."""
    if amount.currency == PIVOT:
        return amount.minor
    rate = rate_repository(uow).current(amount.currency, PIVOT, at)
    if rate is None:
        raise LimitRateUnavailable(currency=amount.currency)
    shift = exponent(PIVOT) - exponent(amount.currency)
    return math.ceil(amount.minor * Fraction(Decimal(rate.mid)) * Fraction(10) ** shift)


def _periods(at: datetime) -> tuple[tuple[str, str], tuple[str, str]]:
    local = at.astimezone(BEIJING)
    return ("day", local.strftime("%Y-%m-%d")), ("year", local.strftime("%Y"))


def count_against_limits(
    uow: UnitOfWork, *, subject_id: str, counted: int, limit: Limit, at: datetime, locale: str
) -> None:
    """Add `counted` CNY fen to the subject's usage, or raise `LimitExceeded` saying which
    limit and how much is left. Runs inside the caller's transaction."""
    if counted > limit.per_transaction:
        raise _exceeded("transaction", limit.per_transaction, 0, locale)
    caps = {"day": limit.per_day, "year": limit.per_year}
    for period, start in _periods(at):
        if uow.limits.add(subject_id, period, start, counted, caps[period]) is None:
            used = uow.limits.used(subject_id, period, start)
            raise _exceeded(period, caps[period], used, locale)


def consume_limits(
    uow: UnitOfWork,
    *,
    subject_id: str,
    amount: Money,
    limit: Limit,
    at: datetime,
    locale: str,
) -> int:
    """Count an outgoing amount (any currency, as its CNY equivalent) against the subject's
    limits, or raise `LimitExceeded`. Returns the CNY fen counted: keep it to give back
    exactly that if the movement fails later."""
    counted = cny_equivalent(uow, amount, at)
    count_against_limits(
        uow, subject_id=subject_id, counted=counted, limit=limit, at=at, locale=locale
    )
    return counted


def give_back_limits(
    uow: UnitOfWork,
    *,
    subject_id: str,
    amount: Money,
    used_at: datetime,
    counted: int | None = None,
) -> None:
    """Return usage counted for a movement that failed later (a declined withdrawal), to
    the day and year it was counted in. `counted` is what `consume_limits` returned; without
    it the CNY equivalent is worked out again at the rate in effect at `used_at` (exact for
    CNY; for other currencies exact unless a rate was added at that very instant)."""
    back = counted if counted is not None else cny_equivalent(uow, amount, used_at)
    for period, start in _periods(used_at):
        uow.limits.give_back(subject_id, period, start, back)


def remaining(uow: UnitOfWork, *, subject_id: str, limit: Limit, at: datetime) -> dict[str, int]:
    (_, day_start), (_, year_start) = _periods(at)
    day = uow.limits.used(subject_id, "day", day_start)
    year = uow.limits.used(subject_id, "year", year_start)
    return {
        "per_transaction": limit.per_transaction,
        "day": max(limit.per_day - day, 0),
        "year": max(limit.per_year - year, 0),
    }
