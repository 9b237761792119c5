"""`walletdesk bench chat`: live-chat sockets against one real server process.

Seeding is in `chat_seed`, the server process in `chat_server`, the clients in `chat_drive`.

1. A scratch database (SQLite in a temporary folder, or a scratch PostgreSQL database) is
   migrated; the assistant's model is trained into the server's data folder (as a deployment
   does; not measured); and the database is seeded through the real services: N/2
   customers, each with a chat handed to agents, and N/2 agents, each assigned one of those
   cases.
2. One Uvicorn process serves the app on 127.0.0.1 (agents on duty around the clock, so the
   run does not depend on the hour).
3. This process opens N WebSockets (one per customer on their conversation, one inbox per
   agent), then measures the server's resident memory (VmRSS from /proc/<pid>/status).
4. Messages go at a fixed rate, alternating customer → agent and agent → customer on each
   pair: POSTed over REST (`--via rest`) or sent as `message` frames on the sender's own
   socket (`--via socket`, answered with an `ack`). Each message's latency runs from just
   before it is sent to the moment the other side's socket receives it (open loop: a slow
   answer does not slow the sender).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from walletdesk.bench.chat_drive import drive
from walletdesk.bench.chat_seed import Progress, seed
from walletdesk.bench.chat_server import chat_server, raise_open_files
from walletdesk.bench.loads import percentile

if TYPE_CHECKING:
    from rich.console import Console


def train_bot(data_dir: Path, progress: Progress) -> None:
    """Save the assistant's model where the server loads it, as a deployment does with
    `walletdesk bot train`. Without it the server trains one at start-up, on its own CPU,
    and with 2,000 sockets that training was still running when the messages began."""
    from walletdesk.bot.artefact import model_dir, save_brain
    from walletdesk.bot.catalogue import load_catalogue
    from walletdesk.bot.understanding import Brain

    progress("training the assistant's model", 0, 1)
    save_brain(Brain.train(load_catalogue()), model_dir(data_dir))
    progress("training the assistant's model", 1, 1)


def run(
    *,
    connections: int,
    rate: float,
    seconds: int,
    database_url: str | None,
    redis_url: str | None,
    ws: str,
    progress: Progress,
    via: str = "rest",
    profile: Path | None = None,
) -> dict[str, Any]:
    raise_open_files(connections * 2 + 1024)
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-chat-bench-"))
    url = database_url or f"sqlite:///{data_dir / 'walletdesk.db'}"
    try:
        from walletdesk.storage.migrate import upgrade

        upgrade(url)
        train_bot(data_dir, progress)
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
                    via=via,
                    profile=profile,
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
        "via": via,
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
    via: str = "rest",
    profile: Path | None = None,
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
                via=via,
                profile=profile,
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
