"""In-process subscribers of domain events delivered through the outbox.

Each event reaches each handler at least once (a handler that raises makes the outbox retry
the event for every handler), so handlers must be idempotent by event id.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from walletdesk.notify.models import Delivery

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
"""Called with (event id, payload)."""


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, kind: str, handler: Handler) -> None:
        self._handlers[kind].append(handler)

    def send(self, delivery: Delivery) -> None:
        event = json.loads(delivery.body)
        for handler in self._handlers.get(str(event["kind"]), []):
            handler(str(event["id"]), dict(event["payload"]))
