"""Support metrics for a period, computed from the case history: first response and resolution
times, SLA attainment, reopen rate, CSAT, the assistant's containment (bot-resolved vs handed
off) and verification outcomes, for the whole period, per day/week/month (Beijing time) and per
agent, queue and channel; plus the backlog at the period's end by queue, priority and channel.

How each figure is defined is in `metrics_facts.py`. A case's queue is its routing queue, or
its type when it was never routed.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.support.complaints_export import check_period
from walletdesk.support.complaints_model import BEIJING
from walletdesk.support.metrics_facts import Observation, observations

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

SLA_TARGETS = ("first_response", "next_response", "resolution")


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Durations:
    count: int = 0
    average_seconds: float | None = None
    median_seconds: float | None = None


@dataclass(frozen=True)
class SlaFigures:
    on_time: int = 0
    late: int = 0
    attainment: float | None = None


@dataclass(frozen=True)
class Figures:
    created: int = 0
    solved: int = 0
    first_response: Durations = field(default_factory=Durations)
    resolution: Durations = field(default_factory=Durations)
    sla: dict[str, SlaFigures] = field(default_factory=dict)
    reopened: int = 0
    reopen_rate: float | None = None
    csat_responses: int = 0
    csat_average: float | None = None
    csat_satisfied_share: float | None = None
    """Share of ratings of 4 or 5."""
    bot_cases: int = 0
    bot_resolved: int = 0
    bot_handed_off: int = 0
    bot_resolved_rate: float | None = None
    handed_off_rate: float | None = None
    verification: dict[str, int] = field(default_factory=dict)


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _durations(values: list[float]) -> Durations:
    if not values:
        return Durations()
    return Durations(
        len(values), round(statistics.fmean(values), 1), round(statistics.median(values), 1)
    )


def figures(items: Iterable[Observation]) -> Figures:
    by_metric: dict[str, list[float]] = defaultdict(list)
    for item in items:
        by_metric[item.metric].append(item.value)

    def count(metric: str) -> int:
        return len(by_metric.get(metric, []))

    def total(metric: str) -> int:
        return int(sum(by_metric.get(metric, [])))

    sla = {}
    for target in SLA_TARGETS:
        values = by_metric.get(f"sla:{target}", [])
        if values:
            on_time = int(sum(values))
            sla[target] = SlaFigures(on_time, len(values) - on_time, _ratio(on_time, len(values)))
    scores = by_metric.get("csat", [])
    bot_cases = count("bot_case")
    solved = count("solved")
    return Figures(
        created=count("created"),
        solved=solved,
        first_response=_durations(by_metric.get("first_response", [])),
        resolution=_durations(by_metric.get("resolution", [])),
        sla=sla,
        reopened=total("reopened"),
        reopen_rate=_ratio(total("reopened"), solved),
        csat_responses=len(scores),
        csat_average=round(statistics.fmean(scores), 2) if scores else None,
        csat_satisfied_share=_ratio(sum(1 for s in scores if s >= 4), len(scores)),
        bot_cases=bot_cases,
        bot_resolved=count("bot_resolved"),
        bot_handed_off=count("bot_handed_off"),
        bot_resolved_rate=_ratio(count("bot_resolved"), bot_cases),
        handed_off_rate=_ratio(count("bot_handed_off"), bot_cases),
        verification={
            metric.split(":", 1)[1]: len(values)
            for metric, values in sorted(by_metric.items())
            if metric.startswith("verification:")
        },
    )


@dataclass(frozen=True)
class Bucket:
    start: date
    figures: Figures


@dataclass(frozen=True)
class Group:
    key: str
    figures: Figures
    name: str | None = None


@dataclass(frozen=True)
class Backlog:
    at: datetime
    total: int
    with_bot: int
    by_queue: dict[str, int]
    by_priority: dict[str, int]
    by_channel: dict[str, int]


@dataclass(frozen=True)
class SupportMetrics:
    start: datetime
    end: datetime
    interval: Interval
    totals: Figures
    series: list[Bucket]
    by_agent: list[Group]
    by_queue: list[Group]
    by_channel: list[Group]
    backlog: Backlog


def bucket_start(at: datetime, interval: Interval) -> date:
    day = at.astimezone(BEIJING).date()
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return day


def _groups(items: list[Observation], key: Callable[[Observation], str | None]) -> list[Group]:
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for item in items:
        value = key(item)
        if value is not None:
            grouped[value].append(item)
    return [Group(k, figures(v)) for k, v in sorted(grouped.items())]


def support_metrics(
    rt: Runtime, *, start: datetime, end: datetime, interval: Interval = Interval.DAY
) -> SupportMetrics:
    """The figures of [start, end). The caller checks that the reader supervises cases."""
    start, end = check_period(start, end)
    now = rt.clock.now()
    backlog_at = min(end, now)
    with rt.db.uow(read_only=True) as uow:
        trails = uow.complaints_kb.metrics.trails(start, end)
        # As the period ends (its end is exclusive), or as things stand now (now included).
        backlog_rows = uow.complaints_kb.metrics.backlog(
            end if end <= now else now + timedelta(microseconds=1)
        )
        items = [
            item
            for trail in trails
            for item in observations(trail, start, end)
            if start <= item.at < end
        ]
        by_agent = _groups(items, lambda o: o.agent)
        names = {}
        for group in by_agent:
            user = uow.users.get(group.key)
            names[group.key] = user.display_name if user else None
    buckets: dict[date, list[Observation]] = defaultdict(list)
    for item in items:
        buckets[bucket_start(item.at, interval)].append(item)
    series = []
    day = bucket_start(start, interval)
    last = bucket_start(end - timedelta(microseconds=1), interval)
    while day <= last:
        series.append(Bucket(day, figures(buckets.get(day, []))))
        day = _next(day, interval)
    live = [r for r in backlog_rows if not r.with_bot]
    return SupportMetrics(
        start=start,
        end=end,
        interval=interval,
        totals=figures(items),
        series=series,
        by_agent=[Group(g.key, g.figures, names.get(g.key)) for g in by_agent],
        by_queue=_groups(items, lambda o: o.queue),
        by_channel=_groups(items, lambda o: o.channel),
        backlog=Backlog(
            at=backlog_at,
            total=len(live),
            with_bot=len(backlog_rows) - len(live),
            by_queue=dict(sorted(Counter(r.queue for r in live).items())),
            by_priority=dict(sorted(Counter(r.priority for r in live).items())),
            by_channel=dict(sorted(Counter(r.channel for r in live).items())),
        ),
    )


def _next(day: date, interval: Interval) -> date:
    if interval is Interval.DAY:
        return day + timedelta(days=1)
    if interval is Interval.WEEK:
        return day + timedelta(days=7)
    month = day.month + 1
    return date(day.year + (month > 12), (month - 1) % 12 + 1, 1)


def beijing_day_start(day: date) -> datetime:
    """Midnight in Beijing, for callers that take a period as dates."""
    return datetime.combine(day, time(0), tzinfo=BEIJING)
