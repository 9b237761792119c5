"""`walletdesk bench routing`: how long routing takes to pick an agent with 200 agents and
10,000 open cases, on PostgreSQL (a scratch database) and on SQLite (a scratch file).

The desk is seeded in bulk: staff agents (70 % online, 15 % away, 15 % offline; Chinese,
English or both; topic skills; chat 5, call 1, email 40, wechat 5), the default queues, and
open cases of every type, channel and language, 1 % with an urgent risk flag. Cases are
assigned until agents are about 80 % full (the load counters match); the rest wait in their
queues. Then ANALYZE.

Two timings, monotonic clock:

- `pick`: what routing does per offer, `pick_and_reserve` (the ranked pick over agents'
  status, skills and load counters, plus the conditional increment that takes the slot) for a
  random queue and channel, in its own unit of work (the slot is given back, untimed, before
  the commit, so the desk stays as seeded);
- `route`: a whole `route_case` of a waiting case (lock, pick, reserve, round-robin pointer,
  assignment event, commit).
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from walletdesk.bench.loads import percentile
from walletdesk.clock import FrozenClock
from walletdesk.randomness import SystemRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage import scratch
from walletdesk.storage import tables as t
from walletdesk.storage.migrate import upgrade
from walletdesk.support.models import DEFAULT_PRIORITY, Case, CaseType, Channel, Contact
from walletdesk.support.routing import pick_and_reserve
from walletdesk.support.routing_load import routing_queues
from walletdesk.support.routing_model import (
    AgentProfile,
    AgentStatus,
    ChannelLoad,
    Queue,
    RiskFlag,
    RoutedCase,
    RoutingState,
    choose_queue,
    rank_of,
)
from walletdesk.support.routing_work import route_case
from walletdesk.support.statuses import Category

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CAPACITY = {Channel.CHAT: 5, Channel.CALL: 1, Channel.EMAIL: 40, Channel.WECHAT: 5}
CHANNEL_MIX = [Channel.CHAT] * 10 + [Channel.EMAIL] * 6 + [Channel.WECHAT] * 3 + [Channel.CALL]
TYPE_MIX = (
    [CaseType.QUESTION] * 12
    + [CaseType.PROBLEM] * 3
    + [CaseType.COMPLAINT] * 2
    + [CaseType.DISPUTE, CaseType.VERIFICATION, CaseType.SUGGESTION]
)
FILL = 0.8
Progress = Callable[[str, int, int], None]
"""(stage, done, total)"""


@dataclass(frozen=True)
class RoutingBenchResult:
    backend: str
    agents: int
    open_cases: int
    waiting: int
    picks: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    picked_none: int
    routes: int
    route_p50_ms: float
    route_p99_ms: float

    def as_json(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "agents": self.agents,
            "open_cases": self.open_cases,
            "waiting": self.waiting,
            "picks": self.picks,
            "picked_none": self.picked_none,
            "routes": self.routes,
            "route_p50_ms": self.route_p50_ms,
            "route_p99_ms": self.route_p99_ms,
        }


def _ms(values: list[float], fraction: float) -> float:
    return round(percentile(values, fraction) * 1000, 3)


def _agents(rng: random.Random, count: int) -> list[AgentProfile]:
    statuses = [AgentStatus.ONLINE] * 14 + [AgentStatus.AWAY] * 3 + [AgentStatus.OFFLINE] * 3
    topics = ("verification", "disputes", "complaints")
    profiles = []
    for number in range(count):
        draw = rng.random()
        languages = ("zh-CN",) if draw < 0.8 else ("en",) if draw < 0.9 else ("zh-CN", "en")
        profiles.append(
            AgentProfile(
                user_id=f"usr_bagent{number:010d}",
                status=rng.choice(statuses).value,
                status_changed_at=NOW,
                created_at=NOW,
                languages=languages,
                topics=tuple(topic for topic in topics if rng.random() < 0.4),
                channels={ch.value: ChannelLoad(ch.value, cap, 0) for ch, cap in CAPACITY.items()},
            )
        )
    return profiles


def _eligible(profile: AgentProfile, queue: Queue, channel: str) -> bool:
    slot = profile.channels[channel]
    return (
        profile.status != AgentStatus.OFFLINE
        and slot.load < int(slot.capacity * FILL)
        and (queue.skill_language is None or queue.skill_language in profile.languages)
        and (queue.skill_topic is None or queue.skill_topic in profile.topics)
    )


def _seed(
    rt: Runtime, rng: random.Random, agents: int, open_cases: int, progress: Progress
) -> list[Queue]:
    profiles = _agents(rng, agents)
    with rt.db.uow() as uow:
        uow.connection.execute(
            insert(t.users),
            [
                {
                    "id": p.user_id,
                    "display_name": f"坐席{n}",
                    "locale": p.languages[0],
                    "kyc_tier": 0,
                    "password_hash": "bench-no-password",
                    "failed_login_count": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n, p in enumerate(profiles)
            ],
        )
        uow.connection.execute(
            insert(t.staff_roles),
            [{"user_id": p.user_id, "role": "agent", "granted_at": NOW} for p in profiles],
        )
        queues = routing_queues(uow, NOW)
        uow.commit()
    contacts = [
        Contact(
            f"ctc_bench{n:011d}",
            "压测客户",
            "en" if rng.random() < 0.1 else "zh-CN",
            NOW - timedelta(days=30),
        )
        for n in range(max(1, open_cases // 4))
    ]
    cases: list[Case] = []
    routed: list[RoutedCase] = []
    span = int(timedelta(hours=6).total_seconds())
    for number in range(open_cases):
        contact = rng.choice(contacts)
        case_type = rng.choice(TYPE_MIX)
        channel = rng.choice(CHANNEL_MIX).value
        priority = DEFAULT_PRIORITY[case_type].value
        flags = (rng.choice(list(RiskFlag)).value,) if rng.random() < 0.01 else ()
        queue = choose_queue(queues, case_type.value, contact.locale, priority, flags)
        at = NOW - timedelta(seconds=rng.randrange(span))
        candidates = [p for p in profiles if _eligible(p, queue, channel)]
        agent = rng.choice(candidates) if candidates else None
        if agent is not None:
            agent.channels[channel].load += 1
        cases.append(
            Case(
                id=f"case_bench{number:011d}",
                contact_id=contact.id,
                subject="压测工单",
                type=case_type.value,
                priority=priority,
                category=(Category.OPEN if agent else Category.NEW).value,
                channel=channel,
                with_bot=False,
                version=1,
                locale=contact.locale,
                created_at=at,
                updated_at=at,
                assignee_id=agent.user_id if agent else None,
            )
        )
        routed.append(
            RoutedCase(
                case_id=cases[-1].id,
                queue_id=queue.id,
                channel=channel,
                state=(RoutingState.ACCEPTED if agent else RoutingState.WAITING).value,
                rank=rank_of(priority, flags),
                updated_at=at,
                flags=flags,
                enqueued_at=at,
                agent_id=agent.user_id if agent else None,
            )
        )
        if number % 1000 == 0:
            progress("seeding cases", number, open_cases)
    with rt.db.uow() as uow:
        for profile in profiles:
            uow.routing.agents.add(profile)
            for slot in profile.channels.values():
                uow.routing.agents.add_load(profile.user_id, slot.channel, slot.load)
        uow.support.contacts.add_many(contacts)
        for start in range(0, open_cases, 2000):
            uow.support.cases.add_many(cases[start : start + 2000])
            uow.routing.cases.add_many(routed[start : start + 2000])
        uow.commit()
    progress("seeding cases", open_cases, open_cases)
    refresh = "VACUUM ANALYZE" if rt.db.dialect == "postgresql" else "ANALYZE"
    with rt.db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(refresh))
    return queues


def run_backend(
    backend: str,
    url: str,
    data_dir: Path,
    *,
    agents: int,
    open_cases: int,
    picks: int,
    routes: int,
    progress: Progress,
) -> RoutingBenchResult:
    upgrade(url)
    settings = Settings(
        env="dev",
        data_dir=data_dir,
        database_url=url,
        log_level="WARNING",
        transfer_group_commit=False,  # no transfers here: no flusher threads beside the picks
    )
    clock = FrozenClock(NOW)
    rt = build_runtime(settings, clock=clock, random=SystemRandom())
    rng = random.Random(20261124)  # noqa: S311 - benchmark data, not secrets
    try:
        queues = _seed(rt, rng, agents, open_cases, progress)
        agent_ids = [f"usr_bagent{n:010d}" for n in range(agents)]
        timings: list[float] = []
        none = 0
        warm_up = min(100, picks)
        for number in range(warm_up + picks):
            queue = rng.choice(queues)
            queue.rr_last_agent = rng.choice(agent_ids)  # anywhere in the round
            channel = rng.choice(CHANNEL_MIX).value
            with rt.db.uow() as uow:
                started = time.perf_counter()
                agent = pick_and_reserve(uow, queue, channel)
                elapsed = time.perf_counter() - started
                # Give the slot back and commit, so the desk stays as seeded. (A rollback would
                # also do, but psycopg forgets its prepared statements on rollback, which real
                # offers, which commit, never pay for.)
                if agent is not None:
                    uow.routing.agents.add_load(agent, channel, -1)
                uow.commit()
            if number < warm_up:
                continue
            timings.append(elapsed)
            none += agent is None
            if number % 200 == 0:
                progress(f"picking on {backend}", number - warm_up, picks)
        with rt.db.uow(read_only=True) as uow:
            waiting_ids = [
                row.case_id
                for row in uow.connection.execute(
                    text("SELECT case_id FROM routing_cases WHERE state = 'waiting'")
                )
            ]
        rng.shuffle(waiting_ids)
        route_timings: list[float] = []
        for number, case_id in enumerate(waiting_ids[:routes]):
            clock.advance(timedelta(milliseconds=100))
            started = time.perf_counter()
            route_case(rt, case_id)
            route_timings.append(time.perf_counter() - started)
            if number % 100 == 0:
                progress(f"routing on {backend}", number, routes)
    finally:
        rt.close()
    return RoutingBenchResult(
        backend=backend,
        agents=agents,
        open_cases=open_cases,
        waiting=len(waiting_ids),
        picks=picks,
        p50_ms=_ms(timings, 0.50),
        p99_ms=_ms(timings, 0.99),
        max_ms=round(max(timings) * 1000, 3),
        picked_none=none,
        routes=len(route_timings),
        route_p50_ms=_ms(route_timings, 0.50),
        route_p99_ms=_ms(route_timings, 0.99),
    )


def bench_postgresql(admin_url: str, name: str, **options: Any) -> RoutingBenchResult:
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-routing-"))
    try:
        url = scratch.create_database(admin_url, name)
        return run_backend("postgresql", url, data_dir, **options)
    finally:
        scratch.drop_database(admin_url, name)
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_sqlite(**options: Any) -> RoutingBenchResult:
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-routing-"))
    try:
        url = f"sqlite:///{data_dir / 'bench.db'}"
        return run_backend("sqlite", url, data_dir, **options)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
