"""The limits table as admins set it from the console: per transaction, per day and per year
for each KYC tier of personal accounts, and for business accounts.

The code's defaults (`limits.PERSONAL_LIMITS`, `limits.BUSINESS_LIMIT`, modelled on the
PBOC's account classes) apply until an admin changes a class; each change is a new row of
`config_limits` (append-only, so the rows are the versions) and the latest row of a class is
in force. `limits.limit_for` and the transfer engine read the table in the paying unit of
work, so a change applies to the next payment, and usage already counted stays counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.limits import BUSINESS_LIMIT, PERSONAL_LIMITS, Limit
from walletdesk.ledger.money import MAX_MINOR, Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.config import LimitRepository
    from walletdesk.storage.uow import UnitOfWork

HISTORY_MAX = 50


class AccountType(StrEnum):
    PERSONAL = "personal"
    BUSINESS = "business"


@dataclass(frozen=True)
class LimitVersion:
    id: int
    account_type: str
    kyc_tier: int
    """0 for business accounts (they have one class)."""
    limit: Limit
    set_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class LimitTable:
    personal: dict[int, Limit]
    business: Limit
    versions: dict[tuple[str, int], LimitVersion] = field(default_factory=dict)
    """The stored version in force of each class an admin changed."""

    def for_tier(self, kyc_tier: int, *, business: bool = False) -> Limit:
        if business:
            return self.business
        return self.personal[max(0, min(kyc_tier, max(self.personal)))]


DEFAULT_TABLE = LimitTable(personal=dict(PERSONAL_LIMITS), business=BUSINESS_LIMIT)


def limit_repository(uow: UnitOfWork) -> LimitRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.config import LimitRepository

    return LimitRepository(uow.connection)


def limit_table(uow: UnitOfWork) -> LimitTable:
    """The limits in force: the defaults with the latest stored version of each class."""
    versions = limit_repository(uow).current()
    if not versions:
        return DEFAULT_TABLE
    personal = dict(PERSONAL_LIMITS)
    business = BUSINESS_LIMIT
    for (account_type, tier), version in versions.items():
        if account_type == AccountType.BUSINESS:
            business = version.limit
        elif tier in personal:
            personal[tier] = version.limit
    return LimitTable(personal=personal, business=business, versions=versions)


def _refused(field_name: str, message: str, **params: object) -> ValidationFailed:
    return ValidationFailed("invalid_limit", message, field=field_name, **params)


def check_class(account_type: str, kyc_tier: str) -> tuple[AccountType, int]:
    try:
        kind = AccountType(account_type.strip())
    except ValueError:
        raise _refused("account_type", N_("Choose personal or business.")) from None
    if kind is AccountType.BUSINESS:
        return kind, 0
    raw = kyc_tier.strip()
    if not raw.isdigit() or int(raw) not in PERSONAL_LIMITS:
        raise _refused(
            "kyc_tier",
            N_("Choose a KYC tier from {low} to {high}."),
            low=min(PERSONAL_LIMITS),
            high=max(PERSONAL_LIMITS),
        )
    return kind, int(raw)


def check_limit(per_transaction: str, per_day: str, per_year: str) -> Limit:
    """Three CNY amounts, each above zero, per transaction ≤ per day ≤ per year."""
    amounts = {
        name: Money.parse(text, "CNY", field=name).minor
        for name, text in (
            ("per_transaction", per_transaction),
            ("per_day", per_day),
            ("per_year", per_year),
        )
    }
    for name, minor in amounts.items():
        if minor > MAX_MINOR // 1000:
            raise _refused(name, N_("This amount is too large."))
    if amounts["per_day"] < amounts["per_transaction"]:
        raise _refused("per_day", N_("The daily limit cannot be below the single-payment limit."))
    if amounts["per_year"] < amounts["per_day"]:
        raise _refused("per_year", N_("The yearly limit cannot be below the daily limit."))
    return Limit(amounts["per_transaction"], amounts["per_day"], amounts["per_year"])


def set_limit(
    rt: Runtime,
    actor: Actor,
    *,
    account_type: str,
    kyc_tier: str,
    per_transaction: str,
    per_day: str,
    per_year: str,
) -> LimitVersion:
    """check_set_limit: store a new version of one class's limits and audit the change."""
    kind, tier = check_class(account_type, kyc_tier)
    chosen = check_limit(per_transaction, per_day, per_year)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        before = limit_table(uow).for_tier(tier, business=kind is AccountType.BUSINESS)
        version = limit_repository(uow).add(kind.value, tier, chosen, set_by=actor.id, at=now)
        record(
            uow,
            at=now,
            actor=actor,
            action="limits.set",
            subject_kind="limit_class",
            subject_id=f"{kind.value}:{tier}",
            details={
                "version": version.id,
                "per_transaction": chosen.per_transaction,
                "per_day": chosen.per_day,
                "per_year": chosen.per_year,
                "previous": [before.per_transaction, before.per_day, before.per_year],
            },
        )
        uow.commit()
    return version


def limits_now(rt: Runtime) -> LimitTable:
    with rt.db.uow(read_only=True) as uow:
        return limit_table(uow)


def limit_history(rt: Runtime, *, limit: int = HISTORY_MAX) -> list[LimitVersion]:
    """Every stored version of every class, newest first."""
    with rt.db.uow(read_only=True) as uow:
        return limit_repository(uow).history(limit=min(limit, HISTORY_MAX))
