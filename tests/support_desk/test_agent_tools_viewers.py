"""Who is viewing a case: a view lasts VIEW_TTL after the last sign of life, on the injected
clock; Redis shares presence between server processes when it is configured."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import FAST_ARGON2
from tests.support import START, ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case, staff
from walletdesk.clock import FrozenClock
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.support.viewers import VIEW_TTL, MemoryCaseViewers, RedisCaseViewers

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL")
SECOND = timedelta(seconds=1)


def names(client: TestClient, headers: dict[str, str], case_id: str) -> list[str]:
    response = client.get(f"/api/v1/staff/cases/{case_id}/viewers", headers=headers)
    assert response.status_code == 200, response.text
    return [v["name"] for v in response.json()["viewers"]]


def test_two_agents_on_one_case_see_each_other_until_a_view_runs_out(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "转账被退回了")
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")

    first = client.post(f"/api/v1/staff/cases/{case_id}/viewers", headers=wang.headers)
    assert first.status_code == 200
    assert first.json()["ttl_seconds"] == int(VIEW_TTL.total_seconds())
    assert [(v["name"], v["me"]) for v in first.json()["viewers"]] == [("小王", True)]
    clock.advance(timedelta(seconds=10))
    client.post(f"/api/v1/staff/cases/{case_id}/viewers", headers=zhou.headers)
    assert names(client, wang.headers, case_id) == ["小王", "老周"]

    clock.advance(VIEW_TTL - timedelta(seconds=10) - SECOND)
    assert names(client, zhou.headers, case_id) == ["小王", "老周"], "one second left"
    clock.advance(SECOND)
    assert names(client, zhou.headers, case_id) == ["老周"], "小王's view ran out"

    client.delete(f"/api/v1/staff/cases/{case_id}/viewers", headers=zhou.headers)
    assert names(client, wang.headers, case_id) == []


def test_viewing_is_for_staff_who_work_cases_and_does_not_change_the_case(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "转账被退回了")
    wang = staff(client, rt, "wang", "小王", "agent")
    before = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()["version"]
    client.post(f"/api/v1/staff/cases/{case_id}/viewers", headers=wang.headers)
    after = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()["version"]
    assert after == before
    assert client.get(f"/api/v1/staff/cases/{case_id}/viewers", headers=zhang).status_code == 403
    missing = client.post("/api/v1/staff/cases/case_nosuchcase000000/viewers", headers=wang.headers)
    assert missing.status_code == 404


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_presence_stores_expire_views_at_their_edge(backend: str) -> None:
    if backend == "redis" and not REDIS_URL:
        pytest.skip("WALLETDESK_TEST_REDIS_URL is not set")
    if backend == "redis":
        import redis

        store: MemoryCaseViewers | RedisCaseViewers = RedisCaseViewers(
            redis.Redis.from_url(str(REDIS_URL)), prefix=f"test:viewers:{os.getpid()}"
        )
    else:
        store = MemoryCaseViewers()
    until = START + VIEW_TTL
    store.seen("case_a", "usr_wang", until)
    store.seen("case_a", "usr_zhou", until + SECOND)
    assert store.viewing("case_a", until - SECOND) == {
        "usr_wang": until,
        "usr_zhou": until + SECOND,
    }
    assert store.viewing("case_a", until) == {"usr_zhou": until + SECOND}
    store.left("case_a", "usr_zhou")
    assert store.viewing("case_a", START) == {}
    assert store.viewing("case_b", START) == {}


def test_with_redis_two_server_processes_see_the_same_viewers(
    settings: Settings, clock: FrozenClock, rt: Runtime
) -> None:
    if not REDIS_URL:
        pytest.skip("WALLETDESK_TEST_REDIS_URL is not set")
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    one = build_runtime(shared, clock=clock, random=SeededRandom(1), argon2=FAST_ARGON2)
    two = build_runtime(shared, clock=clock, random=SeededRandom(2), argon2=FAST_ARGON2)
    try:
        assert isinstance(one.case_viewers, RedisCaseViewers)
        case_id = f"case_shared_{os.getpid()}"
        one.case_viewers.seen(case_id, "usr_wang", clock.now() + VIEW_TTL)
        assert list(two.case_viewers.viewing(case_id, clock.now())) == ["usr_wang"]
        two.case_viewers.left(case_id, "usr_wang")
        assert one.case_viewers.viewing(case_id, clock.now()) == {}
    finally:
        one.close()
        two.close()
    assert isinstance(rt.case_viewers, MemoryCaseViewers), "without Redis: in process"
