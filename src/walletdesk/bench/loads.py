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
from walletdesk.merchants.models import Merchant


@dataclass
class Tally:
    """What the clients did; `transfers` counts money movements (a payout of 50 counts 50)."""

    operations: int = 0
    transfers: int = 0
    held: int = 0  # operations the risk engine held for review: no entry until a decision
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, transfers: int) -> None:
        with self.lock:
            self.operations += 1
            self.transfers += transfers
            self.latencies.append(seconds)

    def hold(self) -> None:
        with self.lock:
            self.held += 1

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


def p2p_operation(world: World, tally: Tally) -> Operation:
    def run(rng: random.Random) -> int:
        payer, payee = pick_pair(world, rng)
        result = transfer(
            world.rt,
            payer.actor,
            to=payee.user_id,
            amount=amount_for(rng),
            note=None,
            locale="zh-CN",
        )
        if result.status == "under_review":
            tally.hold()
            return 0
        return 1

    return run


BULK_PEOPLE_MAX = 2_000


def default_people(clients: int, batch: int | None) -> int:
    """16 people per client. A bulk run (`batch` recipients per payout) also 20 people per
    recipient, up to BULK_PEOPLE_MAX, so that concurrent payouts share a few recipients, as
    different payers' payrolls do, instead of each locking a third of all wallets (128
    people, 50 per payout) and queueing on the others' locks."""
    people = max(16 * clients, 32)
    return people if batch is None else max(people, min(20 * batch, BULK_PEOPLE_MAX))


def bulk_operation(world: World, batch: int) -> Operation:
    def run(rng: random.Random) -> int:
        payer = rng.choice(world.people)
        others = [p for p in world.people if p is not payer]
        recipients = rng.sample(others, min(batch, len(others)))
        items = [PayoutItem(to=p.user_id, amount=amount_for(rng)) for p in recipients]
        pay_out(world.rt, payer.actor, items=items, note="批量付款", locale="zh-CN", notify=False)
        return len(items)

    return run


def merchant_orders(world: World, count: int, clients: int) -> tuple[Merchant, list[str]]:
    """One merchant and `count` orders it created through the real service, before the clock
    starts: the figure is payments per second (the merchant's order creation is its own
    operation, measured and printed apart by `order_rate`)."""
    from walletdesk.merchants.payments import create_order
    from walletdesk.merchants.registry import create_merchant

    merchant = create_merchant(world.rt, name="Bench Coffee", webhook_url=None).merchant
    rng = random.Random(20261122)  # noqa: S311 - load shape, not security
    amounts = [amount_for(rng) for _ in range(count)]

    def make(number: int) -> str:
        return create_order(
            world.rt,
            merchant,
            amount=amounts[number],
            merchant_order_id=f"bench-{number}",
            description="拿铁",
        ).order.id

    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="orders") as pool:
        return merchant, list(pool.map(make, range(count)))


def merchant_operation(world: World, tally: Tally, order_ids: list[str]) -> Operation:
    """All payments go to one merchant: a random person pays the next of its orders. The
    merchant's balance is split over sharded rows, which is what this mode puts to the test."""
    from walletdesk.merchants.payments import pay

    queue = iter(order_ids)
    lock = threading.Lock()

    def run(rng: random.Random) -> int:
        with lock:
            order_id = next(queue, None)
        if order_id is None:
            raise OrdersExhausted()
        payer = rng.choice(world.people)
        view = pay(world.rt, payer.actor, order_id, coupon_id=None, locale="zh-CN")
        if view.state != "paid":
            tally.hold()
            return 0
        return 1

    return run


class OrdersExhausted(Exception):
    """The run paid every pre-created order: make more (`--seconds` sizes them)."""


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
            except OrdersExhausted:
                tally.fail("orders_exhausted")
                return
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
