"""Signing in and out: password, lock-out, second factor, sessions and devices."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NoReturn

from walletdesk.audit.services import Actor, record, record_for_user
from walletdesk.errors import AccountLocked, AuthenticationFailed, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.contacts import parse_login
from walletdesk.identity.devices import describe_device, device_fingerprint
from walletdesk.identity.factors import check_second_factor
from walletdesk.identity.models import Device, LoginChallenge, Session, SessionKind, User
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.vault import login_index
from walletdesk.randomness import new_id, token_urlsafe

if TYPE_CHECKING:
    from walletdesk.identity.context import RequestContext
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(seconds=60)
CHALLENGE_MAX_ATTEMPTS = 5


def token_hash(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def wrong_credentials() -> AuthenticationFailed:
    return AuthenticationFailed(
        "invalid_credentials", N_("The phone number, email or password is not right.")
    )


@dataclass(frozen=True)
class SignedIn:
    session: Session
    token: str
    user: User


@dataclass(frozen=True)
class TwoFactorChallenge:
    challenge_token: str
    methods: tuple[str, ...]
    expires_at: datetime


def login(
    rt: Runtime, *, login_text: str, password: str, kind: SessionKind, request: RequestContext
) -> SignedIn | TwoFactorChallenge:
    """check_login: the password step. Returns a session, or a challenge when 2FA is on."""
    if request.ip:
        rt.limiter.hit("login_ip", request.ip, rt.rates.login_ip)
    try:
        _, normalised = parse_login(login_text)
    except ValidationFailed:
        rt.passwords.verify_dummy(password)
        raise wrong_credentials() from None
    index = login_index(rt.cipher, normalised)
    rt.limiter.hit("login_account", index, rt.rates.login_account)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get_by_login_index(index, for_update=True)
        if user is None:
            rt.passwords.verify_dummy(password)
            record(
                uow,
                at=now,
                actor=Actor.anonymous(request.ip),
                action="login.failed",
                details={"reason": "unknown_login"},
            )
            uow.commit()
            raise wrong_credentials()
        actor = Actor.user(user.id, request.ip)
        remaining = user.lock_remaining(now)
        if remaining is not None:
            rt.passwords.verify_dummy(password)
            record_for_user(uow, now, actor, "login.refused_locked", user.id)
            uow.commit()
            raise AccountLocked(retry_after=int(remaining.total_seconds()))
        if not rt.passwords.verify(user.password_hash, password):
            _count_wrong_password(rt, uow, user, actor, now)
        user.record_successful_password(now)
        if rt.passwords.needs_rehash(user.password_hash):
            user.password_hash = rt.passwords.hash(password)
        roles = uow.staff_roles.roles_of(user.id)
        if roles and not user.has_totp:
            uow.users.save(user)
            record_for_user(uow, now, actor, "login.refused_staff_without_totp", user.id)
            uow.commit()
            raise AuthenticationFailed(
                "staff_totp_required",
                N_("Staff accounts must have an authenticator app. Ask an admin to enrol you."),
            )
        if user.has_totp:
            uow.users.save(user)
            token = token_urlsafe(rt.random)
            expires_at = now + timedelta(seconds=rt.settings.login_challenge_ttl_seconds)
            uow.login_challenges.add(
                LoginChallenge(
                    id=new_id(rt.random, "lch"),
                    user_id=user.id,
                    token_hash=token_hash(token),
                    kind=kind,
                    device_fingerprint=device_fingerprint(rt.cipher, request),
                    device_name=describe_device(request.user_agent),
                    ip=request.ip,
                    user_agent=(request.user_agent or "")[:300] or None,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
            record_for_user(uow, now, actor, "login.password_ok_awaiting_2fa", user.id)
            uow.commit()
            return TwoFactorChallenge(token, ("totp", "recovery_code"), expires_at)
        signed_in = _open_session(rt, uow, user, kind, request, two_factor=False)
        uow.commit()
        return signed_in


def _count_wrong_password(
    rt: Runtime, uow: UnitOfWork, user: User, actor: Actor, now: datetime
) -> NoReturn:
    lock_for = timedelta(minutes=rt.settings.lockout_minutes)
    locked = user.record_failed_password(now, rt.settings.lockout_threshold, lock_for)
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        actor,
        "login.failed",
        user.id,
        reason="wrong_password",
        failures=user.failed_login_count,
    )
    if not locked:
        uow.commit()
        raise wrong_credentials()
    record_for_user(
        uow, now, Actor.system(), "account.locked", user.id, minutes=rt.settings.lockout_minutes
    )
    notify_owner(rt, uow, user, "account.locked", now, minutes=rt.settings.lockout_minutes)
    uow.commit()
    raise AccountLocked(retry_after=int(lock_for.total_seconds()))


def complete_two_factor(
    rt: Runtime, *, challenge_token: str, code: str, request: RequestContext
) -> SignedIn:
    """check_two_factor: the second step of a login that needs a TOTP or recovery code."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        challenge = uow.login_challenges.get_by_token_hash(token_hash(challenge_token))
        if (
            challenge is None
            or challenge.consumed_at is not None
            or challenge.expires_at <= now
            or challenge.attempts >= CHALLENGE_MAX_ATTEMPTS
        ):
            raise AuthenticationFailed(
                "challenge_expired", N_("This sign-in has expired. Please sign in again.")
            )
        user = uow.users.get(challenge.user_id, for_update=True)
        assert user is not None
        challenge.attempts += 1
        method = check_second_factor(rt, uow, user, code)
        actor = Actor.user(user.id, request.ip)
        if method is None:
            uow.login_challenges.save(challenge)
            record_for_user(uow, now, actor, "login.2fa_failed", user.id)
            uow.commit()
            raise AuthenticationFailed(
                "invalid_code", N_("The code is wrong or has expired. Request a new one if needed.")
            )
        challenge.consumed_at = now
        uow.login_challenges.save(challenge)
        uow.users.save(user)
        # The challenge carries the device seen at the password step, so both steps agree.
        fingerprinted = _ChallengeRequest(challenge)
        signed_in = _open_session(
            rt,
            uow,
            user,
            SessionKind(challenge.kind),
            fingerprinted,
            two_factor=True,
            method=method,
            ip=request.ip,
        )
        uow.commit()
        return signed_in


@dataclass(frozen=True)
class _ChallengeRequest:
    challenge: LoginChallenge


def _open_session(
    rt: Runtime,
    uow: UnitOfWork,
    user: User,
    kind: SessionKind,
    request: RequestContext | _ChallengeRequest,
    *,
    two_factor: bool,
    method: str = "password",
    ip: str | None = None,
) -> SignedIn:
    now = rt.clock.now()
    if isinstance(request, _ChallengeRequest):
        fingerprint = request.challenge.device_fingerprint
        device_name = request.challenge.device_name
        user_agent = request.challenge.user_agent
    else:
        fingerprint = device_fingerprint(rt.cipher, request)
        device_name = describe_device(request.user_agent)
        user_agent = request.user_agent
        ip = request.ip
    device = uow.devices.get_by_fingerprint(user.id, fingerprint)
    is_new_device = device is None
    first_device = is_new_device and not uow.devices.list_for_user(user.id)
    if device is None:
        device = Device(
            id=new_id(rt.random, "dev"),
            user_id=user.id,
            fingerprint=fingerprint,
            name=device_name,
            first_seen_at=now,
            last_seen_at=now,
            last_ip=ip,
        )
        uow.devices.add(device)
    else:
        device.last_seen_at = now
        device.last_ip = ip
        uow.devices.save(device)
    token = token_urlsafe(rt.random)
    session = Session(
        id=new_id(rt.random, "ses"),
        user_id=user.id,
        token_hash=token_hash(token),
        kind=kind,
        device_id=device.id,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=rt.settings.session_idle_days),
        two_factor_at=now if two_factor else None,
    )
    uow.sessions.add(session)
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        Actor.user(user.id, ip),
        "login.succeeded",
        user.id,
        session_id=session.id,
        device_id=device.id,
        method=method,
        new_device=is_new_device,
    )
    if is_new_device and not first_device:
        notify_owner(rt, uow, user, "session.new_device", now, device=device.name)
    return SignedIn(session=session, token=token, user=user)


@dataclass(frozen=True)
class Authenticated:
    user: User
    session: Session
    roles: frozenset[str]


def authenticate(rt: Runtime, token: str, *, ip: str | None, kind: SessionKind) -> Authenticated:
    """Resolve a token to its live session of `kind`; refreshes the idle expiry.

    A browser's cookie token is refused as a bearer token and an API token as a cookie, so a
    token that leaks from one channel cannot be replayed through the other.
    """
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        found = uow.sessions.with_user_by_token_hash(token_hash(token))
    if found is None:
        raise AuthenticationFailed()
    session, user, roles = found
    if not session.is_active(now) or session.kind != kind:
        raise AuthenticationFailed()
    if now - session.last_seen_at >= TOUCH_EVERY:
        # Only write when it is stale: most requests stay read-only.
        session.last_seen_at = now
        session.expires_at = now + timedelta(days=rt.settings.session_idle_days)
        with rt.db.uow() as uow:
            uow.sessions.touch(session.id, now, ip, session.expires_at)
            uow.commit()
    return Authenticated(user=user, session=session, roles=roles)


def logout(rt: Runtime, auth: Authenticated, *, ip: str | None) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        session = uow.sessions.get(auth.session.id, for_update=True)
        if session is None or session.revoked_at is not None:
            return
        session.revoked_at = now
        session.revoked_reason = "logout"
        uow.sessions.save(session)
        record(
            uow,
            at=now,
            actor=Actor.user(auth.user.id, ip),
            action="session.logout",
            subject_kind="session",
            subject_id=session.id,
        )
        uow.commit()
