"""Second factors: TOTP codes and recovery codes, and step-up for sensitive changes."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from walletdesk.errors import StepUpRequired
from walletdesk.i18n import N_
from walletdesk.identity import totp
from walletdesk.identity.codes import check_code
from walletdesk.identity.models import CodePurpose, User
from walletdesk.identity.vault import email_of, phone_of, totp_secret_of

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

RECOVERY = "recovery_code"


def check_totp(rt: Runtime, user: User, code: str) -> bool:
    """Accept a TOTP code once: on success the user's last counter moves forward (caller saves)."""
    secret = totp_secret_of(rt.cipher, user)
    if secret is None or not user.has_totp:
        return False
    counter = totp.matching_counter(
        secret, code, rt.clock.now(), last_counter=user.totp_last_counter
    )
    if counter is None:
        return False
    user.totp_last_counter = counter
    return True


def check_recovery_code(rt: Runtime, uow: UnitOfWork, user: User, code: str) -> bool:
    digest = rt.cipher.keyed_digest(totp.normalise_recovery_code(code), RECOVERY)
    for candidate in uow.recovery_codes.unused_for_user(user.id):
        if hmac.compare_digest(candidate.code_digest, digest):
            return uow.recovery_codes.mark_used(candidate.id, rt.clock.now())
    return False


def check_second_factor(rt: Runtime, uow: UnitOfWork, user: User, code: str) -> str | None:
    """Return the method that accepted `code` ("totp" or "recovery_code"), or None."""
    if totp.looks_like_recovery_code(code):
        return RECOVERY if check_recovery_code(rt, uow, user, code) else None
    return "totp" if check_totp(rt, user, code) else None


def step_up_required() -> StepUpRequired:
    return StepUpRequired(
        "step_up_required",
        N_("Confirm it is you: enter the code from your authenticator app or the code we sent."),
    )


def check_step_up(
    rt: Runtime,
    uow: UnitOfWork,
    user: User,
    *,
    totp_code: str | None,
    otp_code: str | None,
) -> str | None:
    """Verify a step-up: with 2FA on, a TOTP or recovery code; otherwise a code sent to one of
    the user's current contacts. Returns the method used, None if the code was wrong; raises
    `StepUpRequired` when no usable code was given. The caller saves `user` and commits."""
    if user.has_totp:
        if not totp_code:
            raise step_up_required()
        return check_second_factor(rt, uow, user, totp_code)
    if not otp_code:
        raise step_up_required()
    for destination in (phone_of(rt.cipher, user), email_of(rt.cipher, user)):
        if destination and check_code(
            rt,
            uow,
            purpose=CodePurpose.STEP_UP,
            destination=destination,
            code=otp_code,
            user_id=user.id,
        ):
            return "code"
    return None
