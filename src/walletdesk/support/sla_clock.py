"""Driving the SLA targets of a case, and the `check_sla` sweep.

The functions taking a `uow` run inside the caller's unit of work, on a case row the caller
holds locked, and write the history events of what they change. Clocks start when a case
reaches humans (created by staff or a non-bot channel, or at the bot's hand-off): time the
customer spends with the bot is not the agents' time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from walletdesk.fresh import FreshCache
from walletdesk.identity.permissions import Role
from walletdesk.randomness import new_id
from walletdesk.support import history
from walletdesk.support.calendar import Calendars
from walletdesk.support.models import By, Case
from walletdesk.support.sla import (
    EscalationAction,
    SlaPolicy,
    SlaTarget,
    TargetKind,
    TargetState,
    choose_policy,
)
from walletdesk.support.statuses import SLA_CLOCK_RUNS, Category

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


SLA_POLICIES_FRESH_SECONDS: Final = 10.0
"""How long a process reuses the SLA policies it read (`sla_policies`): the longest another
process goes on starting clocks with a policy from before an admin's change."""

_POLICIES: FreshCache[tuple[SlaPolicy, ...]] = FreshCache(SLA_POLICIES_FRESH_SECONDS)


def sla_policies(uow: UnitOfWork) -> tuple[SlaPolicy, ...]:
    """The stored policies, read once per `SLA_POLICIES_FRESH_SECONDS` in a process: every
    customer message picks its case's policy, and the policies change only when an admin
    edits them (a statement saved on each message, docs/benchmarks.md, chat)."""
    return _POLICIES.get(uow.connection.engine, lambda: tuple(uow.support.sla_policies.all()))


def forget_sla_policies(uow: UnitOfWork) -> None:
    """Call from every write of a policy: this process reads them again once `uow` commits."""
    uow.on_commit(_POLICIES.forget)


def policy_for(uow: UnitOfWork, case: Case) -> SlaPolicy:
    return choose_policy(sla_policies(uow), case.priority, case.type)


def _runs(case: Case) -> bool:
    return SLA_CLOCK_RUNS[Category(case.category)]


def _by_kind(uow: UnitOfWork, case: Case) -> dict[str, SlaTarget]:
    return {t.kind: t for t in uow.support.sla_targets.for_case(case.id)}


def start_clocks(
    rt: Runtime, uow: UnitOfWork, case: Case, now: datetime, calendars: Calendars
) -> None:
    """Start the first-response and resolution targets (once per case)."""
    policy = policy_for(uow, case)
    case.sla_policy_id = policy.id
    calendar = calendars.get(policy.calendar)
    existing = _by_kind(uow, case)
    for kind in (TargetKind.FIRST_RESPONSE, TargetKind.RESOLUTION):
        if kind.value in existing:
            continue
        target = SlaTarget(
            id=new_id(rt.random, "sla"),
            case_id=case.id,
            kind=kind.value,
            state=TargetState.ACTIVE.value,
            calendar=calendar.key,
            budget_seconds=policy.budget_seconds(kind),
            used_seconds=0,
            started_at=now,
        )
        if _runs(case):
            target.resume(now, calendar)
        uow.support.sla_targets.add(target)


def _record_breach(
    rt: Runtime, uow: UnitOfWork, case: Case, target: SlaTarget, now: datetime
) -> None:
    history.sla_breached(rt, uow, case, now, target)
    _schedule_escalation(uow, case)


def _fulfil(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    target: SlaTarget,
    by: By,
    now: datetime,
    calendars: Calendars,
) -> None:
    if target.fulfil(now, calendars.get(target.calendar)):
        _record_breach(rt, uow, case, target, now)
    uow.support.sla_targets.save(target)
    history.sla_met(rt, uow, case, by, now, target)
    _schedule_escalation(uow, case)


def after_status_change(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    before: Category,
    by: By,
    now: datetime,
    calendars: Calendars,
) -> None:
    """Pause or resume the clocks for the case's new category; solving fulfils the
    resolution target and reopening opens it again."""
    after = Category(case.category)
    for target in _by_kind(uow, case).values():
        calendar = calendars.get(target.calendar)
        if target.kind == TargetKind.RESOLUTION and after is Category.SOLVED and target.is_open:
            _fulfil(rt, uow, case, target, by, now, calendars)
            continue
        reopened = before is Category.SOLVED and after not in (Category.SOLVED, Category.CLOSED)
        if target.kind == TargetKind.RESOLUTION and reopened:
            target.reopen(now, calendar, running=False)
        if not target.is_open:
            uow.support.sla_targets.save(target)
            continue
        if _runs(case):
            target.resume(now, calendar)
        elif target.pause(now, calendar):
            _record_breach(rt, uow, case, target, now)
        uow.support.sla_targets.save(target)
    _schedule_escalation(uow, case)


def after_agent_reply(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, now: datetime, calendars: Calendars
) -> None:
    """A public answer from an agent fulfils the first response or the next response."""
    for target in _by_kind(uow, case).values():
        if target.kind != TargetKind.RESOLUTION and target.is_open:
            _fulfil(rt, uow, case, target, by, now, calendars)


def after_customer_message(
    rt: Runtime, uow: UnitOfWork, case: Case, now: datetime, calendars: Calendars
) -> None:
    """The customer wrote: once the first response was given, a next-response cycle starts
    (unless one is already waiting)."""
    if case.with_bot:
        return
    targets = _by_kind(uow, case)
    first = targets.get(TargetKind.FIRST_RESPONSE.value)
    if first is None or first.is_open:
        return
    policy = policy_for(uow, case)
    calendar = calendars.get(policy.calendar)
    budget = policy.budget_seconds(TargetKind.NEXT_RESPONSE)
    current = targets.get(TargetKind.NEXT_RESPONSE.value)
    if current is None:
        target = SlaTarget(
            id=new_id(rt.random, "sla"),
            case_id=case.id,
            kind=TargetKind.NEXT_RESPONSE.value,
            state=TargetState.ACTIVE.value,
            calendar=calendar.key,
            budget_seconds=budget,
            used_seconds=0,
            started_at=now,
        )
        if _runs(case):
            target.resume(now, calendar)
        uow.support.sla_targets.add(target)
    elif not current.is_open:
        current.calendar = calendar.key
        current.restart(now, budget, calendar, running=_runs(case))
        uow.support.sla_targets.save(current)


def after_priority_change(
    rt: Runtime, uow: UnitOfWork, case: Case, now: datetime, calendars: Calendars
) -> None:
    """Apply the policy of the new priority; the business time already used still counts."""
    policy = policy_for(uow, case)
    case.sla_policy_id = policy.id
    for target in _by_kind(uow, case).values():
        if not target.is_open:
            continue
        breached = target.rebudget(
            policy.budget_seconds(TargetKind(target.kind)),
            now,
            calendars.get(target.calendar),
            calendars.get(policy.calendar),
        )
        if breached:
            _record_breach(rt, uow, case, target, now)
        uow.support.sla_targets.save(target)


def _schedule_escalation(uow: UnitOfWork, case: Case) -> None:
    """Set when the next escalation step is due: from the earliest breach still unanswered;
    never when there is none, the ladder is done, or the clock is paused (waiting for the
    customer or a third party, solved, closed)."""
    open_breaches = [
        t.breached_at
        for t in uow.support.sla_targets.for_case(case.id)
        if t.state == TargetState.BREACHED and t.is_open and t.breached_at is not None
    ]
    if not open_breaches or not _runs(case):
        case.next_escalation_at = None
        return
    ladder = policy_for(uow, case).ladder  # read only when a breach is open (rarely)
    if case.escalation_level >= len(ladder):
        case.next_escalation_at = None
        return
    step = ladder[case.escalation_level]
    case.next_escalation_at = min(open_breaches) + timedelta(minutes=step.after_minutes)


@dataclass(frozen=True)
class SlaSweep:
    breached: int
    escalated: int


def check_sla(rt: Runtime, *, limit: int = 500) -> SlaSweep:
    """Mark the targets whose due time has passed as breached and take the escalation steps
    that are due, on `rt.clock`. One transaction per case; safe to run from several
    processes at once (the case row lock serialises them, and each re-checks)."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.support.sla_targets.cases_due(now, limit=limit)
    breached = escalated = 0
    for case_id in case_ids:
        with rt.db.uow() as uow:
            case = uow.support.cases.get(case_id, for_update=True)
            if case is None:
                continue
            for target in uow.support.sla_targets.for_case(case.id):
                if target.breach_if_due(now):
                    uow.support.sla_targets.save(target)
                    history.sla_breached(rt, uow, case, now, target)
                    breached += 1
            _schedule_escalation(uow, case)
            escalated += _escalate_due_steps(rt, uow, case, now)
            uow.support.cases.save(case)
            uow.commit()
    return SlaSweep(breached=breached, escalated=escalated)


def _escalate_due_steps(rt: Runtime, uow: UnitOfWork, case: Case, now: datetime) -> int:
    ladder = policy_for(uow, case).ladder
    taken = 0
    while case.next_escalation_at is not None and case.next_escalation_at <= now:
        step = ladder[case.escalation_level]
        before = case.assignee_id
        recipients = _take_step(rt, uow, case, step.action, now)
        case.escalation_level += 1
        history.escalated(
            rt,
            uow,
            case,
            now,
            level=case.escalation_level,
            action=step.action.value,
            assignee_before=before,
            recipients=recipients,
        )
        taken += 1
        _schedule_escalation(uow, case)
    return taken


def _take_step(
    rt: Runtime, uow: UnitOfWork, case: Case, action: EscalationAction, now: datetime
) -> tuple[str, ...]:
    supervisors = tuple(uow.support.staff.with_role(Role.SUPERVISOR.value))
    if action is EscalationAction.NOTIFY:
        return (case.assignee_id,) if case.assignee_id else supervisors
    if action is EscalationAction.SUPERVISOR:
        return supervisors
    seniors = [
        s for s in uow.support.staff.with_role(Role.SENIOR_AGENT.value) if s != case.assignee_id
    ]
    if not seniors:
        return supervisors
    loads = uow.support.staff.open_case_counts(seniors)
    chosen = min(seniors, key=lambda s: (loads.get(s, 0), s))
    before = case.assignee_id
    case.assignee_id = chosen
    history.assigned(rt, uow, case, By.system(), now, before, reason="sla_escalation")
    return (chosen,)
