"""No password, code, token or full phone number ever reaches the logs.

The conftest also checks the logs of the whole suite when it ends; this test runs every flow
that handles secrets, including failures and a crash, and checks at once.
"""

import logging
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import CAPTURED, leaked_secrets
from tests.support import (
    LI_NA,
    ZHANG_MING,
    current_totp,
    enable_totp,
    last_code,
    sign_up_and_in,
    start_login,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def test_secret_bearing_flows_leave_no_secret_in_the_logs(
    app: FastAPI,
    client: TestClient,
    rt: Runtime,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = len(CAPTURED.lines)
    used: set[str] = {
        ZHANG_MING.password,
        LI_NA.password,
        "+8613812345678",
        "13812345678",
        "13987654321",
        "+8613987654321",
    }
    headers = sign_up_and_in(client, ZHANG_MING)
    used.add(headers["Authorization"].split()[1])
    client.post("/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": "bad pw 12"})
    client.post("/api/v1/auth/password-reset/request", json={"login": ZHANG_MING.login})
    code = last_code(rt, ZHANG_MING.phone or "")
    used.add(code)
    client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": ZHANG_MING.login, "code": code, "new_password": "short"},
    )
    li = sign_up_and_in(client, LI_NA)
    secret, recovery = enable_totp(client, rt, li)
    used |= {secret, *recovery}
    clock.advance(timedelta(seconds=30))
    challenge = start_login(client, LI_NA)
    used.add(challenge)
    client.post("/api/v1/auth/2fa/verify", json={"challenge_token": challenge, "code": "000000"})
    used.add(current_totp(rt, secret))
    client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": challenge, "code": current_totp(rt, secret)},
    )
    from walletdesk.identity import registration

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(registration, "register", explode)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as crash:
        crash.post(
            "/api/v1/auth/register",
            json={"phone": "13812345678", "password": ZHANG_MING.password, "display_name": "x"},
        )
    lines = CAPTURED.lines[start:]
    assert any("POST /api/v1/auth/login" in line for line in lines), "logs were captured"
    assert any("unhandled error" in line for line in lines)
    assert leaked_secrets(lines, used) == []


def test_the_leak_check_itself_finds_a_leaked_secret() -> None:
    logger = logging.getLogger("walletdesk.test")
    start = len(CAPTURED.lines)
    logger.warning("careless debugging: code=%s", "481516")
    lines = CAPTURED.lines[start:]
    assert leaked_secrets(lines, {"481516"}) == ["481516"]
    CAPTURED.lines[start:] = []  # keep the deliberate leak out of the suite-wide check
