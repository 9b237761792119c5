"""Password reset by a code to the phone or email, and password change when signed in.

A reset never bypasses two-factor sign-in: with TOTP on, it also needs a TOTP or recovery code.
It signs out every session, notifies the owner, and records when it happened (the ledger
delays large transfers right after a reset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import AuthenticationFailed, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.codes import check_code, consume_code, invalid_code, send_code
from walletdesk.identity.contacts import parse_login
from walletdesk.identity.factors import check_second_factor
from walletdesk.identity.models import CodePurpose, User
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.passwords import check_password_policy
from walletdesk.identity.vault import email_of, login_index, phone_of

if TYPE_CHECKING:
    from datetime import datetime

    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.context import RequestContext
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


@dataclass(frozen=True)
class ResetRequested:
    expires_in: int


def request_reset(rt: Runtime, *, login_text: str, request: RequestContext) -> ResetRequested:
    """Send a reset code if the account exists; the answer is the same either way."""
    if request.ip:
        rt.limiter.hit("reset_ip", request.ip, rt.rates.reset_ip)
    kind, normalised = parse_login(login_text)
    index = login_index(rt.cipher, normalised)
    rt.limiter.hit("reset_account", index, rt.rates.reset_account)
    with rt.db.uow() as uow:
        user = uow.users.get_by_login_index(index)
        if user is not None:
            send_code(
                rt,
                uow,
                purpose=CodePurpose.PASSWORD_RESET,
                kind=kind,
                destination=normalised,
                locale=user.locale,
                actor=Actor.anonymous(request.ip),
                user_id=user.id,
            )
            record_for_user(
                uow,
                rt.clock.now(),
                Actor.anonymous(request.ip),
                "password_reset.requested",
                user.id,
            )
            uow.commit()
    return ResetRequested(expires_in=rt.settings.otp_ttl_seconds)


def two_factor_needed() -> AuthenticationFailed:
    return AuthenticationFailed(
        "two_factor_required",
        N_(
            "Two-factor sign-in is on: also enter the code from your authenticator app "
            "or a recovery code."
        ),
    )


def confirm_reset(
    rt: Runtime,
    *,
    login_text: str,
    code: str,
    new_password: str,
    second_factor: str | None,
    request: RequestContext,
) -> None:
    if request.ip:
        rt.limiter.hit("reset_ip", request.ip, rt.rates.reset_ip)
    try:
        _, normalised = parse_login(login_text)
    except ValidationFailed:
        raise invalid_code() from None
    # Guesses are bounded per code (5 attempts) and codes per hour by the sending limit.
    index = login_index(rt.cipher, normalised)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get_by_login_index(index, for_update=True)
        if user is None:
            raise invalid_code()
        # The code comes first: until it is right, an unknown account, a weak new password
        # and an account with 2FA all get the same answer, so nothing is enumerated.
        accepted = check_code(
            rt,
            uow,
            purpose=CodePurpose.PASSWORD_RESET,
            destination=normalised,
            code=code,
            user_id=user.id,
            consume=False,  # kept open until every other check passes
        )
        actor = Actor.user(user.id, request.ip)
        if accepted is None:
            _reset_failed(uow, now, actor, user, "code")
            raise invalid_code()
        try:
            check_password_policy(new_password, user_inputs=_password_hints(rt, user))
        except ValidationFailed:
            uow.commit()
            raise
        if user.has_totp and (
            not second_factor or check_second_factor(rt, uow, user, second_factor) is None
        ):
            uow.users.save(user)
            _reset_failed(uow, now, actor, user, "second_factor")
            raise two_factor_needed()
        consume_code(rt, uow, accepted)
        user.password_hash = rt.passwords.hash(new_password)
        user.password_changed_at = now
        user.password_reset_at = now
        user.record_successful_password(now)
        uow.users.save(user)
        revoked = uow.sessions.revoke_all_for_user(user.id, now, "password_reset")
        record_for_user(
            uow, now, actor, "password_reset.completed", user.id, sessions_revoked=revoked
        )
        notify_owner(rt, uow, user, "password.reset_done", now)
        uow.commit()


def _reset_failed(uow: UnitOfWork, now: datetime, actor: Actor, user: User, reason: str) -> None:
    """Record the failed attempt and commit it (the code's attempt count included)."""
    record_for_user(uow, now, actor, "password_reset.failed", user.id, reason=reason)
    uow.commit()


def change_password(
    rt: Runtime,
    actor: Authenticated,
    *,
    current_password: str,
    new_password: str,
    ip: str | None,
) -> None:
    """Change the password while signed in; other sessions are signed out."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        if not rt.passwords.verify(user.password_hash, current_password):
            record_for_user(uow, now, Actor.user(user.id, ip), "password_change.failed", user.id)
            uow.commit()
            raise AuthenticationFailed(
                "invalid_current_password",
                N_("Your current password is not right."),
                field="current_password",
            )
        check_password_policy(new_password, user_inputs=_password_hints(rt, user))
        user.password_hash = rt.passwords.hash(new_password)
        user.password_changed_at = now
        user.updated_at = now
        uow.users.save(user)
        uow.sessions.revoke_all_for_user(
            user.id, now, "password_changed", except_id=actor.session.id
        )
        record_for_user(uow, now, Actor.user(user.id, ip), "password.changed", user.id)
        notify_owner(rt, uow, user, "password.changed", now)
        uow.commit()


def _password_hints(rt: Runtime, user: User) -> list[str]:
    hints = [user.display_name]
    phone = phone_of(rt.cipher, user)
    email = email_of(rt.cipher, user)
    if phone:
        hints += [phone, phone[3:]]
    if email:
        hints += [email, email.split("@")[0]]
    return hints
