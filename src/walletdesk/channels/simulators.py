"""SMS and email simulators: they behave like a provider that accepted the message and keep a
delivery log (encrypted at rest) that `/dev/outbox` shows. A redelivered id is recorded once."""

from __future__ import annotations

from walletdesk.clock import Clock
from walletdesk.fieldcrypt import FieldCipher
from walletdesk.notify.models import Delivery
from walletdesk.notify.outbox import BODY, DESTINATION, SUBJECT
from walletdesk.storage.uow import Database


class SimulatedSender:
    def __init__(self, channel: str, db: Database, cipher: FieldCipher, clock: Clock) -> None:
        self.channel = channel
        self._db = db
        self._cipher = cipher
        self._clock = clock

    def send(self, delivery: Delivery) -> None:
        if delivery.destination is None:
            raise ValueError(f"{self.channel} message {delivery.id} has no destination")
        with self._db.uow() as uow:
            uow.simulated.add_once(
                {
                    "id": delivery.id,
                    "channel": self.channel,
                    "destination_enc": self._cipher.encrypt(delivery.destination, DESTINATION),
                    "subject_enc": (
                        self._cipher.encrypt(delivery.subject, SUBJECT)
                        if delivery.subject
                        else None
                    ),
                    "body_enc": self._cipher.encrypt(delivery.body, BODY),
                    "sent_at": self._clock.now(),
                }
            )
            uow.commit()
