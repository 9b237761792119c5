"""Failures on pages show a translated page with the right status, never a stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import FAST_ARGON2, TEST_KEYS
from tests.support import ZHANG_MING
from tests.web.pages import post_form, signed_up_and_in
from walletdesk.app import HSTS, create_app
from walletdesk.clock import FrozenClock
from walletdesk.errors import RateLimited
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import build_runtime
from walletdesk.settings import Settings


def test_an_unknown_page_is_a_translated_404(client: TestClient) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "找不到页面" in page.text
    assert "Page not found" in client.get("/nowhere?lang=en").text


def test_the_wrong_method_is_a_page_too(client: TestClient) -> None:
    page = client.get("/logout")
    assert page.status_code == 405
    assert "此处不支持该操作" in page.text


def test_an_unexpected_error_shows_the_500_page_without_details(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_up_and_in(client, ZHANG_MING)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database exploded at /srv/secret/path")

    monkeypatch.setattr("walletdesk.web.home_pages.own_profile", broken)
    page = client.get("/")
    assert page.status_code == 500
    assert "服务出错了" in page.text
    assert "req_" in page.text  # the reference to quote
    assert "exploded" not in page.text
    assert "Traceback" not in page.text
    assert page.headers["X-Request-ID"].startswith("req_")
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_rate_limit_on_a_page_says_how_long_to_wait(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_up_and_in(client, ZHANG_MING)

    def limited(*_: object, **__: object) -> None:
        raise RateLimited(retry_after=90)

    monkeypatch.setattr("walletdesk.web.device_pages.sessions.revoke_other_sessions", limited)
    page = post_form(client, "/security/sessions/revoke-others?lang=en", {}, page="/security")
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "90"
    assert "Too many attempts" in page.text
    assert "90 seconds" in page.text


def test_the_api_still_answers_in_json(client: TestClient) -> None:
    reply = client.get("/api/v1/me")
    assert reply.status_code == 401
    assert reply.json()["error"]["code"]


def test_pages_are_never_cached(client: TestClient) -> None:
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_the_stylesheet_is_served(client: TestClient) -> None:
    css = client.get("/static/site.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]


def test_a_malformed_page_request_gets_an_html_page_not_json(client: TestClient) -> None:
    reply = client.get("/security/sessions/x/revoke")  # only POST exists here
    assert reply.headers["content-type"].startswith("text/html")
    bad = client.post("/login", content=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert bad.status_code < 500
    assert bad.headers["content-type"].startswith("text/html")


def test_pages_forbid_inline_script_and_framing_and_dev_sends_no_hsts(client: TestClient) -> None:
    page = client.get("/login")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "Strict-Transport-Security" not in page.headers  # dev serves plain HTTP


def test_production_sends_hsts_and_forbids_framing(
    tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    settings = Settings(env="prod", data_dir=tmp_path, database_url=database_url, **TEST_KEYS)
    runtime = build_runtime(settings, clock=clock, random=SeededRandom(7), argon2=FAST_ARGON2)
    try:
        app = create_app(runtime=runtime, background_worker=False)
        with TestClient(app, base_url="https://testserver") as client:
            for reply in (client.get("/login"), client.get("/help"), client.get("/api/v1/nope")):
                assert reply.status_code < 500
                assert reply.headers["Strict-Transport-Security"] == HSTS
                assert reply.headers["X-Frame-Options"] == "DENY"
                assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    finally:
        runtime.close()
