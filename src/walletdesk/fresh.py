"""Settings a process reads from its database and reuses for a few seconds.

Some rows change only when an admin edits them but are read on every hot path: the business
calendars on every case change, the SLA policies on every customer message, the case-webhook
endpoints on every case event, the official channels registry on every "is this really
walletdesk?". A `FreshCache` keeps what one read built, per database engine (each test's
runtime, or the server's one database), for `seconds`.
A writer calls `forget` once its transaction commits, so the process that made the change uses
it at once and other processes within `seconds`. `forget` also bumps a generation: a read that
began before the change (and may hold the rows from before it) is not kept.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class FreshCache(Generic[T]):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[object, tuple[T, float]] = (
            weakref.WeakKeyDictionary()
        )
        self._generation = 0

    def get(self, engine: object, read: Callable[[], T]) -> T:
        """What `read` returned for this engine less than `seconds` ago, else read it now.
        The values are shared between threads: they must be immutable."""
        entry = self._entries.get(engine)
        now = time.monotonic()
        if entry is not None and now - entry[1] < self.seconds:
            return entry[0]
        generation = self._generation
        value = read()
        with self._lock:
            if generation == self._generation:
                self._entries[engine] = (value, now)
        return value

    def forget(self) -> None:
        """Drop everything kept (call after the change commits; a rollback changes nothing)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
