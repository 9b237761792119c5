"""`walletdesk bench risk`: in-process `assess` latency with the full default rule set over a
large history, on PostgreSQL (a scratch database) and on SQLite (a scratch file).

The history is seeded in bulk (COPY on PostgreSQL, prepared multi-row inserts on SQLite): people
with devices, 90 days of movements ending now, a fifth of them to 50 busy merchants, then
ANALYZE. Each assessment runs in its own unit of work, as a transfer would, after reading the
payer; only the `assess` call is timed (monotonic clock), the commit is not.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from walletdesk.bench.loads import percentile
from walletdesk.clock import FrozenClock
from walletdesk.randomness import SystemRandom
from walletdesk.risk.engine import assess
from walletdesk.risk.history import ListKind, ip_range_keys
from walletdesk.risk.models import Movement, MovementKind
from walletdesk.risk.records import ListEntry, RuleSetVersion
from walletdesk.risk.rules_admin import default_rule_set
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage import scratch
from walletdesk.storage import tables as t
from walletdesk.storage.migrate import upgrade

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MERCHANTS = 50
Progress = Callable[[str, int, int], None]
"""(stage, done, total)"""


@dataclass(frozen=True)
class RiskBenchResult:
    backend: str
    history_rows: int
    assessments: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    fail_closed: int
    actions: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "history_rows": self.history_rows,
            "assessments": self.assessments,
            "fail_closed": self.fail_closed,
            "actions": self.actions,
        }


@dataclass(frozen=True)
class _World:
    users: list[str]
    devices: dict[str, str]
    ips: dict[str, str]
    merchants: list[str]


def _world(rng: random.Random, people: int) -> _World:
    users = [f"usr_bench{number:011d}" for number in range(people)]
    devices = {user: f"{rng.getrandbits(256):064x}" for user in users}
    # A few addresses are shared, as behind a carrier's NAT.
    ips = {
        user: f"10.{rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for user in users
    }
    return _World(users, devices, ips, [f"mer_bench{n:04d}" for n in range(MERCHANTS)])


def _history(rng: random.Random, world: _World, rows: int) -> Iterator[tuple[Any, ...]]:
    span = int(timedelta(days=90).total_seconds())
    kinds = [MovementKind.TRANSFER] * 5 + [MovementKind.PAYMENT] * 3 + [MovementKind.TOPUP]
    for number in range(rows):
        sender = rng.choice(world.users)
        kind = rng.choice(kinds)
        if kind is MovementKind.TOPUP:
            receiver = None
        elif kind is MovementKind.PAYMENT and rng.random() < 0.7:
            receiver = rng.choice(world.merchants)
        else:
            receiver = rng.choice(world.users)
        fen = int(10 ** rng.uniform(2, 5.7))
        at = NOW - timedelta(seconds=rng.randrange(span))
        yield (
            f"bench-{number}",
            str(kind),
            kind.is_outgoing,
            sender,
            receiver,
            world.devices[sender],
            world.ips[sender],
            fen,
            "CNY",
            fen,
            at,
        )


def _seed(rt: Runtime, rng: random.Random, world: _World, rows: int, progress: Progress) -> None:
    opened = NOW - timedelta(days=400)
    with rt.db.uow() as uow:
        batch = []
        for user in world.users:
            batch.append(
                {
                    "id": user,
                    "display_name": "压测",
                    "locale": "zh-CN",
                    "kyc_tier": 2,
                    "password_hash": "bench-no-password",
                    "created_at": opened - timedelta(days=rng.randrange(300)),
                    "updated_at": opened,
                    "failed_login_count": 0,
                    "password_reset_at": NOW - timedelta(hours=3) if rng.random() < 0.02 else None,
                }
            )
        uow.connection.execute(insert(t.users), batch)
        uow.connection.execute(
            insert(t.devices),
            [
                {
                    "id": f"dev_{user[-16:]}",
                    "user_id": user,
                    "fingerprint": world.devices[user],
                    "name": "Bench phone",
                    "first_seen_at": opened,
                    "last_seen_at": NOW,
                    "last_ip": world.ips[user],
                }
                for user in world.users
            ],
        )
        rules = default_rule_set()
        uow.risk.add_rule_set(
            RuleSetVersion(
                version=1,
                source=rules.source,
                sha256=rules.sha256,
                rule_count=len(rules.rules),
                comment="bench",
                created_at=NOW,
                created_by=None,
            )
        )
        for number, network in enumerate(("203.0.113.0/24", "2001:db8:bad::/48")):
            start, end = ip_range_keys(network)
            uow.risk.add_list_entry(
                ListEntry(
                    id=f"rle_bench{number}",
                    kind=ListKind.IP.value,
                    value=network,
                    label=network,
                    reason="bench",
                    created_at=NOW,
                    created_by=None,
                    range_start=start,
                    range_end=end,
                )
            )
        uow.commit()
    done = 0

    def counted() -> Iterator[tuple[Any, ...]]:
        nonlocal done
        for row in _history(rng, world, rows):
            done += 1
            if done % 50_000 == 0:
                progress("seeding history", done, rows)
            yield row

    with rt.db.uow() as uow:
        uow.risk.bulk_add_events(counted())
        uow.commit()
    progress("seeding history", rows, rows)
    # Fresh statistics, and on PostgreSQL a visibility map, so index-only scans are possible
    # (autovacuum would get there on its own, later).
    # CHECKPOINT: the bulk load's dirty pages are written now, not during the measurement.
    postgres = rt.db.dialect == "postgresql"
    refresh = ["VACUUM ANALYZE risk_events", "CHECKPOINT"] if postgres else ["ANALYZE"]
    with rt.db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        for statement in refresh:
            autocommit.execute(text(statement))


def _probe(rng: random.Random, world: _World, number: int, at: datetime) -> Movement:
    sender = rng.choice(world.users)
    receiver = rng.choice(world.merchants) if rng.random() < 0.2 else rng.choice(world.users)
    fen = int(10 ** rng.uniform(2, 6.3))
    return Movement(
        id=f"probe-{number}",
        kind=MovementKind.PAYMENT if receiver.startswith("mer_") else MovementKind.TRANSFER,
        sender_id=sender,
        receiver_id=receiver,
        amount_minor=fen,
        currency="CNY",
        amount_cny_minor=fen,
        at=at,
        device_id=world.devices[sender],
        ip=world.ips[sender],
        sender_balance_minor=fen * 3,
    )


def run_backend(
    backend: str,
    url: str,
    data_dir: Path,
    *,
    rows: int,
    people: int,
    assessments: int,
    progress: Progress,
) -> RiskBenchResult:
    upgrade(url)
    settings = Settings(env="dev", data_dir=data_dir, database_url=url, log_level="WARNING")
    clock = FrozenClock(NOW)
    rt = build_runtime(settings, clock=clock, random=SystemRandom())
    rng = random.Random(20261123)  # noqa: S311 - benchmark data, not secrets
    try:
        world = _world(rng, people)
        _seed(rt, rng, world, rows, progress)
        warm_up = min(200, assessments)
        timings: list[float] = []
        fail_closed = 0
        actions: dict[str, int] = {}
        for number in range(warm_up + assessments):
            clock.advance(timedelta(milliseconds=250))
            probe = _probe(rng, world, number, clock.now())
            with rt.db.uow() as uow:
                # As in a transfer, the payer is read first; on SQLite that first statement also
                # loads the schema into the fresh connection, which is not the engine's cost.
                uow.users.get(probe.sender_id)
                started = time.perf_counter()
                decision = assess(rt, uow, probe)
                elapsed = time.perf_counter() - started
                uow.commit()
            if number < warm_up:
                continue
            timings.append(elapsed)
            fail_closed += int(decision.failure is not None)
            actions[str(decision.action)] = actions.get(str(decision.action), 0) + 1
            if number % 200 == 0:
                progress(f"assessing on {backend}", number - warm_up, assessments)
        progress(f"assessing on {backend}", assessments, assessments)
    finally:
        rt.close()
    return RiskBenchResult(
        backend=backend,
        history_rows=rows,
        assessments=assessments,
        p50_ms=round(percentile(timings, 0.50) * 1000, 3),
        p99_ms=round(percentile(timings, 0.99) * 1000, 3),
        max_ms=round(max(timings) * 1000, 3),
        fail_closed=fail_closed,
        actions=dict(sorted(actions.items())),
    )


def bench_postgresql(admin_url: str, name: str, **options: Any) -> RiskBenchResult:
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-risk-"))
    try:
        url = scratch.create_database(admin_url, name)
        return run_backend("postgresql", url, data_dir, **options)
    finally:
        scratch.drop_database(admin_url, name)
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_sqlite(**options: Any) -> RiskBenchResult:
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-risk-"))
    try:
        return run_backend("sqlite", f"sqlite:///{data_dir / 'bench.db'}", data_dir, **options)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
