"""People and moves shared by the support-desk tests: staff who sign in with their
authenticator, a customer's chat, and small real files for attachments."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from fastapi.testclient import TestClient

from tests.support import bearer, current_totp, remember
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime

STAFF_PASSWORD = "lantern ferry cabinet 63"
remember(STAFF_PASSWORD)

# The smallest valid PNG (1×1, transparent) and a tiny PDF: real magic numbers.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class Staff:
    user_id: str
    headers: dict[str, str]


def staff_member(client: TestClient, rt: Runtime, name: str, role: str) -> Staff:
    """Create a staff account with `role` and sign it in with password and TOTP."""
    email = f"{name.lower()}@walletdesk.example"
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    first = client.post("/api/v1/auth/login", json={"login": email, "password": STAFF_PASSWORD})
    challenge = first.json()["challenge_token"]
    remember(challenge)
    second = client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": challenge, "code": current_totp(rt, created.totp_secret)},
    )
    assert second.status_code == 200, second.text
    token = second.json()["access_token"]
    remember(token)
    return Staff(created.user_id, bearer(token))


def attachment(name: str, content: bytes) -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(content).decode()}


def start_chat(client: TestClient, headers: dict[str, str], text: str, **extra: object) -> dict:
    response = client.post("/api/v1/conversations", headers=headers, json={"text": text} | extra)
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def hand_off(client: TestClient, headers: dict[str, str], conversation_id: str) -> dict:
    response = client.post(f"/api/v1/conversations/{conversation_id}/handoff", headers=headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def beijing(text: str) -> datetime:
    """An instant written in Beijing time: beijing("2026-02-13 17:00")."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
