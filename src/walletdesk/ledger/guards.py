"""Checks every outgoing movement passes, inside the same transaction as its posting."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.models import User
from walletdesk.ledger.errors import WalletFrozen
from walletdesk.ledger.limits import consume_limits, limit_for
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

RECENT_CHANGE_WINDOW = timedelta(hours=24)
RECENT_CHANGE_THRESHOLD = Money(2_000 * 100, "CNY")
"""Above this, a transfer within 24 h of a password reset or contact change is refused."""


def lock_payer(uow: UnitOfWork, user_id: str) -> User:
    """Read the payer under a share lock: a freeze committing meanwhile waits for us, and we
    never pay out of a wallet whose freeze has already committed."""
    user = uow.users.get_for_share(user_id)
    if user is None:
        raise NotFound("user_not_found")
    if user.is_frozen:
        raise WalletFrozen()
    return user


def check_outgoing(
    rt: Runtime, uow: UnitOfWork, payer: User, amount: Money, *, locale: str
) -> None:
    now = rt.clock.now()
    recent = [
        moment
        for moment in (payer.password_reset_at, payer.contact_changed_at)
        if moment is not None and now - moment < RECENT_CHANGE_WINDOW
    ]
    if recent and amount.currency == "CNY" and amount.minor > RECENT_CHANGE_THRESHOLD.minor:
        raise Conflict(
            "recent_security_change",
            N_(
                "Your password or phone number changed less than 24 hours ago, so payments "
                "above {threshold} are paused until {until}. This protects you if someone "
                "else made that change."
            ),
            threshold=RECENT_CHANGE_THRESHOLD.format(locale),
            until=max(recent) + RECENT_CHANGE_WINDOW,
        )
    consume_limits(
        uow,
        subject_id=payer.id,
        amount=amount,
        limit=limit_for(payer.kyc_tier),
        at=now,
        locale=locale,
    )
