"""Group commit with a fake flush: who leads, what a batch holds, and whose failure is whose."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from walletdesk.ledger.group_commit import GroupCommit, Slot


class Door:
    """A flush that records its batches and can be held shut while callers pile up."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.open = threading.Event()
        self.entered = threading.Event()
        self.lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0

    def flush(self, slots: list[Slot[str, str]]) -> None:
        with self.lock:
            self.batches.append([s.item for s in slots])
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.entered.set()
        self.open.wait(timeout=10)
        for slot in slots:
            if slot.item.startswith("bad"):
                slot.fail(ValueError(f"refused {slot.item}"))
            else:
                slot.succeed(f"posted {slot.item}")
        with self.lock:
            self.inside -= 1


def wait_until(condition: object, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.005)


def test_callers_who_arrive_during_a_flush_share_the_next_batch() -> None:
    door = Door()
    group: GroupCommit[str, str] = GroupCommit(door.flush)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(group.run, "t0")
        assert door.entered.wait(5)
        later = [pool.submit(group.run, f"t{n}") for n in range(1, 8)]
        wait_until(lambda: len(group._queue) == 7)
        door.open.set()
        results = [first.result(5)] + [f.result(5) for f in later]
    assert results == [f"posted t{n}" for n in range(8)]
    assert door.batches[0] == ["t0"]
    assert sorted(door.batches[1]) == [f"t{n}" for n in range(1, 8)]
    assert (group.batches, group.operations) == (2, 8)


def test_a_refused_operation_fails_only_its_own_caller() -> None:
    door = Door()
    door.open.set()
    group: GroupCommit[str, str] = GroupCommit(door.flush)
    assert group.run("good-1") == "posted good-1"
    with pytest.raises(ValueError, match="refused bad-2"):
        group.run("bad-2")
    assert group.run("good-3") == "posted good-3"


def test_a_flush_that_breaks_fails_its_batch_and_the_next_caller_leads_afresh() -> None:
    calls: list[list[str]] = []

    def flush(slots: list[Slot[str, str]]) -> None:
        calls.append([s.item for s in slots])
        if len(calls) == 1:
            raise ConnectionError("database went away")
        for slot in slots:
            slot.succeed("ok")

    group: GroupCommit[str, str] = GroupCommit(flush)
    with pytest.raises(ConnectionError):
        group.run("first")
    assert group.run("second") == "ok"


def test_a_batch_holds_at_most_max_batch_operations() -> None:
    door = Door()
    group: GroupCommit[str, str] = GroupCommit(door.flush, max_batch=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(group.run, "t0")
        assert door.entered.wait(5)
        later = [pool.submit(group.run, f"t{n}") for n in range(1, 8)]
        wait_until(lambda: len(group._queue) == 7)
        door.open.set()
        assert first.result(5) == "posted t0"
        assert [f.result(5) for f in later] == [f"posted t{n}" for n in range(1, 8)]
    assert max(len(batch) for batch in door.batches) == 3
    assert sum(len(batch) for batch in door.batches) == 8


def test_with_two_flushers_two_batches_run_at_once_and_never_three() -> None:
    door = Door()
    group: GroupCommit[str, str] = GroupCommit(door.flush, flushers=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(group.run, f"t{n}") for n in range(6)]
        wait_until(lambda: door.inside == 2)
        time.sleep(0.05)  # a third flush, if the limit were broken, would start now
        door.open.set()
        assert sorted(f.result(5) for f in futures) == sorted(f"posted t{n}" for n in range(6))
    assert door.most_inside == 2
