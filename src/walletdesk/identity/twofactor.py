"""Two-factor settings: TOTP enrolment with QR code, recovery codes, step-up codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, Forbidden
from walletdesk.i18n import N_
from walletdesk.identity import totp
from walletdesk.identity.codes import SentCode, invalid_code, send_code
from walletdesk.identity.factors import RECOVERY, check_second_factor
from walletdesk.identity.models import CodePurpose, ContactKind, RecoveryCode, User
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.vault import (
    TOTP_SECRET,
    email_of,
    phone_of,
    totp_secret_of,
)
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


def _account_label(rt: Runtime, user: User) -> str:
    return phone_of(rt.cipher, user) or email_of(rt.cipher, user) or user.id


def begin_totp(rt: Runtime, actor: Authenticated) -> TotpEnrolment:
    """Create a pending secret; it becomes active only when a code from it is confirmed."""
    with rt.db.uow() as uow:
        user = _locked_user(uow, actor)
        if user.has_totp:
            raise Conflict(
                "totp_already_enabled",
                N_("Two-factor sign-in is already on. Turn it off first to use a new app."),
            )
        secret = totp.new_secret(rt.random)
        user.totp_secret_enc = rt.cipher.encrypt(secret, TOTP_SECRET)
        user.totp_last_counter = None
        uow.users.save(user)
        uow.commit()
    uri = totp.provisioning_uri(secret, _account_label(rt, user))
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg_data_uri=totp.qr_svg_data_uri(uri))


def confirm_totp(rt: Runtime, actor: Authenticated, code: str, *, ip: str | None) -> list[str]:
    """Turn TOTP on with a first valid code; returns fresh recovery codes, shown only once."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = _locked_user(uow, actor)
        secret = totp_secret_of(rt.cipher, user)
        if user.has_totp or secret is None:
            raise Conflict(
                "totp_not_pending", N_("Start the authenticator set-up again, then enter a code.")
            )
        counter = totp.matching_counter(secret, code, now, last_counter=None)
        if counter is None:
            raise invalid_code()
        codes = enable_totp(rt, uow, user, counter, actor=Actor.user(user.id, ip))
        uow.commit()
    return codes


def enable_totp(
    rt: Runtime, uow: UnitOfWork, user: User, counter: int, *, actor: Actor
) -> list[str]:
    now = rt.clock.now()
    user.totp_enabled_at = now
    user.totp_last_counter = counter
    user.updated_at = now
    uow.users.save(user)
    codes = _replace_recovery_codes(rt, uow, user)
    record_for_user(uow, now, actor, "2fa.enabled", user.id, method="totp")
    notify_owner(rt, uow, user, "two_factor.enabled", now)
    return codes


def disable_totp(rt: Runtime, actor: Authenticated, code: str, *, ip: str | None) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = _locked_user(uow, actor)
        if not user.has_totp:
            raise Conflict("totp_not_enabled", N_("Two-factor sign-in is not on."))
        if uow.staff_roles.roles_of(user.id):
            raise Forbidden(
                "staff_totp_required",
                N_("Staff accounts must keep two-factor sign-in on."),
            )
        if check_second_factor(rt, uow, user, code) is None:
            uow.users.save(user)
            uow.commit()
            raise invalid_code()
        user.totp_secret_enc = None
        user.totp_enabled_at = None
        user.totp_last_counter = None
        user.updated_at = now
        uow.users.save(user)
        uow.recovery_codes.remove_all_for_user(user.id)
        record_for_user(uow, now, Actor.user(user.id, ip), "2fa.disabled", user.id)
        notify_owner(rt, uow, user, "two_factor.disabled", now)
        uow.commit()


def regenerate_recovery_codes(
    rt: Runtime, actor: Authenticated, code: str, *, ip: str | None
) -> list[str]:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = _locked_user(uow, actor)
        if not user.has_totp:
            raise Conflict("totp_not_enabled", N_("Two-factor sign-in is not on."))
        if check_second_factor(rt, uow, user, code) is None:
            uow.users.save(user)
            uow.commit()
            raise invalid_code()
        uow.users.save(user)
        codes = _replace_recovery_codes(rt, uow, user)
        record_for_user(uow, now, Actor.user(user.id, ip), "2fa.recovery_codes_renewed", user.id)
        uow.commit()
    return codes


def recovery_codes_left(rt: Runtime, actor: Authenticated) -> int:
    with rt.db.uow(read_only=True) as uow:
        return len(uow.recovery_codes.unused_for_user(actor.user.id))


def _replace_recovery_codes(rt: Runtime, uow: UnitOfWork, user: User) -> list[str]:
    now = rt.clock.now()
    uow.recovery_codes.remove_all_for_user(user.id)
    codes = totp.new_recovery_codes(rt.random)
    for code in codes:
        uow.recovery_codes.add(
            RecoveryCode(
                id=new_id(rt.random, "rcv"),
                user_id=user.id,
                code_digest=rt.cipher.keyed_digest(code, RECOVERY),
                created_at=now,
            )
        )
    return codes


def send_step_up_code(rt: Runtime, actor: Authenticated, *, ip: str | None) -> SentCode:
    """Send a step-up code to the user's phone (or email when there is no phone)."""
    with rt.db.uow() as uow:
        user = _locked_user(uow, actor)
        phone = phone_of(rt.cipher, user)
        kind, destination = (
            (ContactKind.PHONE, phone) if phone else (ContactKind.EMAIL, email_of(rt.cipher, user))
        )
        assert destination is not None, "every user has a phone or an email"
        sent = send_code(
            rt,
            uow,
            purpose=CodePurpose.STEP_UP,
            kind=kind,
            destination=destination,
            locale=user.locale,
            actor=Actor.user(user.id, ip),
            user_id=user.id,
        )
        uow.commit()
    return sent


def _locked_user(uow: UnitOfWork, actor: Authenticated) -> User:
    user = uow.users.get(actor.user.id, for_update=True)
    assert user is not None, "an authenticated user exists"
    return user
