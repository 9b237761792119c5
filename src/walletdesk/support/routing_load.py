"""Keeping routing's per-agent load counters true, whoever changes a case.

`after_event` runs inside every case-history writer (`history._write`), on the case row the
caller holds locked. It compares the case (assignee, solved or not) with its routing row and
moves the load counters in the same transaction, so a manual assignment, an SLA escalation,
a solve, a close or a reopen all keep `routing_agent_channels.load` equal to the number of
unsolved cases each agent holds per channel. It also notices an offered agent's first action
on the case (an answer, a note, a status change): the offer is then accepted.

When a slot frees up (a case solved, given back), waiting cases are dispatched after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.support.models import AuthorKind, By, Case
from walletdesk.support.routing_model import (
    Queue,
    RoutedCase,
    RoutingState,
    choose_queue,
    default_queues,
    rank_of,
)
from walletdesk.support.statuses import Category

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

_FINISHED = (Category.SOLVED.value, Category.CLOSED.value)


def is_active(case: Case) -> bool:
    """Unsolved: counts towards its agent's load."""
    return case.category not in _FINISHED


def routing_queues(uow: UnitOfWork, now: datetime) -> list[Queue]:
    """All queues; a database without any gets the default set first."""
    queues = uow.routing.queues.all()
    if not queues:
        defaults = default_queues(now)
        for queue in defaults:
            queue.created_at = queue.updated_at = now
        uow.routing.queues.add_missing(defaults)
        queues = uow.routing.queues.all()
    return queues


def new_routed(
    uow: UnitOfWork, case: Case, now: datetime, flags: tuple[str, ...] = ()
) -> RoutedCase:
    queue = choose_queue(routing_queues(uow, now), case.type, case.locale, case.priority, flags)
    return RoutedCase(
        case_id=case.id,
        queue_id=queue.id,
        channel=case.channel,
        state=RoutingState.HELD.value,
        rank=rank_of(case.priority, flags),
        updated_at=now,
        flags=flags,
    )


def move_load(uow: UnitOfWork, channel: str, *, released: str | None, taken: str | None) -> None:
    """Count a case out of one agent and into another, in id order (two transactions moving
    cases between the same two agents then lock their counters in the same order)."""
    moves = sorted(
        [(agent, -1) for agent in (released,) if agent]
        + [(agent, 1) for agent in (taken,) if agent]
    )
    for agent, delta in moves:
        uow.routing.agents.add_load(agent, channel, delta)


def dispatch_after_commit(rt: Runtime, uow: UnitOfWork) -> None:
    """Offer waiting cases once this transaction commits (at most once per transaction)."""

    def flush(_: list[str]) -> None:
        from walletdesk.support.routing_work import dispatch_waiting

        dispatch_waiting(rt)

    uow.on_commit_batch("routing.dispatch", "dispatch", flush)


def after_event(rt: Runtime, uow: UnitOfWork, case: Case, by: By) -> None:
    """Bring the case's routing row and the load counters in line with the case."""
    routed = uow.routing.cases.get(case.id)
    desired = case.assignee_id if is_active(case) else None
    now = case.updated_at
    if routed is None:
        if desired is None:
            return  # not routed yet and nobody holds it: nothing is counted
        routed = new_routed(uow, case, now)
        routed.state = RoutingState.ACCEPTED.value
        routed.enqueued_at = now
        uow.routing.cases.add(routed)
    before = (routed.state, routed.agent_id, routed.rank, routed.passed_over)
    if routed.agent_id != desired:
        released = routed.agent_id
        move_load(uow, routed.channel, released=released, taken=desired)
        routed.agent_id = desired
        routed.offered_at = None
        if desired is not None:
            routed.state = RoutingState.ACCEPTED.value  # a person chose the agent
        else:
            _unassigned(case, routed, now)
            if released and by.kind is AuthorKind.AGENT and by.id == released:
                routed.passed_over = (*routed.passed_over, released)  # gave it back
        if released or routed.state == RoutingState.WAITING:
            dispatch_after_commit(rt, uow)
    elif desired is None and _unassigned(case, routed, now):
        if routed.state == RoutingState.WAITING:
            dispatch_after_commit(rt, uow)
    if (
        routed.state == RoutingState.OFFERED
        and by.kind is AuthorKind.AGENT
        and by.id == routed.agent_id
    ):
        routed.state = RoutingState.ACCEPTED.value
    routed.rank = rank_of(case.priority, routed.flags)
    if (routed.state, routed.agent_id, routed.rank, routed.passed_over) != before:
        routed.updated_at = now
        uow.routing.cases.save(routed)


def _unassigned(case: Case, routed: RoutedCase, now: datetime) -> bool:
    """Set the state of a case nobody holds: done once solved, held while with the bot,
    else waiting in its queue (a reopened case waits from now). True if it changed."""
    if not is_active(case):
        target = RoutingState.DONE
    elif case.with_bot:
        target = RoutingState.HELD
    else:
        target = RoutingState.WAITING
    if routed.state == target:
        return False
    if target is RoutingState.WAITING and (
        routed.state == RoutingState.DONE or routed.enqueued_at is None
    ):
        routed.enqueued_at = now
    routed.state = target.value
    return True
