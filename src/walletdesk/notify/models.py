"""Outbox and inbox records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    INAPP = "inapp"
    EVENT = "event"  # a domain event for subscribers (webhooks, pushes), not a person


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry; visible to operators


@dataclass
class OutboxMessage:
    id: str
    created_at: datetime
    channel: str
    locale: str
    template: str
    body_enc: str
    status: str
    next_attempt_at: datetime
    user_id: str | None = None
    destination_enc: str | None = None
    subject_enc: str | None = None
    attempts: int = 0
    delivered_at: datetime | None = None
    last_error: str | None = None


@dataclass
class InboxNotification:
    id: str
    user_id: str
    template: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """A message opened for sending: what an adapter needs, decrypted, nothing more."""

    id: str
    channel: str
    user_id: str | None
    destination: str | None
    subject: str | None
    body: str
    template: str
    created_at: datetime
