"""SQLite writers of one process queue on a lock of their own (`storage.uow.Database`) instead
of sleeping in SQLite's busy handler; the lock is let go as soon as the write commits, before
the after-commit side effects, which may write again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from walletdesk.runtime import Runtime
from walletdesk.storage.uow import Database

WAIT = 30.0
"""How long a test waits for a thread before calling it stuck (a failure, not a speed)."""


def _lock(db: Database) -> threading.RLock:
    lock = db._writer_lock  # noqa: SLF001 - the lock is what these tests are about
    assert lock is not None
    return lock


def _free_elsewhere(lock: threading.RLock) -> bool:
    """Whether another thread could take the lock now."""
    taken: list[bool] = []

    def attempt() -> None:
        got = lock.acquire(blocking=False)
        taken.append(got)
        if got:
            lock.release()

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(WAIT)
    return taken == [True]


def _write(db: Database, marker: str) -> None:
    with db.uow() as uow:
        uow.connection.execute(
            text("INSERT INTO schema_notes (marker) VALUES (:marker)"), {"marker": marker}
        )
        uow.commit()


@pytest.fixture
def db(rt: Runtime) -> Database:
    if rt.db.dialect != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database: no process lock")
    with rt.db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE schema_notes (marker TEXT NOT NULL)"))
    return rt.db


def test_postgresql_has_no_writer_lock(rt: Runtime) -> None:
    assert (rt.db._writer_lock is None) == (rt.db.dialect == "postgresql")  # noqa: SLF001


def test_a_write_holds_the_lock_until_it_commits_and_a_read_never_takes_it(db: Database) -> None:
    lock = _lock(db)
    with db.uow(read_only=True):
        assert _free_elsewhere(lock), "a read-only unit of work queues behind no writer"
    with db.uow() as uow:
        assert not _free_elsewhere(lock), "a writer holds the lock"
        uow.commit()
        assert _free_elsewhere(lock), "committed: the next writer may start"


def test_the_next_writer_may_start_while_after_commit_work_runs(db: Database) -> None:
    other_wrote = threading.Event()

    def after_commit() -> None:
        # A side effect whose own write happens on another thread (the chat fan-out, the
        # outbox): it must not wait for this thread's unit of work to close.
        writer = threading.Thread(target=lambda: (_write(db, "other"), other_wrote.set()))
        writer.start()
        writer.join(WAIT)

    with db.uow() as uow:
        uow.connection.execute(text("INSERT INTO schema_notes (marker) VALUES ('first')"))
        uow.on_commit(after_commit)
        uow.commit()
    assert other_wrote.is_set(), "the after-commit writer was kept waiting"
    with db.uow(read_only=True) as uow:
        markers = uow.connection.execute(text("SELECT marker FROM schema_notes")).scalars()
        assert sorted(markers) == ["first", "other"]


def test_a_failed_write_lets_the_lock_go_and_writes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.uow() as uow:
        uow.connection.execute(text("INSERT INTO schema_notes (marker) VALUES ('lost')"))
        raise RuntimeError("the service failed half-way")
    assert _free_elsewhere(_lock(db))
    with db.uow(read_only=True) as uow:
        assert uow.connection.execute(text("SELECT count(*) FROM schema_notes")).scalar() == 0


def test_writers_on_many_threads_all_land_one_at_a_time(db: Database) -> None:
    inside, most = [0], [0]
    guard = threading.Lock()

    def writer(number: int) -> None:
        for round_ in range(10):
            with db.uow() as uow:
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                uow.connection.execute(
                    text("INSERT INTO schema_notes (marker) VALUES (:m)"),
                    {"m": f"{number}-{round_}"},
                )
                with guard:
                    inside[0] -= 1
                uow.commit()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert most[0] == 1, "two writers were inside a write transaction at once"
    with db.uow(read_only=True) as uow:
        assert uow.connection.execute(text("SELECT count(*) FROM schema_notes")).scalar() == 60
