"""Real threads racing on the ledger, each with its own unit of work: on PostgreSQL (row locks
under READ COMMITTED) when WALLETDESK_TEST_DATABASE_URL is set, and on SQLite (one writer with
BEGIN IMMEDIATE), which must stay just as correct."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine

import walletdesk.runtime as runtime_module
from tests.conftest import FAST_ARGON2
from tests.ledger.actors import Answer, send_transfer, sign_in
from tests.ledger.funding import fund
from walletdesk.clock import FrozenClock
from walletdesk.errors import DomainError
from walletdesk.identity.freeze import freeze_wallet
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import capture_hold, expire_holds, place_hold
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.models import EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.reversal import reverse_entry
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.database import create_database_engine

T = TypeVar("T")
THREADS = 16
YUAN = Money.parse("10.00", "CNY")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These races are about the ledger's locks, with many equal amounts to one payee in a
    burst, which the risk rules rightly hold (similar amounts to one receiver, frequent
    transfers): screening is off here; tests/risk covers it, on both transfer paths."""
    return settings.model_copy(update={"risk_screen_transfers": False})


@pytest.fixture
def rt(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    """A runtime whose PostgreSQL pool has room for every thread: a transfer holds a second
    connection while its after-commit delivery runs."""

    def roomy(url: str, *, echo: bool = False) -> Engine:
        engine = create_database_engine(url, echo=echo)
        if engine.dialect.name != "postgresql":
            return engine
        engine.dispose()
        return create_engine(engine.url, pool_pre_ping=True, pool_size=2 * THREADS + 2)

    monkeypatch.setattr(runtime_module, "create_database_engine", roomy)
    runtime = build_runtime(settings, clock=clock, random=SeededRandom(3), argon2=FAST_ARGON2)
    yield runtime
    runtime.close()


def race(tasks: list[Callable[[], T]]) -> list[T]:
    """Run the tasks on real threads, the first wave released together by a barrier so they
    truly collide; results in task order."""
    wave = min(len(tasks), THREADS)
    barrier = threading.Barrier(wave)

    def run(index: int) -> T:
        if index < wave:
            barrier.wait(timeout=30)
        return tasks[index]()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(len(tasks))))


def books_are_right(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []


def balance(rt: Runtime, user_id: str) -> int:
    with rt.db.uow(read_only=True) as uow:
        return next(a.posted for a in uow.accounts.for_owner(user_id) if a.currency == "CNY")


def codes(answers: list[Answer]) -> Counter[object]:
    return Counter(a.code or a.status for a in answers)


def test_only_ten_of_a_hundred_concurrent_ten_yuan_transfers_fit_into_a_hundred_yuan(
    rt: Runtime,
) -> None:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "100.00")
    answers = race(
        [
            lambda n=n: send_transfer(rt, zhang, key=f"lunch-{n}", to=li.user.id, amount=YUAN)
            for n in range(100)
        ]
    )
    assert codes(answers) == {201: 10, "insufficient_funds": 90}
    assert balance(rt, zhang.user.id) == 0 and balance(rt, li.user.id) == 100_00
    books_are_right(rt)


def test_fifty_identical_requests_with_one_key_post_one_entry(rt: Runtime) -> None:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "500.00")
    answers = race(
        [
            lambda: send_transfer(rt, zhang, key="rent-2026-11", to=li.user.id, amount=YUAN)
            for _ in range(50)
        ]
    )
    done = [a for a in answers if a.status == 201]
    assert done and all(a.body == done[0].body for a in done)
    assert {a.code for a in answers if a.status != 201} <= {"request_in_progress"}
    assert balance(rt, li.user.id) == 10_00
    with rt.db.uow(read_only=True) as uow:
        assert uow.journal.count() == 2  # the top-up and one transfer
    books_are_right(rt)


def test_ten_concurrent_reversals_of_one_entry_post_one(rt: Runtime) -> None:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "500.00")
    sent = send_transfer(rt, zhang, key="by-mistake", to=li.user.id, amount=YUAN)
    entry_id = str(sent.body["id"])

    def reverse() -> str:
        try:
            posted = reverse_entry(rt, entry_id=entry_id, reason="sent by mistake", actor_id=None)
        except DomainError as exc:
            return exc.code
        return posted.entry.id

    results = race([reverse for _ in range(10)])
    assert Counter(r.startswith("ent_") for r in results) == {True: 1, False: 9}
    assert {r for r in results if not r.startswith("ent_")} == {"already_reversed"}
    assert balance(rt, zhang.user.id) == 500_00 and balance(rt, li.user.id) == 0
    books_are_right(rt)


def test_a_daily_limit_holds_when_thirty_payments_race_for_it(rt: Runtime) -> None:
    wang = sign_in(rt, phone="13700000007", name="王芳", kyc_tier=0)  # ¥1,000 a day
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, wang.user.id, "5000.00")
    hundred = Money.parse("100.00", "CNY")
    answers = race(
        [
            lambda n=n: send_transfer(rt, wang, key=f"gift-{n}", to=li.user.id, amount=hundred)
            for n in range(30)
        ]
    )
    assert codes(answers) == {201: 10, "limit_exceeded": 20}
    assert balance(rt, li.user.id) == 1_000_00
    books_are_right(rt)


def test_no_money_leaves_a_wallet_after_its_freeze_committed(rt: Runtime) -> None:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "1000.00")
    frozen_at: list[float] = []

    def pay(n: int) -> tuple[float, Answer]:
        if n == 15:
            freeze_wallet(rt, zhang, reason="lost_phone", note="手机丢了", ip=None)
            frozen_at.append(time.perf_counter())
            return 0.0, Answer(0, {})
        started = time.perf_counter()
        return started, send_transfer(rt, zhang, key=f"coffee-{n}", to=li.user.id, amount=YUAN)

    results = race([lambda n=n: pay(n) for n in range(60)])
    payments = [(started, answer) for started, answer in results if answer.status != 0]
    moved = [started for started, answer in payments if answer.status == 201]
    assert all(started < frozen_at[0] for started in moved), "paid after the freeze committed"
    assert {a.code for _, a in payments if a.status != 201} <= {"wallet_frozen"}
    late = send_transfer(rt, zhang, key="after", to=li.user.id, amount=YUAN)
    assert late.code == "wallet_frozen"
    assert balance(rt, zhang.user.id) == 1000_00 - 10_00 * len(moved)
    books_are_right(rt)


def test_expiry_skips_a_hold_captured_while_it_waited_and_expires_the_rest(
    rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "500.00")
    with rt.db.uow() as uow:
        source = wallet_account(rt, uow, zhang.user.id, "CNY")
        target = wallet_account(rt, uow, li.user.id, "CNY")
        captured = place_hold(
            rt, uow, account_id=source.id, amount=YUAN, purpose="review", ttl=timedelta(minutes=5)
        )
        forgotten = place_hold(
            rt, uow, account_id=source.id, amount=YUAN, purpose="review", ttl=timedelta(minutes=5)
        )
        uow.commit()
    expired: list[int] = []
    with rt.db.uow() as uow:
        capture_hold(
            rt,
            uow,
            hold_id=captured.id,
            amount=YUAN,
            to_legs=[Leg(target.id, YUAN.minor, "CNY")],
            kind=EntryKind.HOLD_CAPTURE,
            description="approved by review",
        )
        clock.advance(timedelta(minutes=6))
        # The expiry lists both holds, then waits on the captured one's lock (or on SQLite's
        # write lock) until the capture commits.
        sweeper = threading.Thread(target=lambda: expired.append(expire_holds(rt)))
        sweeper.start()
        time.sleep(0.5)
        uow.commit()
    sweeper.join(timeout=30)
    assert expired == [1]
    with rt.db.uow(read_only=True) as uow:
        statuses = {h: uow.holds.get(h).status for h in (captured.id, forgotten.id)}  # type: ignore[union-attr]
    assert statuses == {captured.id: "captured", forgotten.id: "expired"}
    assert balance(rt, zhang.user.id) == 490_00
    books_are_right(rt)
