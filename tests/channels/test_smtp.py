"""The SMTP adapter against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support import START, remember
from walletdesk.channels.base import DeliveryFailed
from walletdesk.channels.smtp import SmtpSender
from walletdesk.notify.models import Delivery


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    # The test server (not walletdesk) logs whole messages at DEBUG; keep codes out of the logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def delivery(message_id: str = "msg_aaaabbbbccccdddd") -> Delivery:
    remember("482913")
    return Delivery(
        id=message_id,
        channel="email",
        user_id="usr_x",
        destination="tom@example.org",
        subject="Your password reset code",
        body="Your walletdesk password reset code is 482913. "
        "Our staff will never ask for your password or code.",
        template="code.password_reset",
        created_at=START,
    )


def test_email_goes_out_through_smtp_with_a_stable_message_id(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    sender = SmtpSender(
        host="127.0.0.1",
        port=port,
        sender="walletdesk <no-reply@example.com>",
        username=None,
        password=None,
        starttls=False,
    )
    sender.send(delivery())
    sender.send(delivery())  # a retry carries the same Message-ID for the receiver to drop
    assert len(mailbox.messages) == 2
    first, second = mailbox.messages
    assert first["To"] == "tom@example.org"
    assert first["Subject"] == "Your password reset code"
    assert first["Message-ID"] == second["Message-ID"]
    assert "msg_aaaabbbbccccdddd" in first["Message-ID"]
    body = first.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "never ask for your password" in body.decode()


def test_an_unreachable_server_is_a_retryable_failure() -> None:
    sender = SmtpSender(
        host="127.0.0.1",
        port=1,
        sender="no-reply@example.com",
        username=None,
        password=None,
        starttls=False,
        timeout=2,
    )
    with pytest.raises(DeliveryFailed):
        sender.send(delivery())
