"""The developer's outbox page: codes the simulators sent, and the demo TOTP codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import FAST_ARGON2
from tests.support import ZHANG_MING, last_code
from tests.web.pages import post_form, register_via_page
from walletdesk.app import create_app
from walletdesk.clock import FrozenClock
from walletdesk.demo import DEMO_STAFF
from walletdesk.identity import totp
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings


def test_the_dev_outbox_page_shows_the_reset_code(client: TestClient, rt: Runtime) -> None:
    register_via_page(client, ZHANG_MING)
    post_form(client, "/forgot", {"login": ZHANG_MING.login})
    code = last_code(rt, ZHANG_MING.phone or "")

    page = client.get("/dev/outbox/page")
    assert page.status_code == 200
    assert code in page.text
    assert "+8613812345678" in page.text
    assert 'href="/dev/outbox/page"' in client.get("/").text


def test_the_dev_outbox_page_shows_the_demo_staff_codes(
    client: TestClient, clock: FrozenClock
) -> None:
    page = client.get("/dev/outbox/page")
    agent = DEMO_STAFF[0]
    assert agent.email in page.text
    assert totp.code_at(agent.totp_secret, clock.now()) in page.text


@pytest.fixture
def prod_client(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    prod = settings.model_copy(update={"env": "prod"})
    runtime = build_runtime(prod, clock=clock, random=SeededRandom(3), argon2=FAST_ARGON2)
    try:
        with TestClient(
            create_app(runtime=runtime, background_worker=False), base_url="https://testserver"
        ) as client:
            yield client
    finally:
        runtime.close()


def test_in_production_the_dev_pages_do_not_exist(prod_client: TestClient) -> None:
    assert prod_client.get("/dev/outbox/page").status_code == 404
    assert "/dev/outbox/page" not in prod_client.get("/").text
