"""`walletdesk bench chat`: live-chat sockets against one real server process.

1. A scratch database (SQLite in a temporary folder, or a scratch PostgreSQL database) is
   migrated and seeded through the real services: N/2 customers, each with a chat handed to
   agents, and N/2 agents, each assigned one of those cases.
2. One Uvicorn process serves the app on 127.0.0.1 (agents on duty around the clock, so the
   run does not depend on the hour).
3. This process opens N WebSockets (one per customer on their conversation, one inbox per
   agent), then measures the server's resident memory (VmRSS from /proc/<pid>/status).
4. Messages are POSTed over REST at a fixed rate, alternating customer → agent and agent →
   customer on each pair; each message's latency runs from just before its POST to the moment
   the other side's socket receives it (open loop: a slow answer does not slow the sender).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from walletdesk.bench.http_load import HOST, _free_port
from walletdesk.bench.loads import percentile

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

PROTOCOL = "walletdesk.chat.v1"
OPEN_AT_ONCE = 100
"""WebSocket handshakes in flight at a time while connecting."""
HTTP_CONNECTIONS = 64
DRAIN_SECONDS = 5.0
MARK = "bench:"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Pair:
    conversation_id: str
    case_id: str
    customer_token: str
    agent_token: str


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


def raise_open_files(wanted: int) -> int:
    """Lift this process's (and its children's) open-file limit to hold the sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SEED_WORKERS = 4


def seed(database_url: str, data_dir: Path, pairs: int, progress: Progress) -> list[Pair]:
    """Customers with handed-off chats and agents assigned to them, through the services,
    in a few worker processes at once (seeding is not measured)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from walletdesk.settings import Settings

    # The dev secrets are written once, here, before the workers would race to create them.
    assert Settings(env="dev", data_dir=data_dir, database_url=database_url).secrets
    chunk = 25
    seeded: list[Pair] = []
    with ProcessPoolExecutor(max_workers=SEED_WORKERS) as pool:
        futures = [
            pool.submit(_seed_range, database_url, data_dir, first, min(chunk, pairs - first))
            for first in range(0, pairs, chunk)
        ]
        for future in as_completed(futures):
            seeded.extend(future.result())
            progress("seeding customers and agents", len(seeded), pairs)
    return sorted(seeded, key=lambda pair: pair.conversation_id)


def _seed_range(database_url: str, data_dir: Path, first: int, count: int) -> list[Pair]:
    """Customers `first`.. with handed-off chats and agents assigned to them (one worker)."""
    from walletdesk.audit.services import Actor
    from walletdesk.bench.world import SEED_ARGON2
    from walletdesk.identity import totp
    from walletdesk.identity.authentication import (
        Authenticated,
        SignedIn,
        TwoFactorChallenge,
        complete_two_factor,
        login,
    )
    from walletdesk.identity.context import RequestContext
    from walletdesk.identity.models import SessionKind
    from walletdesk.identity.registration import register
    from walletdesk.identity.staff import create_staff
    from walletdesk.randomness import SystemRandom
    from walletdesk.runtime import build_runtime
    from walletdesk.settings import Settings
    from walletdesk.support import casework, conversations
    from walletdesk.support.access import SupportActor

    # Dev settings rewrite secrets.json whenever they are read: each worker reads its own copy.
    own_dir = data_dir / f"seed-{first}"
    own_dir.mkdir()
    shutil.copy(data_dir / "secrets.json", own_dir / "secrets.json")
    settings = Settings(env="dev", data_dir=own_dir, database_url=database_url, log_level="WARNING")
    rt = build_runtime(settings, random=SystemRandom(), argon2=SEED_ARGON2)
    _relax_durability(rt.db.engine)
    request = RequestContext(user_agent="walletdesk-bench")
    seeded = []
    try:
        for number in range(first, first + count):
            password = secrets.token_urlsafe(18)
            phone = f"1370000{number:04d}"
            user = register(
                rt,
                phone=phone,
                email=None,
                password=password,
                display_name=f"压测用户{number}",
                locale="zh-CN",
                request=request,
            )
            customer = login(
                rt, login_text=phone, password=password, kind=SessionKind.API, request=request
            )
            assert isinstance(customer, SignedIn)
            auth = Authenticated(user=user, session=customer.session, roles=frozenset())
            email = f"agent{number}@bench.walletdesk.example"
            staff = create_staff(
                rt,
                login_text=email,
                password=password,
                display_name=f"客服{number}",
                roles=["agent"],
                actor=Actor.system(),
                request=request,
            )
            challenge = login(
                rt, login_text=email, password=password, kind=SessionKind.API, request=request
            )
            assert isinstance(challenge, TwoFactorChallenge)
            agent = complete_two_factor(
                rt,
                challenge_token=challenge.challenge_token,
                code=totp.code_at(staff.totp_secret, rt.clock.now()),
                request=request,
            )
            assert isinstance(agent, SignedIn)
            started = conversations.start_chat(rt, auth, text="我的提现三天了还没到账")
            actor = SupportActor.customer(auth)
            conversations.hand_off(rt, actor, started.conversation.id, reason="bench")
            agent_auth = Authenticated(
                user=agent.user, session=agent.session, roles=frozenset({"agent"})
            )
            casework.assign(rt, SupportActor.agent(agent_auth), started.case.id, agent.user.id)
            seeded.append(
                Pair(started.conversation.id, started.case.id, customer.token, agent.token)
            )
    finally:
        rt.close()
    return seeded


def _relax_durability(engine: Engine) -> None:
    """Seeding only: scratch rows need not survive a power cut, so commits skip the disk
    flush (SQLite `synchronous=OFF`, PostgreSQL `synchronous_commit=off`). The server that
    is measured keeps the normal settings."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_flush(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()


@contextlib.contextmanager
def chat_server(
    database_url: str, data_dir: Path, *, ws: str, redis_url: str | None
) -> Iterator[tuple[str, int]]:
    """One Uvicorn process on a free local port; yields its base URL and pid."""
    port = _free_port()
    env = os.environ | {
        "WALLETDESK_ENV": "dev",
        "WALLETDESK_DATA_DIR": str(data_dir),
        "WALLETDESK_DATABASE_URL": database_url,
        "WALLETDESK_LOG_LEVEL": "WARNING",
        "WALLETDESK_SUPPORT_AGENT_HOURS_CALENDAR": "always",
    }
    env.pop("WALLETDESK_REDIS_URL", None)
    if redis_url:
        env["WALLETDESK_REDIS_URL"] = redis_url
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "walletdesk.app:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--ws",
        ws,
        "--backlog",
        "4096",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the chat server exited with {server.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the chat server did not start within 60 s")
            time.sleep(0.2)
        yield base_url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Clients:
    """The sockets of every participant, and when each bench message was sent."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.sent_at: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}
        self.received_at: dict[int, float] = {}
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []

    async def open(
        self, url: str, token: str, *, receives_from: str, gate: asyncio.Semaphore
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
        self.figures.connections += 1
        self.readers.append(asyncio.create_task(self._read(socket, receives_from)))

    async def _read(self, socket: Any, receives_from: str) -> None:
        with contextlib.suppress(Exception):
            async for raw in socket:
                now = time.perf_counter()
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


async def settled_memory(pid: int, *, limit: float = 180.0) -> float:
    """The server's RSS once it stops growing (start-up work such as training the assistant's
    model runs in the background), so the sockets' share is measured apart from it."""
    deadline = time.monotonic() + limit
    readings = [memory_mb(pid)[0]]
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        readings.append(memory_mb(pid)[0])
        if len(readings) >= 5 and max(readings[-5:]) - min(readings[-5:]) < 1.0:
            break
    return readings[-1]


async def drive(
    base_url: str,
    server_pid: int,
    pairs: list[Pair],
    *,
    connections: int,
    rate: float,
    seconds: int,
    progress: Progress,
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
            )
        )
        opening.append(
            clients.open(
                f"{ws_base}/api/v1/staff/ws", pair.agent_token, receives_from="contact", gate=gate
            )
        )
    tasks = [asyncio.create_task(o) for o in opening[:connections]]
    while not all(t.done() for t in tasks):
        progress("opening sockets", figures.connections, connections)
        await asyncio.sleep(0.25)
    progress("opening sockets", figures.connections, connections)
    await asyncio.sleep(2)  # let the server settle (presence writes) before measuring
    figures.rss_mb = memory_mb(server_pid)[0]

    limits = httpx.Limits(
        max_connections=HTTP_CONNECTIONS, max_keepalive_connections=HTTP_CONNECTIONS
    )
    active = pairs[: max(1, min(len(pairs), connections // 2))]
    total = int(rate * seconds)
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
            task = asyncio.create_task(_post(http, clients, pair, seq, from_agent=seq % 2 == 1))
            posts.add(task)
            task.add_done_callback(posts.discard)
            figures.sent += 1
            if seq % max(1, int(rate)) == 0:
                progress("chatting", seq, total)
        await asyncio.gather(*posts, return_exceptions=True)
        figures.seconds = time.perf_counter() - started
        deadline = time.perf_counter() + DRAIN_SECONDS
        while clients.sent_at and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    progress("chatting", total, total)
    figures.server_cpu_s = cpu_seconds(server_pid) - cpu_before
    figures.client_cpu_s = cpu_seconds(os.getpid()) - client_before
    figures.push_delays = [
        clients.received_at[seq] - clients.answered_at[seq]
        for seq in clients.received_at.keys() & clients.answered_at.keys()
    ]
    figures.rss_peak_mb = memory_mb(server_pid)[1]
    lost = len(clients.sent_at)
    if lost:
        figures.errors["not delivered"] = lost
    await clients.close()
    return figures


def run(
    *,
    connections: int,
    rate: float,
    seconds: int,
    database_url: str | None,
    redis_url: str | None,
    ws: str,
    progress: Progress,
) -> dict[str, Any]:
    raise_open_files(connections * 2 + 1024)
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-chat-bench-"))
    url = database_url or f"sqlite:///{data_dir / 'walletdesk.db'}"
    try:
        from walletdesk.storage.migrate import upgrade

        upgrade(url)
        pairs = seed(url, data_dir, (connections + 1) // 2, progress)
        with chat_server(url, data_dir, ws=ws, redis_url=redis_url) as (base_url, pid):
            figures = asyncio.run(
                drive(
                    base_url,
                    pid,
                    pairs,
                    connections=connections,
                    rate=rate,
                    seconds=seconds,
                    progress=progress,
                )
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    p99 = percentile(figures.latencies, 0.99) * 1000
    return {
        "connections": figures.connections,
        "target_connections": figures.target_connections,
        "messages_per_s": round(figures.delivered / figures.seconds, 1) if figures.seconds else 0,
        "target_rate": rate,
        "sent": figures.sent,
        "delivered": figures.delivered,
        "p50_ms": round(percentile(figures.latencies, 0.50) * 1000, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(max(figures.latencies, default=0.0) * 1000, 2),
        "post_p50_ms": round(percentile(figures.post_latencies, 0.50) * 1000, 2),
        "post_p99_ms": round(percentile(figures.post_latencies, 0.99) * 1000, 2),
        "push_p50_ms": round(percentile(figures.push_delays, 0.50) * 1000, 2),
        "push_p99_ms": round(percentile(figures.push_delays, 0.99) * 1000, 2),
        "server_cpu_share": round(figures.server_cpu_s / max(figures.seconds, 1e-9), 2),
        "client_cpu_share": round(figures.client_cpu_s / max(figures.seconds, 1e-9), 2),
        "server_cpu_ms_per_message": round(
            figures.server_cpu_s * 1000 / max(figures.delivered, 1), 2
        ),
        "rss_mb": round(figures.rss_mb, 1),
        "rss_idle_mb": round(figures.rss_idle_mb, 1),
        "rss_peak_mb": round(figures.rss_peak_mb, 1),
        "kb_per_socket": round(
            (figures.rss_mb - figures.rss_idle_mb) * 1024 / max(figures.connections, 1), 1
        ),
        "database": "postgresql" if database_url else "sqlite",
        "redis": bool(redis_url),
        "ws": ws,
        "errors": figures.errors,
    }


def main(
    console: Console,
    postgres_admin: str | None,
    redis_url: str | None,
    *,
    connections: int,
    rate: float,
    seconds: int,
    ws: str,
) -> None:
    """The `walletdesk bench chat` command: progress on the console, JSON on the last line."""
    from rich.progress import BarColumn, Progress, TextColumn

    from walletdesk.bench.cli import LOCAL_HOSTS
    from walletdesk.storage import scratch

    name = f"wd_bench_chat_{secrets.token_hex(4)}"
    url = None
    if postgres_admin is not None:
        if scratch.host_of(postgres_admin) not in LOCAL_HOSTS:
            console.print("[red]The benchmark only loads a PostgreSQL on this machine.")
            raise SystemExit(2)
        url = scratch.create_database(postgres_admin, name)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        try:
            result = run(
                connections=connections,
                rate=rate,
                seconds=seconds,
                database_url=url,
                redis_url=redis_url,
                ws=ws,
                progress=report,
            )
        finally:
            if url is not None and postgres_admin is not None:
                scratch.drop_database(postgres_admin, name)
    console.print(
        f"chat on {result['database']}: {result['connections']:,} sockets, server RSS "
        f"{result['rss_mb']} MB ({result['kb_per_socket']} KB per socket); "
        f"{result['messages_per_s']} messages/s delivered, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms; errors {result['errors']}"
    )
    print(json.dumps(result, ensure_ascii=False), flush=True)  # noqa: T201 - the machine line
