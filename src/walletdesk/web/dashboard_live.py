"""The live queue board on the dashboard: per routing queue, the cases waiting, those offered
to an agent and how long the oldest has waited; for the page and the JSON its script polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from walletdesk.i18n import N_
from walletdesk.runtime import Runtime
from walletdesk.support.routing_admin import queue_board
from walletdesk.support.routing_model import QueueStats
from walletdesk.web.dashboard_tables import NOTHING, Panel, bar_panel, table
from walletdesk.web.svg_charts import Datum


def waited_minutes(stats: QueueStats, now: datetime) -> int | None:
    if stats.oldest_waiting_since is None:
        return None
    return max(0, int((now - stats.oldest_waiting_since).total_seconds() // 60))


@dataclass(frozen=True)
class LiveQueue:
    id: str
    name: str
    waiting: int
    offered: int
    oldest_wait_minutes: int | None


def live_queues(rt: Runtime, locale: str) -> list[LiveQueue]:
    """The queue board now: for the page and the JSON the page polls."""
    now = rt.clock.now()
    return [
        LiveQueue(
            id=s.queue.id,
            name=s.queue.name_zh if locale == "zh-CN" else s.queue.name_en,
            waiting=s.waiting,
            offered=s.offered,
            oldest_wait_minutes=waited_minutes(s, now),
        )
        for s in queue_board(rt)
    ]


def queues_panel(queues: list[LiveQueue], locale: str) -> Panel:
    rows = [
        [
            q.name,
            str(q.waiting),
            str(q.offered),
            NOTHING if q.oldest_wait_minutes is None else str(q.oldest_wait_minutes),
        ]
        for q in queues
    ]
    return bar_panel(
        table(
            "queues",
            N_("Queues now"),
            [N_("Queue"), N_("Waiting"), N_("Offered to an agent"), N_("Longest wait (min)")],
            rows,
            locale,
        ),
        [Datum(q.name, q.waiting, str(q.waiting)) for q in queues],
        N_("Cases waiting"),
        N_("Cases waiting per queue"),
        N_("{count} cases wait in all queues together."),
        locale,
        count=sum(q.waiting for q in queues),
    )
