"""One connected chat socket as the hub sees it, and the indexes that find sockets for an
event.

The indexes are copy-on-write: the event loop replaces a key's set instead of changing it, so
the fan-out planner, which runs on a worker thread, can look keys up without a lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from walletdesk.identity.authentication import Authenticated
from walletdesk.support.access import SupportActor
from walletdesk.support.realtime_models import SocketKind, SocketRecord

SEND_QUEUE = 256
"""Frames waiting for one socket; a client that falls this far behind is disconnected and
catches up through the REST API when it reconnects."""


@dataclass(eq=False)
class Listener:
    id: str
    kind: SocketKind
    auth: Authenticated
    actor: SupportActor
    locale: str
    connected_at: datetime
    conversation_id: str | None = None
    case_id: str | None = None
    contact_id: str | None = None
    queue: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=SEND_QUEUE)
    )
    watching: set[str] = field(default_factory=set)
    typing_in: dict[str, str] = field(default_factory=dict)
    """Conversations this agent was allowed to type in, with their case."""
    last_typing: float = 0.0
    message_window: tuple[int, int] = (0, 0)
    """(window number, chat messages sent in it): the socket's own rate limit."""
    close_code: int | None = None
    held: list[str] | None = field(default_factory=list)
    """Frames that arrived before the socket's first frame (`ready`) was sent; None after."""

    @property
    def user_id(self) -> str:
        return self.auth.user.id

    @property
    def session_id(self) -> str:
        return self.auth.session.id

    @property
    def is_staff(self) -> bool:
        return self.kind is SocketKind.STAFF

    def record(self, node: str) -> SocketRecord:
        return SocketRecord(
            id=self.id,
            node=node,
            kind=self.kind.value,
            user_id=self.user_id,
            contact_id=self.contact_id,
            conversation_id=self.conversation_id,
            connected_at=self.connected_at,
            seen_at=self.connected_at,
        )

    def push(self, text: str | None) -> bool:
        """Queue a frame (None: stop the writer); False when the client fell too far behind."""
        if self.held is not None and text is not None:
            self.held.append(text)
            return len(self.held) <= SEND_QUEUE
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    def release(self, first: str) -> bool:
        """Send `first`, then what was held back while it was being prepared."""
        held, self.held = self.held or [], None
        return all(self.push(text) for text in [first, *held])


Group = frozenset[Listener]
EMPTY: Group = frozenset()


@dataclass(frozen=True)
class Audience:
    """Where the planner finds sockets (read-only views of the hub's indexes)."""

    by_conversation: Mapping[str, Group]
    """Customers' sockets by the conversation they opened."""
    by_case: Mapping[str, Group]
    """Customers' sockets by the case of that conversation."""
    staff_by_user: Mapping[str, Group]
    watchers: Mapping[str, Group]
    """Staff sockets following a case (the one open on their screen)."""
    supervisors: Group
    all_staff: Group


class Index:
    """A key → frozenset index changed only by replacing a key's set."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}

    def add(self, key: str, listener: Listener) -> None:
        self.groups[key] = self.groups.get(key, EMPTY) | {listener}

    def discard(self, key: str, listener: Listener) -> None:
        remaining = self.groups.get(key, EMPTY) - {listener}
        if remaining:
            self.groups[key] = remaining
        else:
            self.groups.pop(key, None)
