"""Verification (审核) and registered outbound contacts: the domain objects.

A *verification* belongs to one case of type verification. It says why we must be sure the
customer is who they say (`Reason`), what it unblocks (a generic operation reference the
risk or maker-checker code resolves through `verification_operations`), whether an in-app
challenge was asked for and passed, and how it ended (`Outcome`).

An *outbound contact* is one time a staff member reaches a customer (a call, an SMS, a chat,
an email, a WeChat message). Each is registered before it happens, with a one-time contact
code the customer can check in the app and through "Is this really walletdesk?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from walletdesk.errors import Conflict
from walletdesk.i18n import N_


class Reason(StrEnum):
    ACCOUNT_ABNORMALITY = "account_abnormality"  # 账户异常
    AMOUNT_ABNORMALITY = "amount_abnormality"  # 金额异常
    PERSONAL_INFO_CHANGE = "personal_info_change"  # 个人信息变更
    LARGE_TRANSACTION = "large_transaction"  # 大额交易身份核验
    LOCKED_FEATURE = "locked_feature"  # 功能锁定后的身份核验


REASON_NAMES: dict[Reason, str] = {
    Reason.ACCOUNT_ABNORMALITY: N_("unusual account activity"),
    Reason.AMOUNT_ABNORMALITY: N_("an unusual amount"),
    Reason.PERSONAL_INFO_CHANGE: N_("a change of personal information"),
    Reason.LARGE_TRANSACTION: N_("a large transaction"),
    Reason.LOCKED_FEATURE: N_("unlocking a locked feature"),
}


class Outcome(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    SUSPICIOUS = "suspicious"


class VerificationState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    FAILED = "failed"
    SUSPICIOUS = "suspicious"


class ChallengeState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    PASSED = "passed"
    FAILED = "failed"


class ChallengeMethod(StrEnum):
    TOTP = "totp"
    """The authenticator app (a recovery code is accepted as well)."""
    CODE = "code"
    """A one-time code texted to the registered phone (emailed when there is none)."""


def already_decided() -> Conflict:
    return Conflict("verification_decided", N_("This verification has already been decided."))


@dataclass
class Verification:
    id: str
    case_id: str
    user_id: str
    reason: str
    state: str
    created_at: datetime
    opened_by_kind: str
    opened_by: str | None = None
    operation_kind: str | None = None
    operation_ref: str | None = None
    note: str | None = None
    challenge_state: str = ChallengeState.NONE.value
    challenge_method: str | None = None
    challenge_requested_at: datetime | None = None
    challenge_expires_at: datetime | None = None
    challenge_passed_at: datetime | None = None
    challenge_attempts: int = 0
    decided_at: datetime | None = None
    decided_by: str | None = None
    outcome_note: str | None = None
    operation_result: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.state == VerificationState.PENDING

    def challenge_open(self, now: datetime) -> bool:
        """A challenge was asked for, is not answered yet and has not run out (the expiry
        instant itself is too late)."""
        return (
            self.is_pending
            and self.challenge_state == ChallengeState.REQUESTED
            and self.challenge_expires_at is not None
            and now < self.challenge_expires_at
        )

    def request_challenge(self, method: ChallengeMethod, now: datetime, ttl: timedelta) -> None:
        if not self.is_pending:
            raise already_decided()
        if self.challenge_state == ChallengeState.PASSED:
            raise Conflict("challenge_passed", N_("The customer has already confirmed it is them."))
        self.challenge_state = ChallengeState.REQUESTED.value
        self.challenge_method = method.value
        self.challenge_requested_at = now
        self.challenge_expires_at = now + ttl
        self.challenge_attempts = 0

    def record_wrong_answer(self, max_attempts: int) -> bool:
        """Count a wrong code; True when that used up the attempts (the challenge failed)."""
        self.challenge_attempts += 1
        if self.challenge_attempts >= max_attempts:
            self.challenge_state = ChallengeState.FAILED.value
            return True
        return False

    def pass_challenge(self, method: str, now: datetime) -> None:
        self.challenge_state = ChallengeState.PASSED.value
        self.challenge_method = method
        self.challenge_passed_at = now

    def decide(self, outcome: Outcome, *, by: str | None, now: datetime, note: str | None) -> None:
        if not self.is_pending:
            raise already_decided()
        self.state = VerificationState(outcome.value).value
        self.decided_at = now
        self.decided_by = by
        self.outcome_note = note


class ContactChannel(StrEnum):
    CALL = "call"
    SMS = "sms"
    CHAT = "chat"
    EMAIL = "email"
    WECHAT = "wechat"


CHANNEL_NAMES: dict[ContactChannel, str] = {
    ContactChannel.CALL: N_("phone call"),
    ContactChannel.SMS: N_("text message"),
    ContactChannel.CHAT: N_("in-app chat"),
    ContactChannel.EMAIL: N_("email"),
    ContactChannel.WECHAT: N_("WeChat"),
}


class ContactPurpose(StrEnum):
    """What a contact is about, as far as anyone checking a contact code may know."""

    VERIFICATION = "verification"
    CASE_FOLLOW_UP = "case_follow_up"
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    SECURITY_ALERT = "security_alert"


PURPOSE_NAMES: dict[ContactPurpose, str] = {
    ContactPurpose.VERIFICATION: N_("an identity verification"),
    ContactPurpose.CASE_FOLLOW_UP: N_("following up your help request"),
    ContactPurpose.COMPLAINT: N_("your complaint"),
    ContactPurpose.DISPUTE: N_("a transaction you disputed"),
    ContactPurpose.SECURITY_ALERT: N_("a security alert on your account"),
}


@dataclass
class OutboundContact:
    id: str
    contact_id: str
    user_id: str | None
    agent_id: str
    channel: str
    purpose: str
    source: str
    """The official number, address or account the contact comes from (public)."""
    destination_enc: str
    """Where it goes: the customer's phone, email, WeChat OpenID or wallet id, encrypted."""
    code_digest: str
    code_enc: str
    window_start: datetime
    window_end: datetime
    """The contact happens, and its code checks out, from `window_start` until just before
    `window_end`."""
    created_at: datetime
    case_id: str | None = None
    verification_id: str | None = None
    completed_at: datetime | None = None

    def is_live(self, now: datetime) -> bool:
        return self.window_start <= now < self.window_end

    def is_upcoming_or_live(self, now: datetime) -> bool:
        """Still worth showing the customer: not completed and not over."""
        return self.completed_at is None and now < self.window_end
