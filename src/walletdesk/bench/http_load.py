"""Driving the real API: a `walletdesk` app under Uvicorn in its own process on 127.0.0.1, and
a pool of HTTP clients posting transfers with an Idempotency-Key each, as a phone app would."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from walletdesk.bench.loads import Operation, Tally, amount_for, pick_pair
from walletdesk.bench.world import World

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


WARM_UP_SECONDS = 5.0


def _save_bot_model(world: World) -> None:
    """Train the bot's model once, as `walletdesk bot train` would before a deployment: each
    worker then loads it at start-up instead of training it (seconds of CPU) while we measure."""
    from walletdesk.bot.artefact import BrainHolder, model_dir, save_brain

    save_brain(BrainHolder(world.data_dir).get(), model_dir(world.data_dir))


@contextmanager
def api_server(world: World, *, workers: int) -> Iterator[str]:
    """Start Uvicorn on a free local port and wait until it answers; stop it afterwards."""
    port = _free_port()
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
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = os.environ | world.server_env()
    _save_bot_model(world)
    server = subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the API server exited with {server.returncode}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API server did not start within 60 s")
            time.sleep(0.2)
        time.sleep(WARM_UP_SECONDS)  # the workers load the bot's model in the background
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def http_operation(world: World, client: httpx.Client, tally: Tally) -> Operation:
    def run(rng: random.Random) -> int:
        payer, payee = pick_pair(world, rng)
        amount = amount_for(rng)
        response = client.post(
            "/api/v1/transfers",
            json={"to": payee.user_id, "amount": amount.to_string(), "currency": "CNY"},
            headers={
                "Authorization": f"Bearer {payer.token}",
                "Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128))),
            },
        )
        if response.status_code == 202:  # held for review by the risk engine
            tally.hold()
            return 0
        if response.status_code != 201:
            raise HttpRefused(response.status_code, response.text[:200])
        return 1

    return run


class HttpRefused(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status


def http_client(base_url: str, clients: int) -> httpx.Client:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    return httpx.Client(base_url=base_url, limits=limits, timeout=30)
