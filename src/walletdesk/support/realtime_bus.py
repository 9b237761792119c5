"""Carrying chat events to every server process.

The services publish from worker threads (after commit); sockets live on the event loop. A bus
takes an event from any thread (`publish`, thread-safe, never blocks) and hands batches of
events to `deliver` on the loop, in publication order:

- `LocalBus`: one process, no Redis: straight onto the loop with `call_soon_threadsafe`.
- `RedisBus` (`WALLETDESK_REDIS_URL` set): every process publishes to one Redis channel and
  delivers what it hears to its own sockets, so a message posted through one process reaches
  a socket held by another. A process hears its own events the same way, so every socket
  sees one order. Pushes are best effort: a client that reconnects asks the REST API for what
  it missed (`GET .../messages?after=<last id>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Envelope = dict[str, Any]
Deliver = Callable[[list[Envelope]], None]
PUBLISH_BATCH = 256
RETRY_SECONDS = 1.0


class ChatBus(Protocol):
    async def start(self, deliver: Deliver) -> None: ...

    def publish(self, envelope: Envelope) -> None:
        """Thread-safe; drops the event (with a log line) when the bus is not running."""
        ...

    async def stop(self) -> None: ...


class LocalBus:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._loop = asyncio.get_running_loop()
        self._deliver = deliver

    def publish(self, envelope: Envelope) -> None:
        loop, deliver = self._loop, self._deliver
        if loop is None or deliver is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed in between: shutting down
            loop.call_soon_threadsafe(deliver, [envelope])

    async def stop(self) -> None:
        self._loop = None
        self._deliver = None


def channel_for(database_url: str) -> str:
    """One channel per deployment: the processes that share a database share the channel."""
    return "walletdesk:chat:" + hashlib.sha256(database_url.encode()).hexdigest()[:16]


class RedisBus:
    def __init__(self, url: str, channel: str) -> None:
        self._url = url
        self._channel = channel
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outgoing: asyncio.Queue[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self, deliver: Deliver) -> None:
        import redis.asyncio

        self._loop = asyncio.get_running_loop()
        self._outgoing = asyncio.Queue()
        self._client = redis.asyncio.Redis.from_url(self._url)
        self._tasks = [
            asyncio.create_task(self._publisher(), name="chat-bus-publish"),
            asyncio.create_task(self._listener(deliver), name="chat-bus-listen"),
        ]
        # Events published right after start-up must not be missed by this process.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    def publish(self, envelope: Envelope) -> None:
        loop, queue = self._loop, self._outgoing
        if loop is None or queue is None or loop.is_closed():
            return
        text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str)
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, text)

    async def _publisher(self) -> None:
        assert self._outgoing is not None
        while True:
            batch = [await self._outgoing.get()]
            while not self._outgoing.empty() and len(batch) < PUBLISH_BATCH:
                batch.append(self._outgoing.get_nowait())
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for text in batch:
                        pipe.publish(self._channel, text)
                    await pipe.execute()
            except Exception:
                # The changes are committed; only the pushes are lost. Clients catch up by REST.
                logger.exception("chat bus: publishing %d event(s) to Redis failed", len(batch))
                await asyncio.sleep(RETRY_SECONDS)

    async def _listener(self, deliver: Deliver) -> None:
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                self._subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    batch = [json.loads(message["data"])]
                    while len(batch) < PUBLISH_BATCH:
                        more = await pubsub.get_message(timeout=0)
                        if more is None:
                            break
                        batch.append(json.loads(more["data"]))
                    deliver(batch)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("chat bus: Redis subscription failed; subscribing again")
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self._loop = None
        with contextlib.suppress(Exception):
            await self._client.aclose()
