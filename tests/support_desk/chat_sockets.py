"""Opening chat sockets in tests, and reading their frames without ever hanging."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

PROTOCOL = "walletdesk.chat.v1"
WAIT_SECONDS = 10.0
"""Only a guard against a hanging test: frames normally arrive within milliseconds."""


def protocols(headers: dict[str, str]) -> list[str]:
    """The bearer token of `headers`, offered the way a browser can: as a subprotocol."""
    token = headers["Authorization"].removeprefix("Bearer ")
    return [PROTOCOL, f"bearer.{token}"]


def customer_socket(
    client: TestClient, headers: dict[str, str], conversation_id: str
) -> WebSocketTestSession:
    return client.websocket_connect(
        f"/api/v1/conversations/{conversation_id}/ws", subprotocols=protocols(headers)
    )


def inbox_socket(client: TestClient, headers: dict[str, str]) -> WebSocketTestSession:
    return client.websocket_connect("/api/v1/staff/ws", subprotocols=protocols(headers))


def frame(socket: WebSocketTestSession) -> dict[str, Any]:
    """The next frame, or a failure after WAIT_SECONDS."""

    async def receive() -> dict[str, Any]:
        with anyio.fail_after(WAIT_SECONDS):
            message: dict[str, Any] = await socket._send_rx.receive()
            return message

    message = socket.portal.call(receive)
    socket._raise_on_close(message)
    body: dict[str, Any] = json.loads(message["text"])
    return body


def next_of(socket: WebSocketTestSession, kind: str) -> dict[str, Any]:
    """The next frame of type `kind`, skipping others (presence, case changes, ...)."""
    while True:
        body = frame(socket)
        if body["type"] == kind:
            return body


def until(socket: WebSocketTestSession, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    while True:
        body = frame(socket)
        if wanted(body):
            return body


def watch(socket: WebSocketTestSession, case_id: str) -> dict[str, Any]:
    socket.send_json({"type": "watch", "case_id": case_id})
    return until(socket, lambda f: f["type"] == "watching" and f["case_id"] == case_id)
