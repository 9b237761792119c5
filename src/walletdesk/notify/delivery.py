"""The outbox dispatcher: lease due messages, hand each to its channel, record the outcome.

At least once: a message is leased before sending and marked delivered after; if the process
dies in between, the lease runs out and the message is sent again with the same id, which the
in-app inbox and the providers use to drop the duplicate.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import timedelta

from walletdesk.channels.base import MessageSender
from walletdesk.clock import Clock
from walletdesk.fieldcrypt import FieldCipher
from walletdesk.notify.models import (
    Channel,
    Delivery,
    InboxNotification,
    OutboxMessage,
    OutboxStatus,
)
from walletdesk.notify.outbox import BODY, DESTINATION, SUBJECT
from walletdesk.storage.uow import Database

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** (attempts - 1), 3600))


class InboxSender:
    """The in-app channel: the notification row's id is the outbox id, so it is written once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def send(self, delivery: Delivery) -> None:
        if delivery.user_id is None:
            raise ValueError(f"in-app message {delivery.id} has no user")
        with self._db.uow() as uow:
            uow.inbox.add_once(
                InboxNotification(
                    id=delivery.id,
                    user_id=delivery.user_id,
                    template=delivery.template,
                    title=delivery.subject or "",
                    body=delivery.body,
                    created_at=delivery.created_at,
                )
            )
            uow.commit()


class Dispatcher:
    def __init__(
        self,
        db: Database,
        cipher: FieldCipher,
        clock: Clock,
        senders: Mapping[str, MessageSender],
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._clock = clock
        self._senders = senders
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver(self, ids: list[str] | None = None, *, limit: int = 100) -> int:
        """Deliver due messages (only `ids`, if given); returns how many were delivered.

        One transaction leases the batch, the senders run outside any transaction, and one
        more records every outcome."""
        now = self._clock.now()
        with self._db.uow() as uow:
            claimed = uow.outbox.claim_due(now, now + LEASE, ids=ids, limit=limit)
            uow.commit()
        if not claimed:
            return 0
        failures: dict[str, tuple[int, str]] = {}
        for message in claimed:
            try:
                self._senders[message.channel].send(self._open(message))
            except Exception as exc:  # noqa: BLE001 - any failure is retried, never lost
                failures[message.id] = (message.attempts, f"{type(exc).__name__}: {exc}"[:500])
                logger.warning(
                    "outbox delivery failed id=%s attempt=%s", message.id, message.attempts
                )
            else:
                logger.info(
                    "outbox delivered id=%s channel=%s template=%s",
                    message.id,
                    message.channel,
                    message.template,
                )
        delivered = [m.id for m in claimed if m.id not in failures]
        self._record(delivered, failures)
        return len(delivered)

    def _open(self, message: OutboxMessage) -> Delivery:
        return Delivery(
            id=message.id,
            channel=message.channel,
            user_id=message.user_id,
            destination=(
                self._cipher.decrypt(message.destination_enc, DESTINATION)
                if message.destination_enc
                else None
            ),
            subject=(
                self._cipher.decrypt(message.subject_enc, SUBJECT) if message.subject_enc else None
            ),
            body=self._cipher.decrypt(message.body_enc, BODY),
            template=message.template,
            created_at=message.created_at,
        )

    def _record(self, delivered: list[str], failures: dict[str, tuple[int, str]]) -> None:
        now = self._clock.now()
        with self._db.uow() as uow:
            if delivered:
                uow.outbox.mark_delivered(delivered, now)
            for message_id, (attempts, error) in failures.items():
                message = uow.outbox.get(message_id, for_update=True)
                if message is None:
                    continue
                message.last_error = error
                if attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
                else:
                    message.next_attempt_at = now + backoff(attempts)
                uow.outbox.save(message)
            uow.commit()

    def deliver_quietly(self, ids: list[str]) -> None:
        """After-commit hook: try now; whatever fails stays due for the background worker."""
        try:
            self.deliver(ids)
        except Exception:
            logger.exception("immediate outbox delivery failed; the worker will retry")
        self._wake.set()

    def start(self, poll_seconds: float) -> None:
        """Run a background worker that delivers retries and anything a crash left behind."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.deliver()
                except Exception:
                    logger.exception("outbox worker pass failed")
                self._wake.wait(poll_seconds)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="outbox-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


SENDER_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.INAPP)
