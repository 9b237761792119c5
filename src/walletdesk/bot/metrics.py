"""The assistant's figures (issue 6, item 8), computed from the case events only.

For the cases opened with the assistant in [start, end):

- contained: no hand-off to people before `end`; handed off otherwise. A case counts under
  its *topic*: the first intent the assistant answered that is not a greeting or thanks
  (`unknown` when it never understood one);
- feedback: the thumbs on its answers (the latest rating of each answer counts), overall and
  per topic;
- containment over time: per day of creation (Beijing);
- tools: calls per tier and outcome (the `bot.tool` audit events).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from walletdesk.bot.events import BotEvent
from walletdesk.ledger.limits import BEIJING
from walletdesk.support.complaints_export import check_period
from walletdesk.support.history import CaseEvent

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

SMALL_TALK = frozenset({"greeting", "thanks", None})
UNKNOWN = "unknown"


@dataclass
class Containment:
    cases: int = 0
    contained: int = 0
    handed_off: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def containment_rate(self) -> float | None:
        return round(self.contained / self.cases, 4) if self.cases else None


@dataclass(frozen=True)
class BotMetrics:
    start: datetime
    end: datetime
    totals: Containment
    by_intent: dict[str, Containment]
    by_day: dict[date, Containment]
    by_article: dict[str, tuple[int, int]]
    """slug → (helpful, not helpful)."""
    tools: dict[str, dict[str, int]] = field(default_factory=dict)
    """tier → outcome → calls."""


@dataclass
class _Case:
    created_at: datetime
    topic: str | None = None
    first_intent: str | None = None
    handed_off: bool = False
    votes: dict[int, tuple[bool, str | None]] = field(default_factory=dict)


def _cases(found: list[CaseEvent]) -> tuple[dict[str, _Case], Counter[tuple[str, str]]]:
    cases: dict[str, _Case] = {}
    tools: Counter[tuple[str, str]] = Counter()
    for event in found:
        if event.kind == "case.created":
            if event.after.get("with_bot"):
                cases[event.case_id] = _Case(event.at)
            continue
        case = cases.get(event.case_id)
        if case is None:
            continue
        if event.kind == BotEvent.TURN:
            intent = event.after.get("intent")
            case.first_intent = case.first_intent or intent
            if case.topic is None and intent not in SMALL_TALK:
                case.topic = intent
        elif event.kind == "conversation.handed_off":
            case.handed_off = True
        elif event.kind == BotEvent.FEEDBACK:
            message_id = int(event.after.get("message_id", 0))
            case.votes[message_id] = (bool(event.after.get("helpful")), event.after.get("article"))
        elif event.kind == BotEvent.TOOL:
            tools[(str(event.after.get("tier")), str(event.after.get("outcome")))] += 1
    return cases, tools


def _add(into: Containment, case: _Case) -> None:
    into.cases += 1
    if case.handed_off:
        into.handed_off += 1
    else:
        into.contained += 1
    for helpful, _ in case.votes.values():
        if helpful:
            into.helpful += 1
        else:
            into.not_helpful += 1


def bot_metrics(rt: Runtime, *, start: datetime, end: datetime) -> BotMetrics:
    """The caller checks that the reader supervises cases."""
    start, end = check_period(start, end)
    with rt.db.uow(read_only=True) as uow:
        found = uow.bot.metric_events(start, end)
    cases, tools = _cases(found)
    totals = Containment()
    by_intent: dict[str, Containment] = defaultdict(Containment)
    by_day: dict[date, Containment] = defaultdict(Containment)
    articles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases.values():
        _add(totals, case)
        _add(by_intent[case.topic or case.first_intent or UNKNOWN], case)
        _add(by_day[case.created_at.astimezone(BEIJING).date()], case)
        for helpful, article in case.votes.values():
            if article:
                articles[article][0 if helpful else 1] += 1
    tiers: dict[str, dict[str, int]] = defaultdict(dict)
    for (tier, outcome), count in sorted(tools.items()):
        tiers[tier][outcome] = count
    return BotMetrics(
        start=start,
        end=end,
        totals=totals,
        by_intent=dict(sorted(by_intent.items())),
        by_day=dict(sorted(by_day.items())),
        by_article={k: (v[0], v[1]) for k, v in sorted(articles.items())},
        tools=dict(tiers),
    )
