"""Helpers shared by the tests: memorable people, reading the simulated SMS/email, and a
registry of secrets that must never appear in the logs (checked when the session ends)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from walletdesk.identity import totp
from walletdesk.notify.inbox import simulated_outbox
from walletdesk.runtime import Runtime

START = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)  # a Monday morning in Beijing's evening

SECRETS: set[str] = set()
"""Passwords, codes, tokens and full phone numbers used anywhere in the suite."""


def remember(*values: str | None) -> None:
    for value in values:
        if value and len(value) >= 6:
            SECRETS.add(value)


@dataclass(frozen=True)
class Person:
    display_name: str
    phone: str | None
    email: str | None
    password: str

    @property
    def login(self) -> str:
        return self.phone or self.email or ""


ZHANG_MING = Person("张明", "13812345678", None, "plum blossom river 7")
LI_NA = Person("李娜", "13987654321", "li.na@example.com", "jade mountain tea 42")
TOM = Person("Tom Baker", None, "tom@example.org", "quiet harbour lantern")


def remember_person(person: Person) -> None:
    remember(person.password, person.phone, person.email)
    if person.phone:
        remember("+86" + person.phone)


def register(client: TestClient, person: Person, **extra: object) -> dict[str, object]:
    remember_person(person)
    body: dict[str, object] = {"password": person.password, "display_name": person.display_name}
    if person.phone:
        body["phone"] = person.phone
    if person.email:
        body["email"] = person.email
    body.update(extra)
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def login(client: TestClient, person: Person, password: str | None = None) -> str:
    """Sign in with the password only; returns the bearer token."""
    response = client.post(
        "/api/v1/auth/login", json={"login": person.login, "password": password or person.password}
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert token, response.json()
    remember(token)
    return str(token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_up_and_in(client: TestClient, person: Person) -> dict[str, str]:
    register(client, person)
    return bearer(login(client, person))


_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def messages_to(rt: Runtime, destination: str) -> list[str]:
    """Bodies the simulators sent to `destination` (phone as typed, or email), newest first."""
    wanted = {destination, "+86" + destination}
    return [m.body for m in simulated_outbox(rt) if m.destination in wanted]


def last_code(rt: Runtime, destination: str) -> str:
    for body in messages_to(rt, destination):
        found = _CODE.search(body)
        if found:
            remember(found.group(1))
            return found.group(1)
    raise AssertionError(f"no code was sent to {destination}")


def current_totp(rt: Runtime, secret: str) -> str:
    code = totp.code_at(secret, rt.clock.now())
    remember(code)
    return code


def enable_totp(client: TestClient, rt: Runtime, headers: dict[str, str]) -> tuple[str, list[str]]:
    """Enrol and confirm TOTP through the API; returns (secret, recovery codes)."""
    enrolment = client.post("/api/v1/me/2fa/totp", headers=headers).json()
    secret = str(enrolment["secret"])
    remember(secret)
    confirmed = client.post(
        "/api/v1/me/2fa/totp/confirm", headers=headers, json={"code": current_totp(rt, secret)}
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = [str(code) for code in confirmed.json()["recovery_codes"]]
    remember(*codes)
    return secret, codes


def start_login(client: TestClient, person: Person) -> str:
    """The password step of a 2FA login; returns the challenge token."""
    response = client.post(
        "/api/v1/auth/login", json={"login": person.login, "password": person.password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["two_factor_required"] is True and body["access_token"] is None
    remember(body["challenge_token"])
    return str(body["challenge_token"])
