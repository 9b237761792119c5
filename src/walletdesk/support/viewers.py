"""Who is viewing a case: presence with a short time-to-live.

The agent console says "I am on this case" every few seconds (`record_view`); a view counts
for `VIEW_TTL` after the last one, on the injected clock, so two agents see each other before
both answer the same customer. Presence lives in Redis when it is configured (every server
process sees the same viewers) and in this process otherwise. It is not case history: it
neither bumps the case version nor is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from walletdesk.support.access import SupportActor, access_case_for

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

VIEW_TTL = timedelta(seconds=30)


class CaseViewers(Protocol):
    def seen(self, case_id: str, user_id: str, until: datetime) -> None:
        """`user_id` is viewing `case_id` until `until` (unless seen again)."""
        ...

    def left(self, case_id: str, user_id: str) -> None: ...

    def viewing(self, case_id: str, now: datetime) -> dict[str, datetime]:
        """Everyone viewing at `now`, with when their view runs out."""
        ...


class MemoryCaseViewers:
    """Presence for one process."""

    def __init__(self) -> None:
        self._views: dict[str, dict[str, datetime]] = {}
        self._lock = threading.Lock()

    def seen(self, case_id: str, user_id: str, until: datetime) -> None:
        with self._lock:
            self._views.setdefault(case_id, {})[user_id] = until

    def left(self, case_id: str, user_id: str) -> None:
        with self._lock:
            self._views.get(case_id, {}).pop(user_id, None)

    def viewing(self, case_id: str, now: datetime) -> dict[str, datetime]:
        with self._lock:
            views = self._views.get(case_id, {})
            for user_id in [u for u, until in views.items() if until <= now]:
                del views[user_id]
            if not views:
                self._views.pop(case_id, None)
            return dict(views)


class RedisLike(Protocol):
    def zadd(self, name: str, mapping: dict[str, float]) -> object: ...

    def zrem(self, name: str, *values: str) -> object: ...

    def zremrangebyscore(self, name: str, min: float | str, max: float | str) -> object: ...  # noqa: A002

    def zrangebyscore(
        self,
        name: str,
        min: float | str,
        max: float | str,
        *,
        withscores: bool = ...,  # noqa: A002
    ) -> object: ...

    def expire(self, name: str, time: int) -> object: ...


class RedisCaseViewers:
    """Presence shared by every process: one sorted set per case, scored by when each view
    runs out (seconds since the epoch, on the injected clock)."""

    def __init__(self, client: RedisLike, *, prefix: str = "walletdesk:viewers") -> None:
        self._client = client
        self._prefix = prefix

    def _key(self, case_id: str) -> str:
        return f"{self._prefix}:{case_id}"

    def seen(self, case_id: str, user_id: str, until: datetime) -> None:
        key = self._key(case_id)
        self._client.zadd(key, {user_id: until.timestamp()})
        # Housekeeping in real seconds: a case nobody looks at any more drops out of Redis.
        self._client.expire(key, int(VIEW_TTL.total_seconds()) * 20)

    def left(self, case_id: str, user_id: str) -> None:
        self._client.zrem(self._key(case_id), user_id)

    def viewing(self, case_id: str, now: datetime) -> dict[str, datetime]:
        key = self._key(case_id)
        self._client.zremrangebyscore(key, "-inf", now.timestamp())
        found = self._client.zrangebyscore(key, f"({now.timestamp()}", "+inf", withscores=True)
        assert isinstance(found, list)
        return {
            (member.decode() if isinstance(member, bytes) else str(member)): datetime.fromtimestamp(
                float(score), UTC
            )
            for member, score in found
        }


@dataclass(frozen=True)
class Viewer:
    user_id: str
    name: str | None
    until: datetime
    me: bool


def _viewers(rt: Runtime, actor: SupportActor, case_id: str, now: datetime) -> list[Viewer]:
    views = rt.case_viewers.viewing(case_id, now)
    with rt.db.uow(read_only=True) as uow:
        access_case_for(uow, actor, case_id)
        names = {
            user_id: (user.display_name if (user := uow.users.get(user_id)) else None)
            for user_id in views
        }
    return sorted(
        (Viewer(u, names[u], until, u == actor.user_id) for u, until in views.items()),
        key=lambda v: (v.until, v.user_id),
    )


def record_view(rt: Runtime, actor: SupportActor, case_id: str) -> list[Viewer]:
    """The actor is looking at the case (for the next `VIEW_TTL`); returns everyone who is."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        access_case_for(uow, actor, case_id)
    assert actor.user_id is not None
    rt.case_viewers.seen(case_id, actor.user_id, now + VIEW_TTL)
    return _viewers(rt, actor, case_id, now)


def leave(rt: Runtime, actor: SupportActor, case_id: str) -> None:
    with rt.db.uow(read_only=True) as uow:
        access_case_for(uow, actor, case_id)
    assert actor.user_id is not None
    rt.case_viewers.left(case_id, actor.user_id)


def viewers(rt: Runtime, actor: SupportActor, case_id: str) -> list[Viewer]:
    """Everyone viewing the case now, the actor included if they are."""
    return _viewers(rt, actor, case_id, rt.clock.now())
