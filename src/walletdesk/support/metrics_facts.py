"""From case histories to observations: each measurable fact (a first answer, a solve, an SLA
target met or late, a rating, a hand-off, a verification outcome) becomes one `Observation`
with its time and who, which queue and which channel it belongs to. `metrics.py` adds them up
for a period, per time bucket and per agent, queue and channel.

Definitions (all times wall-clock):

- first response: from when the case reached people (its creation, or the bot's hand-off) to
  the first public answer by an agent; credited to that agent, at the time of the answer;
- solved / resolution: every case solved in the period counts once as solved; its resolution
  time is from creation to its first solve ever (when that falls in the period); credited to
  whoever held the case then (else the agent who solved it);
- reopened: a case solved in the period that reopened afterwards (before the period's end);
- SLA attainment: targets fulfilled in the period on time, out of all fulfilled in it;
- CSAT: ratings given in the period (`csat.rated`), with the agent, queue and channel they
  were asked for;
- bot: cases opened with the assistant in the period, handed off to people or solved without
  a hand-off (bot-resolved) by the period's end;
- verification: decisions of verifications (`verification.decided`: verified, failed,
  suspicious) and in-app challenges passed or failed, counted per outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from walletdesk.support.complaints_history import DeskEventKind
from walletdesk.support.history import CaseEvent, EventKind

METRIC_EVENT_KINDS = (
    EventKind.CASE_CREATED.value,
    EventKind.STATUS_CHANGED.value,
    EventKind.CASE_REOPENED.value,
    EventKind.HANDED_OFF.value,
    EventKind.ASSIGNED.value,
    EventKind.SLA_MET.value,
    EventKind.SLA_BREACHED.value,
    DeskEventKind.CSAT_RATED.value,
)
STATUS_EVENT_KINDS = (
    EventKind.CASE_CREATED.value,
    EventKind.STATUS_CHANGED.value,
    EventKind.CASE_REOPENED.value,
)


@dataclass
class CaseTrail:
    case_id: str
    type: str
    priority: str
    channel: str
    queue: str
    """The routing queue, or the case type for a case that was never routed."""
    events: list[CaseEvent] = field(default_factory=list)


@dataclass(frozen=True)
class BacklogRow:
    case_id: str
    queue: str
    priority: str
    channel: str
    with_bot: bool


@dataclass(frozen=True)
class Observation:
    metric: str
    """created, first_response, solved, resolution, reopened, sla:<target>, csat, bot_case,
    bot_resolved, bot_handed_off, verification:<outcome>"""
    at: datetime
    value: float
    queue: str
    channel: str
    agent: str | None = None


def _verification_outcome(kind: str, after: dict[str, object]) -> str | None:
    """verified / failed / suspicious from a decision (`verification.decided`, its `state`),
    challenge_passed / challenge_failed from the in-app challenge; None for other steps."""
    if kind == "verification.decided":
        state = after.get("state") or after.get("outcome")
        return str(state) if state else None
    if kind in ("verification.challenge_passed", "verification.challenge_failed"):
        return kind.split(".", 1)[1]
    return None


def _agent(event: CaseEvent) -> str | None:
    return event.actor_id if event.actor_kind == "agent" else None


def observations(trail: CaseTrail, start: datetime, end: datetime) -> list[Observation]:
    """Everything measurable in one case's history (its events before `end`); the caller
    keeps those at or after `start`."""
    queue, channel = trail.queue, trail.channel
    found: list[Observation] = []

    def add(metric: str, at: datetime, value: float = 1, agent: str | None = None) -> None:
        found.append(Observation(metric, at, value, queue, channel, agent))

    created_at: datetime | None = None
    with_bot = False
    handed_off_at: datetime | None = None
    answered = False
    solved_once = False
    assignee: str | None = None
    solves: list[tuple[datetime, str | None]] = []
    reopens: list[datetime] = []
    for event in trail.events:
        kind = event.kind
        if kind == EventKind.CASE_CREATED:
            created_at, with_bot = event.at, bool(event.after.get("with_bot"))
            add("created", event.at)
            if with_bot:
                add("bot_case", event.at)
        elif kind == EventKind.HANDED_OFF and handed_off_at is None:
            handed_off_at = event.at
        elif kind == EventKind.ASSIGNED:
            assignee = event.after.get("assignee_id")
        elif kind == EventKind.MESSAGE_ADDED:
            reached = handed_off_at if with_bot else created_at
            public = event.after.get("visibility") == "public"
            if public and not answered and reached is not None:
                answered = True
                seconds = (event.at - reached).total_seconds()
                add("first_response", event.at, seconds, _agent(event))
        elif kind == EventKind.STATUS_CHANGED and event.after.get("category") == "solved":
            credited = assignee or _agent(event)
            solves.append((event.at, credited))
            if not solved_once and created_at is not None:
                add("resolution", event.at, (event.at - created_at).total_seconds(), credited)
            solved_once = True
        elif kind == EventKind.CASE_REOPENED:
            reopens.append(event.at)
        elif kind == EventKind.SLA_MET:
            target = str(event.after.get("target"))
            on_time = 0 if event.after.get("late") else 1
            add(f"sla:{target}", event.at, on_time, _agent(event) or assignee)
        elif kind == DeskEventKind.CSAT_RATED:
            found.append(
                Observation(
                    "csat",
                    event.at,
                    float(event.after.get("score", 0)),
                    str(event.after.get("queue") or queue),
                    str(event.after.get("channel") or channel),
                    event.after.get("agent_id"),
                )
            )
        elif kind.startswith("verification."):
            outcome = _verification_outcome(kind, event.after)
            if outcome is not None:
                add(f"verification:{outcome}", event.at, 1, _agent(event))
    in_period = [(at, who) for at, who in solves if at >= start]
    if in_period:
        # Counted once per case, at its first solve in the period; reopened when the customer
        # (or a low rating) reopened it after that solve.
        first_at, credited = in_period[0]
        add("solved", first_at, 1, credited)
        add("reopened", first_at, 1 if any(r > first_at for r in reopens) else 0, credited)
    if with_bot and created_at is not None:
        if handed_off_at is not None and handed_off_at < end:
            add("bot_handed_off", created_at)
        elif solves:
            add("bot_resolved", created_at)
    return found
