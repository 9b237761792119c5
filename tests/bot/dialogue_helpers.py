"""Moves shared by the assistant's dialogue tests: a signed-in customer chatting, reading
the assistant's replies and the case's events."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from walletdesk.runtime import Runtime
from walletdesk.support.history import CaseEvent


def say(client: TestClient, headers: dict[str, str], conversation_id: str, text: str) -> None:
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", headers=headers, json={"text": text}
    )
    assert response.status_code == 201, response.text


def start(client: TestClient, headers: dict[str, str], text: str) -> tuple[str, str]:
    """Start a chat; returns (conversation id, case id)."""
    response = client.post("/api/v1/conversations", headers=headers, json={"text": text})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["conversation_id"], body["case"]["id"]


def messages(client: TestClient, headers: dict[str, str], conversation_id: str) -> list[dict]:
    response = client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def bot_replies(client: TestClient, headers: dict[str, str], conversation_id: str) -> list[str]:
    return [
        m["text"]
        for m in messages(client, headers, conversation_id)
        if m["author"]["kind"] == "bot"
    ]


def last_reply(client: TestClient, headers: dict[str, str], conversation_id: str) -> str:
    replies = bot_replies(client, headers, conversation_id)
    assert replies, "the assistant did not answer"
    return replies[-1]


def events(rt: Runtime, case_id: str, kind: str | None = None) -> list[CaseEvent]:
    with rt.db.uow(read_only=True) as uow:
        found = uow.support.events.for_case(case_id)
    return [e for e in found if kind is None or e.kind == kind]


def last_turn(rt: Runtime, case_id: str) -> dict[str, Any]:
    turns = events(rt, case_id, "bot.turn")
    assert turns, "no bot.turn event"
    return turns[-1].after


def tool_events(rt: Runtime, case_id: str) -> list[dict[str, Any]]:
    return [e.after for e in events(rt, case_id, "bot.tool")]
