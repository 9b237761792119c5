"""Signed webhooks to merchants, through the transactional outbox.

`queue_webhook` writes the delivery into the outbox inside the caller's transaction, so a
webhook exists exactly when the payment or refund it announces committed. After commit the
dispatcher sends it at once; failures are retried with backoff by the outbox worker, each
attempt with the same delivery id (merchants de-duplicate on it) and a fresh timestamp and
signature. The merchant's URL and secret are read at send time, so a retry after the
merchant rotated its secret is signed with the new one.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import httpx

from walletdesk.channels.base import DeliveryFailed
from walletdesk.merchants.models import Merchant
from walletdesk.merchants.registry import check_webhook_url, webhook_secret_of
from walletdesk.merchants.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from walletdesk.merchants.store import store
from walletdesk.merchants.webhook_targets import (
    DestinationRefused,
    Resolve,
    pinned_destination,
    system_resolve,
)
from walletdesk.notify.models import Delivery, OutboxMessage, OutboxStatus
from walletdesk.notify.outbox import BODY
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

CHANNEL = "webhook"
PAYMENT_SUCCEEDED = "payment.succeeded"
REFUND_SUCCEEDED = "refund.succeeded"
# Short: the first attempt runs right after the API request commits, and the worker retries.
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
USER_AGENT = "walletdesk-webhooks/1"


def encode_body(event: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed (stable across retries)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def queue_webhook(
    rt: Runtime, uow: UnitOfWork, merchant: Merchant, event_type: str, data: dict[str, Any]
) -> str | None:
    """Queue `event_type` for the merchant in this transaction; None if it has no URL."""
    if merchant.webhook_url is None:
        return None
    register_webhook_sender(rt)
    now = rt.clock.now()
    delivery_id = new_id(rt.random, "whd")
    event = {"id": delivery_id, "type": event_type, "created_at": now.isoformat(), "data": data}
    envelope = json.dumps({"merchant_id": merchant.id, "event": event}, ensure_ascii=False)
    uow.outbox.add(
        OutboxMessage(
            id=delivery_id,
            created_at=now,
            channel=CHANNEL,
            locale="en",
            template=event_type,
            body_enc=rt.cipher.encrypt(envelope, BODY),
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
        )
    )
    dispatcher = rt.dispatcher
    uow.on_commit(lambda: dispatcher.deliver_quietly([delivery_id]))
    return delivery_id


class WebhookSender:
    """The outbox channel that POSTs signed events to merchants, only to public addresses
    (checked again at each delivery: see `webhook_targets`)."""

    def __init__(self, rt: Runtime, *, resolve: Resolve = system_resolve) -> None:
        self._rt = rt
        self._resolve = resolve

    def send(self, delivery: Delivery) -> None:
        envelope = json.loads(delivery.body)
        with self._rt.db.uow(read_only=True) as uow:
            merchant = store(uow).merchants.get(str(envelope["merchant_id"]))
        if merchant is None or merchant.webhook_url is None:
            logger.info("webhook %s dropped: the merchant has no webhook URL", delivery.id)
            return
        url = check_webhook_url(merchant.webhook_url)
        assert url is not None
        post_signed(
            self._rt,
            url,
            webhook_secret_of(self._rt, merchant),
            delivery.id,
            encode_body(envelope["event"]),
            resolve=self._resolve,
        )


def post_signed(
    rt: Runtime, url: str, secret: str, delivery_id: str, body: bytes, *, resolve: Resolve
) -> None:
    """POST `body` to `url` signed with `secret` and a fresh timestamp, only to a public
    address (unless the deployment allows private ones); DeliveryFailed on anything but 2xx.
    Shared by every outbound webhook (merchants, case events), so they sign and check alike."""
    extensions: dict[str, Any] = {}
    pinned_host: dict[str, str] = {}
    if not rt.settings.webhook_allow_private:
        try:
            destination = pinned_destination(url, resolve=resolve)
        except DestinationRefused as exc:
            raise DeliveryFailed(f"webhook address not allowed: {exc}") from exc
        except OSError as exc:
            raise DeliveryFailed("webhook host did not resolve") from exc
        url = destination.url
        if destination.host_header is not None:
            pinned_host["Host"] = destination.host_header
        if destination.sni_hostname is not None:
            extensions["sni_hostname"] = destination.sni_hostname
    timestamp = str(int(rt.clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    } | pinned_host
    try:
        # Never follow redirects: a 3xx could point anywhere, past the address check.
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"webhook not delivered: {type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"merchant answered HTTP {response.status_code}")


def register_webhook_sender(rt: Runtime) -> None:
    """Add the webhook channel to the runtime's outbox senders (idempotent)."""
    rt.senders.setdefault(CHANNEL, WebhookSender(rt))
