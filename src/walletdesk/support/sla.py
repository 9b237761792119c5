"""SLA policies and the per-case targets they set.

A policy (per priority and/or case type) gives three targets in business minutes on one
calendar: the first response, each next response (after the customer wrote again) and the
resolution. A case's *target* counts the business seconds used while its case is in a category
whose SLA clock runs (`statuses.SLA_CLOCK_RUNS`); paused, it has no due time. Its state:

    active    running or paused, not late (so far)
    breached  the due time passed before it was fulfilled; stays breached once fulfilled late
    met       fulfilled on time

`due_at` is the last instant that still counts as on time: fulfilled at `due_at` is met, a
second later is breached. Breaches escalate along the policy's ladder (`sla_clock.check_sla`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from walletdesk.support.calendar import BusinessCalendar
from walletdesk.support.models import Priority


class TargetKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class TargetState(StrEnum):
    ACTIVE = "active"
    BREACHED = "breached"
    MET = "met"


class EscalationAction(StrEnum):
    NOTIFY = "notify"
    """Alert the assignee (the supervisors when nobody is assigned)."""
    REASSIGN_SENIOR = "reassign_senior"
    """Give the case to the senior agent with the fewest open cases."""
    SUPERVISOR = "supervisor"
    """Alert every supervisor."""


@dataclass(frozen=True)
class EscalationStep:
    after_minutes: int
    """Wall-clock minutes after the breach."""
    action: EscalationAction


DEFAULT_LADDER = (
    EscalationStep(0, EscalationAction.NOTIFY),
    EscalationStep(30, EscalationAction.REASSIGN_SENIOR),
    EscalationStep(120, EscalationAction.SUPERVISOR),
)


@dataclass(frozen=True)
class SlaPolicy:
    id: str
    priority: str | None
    """None: any priority."""
    case_type: str | None
    """None: any type."""
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    calendar: str
    ladder: tuple[EscalationStep, ...] = DEFAULT_LADDER
    updated_at: datetime | None = None

    def budget_seconds(self, kind: TargetKind) -> int:
        minutes = {
            TargetKind.FIRST_RESPONSE: self.first_response_minutes,
            TargetKind.NEXT_RESPONSE: self.next_response_minutes,
            TargetKind.RESOLUTION: self.resolution_minutes,
        }[kind]
        return minutes * 60

    @property
    def specificity(self) -> int:
        """Type and priority beat type alone, which beats priority alone."""
        return (2 if self.case_type else 0) + (1 if self.priority else 0)

    def applies_to(self, priority: str, case_type: str) -> bool:
        return self.priority in (None, priority) and self.case_type in (None, case_type)


DEFAULT_POLICIES = (
    SlaPolicy("default_urgent", Priority.URGENT, None, 15, 30, 4 * 60, "always"),
    SlaPolicy("default_high", Priority.HIGH, None, 60, 2 * 60, 9 * 60, "business"),
    SlaPolicy("default_normal", Priority.NORMAL, None, 4 * 60, 8 * 60, 3 * 9 * 60, "business"),
    SlaPolicy("default_low", Priority.LOW, None, 8 * 60, 16 * 60, 5 * 9 * 60, "business"),
)
"""Used where no stored policy is as specific. Business days are 9 hours (09:00-18:00)."""


def choose_policy(stored: Sequence[SlaPolicy], priority: str, case_type: str) -> SlaPolicy:
    """The most specific policy for the case; a stored one wins over a default of the same
    specificity."""
    candidates = [
        (policy.specificity, 1 if index < len(stored) else 0, policy)
        for index, policy in enumerate([*stored, *DEFAULT_POLICIES])
        if policy.applies_to(priority, case_type)
    ]
    assert candidates, "every priority has a default policy"
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


@dataclass
class SlaTarget:
    id: str
    case_id: str
    kind: str
    state: str
    calendar: str
    budget_seconds: int
    used_seconds: int
    started_at: datetime
    running_since: datetime | None = None
    due_at: datetime | None = None
    breached_at: datetime | None = None
    fulfilled_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Not fulfilled yet (whether running, paused, or late)."""
        return self.fulfilled_at is None

    @property
    def is_running(self) -> bool:
        return self.running_since is not None

    def breach_if_due(self, now: datetime) -> bool:
        """Mark the target breached when `now` is past its due time; True if it just was."""
        if self.state == TargetState.ACTIVE and self.due_at is not None and now > self.due_at:
            self.state = TargetState.BREACHED
            self.breached_at = self.due_at
            return True
        return False

    def pause(self, now: datetime, calendar: BusinessCalendar) -> bool:
        """Stop the clock, banking the business time used; True if it breached meanwhile."""
        breached = self.breach_if_due(now)
        if self.running_since is not None:
            self.used_seconds += calendar.elapsed(self.running_since, now)
            self.running_since = None
            self.due_at = None
        return breached

    def resume(self, now: datetime, calendar: BusinessCalendar) -> None:
        if self.running_since is None and self.is_open:
            self.running_since = now
            self.due_at = calendar.add(now, max(0, self.budget_seconds - self.used_seconds))

    def fulfil(self, now: datetime, calendar: BusinessCalendar) -> bool:
        """The awaited thing happened (an answer, the solution); True if it came late and
        the breach is only being noticed now."""
        breached = self.pause(now, calendar)
        self.fulfilled_at = now
        if self.state == TargetState.ACTIVE:
            self.state = TargetState.MET
        return breached

    def reopen(self, now: datetime, calendar: BusinessCalendar, *, running: bool) -> None:
        """Open again (a solved case was reopened): the time used so far still counts."""
        self.fulfilled_at = None
        if self.state == TargetState.MET:
            self.state = TargetState.ACTIVE
        if running:
            self.resume(now, calendar)

    def restart(
        self, now: datetime, budget_seconds: int, calendar: BusinessCalendar, *, running: bool
    ) -> None:
        """Begin a new cycle (the customer wrote again after an answer)."""
        self.state = TargetState.ACTIVE
        self.budget_seconds = budget_seconds
        self.used_seconds = 0
        self.started_at = now
        self.running_since = None
        self.due_at = None
        self.breached_at = None
        self.fulfilled_at = None
        if running:
            self.resume(now, calendar)

    def rebudget(
        self,
        budget_seconds: int,
        now: datetime,
        before: BusinessCalendar,
        after: BusinessCalendar,
    ) -> bool:
        """Apply a new budget and calendar (the priority changed); the business time used so
        far still counts. True if it had breached before the change."""
        was_running = self.is_running
        breached = self.pause(now, before)
        self.budget_seconds = budget_seconds
        self.calendar = after.key
        if was_running:
            self.resume(now, after)
        return breached
