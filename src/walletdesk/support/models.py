"""Support-desk domain objects: plain dataclasses with behaviour, no framework imports.

A *contact* is whoever asks for help: a wallet user, or a visitor we only know by a phone
number, an email address or a WeChat OpenID. Each of those addresses is an *identity* with an
assurance level. A *case* is one matter (a question, a dispute, ...) and owns one or more
*conversations*, one per channel thread; *messages* live in conversations and are public
(the customer sees them) or internal (notes between staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from walletdesk.support.statuses import Category, Status, check_move


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseType(StrEnum):
    QUESTION = "question"
    PROBLEM = "problem"
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    VERIFICATION = "verification"  # 审核
    DISPUTE = "dispute"  # an unauthorised transaction


DEFAULT_PRIORITY: dict[CaseType, Priority] = {
    CaseType.QUESTION: Priority.NORMAL,
    CaseType.PROBLEM: Priority.NORMAL,
    CaseType.COMPLAINT: Priority.NORMAL,
    CaseType.SUGGESTION: Priority.LOW,
    CaseType.VERIFICATION: Priority.HIGH,
    CaseType.DISPUTE: Priority.HIGH,  # money may still be leaving the account
}


class Channel(StrEnum):
    CHAT = "chat"
    CALL = "call"
    EMAIL = "email"
    WECHAT = "wechat"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class AuthorKind(StrEnum):
    CONTACT = "contact"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class IdentityKind(StrEnum):
    WALLET_USER = "wallet_user"
    PHONE = "phone"
    EMAIL = "email"
    WECHAT_OPENID = "wechat_openid"


class Assurance(StrEnum):
    """How sure we are that the person on a channel is the contact, lowest first."""

    ANONYMOUS = "anonymous"
    LOGGED_IN = "logged_in"
    STEPPED_UP = "stepped_up"

    @property
    def rank(self) -> int:
        return list(Assurance).index(self)

    def at_least(self, other: Assurance) -> bool:
        return self.rank >= other.rank

    def raised_to(self, other: Assurance) -> Assurance:
        """The higher of the two: assurance is only ever raised, never lowered."""
        return other if other.rank > self.rank else self


@dataclass(frozen=True)
class By:
    """Who did something, as the case history records it."""

    kind: AuthorKind
    id: str | None = None

    @classmethod
    def contact(cls, contact_id: str) -> By:
        return cls(AuthorKind.CONTACT, contact_id)

    @classmethod
    def agent(cls, user_id: str) -> By:
        return cls(AuthorKind.AGENT, user_id)

    @classmethod
    def bot(cls, name: str | None = None) -> By:
        return cls(AuthorKind.BOT, name)

    @classmethod
    def system(cls) -> By:
        return cls(AuthorKind.SYSTEM)


@dataclass
class Contact:
    id: str
    display_name: str
    locale: str
    created_at: datetime
    user_id: str | None = None
    """The wallet user, or None for a visitor we only know by a channel identity."""


@dataclass
class Identity:
    """One address of a contact on one channel. The value is stored encrypted; the blind
    index finds it again (`support.contacts` opens and seals it)."""

    id: str
    contact_id: str
    kind: str
    value_index: str
    value_enc: str
    assurance: str
    created_at: datetime
    verified_at: datetime | None = None

    def raise_assurance(self, level: Assurance, now: datetime) -> bool:
        """True when the level went up."""
        current = Assurance(self.assurance)
        raised = current.raised_to(level)
        if raised is current:
            return False
        self.assurance = raised.value
        if raised.at_least(Assurance.LOGGED_IN):
            self.verified_at = now
        return True


@dataclass
class Case:
    id: str
    contact_id: str
    subject: str
    type: str
    priority: str
    category: str
    channel: str
    with_bot: bool
    """True while every conversation of the case is still with the bot (no hand-off yet);
    such a case stays out of agents' queues."""
    version: int
    """Goes up by one with every history event: the optimistic-locking token."""
    locale: str
    created_at: datetime
    updated_at: datetime
    label: str | None = None
    assignee_id: str | None = None
    sla_policy_id: str | None = None
    escalation_level: int = 0
    """Steps of the SLA escalation ladder taken so far."""
    next_escalation_at: datetime | None = None
    """When the next ladder step is due (None: nothing breached, or the ladder is done)."""
    follow_up_of: str | None = None
    police_report_number: str | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def status(self) -> Status:
        return Status(Category(self.category), self.label)

    @property
    def is_closed(self) -> bool:
        return self.category == Category.CLOSED

    def transition_to(self, status: Status, now: datetime) -> Status:
        """Move to `status` if the rules allow it; returns the status before.

        Raises Conflict for a closed case or a move the categories do not allow."""
        before = self.status
        check_move(before, status)
        self.category = status.category.value
        self.label = status.label
        self.updated_at = now
        if status.category is Category.SOLVED:
            self.solved_at = now
        elif status.category is Category.CLOSED:
            self.closed_at = now
        else:
            self.solved_at = None
        return before

    def reopens_on_reply(self, now: datetime, window: timedelta) -> bool:
        """A customer reply reopens a solved case up to `window` after it was solved
        (inclusive); after that the reply starts a linked follow-up case."""
        if self.category != Category.SOLVED or self.solved_at is None:
            return False
        return now <= self.solved_at + window

    def touch(self, now: datetime) -> None:
        self.updated_at = now


@dataclass
class Conversation:
    id: str
    case_id: str
    channel: str
    bot_owned: bool
    assurance: str
    created_at: datetime
    identity_id: str | None = None
    handed_off_at: datetime | None = None

    def hand_off(self, now: datetime) -> bool:
        """Give the conversation to humans; False when it already was."""
        if not self.bot_owned:
            return False
        self.bot_owned = False
        self.handed_off_at = now
        return True


@dataclass
class Message:
    id: int | None
    """Assigned by the database, increasing within a conversation (writers hold the case
    row lock), so it doubles as the pagination cursor and a read-receipt position."""
    case_id: str
    conversation_id: str
    visibility: str
    author_kind: str
    author_id: str | None
    body: str
    created_at: datetime

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


@dataclass
class Attachment:
    id: str
    message_id: int
    case_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    content_enc: str
    created_at: datetime
