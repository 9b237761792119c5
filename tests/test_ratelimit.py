import os
from datetime import timedelta

import pytest

from tests.conftest import FAST_ARGON2
from tests.support import START
from walletdesk.clock import FrozenClock
from walletdesk.errors import RateLimited
from walletdesk.ratelimit import MemoryRateLimiter, Rate, RateLimiter, RedisRateLimiter
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings

REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL")


def limiters(clock: FrozenClock) -> list[RateLimiter]:
    found: list[RateLimiter] = [MemoryRateLimiter(clock)]
    if REDIS_URL:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        found.append(RedisRateLimiter(client, clock, prefix=f"test:{os.getpid()}"))
    return found


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_the_sixth_hit_in_a_window_is_refused_with_retry_after(backend: str) -> None:
    if backend == "redis" and not REDIS_URL:
        pytest.skip("WALLETDESK_TEST_REDIS_URL is not set")
    clock = FrozenClock(START + timedelta(seconds=10))  # 10 s into a 60 s window
    limiter = limiters(clock)[0 if backend == "memory" else 1]
    rate = Rate.parse("5/60")
    for _ in range(5):
        limiter.hit("login_ip", "198.51.100.7", rate)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("login_ip", "198.51.100.7", rate)
    assert caught.value.retry_after == 50
    limiter.hit("login_ip", "198.51.100.8", rate)  # other subjects are not affected
    clock.advance(timedelta(seconds=49))
    with pytest.raises(RateLimited):
        limiter.hit("login_ip", "198.51.100.7", rate)
    clock.advance(timedelta(seconds=1))  # the next window starts exactly here
    limiter.hit("login_ip", "198.51.100.7", rate)


def test_rates_parse_and_refuse_nonsense() -> None:
    assert Rate.parse("5/3600") == Rate(5, 3600)
    with pytest.raises(ValueError):
        Rate.parse("0/60")


def test_the_runtime_uses_redis_when_it_is_configured(settings: Settings) -> None:
    if not REDIS_URL:
        pytest.skip("WALLETDESK_TEST_REDIS_URL is not set")
    runtime = build_runtime(
        settings.model_copy(update={"redis_url": REDIS_URL}), argon2=FAST_ARGON2
    )
    try:
        assert isinstance(runtime.limiter, RedisRateLimiter)
    finally:
        runtime.close()


def test_the_runtime_limits_in_process_without_redis(rt: Runtime) -> None:
    assert isinstance(rt.limiter, MemoryRateLimiter)
