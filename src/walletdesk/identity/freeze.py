"""Self-service freeze: at once, no questions but a reason. Unfreezing needs a step-up.

A frozen wallet can still sign in and look; the ledger refuses money movement out of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.codes import invalid_code
from walletdesk.identity.factors import check_step_up
from walletdesk.identity.notices import notify_owner

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

FREEZE_REASONS = ("lost_phone", "suspected_theft", "suspicious_activity", "other")
NOTE_MAX = 200


def freeze_wallet(
    rt: Runtime, actor: Authenticated, *, reason: str, note: str | None, ip: str | None
) -> None:
    if reason not in FREEZE_REASONS:
        raise ValidationFailed(
            "invalid_freeze_reason",
            N_("Choose why you are freezing your wallet."),
            field="reason",
        )
    text = (note or "").strip()[:NOTE_MAX]
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        if user.is_frozen:
            return  # freezing twice is harmless and must never fail for a worried user
        user.freeze(now, f"{reason}: {text}" if text else reason)
        uow.users.save(user)
        record_for_user(
            uow, now, Actor.user(user.id, ip), "wallet.frozen", user.id, reason=reason, by="self"
        )
        notify_owner(rt, uow, user, "wallet.frozen", now)
        uow.commit()


def unfreeze_wallet(
    rt: Runtime,
    actor: Authenticated,
    *,
    totp_code: str | None,
    otp_code: str | None,
    ip: str | None,
) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        if not user.is_frozen:
            raise Conflict("not_frozen", N_("Your wallet is not frozen."))
        method = check_step_up(rt, uow, user, totp_code=totp_code, otp_code=otp_code)
        if method is None:
            uow.users.save(user)
            record_for_user(uow, now, Actor.user(user.id, ip), "wallet.unfreeze_failed", user.id)
            uow.commit()
            raise invalid_code()
        user.unfreeze(now)
        uow.users.save(user)
        record_for_user(
            uow, now, Actor.user(user.id, ip), "wallet.unfrozen", user.id, step_up=method
        )
        notify_owner(rt, uow, user, "wallet.unfrozen", now)
        uow.commit()


def do_freeze_for_case(
    rt: Runtime, uow: UnitOfWork, user_id: str, *, reason: str, staff_id: str, case_id: str
) -> bool:
    """Freeze a customer's wallet from a support case, inside the caller's unit of work: at
    once, like the owner's own freeze. False when it was frozen already (harmless)."""
    now = rt.clock.now()
    user = uow.users.get(user_id, for_update=True)
    if user is None:
        raise NotFound("user_not_found")
    if user.is_frozen:
        return False
    user.freeze(now, f"support: {reason.strip()}"[:NOTE_MAX])
    uow.users.save(user)
    record_for_user(
        uow, now, Actor.staff(staff_id), "wallet.frozen", user.id, by="support", case_id=case_id
    )
    notify_owner(rt, uow, user, "wallet.frozen", now)
    return True


def do_unfreeze_for_case(
    rt: Runtime, uow: UnitOfWork, user_id: str, *, staff_id: str, approved_by: str, case_id: str
) -> bool:
    """Unfreeze a customer's wallet once a support case's unfreeze was approved (maker-checker
    replaces the owner's step-up), inside the caller's unit of work. False when it was not
    frozen any more."""
    now = rt.clock.now()
    user = uow.users.get(user_id, for_update=True)
    if user is None:
        raise NotFound("user_not_found")
    if not user.is_frozen:
        return False
    user.unfreeze(now)
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        Actor.staff(staff_id),
        "wallet.unfrozen",
        user.id,
        by="support",
        case_id=case_id,
        approved_by=approved_by,
    )
    notify_owner(rt, uow, user, "wallet.unfrozen", now)
    return True
