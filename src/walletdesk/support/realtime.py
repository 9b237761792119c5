"""The live-chat hub of one server process: its open sockets, and the pushes to them.

- **Pushes only after commit.** The hub subscribes to `rt.support_events`, which announces a
  case-history event once its transaction committed; read receipts and presence publish from
  their own `on_commit`. Typing is never stored and goes out at once.
- **Every process delivers to its own sockets.** Events travel on a bus (`realtime_bus`):
  Redis pub/sub when `WALLETDESK_REDIS_URL` is set, so a message posted through one process
  reaches a socket held by another; in-process otherwise.
- **Access is checked at connect time and again for every event** (`realtime_fanout.plan`).
- A socket is a `Listener` with its own bounded send queue and writer task, so one slow client
  never holds up the others.

The web layer (`api/chat_ws.py`) authenticates the handshake, opens the conversation through
its door and then hands the socket to `serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from walletdesk.errors import AuthenticationFailed, Forbidden
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.randomness import SystemRandom, new_id
from walletdesk.support import realtime_presence as presence
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.events import InProcessPublisher, SupportEvent
from walletdesk.support.realtime_bus import ChatBus, Envelope, LocalBus, RedisBus, channel_for
from walletdesk.support.realtime_fanout import plan
from walletdesk.support.realtime_frames import handle_frame, post_checked
from walletdesk.support.realtime_listeners import EMPTY, Audience, Group, Index, Listener
from walletdesk.support.realtime_models import HEARTBEAT, SocketKind, SocketRecord

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

logger = logging.getLogger(__name__)

FANOUT_BATCH = 256
SLOW_CLIENT = 4408
GOING_AWAY = 1001
SETUP_THREADS = 4
"""Threads for the database work of handshakes and client frames: a reconnect storm queues
here instead of filling the server's thread pool (and its memory) and the write lock."""
MESSAGE_THREADS = 12
"""Threads for chat messages sent over sockets (each a short write transaction); apart from
the setup threads so a reconnect storm does not hold up the conversation. A message spends
most of its time waiting for PostgreSQL (about ten round trips), so 200 messages/s need
several in flight: with 8, every thread was busy on a loaded machine and messages queued
for hundreds of ms (docs/benchmarks.md, chat). Each holds at most two of the engine's 30
connections (the write, then an after-commit subscriber's read)."""
SQLITE_MESSAGE_THREADS = 2
"""On SQLite one transaction writes at a time: more threads only wait for the write lock in
SQLite's busy handler, which sleeps (up to 100 ms a try) instead of queueing in order. Two
keep one message's reads and Python going while the other commits."""
REVOKED = 4401

T = TypeVar("T")


class Socket(Protocol):
    """What the hub needs from a WebSocket (Starlette's fits)."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


def envelope_of(event: SupportEvent) -> Envelope:
    data = asdict(event)
    data["at"] = event.at.isoformat()
    data["recipients"] = list(event.recipients)
    return {"kind": "case", "event": data}


@dataclass
class _Change:
    record: SocketRecord
    opened: bool
    done: asyncio.Future[None]


class ChatHub:
    def __init__(self, rt: Runtime, bus: ChatBus | None = None) -> None:
        self.rt = rt
        # A process identity, not a domain id: drawn from the OS so tests' seeded ids stay put.
        self.node = new_id(SystemRandom(), "node")
        if bus is None:
            redis_url = rt.settings.redis_url
            bus = (
                RedisBus(redis_url, channel_for(rt.settings.resolved_database_url))
                if redis_url
                else LocalBus()
            )
        self.bus = bus
        self._by_conversation = Index()
        self._by_case = Index()
        self._staff_by_user = Index()
        self._watchers = Index()
        self._supervisors: Group = EMPTY
        self._all_staff: Group = EMPTY
        self._inbound: asyncio.Queue[Envelope] | None = None
        self._changes: asyncio.Queue[_Change] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Any = None
        self._ever_attached = False
        self._pools()

    # -- life cycle -------------------------------------------------------------------------

    def _pools(self) -> None:
        # Fan-out and presence writes each run in order on their own thread; handshakes and
        # client frames share a few. None of them waits behind the web requests' pool.
        self._fanout_thread = ThreadPoolExecutor(1, thread_name_prefix="chat-fanout")
        self._presence_thread = ThreadPoolExecutor(1, thread_name_prefix="chat-presence")
        self._setup_threads = ThreadPoolExecutor(SETUP_THREADS, thread_name_prefix="chat-setup")
        threads = SQLITE_MESSAGE_THREADS if self.rt.db.dialect == "sqlite" else MESSAGE_THREADS
        self._message_threads = ThreadPoolExecutor(threads, thread_name_prefix="chat-message")
        self._pools_open = True

    async def start(self) -> None:
        if not self._pools_open:
            self._pools()  # started again after a stop (a test client entered twice)
        self._inbound = asyncio.Queue()
        self._changes = asyncio.Queue()
        await self.bus.start(self._receive)
        publisher = self.rt.support_events
        if isinstance(publisher, InProcessPublisher):
            self._unsubscribe = publisher.subscribe(self._on_support_event)
        else:
            logger.warning("support events publisher %r cannot be subscribed to", publisher)
        self._tasks = [
            asyncio.create_task(self._fanout_loop(), name="chat-fanout"),
            asyncio.create_task(self._presence_loop(), name="chat-presence"),
            asyncio.create_task(self._heartbeat_loop(), name="chat-heartbeat"),
        ]

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        everyone = set(self._all_staff)
        for group in list(self._by_conversation.groups.values()):
            everyone |= group
        for listener in everyone:
            self._close(listener, GOING_AWAY)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self.bus.stop()
        if self._ever_attached:
            with contextlib.suppress(Exception):
                await self._on(
                    self._presence_thread, presence.forget_node, self.rt, self.node, self.publish
                )
        pools = (
            self._fanout_thread,
            self._presence_thread,
            self._setup_threads,
            self._message_threads,
        )
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        self._pools_open = False

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking (database) work for a socket on the hub's setup threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._setup_threads, functools.partial(function, *args))

    async def post(
        self, listener: Listener, service: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T:
        """Run a chat write sent over `listener`'s socket (one service call) on the message
        threads, after checking its session again: a socket whose session was revoked or
        expired, or whose user no longer works cases, writes nothing and is closed."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._message_threads,
                functools.partial(post_checked, self.rt, listener, service, *args, **kwargs),
            )
        except (AuthenticationFailed, Forbidden):
            self._close(listener, REVOKED)
            raise

    async def _on(self, pool: ThreadPoolExecutor, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(function, *args))

    # -- publishing (any thread) -------------------------------------------------------------

    def publish(self, envelope: Envelope) -> None:
        """Send an event to every process's sockets. Thread-safe; call it after commit."""
        self.bus.publish(envelope)

    def _on_support_event(self, event: SupportEvent) -> None:
        self.publish(envelope_of(event))

    def _receive(self, batch: list[Envelope]) -> None:
        if self._inbound is not None:
            for envelope in batch:
                self._inbound.put_nowait(envelope)

    # -- sockets ------------------------------------------------------------------------------

    def listener(
        self,
        auth: Authenticated,
        actor: SupportActor,
        locale: str,
        *,
        conversation_id: str | None = None,
        case_id: str | None = None,
        contact_id: str | None = None,
    ) -> Listener:
        kind = SocketKind.CUSTOMER if actor.kind is ActorKind.CUSTOMER else SocketKind.STAFF
        return Listener(
            id=new_id(self.rt.random, "sock"),
            kind=kind,
            auth=auth,
            actor=actor,
            locale=locale,
            connected_at=self.rt.clock.now(),
            conversation_id=conversation_id,
            case_id=case_id,
            contact_id=contact_id,
        )

    async def attach(self, listener: Listener) -> None:
        """Index the socket and record it for presence (waits until stored)."""
        self._ever_attached = True
        if listener.is_staff:
            self._staff_by_user.add(listener.user_id, listener)
            self._all_staff = self._all_staff | {listener}
            if has_permission(listener.auth.roles, Permission.CASES_SUPERVISE):
                self._supervisors = self._supervisors | {listener}
        else:
            assert listener.conversation_id and listener.case_id
            self._by_conversation.add(listener.conversation_id, listener)
            self._by_case.add(listener.case_id, listener)
        await self._change(listener.record(self.node), opened=True)

    async def detach(self, listener: Listener) -> None:
        if listener.is_staff:
            self._staff_by_user.discard(listener.user_id, listener)
            self._all_staff = self._all_staff - {listener}
            self._supervisors = self._supervisors - {listener}
            for case_id in listener.watching:
                self._watchers.discard(case_id, listener)
        else:
            assert listener.conversation_id and listener.case_id
            self._by_conversation.discard(listener.conversation_id, listener)
            self._by_case.discard(listener.case_id, listener)
        await self._change(listener.record(self.node), opened=False)

    async def serve(self, listener: Listener, socket: Socket, frames: AsyncIterator[str]) -> None:
        """Run one attached socket until the client leaves or the hub closes it."""
        writer = asyncio.create_task(self._write(listener, socket), name=f"chat-{listener.id}")
        try:
            async for text in frames:
                if writer.done():
                    break
                await handle_frame(self, listener, text)
        finally:
            _stop_writer(listener)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(writer, timeout=5)

    def release(self, listener: Listener, ready: dict[str, Any]) -> None:
        """Send the socket's first frame, then the events that arrived while it was built:
        a client that loads its state after `ready` misses nothing in between."""
        text = json.dumps(ready, ensure_ascii=False, separators=(",", ":"))
        if not listener.release(text):
            self._close(listener, SLOW_CLIENT)

    def send(self, listener: Listener, payload: dict[str, Any]) -> None:
        self._deliver(listener, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))

    def _deliver(self, listener: Listener, text: str) -> None:
        if listener.close_code is None and not listener.push(text):
            self._close(listener, SLOW_CLIENT)

    def watch(self, listener: Listener, case_id: str) -> None:
        """A staff socket follows a case (the one open on their screen)."""
        listener.watching.add(case_id)
        self._watchers.add(case_id, listener)

    def unwatch(self, listener: Listener, case_id: str) -> None:
        listener.watching.discard(case_id)
        self._watchers.discard(case_id, listener)

    def _close(self, listener: Listener, code: int) -> None:
        if listener.close_code is None:
            listener.close_code = code
            _stop_writer(listener)

    async def _write(self, listener: Listener, socket: Socket) -> None:
        try:
            while True:
                text = await listener.queue.get()
                if text is None:
                    break
                await socket.send_text(text)
        except Exception:
            listener.close_code = listener.close_code or GOING_AWAY
            return
        if listener.close_code is not None:
            with contextlib.suppress(Exception):
                await socket.close(listener.close_code)

    # -- background work -----------------------------------------------------------------------

    def _audience(self) -> Audience:
        return Audience(
            by_conversation=self._by_conversation.groups,
            by_case=self._by_case.groups,
            staff_by_user=self._staff_by_user.groups,
            watchers=self._watchers.groups,
            supervisors=self._supervisors,
            all_staff=self._all_staff,
        )

    async def _fanout_loop(self) -> None:
        assert self._inbound is not None
        while True:
            batch = [await self._inbound.get()]
            while not self._inbound.empty() and len(batch) < FANOUT_BATCH:
                batch.append(self._inbound.get_nowait())
            try:
                result = await self._on(self._fanout_thread, plan, self.rt, batch, self._audience())
            except Exception:
                logger.exception("chat fan-out of %d event(s) failed", len(batch))
                continue
            for listener, text in result.deliveries:
                self._deliver(listener, text)
            for listener, code in result.closing:
                self._close(listener, code)

    async def _change(self, record: SocketRecord, *, opened: bool) -> None:
        assert self._changes is not None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._changes.put_nowait(_Change(record, opened, done))
        await done

    async def _presence_loop(self) -> None:
        """Stores socket openings and closings in batches (one transaction for many)."""
        assert self._changes is not None
        while True:
            batch = [await self._changes.get()]
            while not self._changes.empty():
                batch.append(self._changes.get_nowait())
            opened = {c.record.id: c.record for c in batch if c.opened}
            closed = {c.record.id: c.record for c in batch if not c.opened}
            for both in opened.keys() & closed.keys():
                del opened[both], closed[both]  # came and went within one batch
            try:
                await self._on(
                    self._presence_thread,
                    presence.record_sockets,
                    self.rt,
                    list(opened.values()),
                    list(closed.values()),
                    self.publish,
                )
            except Exception:
                logger.exception("recording %d chat socket change(s) failed", len(batch))
            for change in batch:
                if not change.done.done():
                    change.done.set_result(None)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            if not self._ever_attached:
                continue
            try:
                await self._on(
                    self._presence_thread, presence.heartbeat, self.rt, self.node, self.publish
                )
            except Exception:
                logger.exception("chat presence heartbeat failed")


def _stop_writer(listener: Listener) -> None:
    """Queue the writer's stop marker, dropping the oldest frames if the queue is full."""
    while not listener.push(None):
        with contextlib.suppress(asyncio.QueueEmpty):
            listener.queue.get_nowait()
