"""Outbound webhooks for case events (issue 5, item 15), signed as merchant webhooks are.

An admin registers an endpoint (URL, optional filter of event kinds) and receives its signing
secret once. Every case event appended afterwards queues one outbox row per matching active
endpoint in the same transaction as the event (`queue_for_event`, called by the history
writers), so a rolled-back change announces nothing. The outbox dispatcher delivers them with
`merchants.webhooks.post_signed`: the same signature header, timestamp, delivery id kept
across retries, address check and backoff as merchant webhooks.

The chat path appends an event per message, so the active endpoints are read once per
`ENDPOINTS_FRESH_SECONDS` per database in a process (`fresh.FreshCache`); a
change through this module is seen at once by its own process from its commit on. With no
endpoint registered an event costs no statement at all.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from walletdesk.audit.services import Actor, record
from walletdesk.errors import NotFound, ValidationFailed
from walletdesk.fresh import FreshCache
from walletdesk.i18n import N_
from walletdesk.merchants.registry import allowed_webhook_url
from walletdesk.merchants.webhook_targets import Resolve, system_resolve
from walletdesk.merchants.webhooks import encode_body, post_signed
from walletdesk.notify.models import Delivery, OutboxMessage, OutboxStatus
from walletdesk.notify.outbox import BODY
from walletdesk.randomness import new_id, token_urlsafe
from walletdesk.support.case_webhook_models import CaseWebhook
from walletdesk.support.history_events import CaseEvent

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.case_webhooks import CaseWebhookRepository
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

CHANNEL = "case_webhook"
SECRET_PURPOSE = "support.case_webhook_secret"  # noqa: S105 - a label
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label
ENDPOINTS_FRESH_SECONDS = 10.0
"""How long a process reuses the active endpoints it read: the longest another process keeps
sending to an endpoint after an admin disabled it (its sender checks again at delivery)."""
_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
MAX_KINDS = 50


class WebhookEndpointNotFound(NotFound):
    default_code = "case_webhook_not_found"
    default_message = N_("No such webhook endpoint.")


def _bad_kinds() -> ValidationFailed:
    return ValidationFailed(
        "invalid_event_kinds",
        N_("Event kinds are lower-case codes such as case.created, at most 50 of them."),
        field="kinds",
    )


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: CaseWebhook
    secret: str
    """Shown once, at registration: the receiver verifies signatures with it."""


def endpoints_repository(uow: UnitOfWork) -> CaseWebhookRepository:
    # Imported on use so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.case_webhooks import CaseWebhookRepository

    return CaseWebhookRepository(uow.connection)


_CACHE: FreshCache[tuple[CaseWebhook, ...]] = FreshCache(ENDPOINTS_FRESH_SECONDS)


def _active_endpoints(uow: UnitOfWork) -> tuple[CaseWebhook, ...]:
    return _CACHE.get(uow.connection.engine, lambda: tuple(endpoints_repository(uow).active()))


def forget_endpoints(uow: UnitOfWork) -> None:
    """Call from every write of endpoints: this process reads them again once `uow` commits."""
    uow.on_commit(_CACHE.forget)


def _check_kinds(kinds: list[str]) -> frozenset[str]:
    if len(kinds) > MAX_KINDS or not all(_KIND.match(kind) for kind in kinds):
        raise _bad_kinds()
    return frozenset(kinds)


def register_endpoint(
    rt: Runtime,
    actor: Actor,
    *,
    url: str,
    kinds: list[str],
    resolve: Resolve = system_resolve,
) -> NewEndpoint:
    """Register an endpoint (public addresses only, unless the deployment allows private
    ones) with a fresh secret, returned once; audited without the secret."""
    checked = allowed_webhook_url(rt, url, resolve=resolve)
    if checked is None:
        raise ValidationFailed("webhook_url_required", N_("Give the endpoint's URL."), field="url")
    wanted = _check_kinds(kinds)
    register_case_webhook_sender(rt)
    secret = SECRET_PREFIX + token_urlsafe(rt.random)
    now = rt.clock.now()
    endpoint = CaseWebhook(
        id=new_id(rt.random, "cwh"),
        url=checked,
        secret_enc=rt.cipher.encrypt(secret, SECRET_PURPOSE),
        kinds=wanted,
        active=True,
        created_by=actor.id,
        created_at=now,
    )
    with rt.db.uow() as uow:
        endpoints_repository(uow).add(endpoint)
        forget_endpoints(uow)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.case_webhook_registered",
            subject_kind="case_webhook",
            subject_id=endpoint.id,
            details={"url": checked, "kinds": sorted(wanted)},
        )
        uow.commit()
    return NewEndpoint(endpoint, secret)


def list_endpoints(rt: Runtime) -> list[CaseWebhook]:
    with rt.db.uow(read_only=True) as uow:
        return endpoints_repository(uow).all()


def disable_endpoint(rt: Runtime, actor: Actor, endpoint_id: str) -> CaseWebhook:
    """Stop sending to the endpoint: no new deliveries, and queued ones are dropped."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        repository = endpoints_repository(uow)
        if not repository.disable(endpoint_id, now):
            raise WebhookEndpointNotFound()
        forget_endpoints(uow)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.case_webhook_disabled",
            subject_kind="case_webhook",
            subject_id=endpoint_id,
        )
        endpoint = repository.get(endpoint_id)
        uow.commit()
    assert endpoint is not None
    return endpoint


def queue_for_event(rt: Runtime, uow: UnitOfWork, event: CaseEvent) -> list[str]:
    """Queue the stored `event` for every active endpoint that wants its kind, in the
    caller's transaction; returns the delivery ids (none, and no statement, when no endpoint
    is registered)."""
    wanting = [e for e in _active_endpoints(uow) if e.wants(event.kind)]
    if not wanting:
        return []
    register_case_webhook_sender(rt)
    now = rt.clock.now()
    data = {
        "event_id": event.id,
        "case_id": event.case_id,
        "version": event.version,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "public": event.public,
        "before": event.before,
        "after": event.after,
    }
    ids: list[str] = []
    for endpoint in wanting:
        delivery_id = new_id(rt.random, "cwd")
        body = {
            "endpoint_id": endpoint.id,
            "event": {
                "id": delivery_id,
                "type": event.kind,
                "created_at": now.isoformat(),
                "data": data,
            },
        }
        uow.outbox.add(
            OutboxMessage(
                id=delivery_id,
                created_at=now,
                channel=CHANNEL,
                locale="en",
                template=event.kind,
                body_enc=rt.cipher.encrypt(json.dumps(body, ensure_ascii=False), BODY),
                status=OutboxStatus.PENDING,
                next_attempt_at=now,
            )
        )
        ids.append(delivery_id)
    dispatcher = rt.dispatcher
    uow.on_commit(lambda: dispatcher.deliver_quietly(ids))
    return ids


class CaseWebhookSender:
    """The outbox channel that POSTs case events to their endpoint. The endpoint's URL,
    secret and active flag are read at send time: a disabled endpoint gets nothing more."""

    def __init__(self, rt: Runtime, *, resolve: Resolve = system_resolve) -> None:
        self._rt = rt
        self._resolve = resolve

    def send(self, delivery: Delivery) -> None:
        envelope: dict[str, Any] = json.loads(delivery.body)
        with self._rt.db.uow(read_only=True) as uow:
            endpoint = endpoints_repository(uow).get(str(envelope["endpoint_id"]))
        if endpoint is None or not endpoint.active:
            logger.info("case webhook %s dropped: its endpoint is disabled", delivery.id)
            return
        post_signed(
            self._rt,
            endpoint.url,
            self._rt.cipher.decrypt(endpoint.secret_enc, SECRET_PURPOSE),
            delivery.id,
            encode_body(envelope["event"]),
            resolve=self._resolve,
        )


def register_case_webhook_sender(rt: Runtime) -> None:
    """Add the case-webhook channel to the runtime's outbox senders (idempotent)."""
    rt.senders.setdefault(CHANNEL, CaseWebhookSender(rt))
