"""Real email through an SMTP server (set WALLETDESK_SMTP_HOST)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from walletdesk.channels.base import DeliveryFailed
from walletdesk.notify.models import Delivery

MESSAGE_ID_DOMAIN = "walletdesk.outbox"


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout: float = 15.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    def build(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = delivery.destination or ""
        message["Subject"] = delivery.subject or ""
        message["Date"] = formatdate(delivery.created_at.timestamp(), usegmt=True)
        # A stable Message-ID lets receiving systems drop a retried duplicate.
        message["Message-ID"] = f"<{delivery.id}@{MESSAGE_ID_DOMAIN}>"
        message.set_content(delivery.body)
        return message

    def send(self, delivery: Delivery) -> None:
        if not delivery.destination:
            raise DeliveryFailed("email without a destination")
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as client:
                if self._starttls:
                    client.starttls(context=ssl.create_default_context())
                if self._username and self._password:
                    client.login(self._username, self._password)
                client.send_message(self.build(delivery))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP delivery failed: {type(exc).__name__}") from exc
