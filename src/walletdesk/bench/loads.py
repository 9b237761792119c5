"""Load loops: N client threads, each running its own units of work until the deadline.

Every client draws payer and payee at random from the seeded people (a Zipf-free, uniform
spread, like pgbench's random account ids) and times each call with a monotonic clock.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from walletdesk.bench.world import Person, World
from walletdesk.errors import DomainError
from walletdesk.ledger.money import Money
from walletdesk.ledger.payouts import PayoutItem, pay_out
from walletdesk.ledger.transfers import transfer


@dataclass
class Tally:
    """What the clients did; `transfers` counts money movements (a payout of 50 counts 50)."""

    operations: int = 0
    transfers: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, transfers: int) -> None:
        with self.lock:
            self.operations += 1
            self.transfers += transfers
            self.latencies.append(seconds)

    def fail(self, code: str) -> None:
        with self.lock:
            self.errors[code] += 1


Operation = Callable[[random.Random], int]
"""One unit of work; returns how many transfers it made."""


def amount_for(rng: random.Random) -> Money:
    return Money(rng.randint(1, 1000), "CNY")  # ¥0.01 to ¥10.00


def pick_pair(world: World, rng: random.Random) -> tuple[Person, Person]:
    payer, payee = rng.sample(world.people, 2)
    return payer, payee


def p2p_operation(world: World) -> Operation:
    def run(rng: random.Random) -> int:
        payer, payee = pick_pair(world, rng)
        transfer(
            world.rt,
            payer.actor,
            to=payee.user_id,
            amount=amount_for(rng),
            note=None,
            locale="zh-CN",
        )
        return 1

    return run


def bulk_operation(world: World, batch: int) -> Operation:
    def run(rng: random.Random) -> int:
        payer = rng.choice(world.people)
        others = [p for p in world.people if p is not payer]
        recipients = rng.sample(others, min(batch, len(others)))
        items = [PayoutItem(to=p.user_id, amount=amount_for(rng)) for p in recipients]
        pay_out(world.rt, payer.actor, items=items, note="批量付款", locale="zh-CN", notify=False)
        return len(items)

    return run


def merchant_operation(world: World) -> Operation:
    """All payments go to one merchant: it creates an order, a random person pays it. Both
    steps are timed, so the figure is orders paid per second. The merchant's balance is split
    over sharded rows, which is what this mode puts to the test."""
    from walletdesk.merchants.payments import create_order, pay
    from walletdesk.merchants.registry import create_merchant

    merchant = create_merchant(world.rt, name="Bench Coffee", webhook_url=None).merchant
    counter = iter(range(10**9))
    lock = threading.Lock()

    def run(rng: random.Random) -> int:
        with lock:
            number = next(counter)
        order = create_order(
            world.rt,
            merchant,
            amount=amount_for(rng),
            merchant_order_id=f"bench-{number}",
            description="拿铁",
        )
        payer = rng.choice(world.people)
        pay(world.rt, payer.actor, order.order.id, coupon_id=None, locale="zh-CN")
        return 1

    return run


def drive(
    operation: Operation,
    *,
    clients: int,
    seconds: float,
    tally: Tally,
    seed: int = 20261123,
) -> float:
    """Run `operation` on `clients` threads for `seconds`; returns the measured wall time."""
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(seed + number)  # noqa: S311 - load shape, not security
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                moved = operation(rng)
            except DomainError as exc:
                tally.fail(exc.code)
                continue
            except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
                tally.fail(type(exc).__name__)
                continue
            tally.add(time.perf_counter() - started, moved)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="bench") as pool:
        for future in [pool.submit(client, n) for n in range(clients)]:
            future.result()
    return time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
