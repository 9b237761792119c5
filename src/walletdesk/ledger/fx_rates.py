"""The admin-set rate table: every change is a new row (the history) with the time it takes
effect, who set it, and an audit event. There is no live feed; the current rate of a pair is
its latest row that is already in effect."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.fx_pricing import (
    FOREIGN,
    MAX_SPREAD_BPS,
    PIVOT,
    FxRate,
    exact_text,
    unsupported_pair,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.fx import FxRateRepository
    from walletdesk.storage.uow import UnitOfWork

_RATE_TEXT = re.compile(r"^\d{1,6}(\.\d{1,10})?$")
HISTORY_MAX = 100

DEMO_RATES: dict[str, tuple[str, int]] = {
    "USD": ("7.1850", 30),
    "HKD": ("0.92150", 30),
    "EUR": ("7.7620", 40),
    "JPY": ("0.047350", 40),
}
"""Illustrative demo numbers only (roughly the order of magnitude of late-2020s rates, CNY per
unit, with a 0.3–0.4 % margin each side): they are not market data and must never be
presented as such. A deployment sets its own through the admin API."""


def rate_repository(uow: UnitOfWork) -> FxRateRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.fx import FxRateRepository

    return FxRateRepository(uow.connection)


def check_pair(base: str, quote: str) -> tuple[str, str]:
    base, quote = base.strip().upper(), quote.strip().upper()
    if base not in FOREIGN or quote != PIVOT:
        raise unsupported_pair()
    return base, quote


def check_mid(text: str) -> str:
    """A positive decimal string (at most 6 digits before and 10 after the point), kept exact."""
    raw = text.strip()
    value = Decimal(raw) if _RATE_TEXT.match(raw) else Decimal(0)
    if value <= 0:
        raise ValidationFailed(
            "invalid_fx_rate",
            N_("Enter the rate as a number above zero with at most 10 decimal places."),
            field="mid",
        )
    return exact_text(value)


def check_spread(spread_bps: int) -> int:
    if not 0 <= spread_bps <= MAX_SPREAD_BPS:
        raise ValidationFailed(
            "invalid_fx_spread",
            N_("The spread must be between 0 and {max} basis points."),
            field="spread_bps",
            max=MAX_SPREAD_BPS,
        )
    return spread_bps


def current_rates(uow: UnitOfWork, at: datetime) -> dict[str, FxRate]:
    """Each foreign currency's rate in effect at `at` (pairs never set are absent)."""
    repository = rate_repository(uow)
    found = {c: repository.current(c, PIVOT, at) for c in FOREIGN}
    return {currency: rate for currency, rate in found.items() if rate is not None}


def rates_now(rt: Runtime) -> list[FxRate]:
    with rt.db.uow(read_only=True) as uow:
        return list(current_rates(uow, rt.clock.now()).values())


def set_rate(
    rt: Runtime,
    actor: Actor,
    *,
    base: str,
    quote: str,
    mid: str,
    spread_bps: int,
    effective_at: datetime | None = None,
) -> FxRate:
    """check_set_rate: add a rate for the pair, in effect from `effective_at` (now by default;
    never in the past, so history is never rewritten), and audit the change."""
    base, quote = check_pair(base, quote)
    mid_text = check_mid(mid)
    check_spread(spread_bps)
    now = rt.clock.now()
    # The API speaks UTC; a time without a zone is read as UTC rather than refused.
    when = now if effective_at is None else effective_at.replace(tzinfo=effective_at.tzinfo or UTC)
    if when < now:
        raise ValidationFailed(
            "fx_effective_in_past",
            N_("A new rate can take effect now or later, not in the past."),
            field="effective_at",
        )
    with rt.db.uow() as uow:
        repository = rate_repository(uow)
        previous = repository.current(base, quote, now)
        rate = repository.add(
            FxRate(
                id=None,
                base=base,
                quote=quote,
                mid=mid_text,
                spread_bps=spread_bps,
                set_by=actor.id,
                effective_at=when,
                created_at=now,
            )
        )
        record(
            uow,
            at=now,
            actor=actor,
            action="fx.rate_set",
            subject_kind="fx_pair",
            subject_id=rate.pair,
            details={
                "mid": mid_text,
                "spread_bps": spread_bps,
                "effective_at": when.isoformat(),
                "previous_mid": previous.mid if previous else None,
                "previous_spread_bps": previous.spread_bps if previous else None,
            },
        )
        uow.commit()
    return rate


def rate_history(rt: Runtime, base: str, quote: str, *, limit: int = HISTORY_MAX) -> list[FxRate]:
    """Every rate set for the pair, newest effective time first (future ones included)."""
    base, quote = check_pair(base, quote)
    with rt.db.uow(read_only=True) as uow:
        return rate_repository(uow).history(base, quote, limit=min(limit, HISTORY_MAX))


def seed_demo_rates(rt: Runtime) -> list[FxRate]:
    """Give every pair that has no rate yet the illustrative DEMO_RATES, set by the system.
    Safe to run again: pairs that already have a rate are left alone."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        missing = [c for c in FOREIGN if c not in current_rates(uow, now)]
    return [
        set_rate(
            rt,
            Actor.system(),
            base=currency,
            quote=PIVOT,
            mid=DEMO_RATES[currency][0],
            spread_bps=DEMO_RATES[currency][1],
        )
        for currency in missing
    ]
