"""Writing notifications: always inside the caller's unit of work, delivered after commit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.fieldcrypt import FieldCipher
from walletdesk.identity.models import Payee, User
from walletdesk.notify.models import Channel, InboxNotification, OutboxMessage, OutboxStatus
from walletdesk.notify.templates import render
from walletdesk.randomness import RandomSource, new_id

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

DESTINATION = "outbox.destination"
SUBJECT = "outbox.subject"
BODY = "outbox.body"


class Outbox:
    """Writes messages into the outbox table; `deliver` is called after commit with their ids."""

    def __init__(
        self,
        cipher: FieldCipher,
        random: RandomSource,
        deliver: Callable[[list[str]], None] | None = None,
    ) -> None:
        self._cipher = cipher
        self._random = random
        self._deliver = deliver

    def set_deliver(self, deliver: Callable[[list[str]], None]) -> None:
        self._deliver = deliver

    def _deliver_after_commit(self, uow: UnitOfWork, message_id: str) -> None:
        if self._deliver is not None:
            uow.on_commit_batch("outbox", message_id, self._deliver)

    def enqueue(
        self,
        uow: UnitOfWork,
        *,
        now: datetime,
        channel: Channel,
        template: str,
        params: dict[str, object],
        locale: str,
        user_id: str | None,
        destination: str | None,
    ) -> str:
        rendered = render(template, locale, params, sms=channel is Channel.SMS)
        message_id = new_id(self._random, "msg")
        if channel is Channel.INAPP:
            # The inbox lives in this database: the notice is written in the same transaction
            # as the change it announces, so it needs no delivery and cannot be lost or doubled.
            if user_id is None:
                raise ValueError("an in-app notice needs a user")
            uow.inbox.add_once(
                InboxNotification(
                    id=message_id,
                    user_id=user_id,
                    template=template,
                    title=rendered.title,
                    body=rendered.body,
                    created_at=now,
                )
            )
            return message_id
        message = OutboxMessage(
            id=message_id,
            created_at=now,
            channel=channel,
            locale=locale,
            template=template,
            user_id=user_id,
            destination_enc=(
                self._cipher.encrypt(destination, DESTINATION) if destination else None
            ),
            subject_enc=self._cipher.encrypt(rendered.title, SUBJECT),
            body_enc=self._cipher.encrypt(rendered.body, BODY),
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
        )
        uow.outbox.add(message)
        self._deliver_after_commit(uow, message.id)
        return message.id

    def enqueue_event(
        self,
        uow: UnitOfWork,
        *,
        now: datetime,
        event_id: str,
        kind: str,
        payload: dict[str, object],
    ) -> str:
        """Queue a domain event. Its id comes from what it describes (one entry, one event),
        so writing it twice fails the transaction rather than announcing something twice."""
        uow.outbox.add(self.event_message(now=now, event_id=event_id, kind=kind, payload=payload))
        # No person waits for an event: the background worker delivers it, which keeps the
        # request thread to the messages people do wait for (codes, in-app notices).
        return event_id

    def event_message(
        self, *, now: datetime, event_id: str, kind: str, payload: dict[str, object]
    ) -> OutboxMessage:
        """The outbox row of a domain event (for callers that write many rows at once)."""
        body = json.dumps({"id": event_id, "kind": kind, "payload": payload}, sort_keys=True)
        return OutboxMessage(
            id=event_id,
            created_at=now,
            channel=Channel.EVENT,
            locale="en",
            template=kind,
            body_enc=self._cipher.encrypt(body, BODY),
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
        )

    def inapp_notice(
        self, *, now: datetime, user: User, template: str, params: dict[str, object]
    ) -> InboxNotification:
        """An in-app notice, rendered in the user's language, ready to be written with the
        change it announces (see `enqueue`: the inbox needs no delivery)."""
        rendered = render(template, user.locale, params, sms=False)
        return InboxNotification(
            id=new_id(self._random, "msg"),
            user_id=user.id,
            template=template,
            title=rendered.title,
            body=rendered.body,
            created_at=now,
        )

    def notify_user(
        self,
        uow: UnitOfWork,
        *,
        now: datetime,
        user: User | Payee,
        template: str,
        params: dict[str, object],
        contacts: Iterable[tuple[Channel, str]],
        inapp: bool = True,
    ) -> list[str]:
        """Tell a user something on each given contact channel and in the in-app inbox."""
        ids = [
            self.enqueue(
                uow,
                now=now,
                channel=channel,
                template=template,
                params=params,
                locale=user.locale,
                user_id=user.id,
                destination=destination,
            )
            for channel, destination in contacts
        ]
        if inapp:
            ids.append(
                self.enqueue(
                    uow,
                    now=now,
                    channel=Channel.INAPP,
                    template=template,
                    params=params,
                    locale=user.locale,
                    user_id=user.id,
                    destination=None,
                )
            )
        return ids
