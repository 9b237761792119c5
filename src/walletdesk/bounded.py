"""A dictionary with a ceiling, for per-process memos of facts that never change.

The runtime remembers ledger account ids by code and device fingerprints by row id: a hot
path then skips a look-up. Both are true forever once seen, so forgetting one costs only a
query, but a long-lived server meets millions of accounts: the memo must not grow with them.
When full it forgets the entry it learned first (a dict keeps insertion order), which is
cheaper than least-recently-used bookkeeping on every read and good enough for a memo.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_CEILING = 200_000


class BoundedMemo(Generic[K, V]):
    def __init__(self, ceiling: int = DEFAULT_CEILING) -> None:
        if ceiling < 1:
            raise ValueError("ceiling must be at least 1")
        self.ceiling = ceiling
        self._items: dict[K, V] = {}
        self._writing = threading.Lock()  # readers need none: a dict read is atomic

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def setdefault(self, key: K, value: V) -> V:
        known = self._items.get(key)
        if known is not None:
            return known
        self._put(key, value)
        return value

    def update(self, values: dict[K, V]) -> None:
        for key, value in values.items():
            if key not in self._items:
                self._put(key, value)

    def _put(self, key: K, value: V) -> None:
        with self._writing:
            if len(self._items) >= self.ceiling:
                del self._items[next(iter(self._items))]
            self._items[key] = value
