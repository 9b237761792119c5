"""Checks every outgoing movement passes, inside the same transaction as its posting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.models import User
from walletdesk.ledger.errors import WalletFrozen
from walletdesk.ledger.limits import cny_equivalent, count_against_limits, limit_for
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def lock_payer(uow: UnitOfWork, user_id: str) -> User:
    """Read the payer under a share lock: a freeze committing meanwhile waits for us, and we
    never pay out of a wallet whose freeze has already committed."""
    user = uow.users.get_for_share(user_id)
    if user is None:
        raise NotFound("user_not_found")
    if user.is_frozen:
        raise WalletFrozen()
    return user


def check_outgoing(rt: Runtime, uow: UnitOfWork, payer: User, amount: Money, *, locale: str) -> int:
    """Refuse the movement, or count it against the payer's limits. Amounts in any currency
    are weighed at their CNY equivalent (see `ledger.limits`); returns the CNY fen counted,
    so a movement that fails later can give back exactly that."""
    now = rt.clock.now()
    counted = cny_equivalent(uow, amount, now)
    window = timedelta(hours=rt.settings.recent_change_hours)
    threshold = Money(rt.settings.recent_change_threshold_yuan * 100, "CNY")
    recent = [
        moment
        for moment in (payer.password_reset_at, payer.contact_changed_at)
        if moment is not None and now - moment < window
    ]
    if recent and counted > threshold.minor:
        raise recent_change_refusal(threshold, max(recent) + window, locale)
    count_against_limits(
        uow,
        subject_id=payer.id,
        counted=counted,
        limit=limit_for(payer.kyc_tier, uow=uow, user_id=payer.id, at=now),
        at=now,
        locale=locale,
    )
    return counted


def recent_change_refusal(threshold: Money, until: datetime, locale: str) -> Conflict:
    return Conflict(
        "recent_security_change",
        N_(
            "Your password or phone number changed recently, so payments above "
            "{threshold} are paused until {until}. This protects you if someone else "
            "made that change."
        ),
        threshold=threshold.format(locale),
        until=until,
    )
