"""Live-chat records: read receipts, open sockets, agents' presence, hand-off requests.

Plain dataclasses; `storage/repositories/chat.py` maps them to the `chat_*` tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from walletdesk.clock import as_utc

PRESENCE_TTL = timedelta(seconds=90)
"""A socket counts as open while its server refreshed it within this time. Servers refresh
their sockets every `HEARTBEAT` seconds, so a crashed server's sockets fade out by themselves."""
HEARTBEAT = timedelta(seconds=30)


class ReaderKind(StrEnum):
    CONTACT = "contact"
    AGENT = "agent"


class SocketKind(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


@dataclass(frozen=True)
class ReadMark:
    """Who read a conversation up to which message id (ids increase within a conversation)."""

    conversation_id: str
    reader_kind: str
    reader_id: str
    up_to: int
    read_at: datetime


@dataclass(frozen=True)
class SocketRecord:
    """One open WebSocket, as every server process sees it (`node` is the process)."""

    id: str
    node: str
    kind: str
    user_id: str
    contact_id: str | None
    conversation_id: str | None
    connected_at: datetime
    seen_at: datetime

    def is_live(self, now: datetime) -> bool:
        return now - self.seen_at < PRESENCE_TTL


@dataclass(frozen=True)
class Presence:
    status: str
    """online / away / offline for agents; online / offline for customers."""
    last_seen_at: datetime | None
    """When a socket of theirs was last known open (None: not seen lately)."""

    @property
    def last_seen_iso(self) -> str | None:
        return self.last_seen_at.isoformat() if self.last_seen_at else None


@dataclass
class HandoffRequest:
    """A customer asked for a person while no agent was on duty: the assistant keeps the
    conversation and the hand-off happens at `due_at`, when agents come online."""

    conversation_id: str
    case_id: str
    reason: str | None
    requested_at: datetime
    due_at: datetime
    done_at: datetime | None = None


class SessionState:
    """What the chat fan-out needs of a socket's session: whether it still holds, and the
    user's staff roles now."""

    __slots__ = ("expires_at", "revoked_at", "roles")

    def __init__(
        self, revoked_at: datetime | None, expires_at: datetime, roles: frozenset[str]
    ) -> None:
        self.revoked_at = revoked_at
        self.expires_at = expires_at
        self.roles = roles

    def is_active(self, now: datetime) -> bool:
        """As `identity.models.Session.is_active`."""
        return self.revoked_at is None and as_utc(self.expires_at) > now
