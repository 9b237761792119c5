"""The chat bench's server process: starting it, and reading its memory and CPU time."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from walletdesk.bench.http_load import HOST, _free_port


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
