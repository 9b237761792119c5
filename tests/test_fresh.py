"""FreshCache: a value read from one database is reused for a few seconds, per engine."""

from __future__ import annotations

import time

import pytest

from walletdesk.fresh import FreshCache


class Engine:
    """Stands for a database engine: the cache only needs a weakly referable key."""


def test_a_value_is_reused_within_its_seconds_and_read_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache: FreshCache[str] = FreshCache(10.0)
    engine, reads = Engine(), []

    def read() -> str:
        reads.append(now[0])
        return f"read at {now[0]}"

    assert cache.get(engine, read) == "read at 100.0"
    now[0] = 109.9
    assert cache.get(engine, read) == "read at 100.0"
    now[0] = 110.0  # the edge: `seconds` after the read it is stale
    assert cache.get(engine, read) == "read at 110.0"
    assert reads == [100.0, 110.0]


def test_each_engine_has_its_own_value() -> None:
    cache: FreshCache[int] = FreshCache(10.0)
    one, two = Engine(), Engine()
    assert cache.get(one, lambda: 1) == 1
    assert cache.get(two, lambda: 2) == 2
    assert cache.get(one, lambda: 3) == 1


def test_forget_drops_what_was_kept() -> None:
    cache: FreshCache[int] = FreshCache(10.0)
    engine = Engine()
    assert cache.get(engine, lambda: 1) == 1
    cache.forget()
    assert cache.get(engine, lambda: 2) == 2


def test_a_read_begun_before_a_forget_is_returned_but_not_kept() -> None:
    cache: FreshCache[int] = FreshCache(10.0)
    engine = Engine()

    def read_while_a_writer_commits() -> int:
        cache.forget()  # the change commits while this read still holds the old rows
        return 1

    assert cache.get(engine, read_while_a_writer_commits) == 1
    assert cache.get(engine, lambda: 2) == 2, "the old rows must not be kept"
