"""Fixed-window rate limits per subject (an account, a destination, an IP).

Redis-backed when Redis is configured (shared by every server process), in-process otherwise.
Windows are computed from the injected clock in both, so tests check limits at their edges.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from walletdesk.clock import Clock
from walletdesk.errors import RateLimited


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _, seconds = text.partition("/")
        rate = cls(int(count), int(seconds))
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError(f"rate {text!r} must be a positive count per positive seconds")
        return rate


class RateLimiter(Protocol):
    def hit(self, bucket: str, subject: str, rate: Rate) -> None:
        """Count one request; raise `RateLimited` with Retry-After once over the rate."""
        ...


def _window(now: datetime, rate: Rate) -> tuple[int, int]:
    """(window number, seconds until it ends)."""
    epoch = int(now.timestamp())
    number = epoch // rate.seconds
    return number, (number + 1) * rate.seconds - epoch


class MemoryRateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, subject: str, rate: Rate) -> None:
        number, retry_after = _window(self._clock.now(), rate)
        key = (bucket, subject, number)
        with self._lock:
            for stale in [k for k in self._counts if k[2] < number and k[:2] == key[:2]]:
                del self._counts[stale]
            self._counts[key] = self._counts.get(key, 0) + 1
            count = self._counts[key]
        if count > rate.count:
            raise RateLimited(retry_after=retry_after)


class RedisRateLimiter:
    def __init__(self, client: RedisLike, clock: Clock, *, prefix: str = "walletdesk:rl") -> None:
        self._client = client
        self._clock = clock
        self._prefix = prefix

    def hit(self, bucket: str, subject: str, rate: Rate) -> None:
        number, retry_after = _window(self._clock.now(), rate)
        key = f"{self._prefix}:{bucket}:{subject}:{number}"
        pipeline = self._client.pipeline()
        pipeline.incr(key)
        pipeline.expire(key, rate.seconds + 60)
        count = int(str(pipeline.execute()[0]))
        if count > rate.count:
            raise RateLimited(retry_after=retry_after)


class RedisPipeline(Protocol):
    def incr(self, name: str) -> object: ...

    def expire(self, name: str, time: int) -> object: ...

    def execute(self) -> list[object]: ...


class RedisLike(Protocol):
    def pipeline(self) -> RedisPipeline: ...
