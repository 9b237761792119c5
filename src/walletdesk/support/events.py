"""Announcing support changes after commit (STYLE 7: push only after commit, only from services).

Every case-history event is announced once its transaction commits, through the runtime's
`Publisher` (`rt.support_events`). The default publisher calls in-process subscribers; the
live-chat layer replaces it (for example with one that fans out through Redis) or subscribes
to it, and pushes to WebSockets from there. A rolled-back change is never announced.

Internal events (`public` false: notes, assignment, SLA) must never reach a customer's socket.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SupportEvent:
    """What subscribers receive: one committed case-history event."""

    kind: str
    case_id: str
    version: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    public: bool
    """True when the customer may see it (their own messages and the agents' public replies,
    status changes, hand-off)."""
    conversation_id: str | None = None
    after: dict[str, Any] = field(default_factory=dict)
    message: dict[str, Any] | None = None
    """For `message.added`: id, conversation, author, visibility, text, attachments."""
    recipients: tuple[str, ...] = ()
    """Staff user ids to alert (escalations); empty for everyone watching the case."""


Subscriber = Callable[[SupportEvent], None]


class Publisher(Protocol):
    def publish(self, event: SupportEvent) -> None:
        """Deliver a committed event. Must not raise for a subscriber's failure."""
        ...


class InProcessPublisher:
    """Calls every subscriber in this process, in subscription order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it again."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: SupportEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:
                # The change is committed; one failing listener must not stop the others.
                logger.exception("support event subscriber failed kind=%s", event.kind)


def announce_after_commit(uow: UnitOfWork, publisher: Publisher, event: SupportEvent) -> None:
    uow.on_commit(lambda: publisher.publish(event))
