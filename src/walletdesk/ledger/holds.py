"""Holds: TigerBeetle's pending transfers in relational form.

A hold moves money from available to held on one account. It is then captured (up to the held
amount, posted as an entry to the given destination) or released, exactly once; a hold past
its expiry on the injected clock is released by `expire_holds`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.errors import InsufficientFunds
from walletdesk.ledger.models import Hold, HoldStatus, Leg, PostedEntry
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def place_hold(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    account_id: str,
    amount: Money,
    purpose: str,
    ttl: timedelta,
    reference: str | None = None,
    locale: str = "zh-CN",
) -> Hold:
    if amount.minor <= 0:
        raise ValidationFailed("invalid_amount", field="amount")
    if uow.accounts.apply(account_id, posted=0, held=amount.minor) is None:
        account = uow.accounts.get(account_id)
        available = Money(account.available if account else 0, amount.currency)
        raise InsufficientFunds(available=available.format(locale))
    now = rt.clock.now()
    hold = Hold(
        id=new_id(rt.random, "hld"),
        account_id=account_id,
        amount=amount.minor,
        currency=amount.currency,
        status=HoldStatus.PENDING,
        purpose=purpose,
        reference=reference,
        created_at=now,
        expires_at=now + ttl,
    )
    uow.holds.add(hold)
    return hold


def _pending(uow: UnitOfWork, hold_id: str) -> Hold:
    hold = uow.holds.get(hold_id, for_update=True)
    if hold is None:
        raise NotFound("hold_not_found")
    if hold.status != HoldStatus.PENDING:
        raise Conflict(
            "hold_not_pending",
            N_("This reservation was already settled ({status})."),
            status=hold.status,
        )
    return hold


def capture_hold(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    hold_id: str,
    amount: Money,
    to_legs: list[Leg],
    kind: str,
    description: str,
    details: dict[str, object] | None = None,
) -> PostedEntry:
    """Settle a hold: post `amount` (≤ held) out of the held account to `to_legs`; the rest
    of the hold goes back to available. Once only: the hold row is locked and checked."""
    hold = _pending(uow, hold_id)
    if hold.expires_at <= rt.clock.now():
        # Past its expiry a hold only waits for `expire_holds` to give the money back; settling
        # it now would move money the payer was told is free again (TigerBeetle refuses too).
        raise Conflict(
            "hold_expired",
            N_("This reservation expired at {expires_at} and can no longer be settled."),
            expires_at=hold.expires_at,
        )
    if amount.currency != hold.currency or not 0 < amount.minor <= hold.amount:
        raise ValidationFailed(
            "capture_exceeds_hold",
            N_("The amount to settle must be above zero and at most the amount reserved."),
            field="amount",
        )
    released = uow.accounts.apply(hold.account_id, posted=0, held=-hold.amount)
    assert released is not None, "releasing a pending hold cannot break a constraint"
    posted = post_entry(
        rt,
        uow,
        kind=kind,
        description=description,
        details=details,
        legs=[Leg(hold.account_id, -amount.minor, hold.currency), *to_legs],
    )
    hold.status = HoldStatus.CAPTURED
    hold.captured_amount = amount.minor
    hold.capture_entry_id = posted.entry.id
    hold.resolved_at = rt.clock.now()
    uow.holds.save(hold)
    return posted


def release_hold(
    rt: Runtime, uow: UnitOfWork, *, hold_id: str, status: HoldStatus = HoldStatus.RELEASED
) -> Hold:
    hold = _pending(uow, hold_id)
    released = uow.accounts.apply(hold.account_id, posted=0, held=-hold.amount)
    assert released is not None, "releasing a pending hold cannot break a constraint"
    hold.status = status
    hold.resolved_at = rt.clock.now()
    uow.holds.save(hold)
    return hold


def expire_holds(rt: Runtime, *, limit: int = 500) -> int:
    """Release every pending hold whose expiry has passed; returns how many."""
    with rt.db.uow() as uow:
        expired = uow.holds.expired_pending(rt.clock.now(), limit=limit)
        released = 0
        for hold_id in expired:
            try:
                release_hold(rt, uow, hold_id=hold_id, status=HoldStatus.EXPIRED)
            except Conflict:
                # Captured or released after we listed it (we waited on its row lock): it is
                # settled already, and the rest of the batch must still expire.
                continue
            released += 1
        uow.commit()
    return released
