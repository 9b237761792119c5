"""The in-app inbox and the dev outbox view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.notify.models import InboxNotification
from walletdesk.notify.outbox import BODY, DESTINATION, SUBJECT

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime


def list_inbox(rt: Runtime, user_id: str, *, limit: int = 50) -> list[InboxNotification]:
    with rt.db.uow(read_only=True) as uow:
        return uow.inbox.list_for_user(user_id, limit=limit)


def unread_count(rt: Runtime, user_id: str) -> int:
    with rt.db.uow(read_only=True) as uow:
        return uow.inbox.unread_count(user_id)


def mark_all_read(rt: Runtime, user_id: str) -> None:
    with rt.db.uow() as uow:
        uow.inbox.mark_all_read(user_id, rt.clock.now())
        uow.commit()


@dataclass(frozen=True)
class SentMessage:
    id: str
    channel: str
    destination: str
    subject: str | None
    body: str
    sent_at: datetime


def simulated_outbox(rt: Runtime, *, limit: int = 100) -> list[SentMessage]:
    """What the SMS and email simulators sent, newest first (dev mode only: shows codes)."""
    with rt.db.uow(read_only=True) as uow:
        rows = uow.simulated.recent(limit=limit)
    return [
        SentMessage(
            id=row["id"],
            channel=row["channel"],
            destination=rt.cipher.decrypt(row["destination_enc"], DESTINATION),
            subject=rt.cipher.decrypt(row["subject_enc"], SUBJECT) if row["subject_enc"] else None,
            body=rt.cipher.decrypt(row["body_enc"], BODY),
            sent_at=row["sent_at"],
        )
        for row in rows
    ]
