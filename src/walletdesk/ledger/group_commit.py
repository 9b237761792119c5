"""Group commit: many callers' operations posted in one database transaction.

A caller hands its operation to `GroupCommit.run` and blocks until it is committed. The first
caller that finds fewer than `flushers` flushes in progress becomes a leader: it takes everything
queued (its own operation and those of the callers that arrived meanwhile, up to `max_batch`),
runs the flush function once for all of them, and wakes each caller with its own outcome.
Callers that arrive while the flushers are busy queue up for the next batch; when a leader is
done it promotes the oldest waiting caller to lead the next one. There is no background thread:
the callers do the work. Concurrent flushes must not deadlock each other: the flush function
takes its locks in one global order (see `wd_post_transfers`).

This is how TigerBeetle batches transfers: each operation still succeeds or fails on its own,
nobody learns an outcome before the transaction that holds it has committed, and the cost of a
round trip and of a commit (the WAL flush) is paid once per batch instead of once per operation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(eq=False)
class Slot(Generic[Item, Result]):
    """One caller's operation and, once flushed, its outcome (a result or an exception)."""

    item: Item
    result: Result | None = None
    error: BaseException | None = None
    done: bool = False
    promoted: bool = False
    wake: threading.Event = field(default_factory=threading.Event)  # settled or promoted
    settled: threading.Event = field(default_factory=threading.Event)

    def succeed(self, result: Result) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> Result:
        if self.error is not None:
            raise self.error
        assert self.done and self.result is not None, "slot read before it was flushed"
        return self.result


Flush = Callable[[list[Slot[Item, Result]]], None]
"""Runs one batch: must settle every slot (succeed or fail); may raise, which fails the rest."""


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self, flush: Flush[Item, Result], *, max_batch: int = 64, flushers: int = 1
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._flushers = flushers  # batches in flight at once (each on its own connection)
        self._lock = threading.Lock()
        self._queue: list[Slot[Item, Result]] = []
        self._leaders = 0
        self.batches = 0  # for the benchmark's report: operations / batches is the batch size
        self.operations = 0

    def run(self, item: Item) -> Result:
        slot: Slot[Item, Result] = Slot(item)
        with self._lock:
            self._queue.append(slot)
            lead = self._leaders < self._flushers
            if lead:
                self._leaders += 1
        if not lead:
            slot.wake.wait()
            if slot.done:
                return slot.outcome()
            assert slot.promoted
        self._lead(slot)
        return slot.outcome()

    def _lead(self, own: Slot[Item, Result]) -> None:
        """Flush batches until our own slot is settled (or another leader has it), then hand
        the lead to the oldest waiting caller, or stand down when nobody waits."""
        while True:
            with self._lock:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                self.batches += 1 if batch else 0
                self.operations += len(batch)
            if batch:
                self._run_batch(batch)
            with self._lock:
                if batch and not own.done:
                    continue  # more was queued than one batch holds; ours is still waiting
                if self._queue:
                    successor = self._queue[0]
                    successor.promoted = True
                    successor.wake.set()
                else:
                    self._leaders -= 1
                break
        own.settled.wait()  # at once, unless another leader's batch holds our operation

    def _run_batch(self, batch: list[Slot[Item, Result]]) -> None:
        try:
            self._flush(batch)
        except BaseException as exc:  # noqa: BLE001 - handed to every caller still waiting
            for slot in batch:
                if not slot.done:
                    slot.fail(exc)
        finally:
            for slot in batch:
                if not slot.done:
                    slot.fail(RuntimeError("group commit left an operation unsettled"))
                slot.settled.set()
                slot.wake.set()
