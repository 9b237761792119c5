"""What every outbound message adapter offers."""

from __future__ import annotations

from typing import Protocol

from walletdesk.notify.models import Delivery


class DeliveryFailed(Exception):
    """The provider refused or could not be reached; the outbox retries later."""


class MessageSender(Protocol):
    def send(self, delivery: Delivery) -> None:
        """Send once. Must be safe to call again with the same `delivery.id` (de-duplicated)."""
        ...
