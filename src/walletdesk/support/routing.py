"""Routing's building blocks, for use inside a unit of work on a locked case row (STYLE 2:
`do`-style, the caller checked who acts and commits).

- `enqueue` is called where a case becomes routable: created without the bot
  (`cases.do_open_case`) and handed off by the bot (`cases.do_hand_off`). The case joins the
  first matching queue and is offered at once when an agent fits; otherwise it waits there and
  `routing_work.dispatch_waiting` offers it as soon as one frees up.
- `offer` picks the agent: the queue's skills and a free slot on the case's channel; online
  before away (offline never); then least load; then round robin after the queue's pointer.
  The slot is taken with a conditional increment of the agent's load counter, so concurrent
  offers never exceed a capacity. The offer is an assignment in the case history.
- `flag_case` marks an urgent risk (account takeover, frozen account, pending large
  transfer): the case moves to the matching queue and ahead of every unflagged case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.support import history, history_routing
from walletdesk.support.models import By, Case
from walletdesk.support.routing_load import (
    dispatch_after_commit,
    is_active,
    new_routed,
    routing_queues,
)
from walletdesk.support.routing_model import (
    Queue,
    RiskFlag,
    RoutedCase,
    RoutingState,
    choose_queue,
    rank_of,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

RESERVE_ATTEMPTS = 8
"""Candidates tried when concurrent offers fill the best agents first."""


def pick_and_reserve(
    uow: UnitOfWork, queue: Queue, channel: str, excluded: Iterable[str] = ()
) -> str | None:
    """Choose the best agent for a case of `queue` on `channel` and take one of their slots
    (one statement when nobody races for the same slot); None when no agent fits."""
    agents = uow.routing.agents
    language, topic, pointer = queue.skill_language, queue.skill_topic, queue.rr_last_agent
    skipped = list(excluded)
    for _ in range(RESERVE_ATTEMPTS):
        agent = agents.take_best(
            channel=channel, language=language, topic=topic, pointer=pointer, excluded=skipped
        )
        if agent is not None:
            return agent
        # Nobody fits, or a concurrent offer filled the best agent first: a plain pick
        # tells which, and names the next candidate to try.
        candidate = agents.pick(
            channel=channel, language=language, topic=topic, pointer=pointer, excluded=skipped
        )
        if candidate is None:
            return None
        if uow.routing.agents.reserve(candidate, channel):
            return candidate
        skipped.append(candidate)
    return None


def offer(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    routed: RoutedCase,
    now: datetime,
    *,
    reason: str,
) -> str | None:
    """Offer a waiting case to the best agent; None (the case keeps waiting) when nobody
    fits. Agents who let it lapse before are skipped unless nobody else fits."""
    assert routed.state == RoutingState.WAITING and routed.agent_id is None
    queue = uow.routing.queues.get(routed.queue_id)
    assert queue is not None
    agent = pick_and_reserve(uow, queue, routed.channel, routed.passed_over)
    if agent is None and routed.passed_over:
        routed.passed_over = ()
        agent = pick_and_reserve(uow, queue, routed.channel)
    if agent is None:
        uow.routing.cases.save(routed)
        return None
    uow.routing.queues.move_pointer(queue.id, agent)
    routed.state = RoutingState.OFFERED.value
    routed.agent_id = agent
    routed.offered_at = now
    routed.updated_at = now
    uow.routing.cases.save(routed)
    before = case.assignee_id
    case.assignee_id = agent
    history.assigned(rt, uow, case, By.system(), now, before, reason=reason)
    return agent


def enqueue(rt: Runtime, uow: UnitOfWork, case: Case, now: datetime) -> RoutedCase | None:
    """The case reached humans: put it in its queue and offer it if an agent fits. Nothing
    happens for a case still with the bot, solved, or already queued or held by someone."""
    if case.with_bot or not is_active(case):
        return None
    routed = uow.routing.cases.get(case.id)
    if routed is not None and routed.state != RoutingState.HELD:
        return routed
    if case.assignee_id is not None:
        return routed  # taken while with the bot; `after_event` counts it
    if routed is None:
        routed = new_routed(uow, case, now)
        uow.routing.cases.add(routed)
    queue = choose_queue(
        routing_queues(uow, now), case.type, case.locale, case.priority, routed.flags
    )
    routed.queue_id = queue.id
    routed.rank = rank_of(case.priority, routed.flags)
    routed.state = RoutingState.WAITING.value
    routed.enqueued_at = now
    routed.updated_at = now
    uow.routing.cases.save(routed)
    history_routing.queued(rt, uow, case, now, queue, routed)
    offer(rt, uow, case, routed, now, reason="routed")
    return routed


def flag_case(
    rt: Runtime, uow: UnitOfWork, case: Case, flag: RiskFlag, *, by: By | None = None
) -> bool:
    """Mark an urgent risk on the case (the caller holds the case row lock and commits).
    A waiting case moves to the queue its flags match, ahead of every unflagged case; a case
    still with the bot keeps the flag for its hand-off; an assigned case stays with its
    agent. False when the case already had the flag."""
    now = rt.clock.now()
    routed = uow.routing.cases.get(case.id)
    if routed is None:
        routed = new_routed(uow, case, now)
        uow.routing.cases.add(routed)
    if flag.value in routed.flags:
        return False
    before = routed.flags
    routed.flags = (*before, flag.value)
    routed.rank = rank_of(case.priority, routed.flags)
    waiting = routed.state == RoutingState.WAITING
    if waiting:
        queues = routing_queues(uow, now)
        routed.queue_id = choose_queue(
            queues, case.type, case.locale, case.priority, routed.flags
        ).id
    routed.updated_at = now
    uow.routing.cases.save(routed)
    history_routing.risk_flagged(
        rt, uow, case, by or By.system(), now, flag.value, before=before, queue_id=routed.queue_id
    )
    if waiting:
        dispatch_after_commit(rt, uow)
    return True
