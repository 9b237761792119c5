"""Identity domain objects. Plain dataclasses with behaviour; no framework imports.

Sensitive fields (phone, email, ID number, TOTP secret) are held here only in their encrypted
form (``*_enc``) plus a blind index (``*_index``) for look-ups; `identity.vault` opens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from walletdesk.clock import as_utc


class Locale(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class SessionKind(StrEnum):
    API = "api"  # bearer token
    WEB = "web"  # HttpOnly cookie


class CodePurpose(StrEnum):
    """What a one-time code may be used for; a code for one purpose never works for another."""

    LOGIN = "login"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name
    STEP_UP = "step_up"
    CONTACT_VERIFY = "contact_verify"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Payee:
    """Who a payout pays: enough to credit them and tell them, nothing more."""

    id: str
    display_name: str
    locale: str


@dataclass
class User:
    id: str
    display_name: str
    locale: str
    kyc_tier: int
    password_hash: str
    created_at: datetime
    updated_at: datetime
    phone_enc: str | None = None
    phone_index: str | None = None
    email_enc: str | None = None
    email_index: str | None = None
    id_number_enc: str | None = None
    id_number_index: str | None = None
    real_name_enc: str | None = None
    kyc_submitted_at: datetime | None = None
    password_changed_at: datetime | None = None
    password_reset_at: datetime | None = None
    contact_changed_at: datetime | None = None
    failed_login_count: int = 0
    locked_until: datetime | None = None
    totp_secret_enc: str | None = None
    totp_enabled_at: datetime | None = None
    totp_last_counter: int | None = None
    frozen_at: datetime | None = None
    frozen_reason: str | None = None

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def lock_remaining(self, now: datetime) -> timedelta | None:
        """Time left on a password lock-out, or None when the account is not locked at `now`."""
        if self.locked_until is None:
            return None
        remaining = as_utc(self.locked_until) - now
        return remaining if remaining > timedelta(0) else None

    def record_failed_password(self, now: datetime, threshold: int, lock_for: timedelta) -> bool:
        """Count a wrong password; returns True when this attempt locks the account."""
        if self.locked_until is not None and as_utc(self.locked_until) <= now:
            # An expired lock starts a fresh count: the next 5 failures lock again.
            self.locked_until = None
            self.failed_login_count = 0
        self.failed_login_count += 1
        self.updated_at = now
        if self.failed_login_count >= threshold:
            self.locked_until = now + lock_for
            return True
        return False

    def record_successful_password(self, now: datetime) -> None:
        self.failed_login_count = 0
        self.locked_until = None
        self.updated_at = now

    def freeze(self, now: datetime, reason: str) -> None:
        self.frozen_at = now
        self.frozen_reason = reason
        self.updated_at = now

    def unfreeze(self, now: datetime) -> None:
        self.frozen_at = None
        self.frozen_reason = None
        self.updated_at = now


@dataclass
class Device:
    id: str
    user_id: str
    fingerprint: str
    name: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_ip: str | None


@dataclass
class Session:
    id: str
    user_id: str
    token_hash: str
    kind: str
    device_id: str | None
    ip: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    two_factor_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and as_utc(self.expires_at) > now


@dataclass
class LoginChallenge:
    """A password was right and a second factor is awaited; valid once, for a few minutes."""

    id: str
    user_id: str
    token_hash: str
    kind: str
    device_fingerprint: str
    device_name: str
    ip: str | None
    user_agent: str | None
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None


@dataclass
class OneTimeCode:
    """A 6-digit code sent by SMS or email for exactly one purpose and one destination."""

    id: str
    purpose: str
    channel: str
    destination_index: str
    code_digest: str
    created_at: datetime
    expires_at: datetime
    user_id: str | None = None
    attempts: int = 0
    consumed_at: datetime | None = None
    context_enc: str | None = None


@dataclass
class RecoveryCode:
    id: str
    user_id: str
    code_digest: str
    created_at: datetime
    used_at: datetime | None = None
