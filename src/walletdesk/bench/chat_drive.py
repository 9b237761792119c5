"""The chat bench's clients: the sockets of every participant, and the messages sent at a
fixed rate between them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from walletdesk.bench.chat_seed import Pair, Progress
from walletdesk.bench.chat_server import cpu_seconds, memory_mb, settled_memory

PROTOCOL = "walletdesk.chat.v1"
OPEN_AT_ONCE = 100
"""WebSocket handshakes in flight at a time while connecting."""
HTTP_CONNECTIONS = 64
DRAIN_SECONDS = 5.0
MARK = "bench:"


@dataclass
class Figures:
    target_connections: int
    connections: int = 0
    rss_idle_mb: float = 0.0
    rss_mb: float = 0.0
    rss_peak_mb: float = 0.0
    sent: int = 0
    delivered: int = 0
    latencies: list[float] = field(default_factory=list)
    """Just before the POST → the other side's socket has the message."""
    post_latencies: list[float] = field(default_factory=list)
    push_delays: list[float] = field(default_factory=list)
    """The POST's answer → the other side's socket has the message: the push's own share
    (negative when the push won the race against the HTTP answer)."""
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Clients:
    """The sockets of every participant, and when each bench message was sent."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.sent_at: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}
        self.received_at: dict[int, float] = {}
        self.started_at: dict[int, float] = {}
        """Socket messages sent and not yet acknowledged."""
        self.sockets: list[Any] = []
        self.by_key: dict[str, Any] = {}
        """Sockets by sender: "c:<conversation id>" for customers, "a:<case id>" for agents."""
        self.readers: list[asyncio.Task[None]] = []

    async def open(
        self, url: str, token: str, *, receives_from: str, gate: asyncio.Semaphore, key: str
    ) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Subprotocol

        async with gate:
            try:
                socket = await connect(
                    url,
                    subprotocols=[Subprotocol(PROTOCOL), Subprotocol(f"bearer.{token}")],
                    open_timeout=60,
                    ping_interval=None,
                    max_queue=None,
                )
                ready = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
            except Exception as error:
                self.figures.error(f"connect: {type(error).__name__}")
                return
        if ready.get("type") != "ready":
            self.figures.error("connect: no ready frame")
            return
        self.sockets.append(socket)
        self.by_key[key] = socket
        self.figures.connections += 1
        self.readers.append(asyncio.create_task(self._read(socket, receives_from)))

    async def _read(self, socket: Any, receives_from: str) -> None:
        with contextlib.suppress(Exception):
            async for raw in socket:
                now = time.perf_counter()
                if raw.startswith('{"type":"ack"'):
                    self._acknowledged(json.loads(raw), now)
                    continue
                if '"type":"error"' in raw:
                    self._refused(json.loads(raw))
                    continue
                if '"type":"message"' not in raw:
                    continue
                message = json.loads(raw)["message"]
                text = message["text"]
                if message["author"]["kind"] != receives_from or not text.startswith(MARK):
                    continue  # an echo of one's own message (other devices), or seed data
                seq = int(text[len(MARK) :])
                sent = self.sent_at.pop(seq, None)
                if sent is not None:
                    self.received_at[seq] = now
                    self.figures.latencies.append(now - sent)
                    self.figures.delivered += 1

    def _acknowledged(self, ack: dict[str, Any], now: float) -> None:
        seq = int(ack["client_id"])
        self.answered_at[seq] = now
        if seq in self.started_at:
            self.figures.post_latencies.append(now - self.started_at.pop(seq))

    def _refused(self, error: dict[str, Any]) -> None:
        client_id = error.get("client_id")
        if client_id is not None:
            self.sent_at.pop(int(client_id), None)
            self.started_at.pop(int(client_id), None)
        self.figures.error(f"socket: {error.get('code')}")

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


async def _post(
    http: httpx.AsyncClient, clients: Clients, pair: Pair, seq: int, *, from_agent: bool
) -> None:
    figures = clients.figures
    if from_agent:
        path = f"/api/v1/staff/cases/{pair.case_id}/messages"
        token = pair.agent_token
    else:
        path = f"/api/v1/conversations/{pair.conversation_id}/messages"
        token = pair.customer_token
    started = time.perf_counter()
    clients.sent_at[seq] = started
    try:
        response = await http.post(
            path, json={"text": f"{MARK}{seq}"}, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError as error:
        clients.sent_at.pop(seq, None)
        figures.error(f"post: {type(error).__name__}")
        return
    answered = time.perf_counter()
    clients.answered_at[seq] = answered
    figures.post_latencies.append(answered - started)
    if response.status_code != 201:
        clients.sent_at.pop(seq, None)
        figures.error(f"post: HTTP {response.status_code}")


async def _send(clients: Clients, pair: Pair, seq: int, *, from_agent: bool) -> None:
    """One message over the sender's own socket; its `ack` ends the "post" part."""
    socket = clients.by_key.get(f"a:{pair.case_id}" if from_agent else f"c:{pair.conversation_id}")
    if socket is None:
        clients.figures.error("send: sender has no socket")
        return
    frame: dict[str, Any] = {"type": "message", "text": f"{MARK}{seq}", "client_id": str(seq)}
    if from_agent:
        frame["case_id"] = pair.case_id
    started = time.perf_counter()
    clients.sent_at[seq] = started
    clients.started_at[seq] = started
    try:
        await socket.send(json.dumps(frame))
    except Exception as error:
        clients.sent_at.pop(seq, None)
        clients.started_at.pop(seq, None)
        clients.figures.error(f"send: {type(error).__name__}")


def start_profiler(output: Path, pid: int, seconds: int) -> subprocess.Popen[bytes]:
    """Sample the server with py-spy while messages flow (`--py-spy FILE`, raw collapsed
    stacks); py-spy is found on PATH or through `$PY_SPY`."""
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if binary is None:
        raise RuntimeError("--py-spy needs py-spy on PATH or PY_SPY=/path/to/py-spy")
    command = [binary, "record", "-p", str(pid), "-d", str(seconds), "-f", "raw"]
    command += ["--nonblocking", "-o", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - a local tool


async def drive(
    base_url: str,
    server_pid: int,
    pairs: list[Pair],
    *,
    connections: int,
    rate: float,
    seconds: int,
    progress: Progress,
    via: str = "rest",
    profile: Path | None = None,
) -> Figures:
    figures = Figures(target_connections=connections)
    progress("waiting for the server to settle", 0, 1)
    figures.rss_idle_mb = await settled_memory(server_pid)
    clients = Clients(figures)
    ws_base = base_url.replace("http://", "ws://")
    gate = asyncio.Semaphore(OPEN_AT_ONCE)
    opening = []
    for pair in pairs:
        opening.append(
            clients.open(
                f"{ws_base}/api/v1/conversations/{pair.conversation_id}/ws",
                pair.customer_token,
                receives_from="agent",
                gate=gate,
                key=f"c:{pair.conversation_id}",
            )
        )
        opening.append(
            clients.open(
                f"{ws_base}/api/v1/staff/ws",
                pair.agent_token,
                receives_from="contact",
                gate=gate,
                key=f"a:{pair.case_id}",
            )
        )
    tasks = [asyncio.create_task(o) for o in opening[:connections]]
    while not all(t.done() for t in tasks):
        progress("opening sockets", figures.connections, connections)
        await asyncio.sleep(0.25)
    progress("opening sockets", figures.connections, connections)
    await asyncio.sleep(2)  # let the server settle (presence writes) before measuring
    figures.rss_mb = memory_mb(server_pid)[0]
    # This process holds the other end of every socket too: its own full collections walked
    # them all (140-290 ms pauses seen with 2,000 sockets) and showed up as the server's
    # latency. What it holds now lives until the end: out of collection with it.
    gc.collect()
    gc.freeze()

    limits = httpx.Limits(
        max_connections=HTTP_CONNECTIONS, max_keepalive_connections=HTTP_CONNECTIONS
    )
    active = pairs[: max(1, min(len(pairs), connections // 2))]
    total = int(rate * seconds)
    profiler = start_profiler(profile, server_pid, seconds) if profile else None
    cpu_before = cpu_seconds(server_pid)
    client_before = cpu_seconds(os.getpid())
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        posts: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        for seq in range(total):
            due = started + seq / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pair = active[(seq // 2) % len(active)]
            from_agent = seq % 2 == 1
            if via == "socket":
                task = asyncio.create_task(_send(clients, pair, seq, from_agent=from_agent))
            else:
                task = asyncio.create_task(_post(http, clients, pair, seq, from_agent=from_agent))
            posts.add(task)
            task.add_done_callback(posts.discard)
            figures.sent += 1
            if seq % max(1, int(rate)) == 0:
                progress("chatting", seq, total)
        await asyncio.gather(*posts, return_exceptions=True)
        figures.seconds = time.perf_counter() - started
        deadline = time.perf_counter() + DRAIN_SECONDS
        while (clients.sent_at or clients.started_at) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    progress("chatting", total, total)
    figures.server_cpu_s = cpu_seconds(server_pid) - cpu_before
    figures.client_cpu_s = cpu_seconds(os.getpid()) - client_before
    figures.push_delays = [
        clients.received_at[seq] - clients.answered_at[seq]
        for seq in clients.received_at.keys() & clients.answered_at.keys()
    ]
    figures.rss_peak_mb = memory_mb(server_pid)[1]
    if profiler is not None:
        await asyncio.to_thread(profiler.wait)
    lost = len(clients.sent_at)
    if lost:
        figures.errors["not delivered"] = lost
    await clients.close()
    gc.unfreeze()
    return figures
