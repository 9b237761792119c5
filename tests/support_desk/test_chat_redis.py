"""Two server processes on one database and one Redis deliver chat to each other's sockets:
the customer's socket is held by one process, the agent's by the other, and messages posted
through either reach both (skipped without WALLETDESK_TEST_REDIS_URL)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import FAST_ARGON2, REDIS_URL, TEST_KEYS
from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.chat_sockets import PROTOCOL, WAIT_SECONDS, protocols
from tests.support_desk.helpers import staff_member
from walletdesk.runtime import build_runtime
from walletdesk.settings import Settings

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="WALLETDESK_TEST_REDIS_URL is not set")
HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def quiet_handshakes() -> Iterator[None]:
    """The websockets client logs handshake headers at DEBUG, bearer protocol included."""
    chatty = logging.getLogger("websockets")
    level = chatty.level
    chatty.setLevel(logging.INFO)
    yield
    chatty.setLevel(level)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(settings: Settings, log: Path) -> Iterator[str]:
    """A `walletdesk` API process under Uvicorn on a free local port, with Redis."""
    port = free_port()
    env = os.environ | {
        "WALLETDESK_ENV": "dev",
        "WALLETDESK_DATA_DIR": str(settings.data_dir),
        "WALLETDESK_DATABASE_URL": settings.resolved_database_url,
        "WALLETDESK_REDIS_URL": str(REDIS_URL),
        "WALLETDESK_SECRET_KEY": TEST_KEYS["secret_key"],
        "WALLETDESK_FIELD_KEYS": TEST_KEYS["field_keys"],
        "WALLETDESK_BLIND_INDEX_KEY": TEST_KEYS["blind_index_key"],
        # Whatever the hour the suite runs at, agents are on duty.
        "WALLETDESK_SUPPORT_AGENT_HOURS_CALENDAR": "always",
        # Redis keeps rate-limit counters between runs; these tests sign the same people in.
        "WALLETDESK_RATE_LOGIN_ACCOUNT": "1000/1",
        "WALLETDESK_RATE_LOGIN_IP": "1000/1",
    }
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
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        base = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def received(socket: ClientConnection, kind: str, **where: Any) -> dict[str, Any]:
    """The next frame of type `kind` (whose `message` matches `where`, if given)."""
    while True:
        body: dict[str, Any] = json.loads(socket.recv(timeout=WAIT_SECONDS))
        message = body.get("message") or {}
        if body["type"] == kind and all(message.get(k) == v for k, v in where.items()):
            return body


def test_two_server_processes_deliver_chat_messages_to_each_others_sockets(
    settings: Settings, tmp_path: Path
) -> None:
    import redis

    redis.Redis.from_url(str(REDIS_URL)).flushdb()
    rt = build_runtime(settings, argon2=FAST_ARGON2)  # the system clock, like the servers
    with ExitStack() as stack:
        stack.callback(rt.close)
        one = stack.enter_context(server(settings, tmp_path / "one.log"))
        two = stack.enter_context(server(settings, tmp_path / "two.log"))
        via_one = stack.enter_context(httpx.Client(base_url=one, timeout=30))
        via_two = stack.enter_context(httpx.Client(base_url=two, timeout=30))

        zhang = sign_up_and_in(via_one, ZHANG_MING)  # type: ignore[arg-type]
        agent = staff_member(via_two, rt, "Wang", "agent")  # type: ignore[arg-type]
        started = via_one.post("/api/v1/conversations", headers=zhang, json={"text": "提现没到账"})
        assert started.status_code == 201, started.text
        conversation = started.json()["conversation_id"]
        case_id = started.json()["case"]["id"]
        handed = via_one.post(f"/api/v1/conversations/{conversation}/handoff", headers=zhang)
        assert handed.json()["expected"]["waiting_for"] == "support"

        ws_two = two.replace("http://", "ws://")
        ws_one = one.replace("http://", "ws://")
        inbox = stack.enter_context(
            connect(f"{ws_two}/api/v1/staff/ws", subprotocols=protocols(agent.headers))  # type: ignore[arg-type]
        )
        assert inbox.subprotocol == PROTOCOL
        received(inbox, "ready")
        inbox.send(json.dumps({"type": "watch", "case_id": case_id}))
        received(inbox, "watching")
        chat = stack.enter_context(
            connect(
                f"{ws_one}/api/v1/conversations/{conversation}/ws",
                subprotocols=protocols(zhang),  # type: ignore[arg-type]
            )
        )
        received(chat, "ready")

        asked = via_one.post(
            f"/api/v1/conversations/{conversation}/messages",
            headers=zhang,
            json={"text": "银行说已经退回了"},
        ).json()["message"]
        pushed = received(inbox, "message")["message"]
        assert (pushed["id"], pushed["text"]) == (asked["id"], "银行说已经退回了")

        answer = via_two.post(
            f"/api/v1/staff/cases/{case_id}/messages",
            headers=agent.headers,
            json={"text": "您好，退款已原路退回。"},
        ).json()["message"]
        got = received(chat, "message", id=answer["id"])["message"]
        assert (got["id"], got["author"]) == (answer["id"], {"kind": "agent", "name": "Wang"})

        chat.send(json.dumps({"type": "typing"}))
        assert received(inbox, "typing")["by"]["kind"] == "contact"
