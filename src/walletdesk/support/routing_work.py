"""Routing services: offering waiting cases (`route_case`, `dispatch_waiting`), re-offering
offers nobody answered (`check_offers`, a sweep on `rt.clock` like `check_sla`), an agent
accepting an offer, and supervisors reassigning.

Each case changes in its own transaction with its row locked, so several processes may
dispatch and sweep at once: whoever comes second re-reads the case and finds nothing to do.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, Forbidden
from walletdesk.i18n import N_
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.support import history, history_routing, routing
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.agents import profile_for
from walletdesk.support.cases import do_change_status
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, Channel
from walletdesk.support.routing_load import move_load
from walletdesk.support.routing_model import RoutingState
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class Outcome(StrEnum):
    OFFERED = "offered"
    NO_AGENT = "no_agent"
    NOT_WAITING = "not_waiting"


class NotOffered(Conflict):
    default_code = "not_offered"
    default_message = N_("This case is not offered to you.")


def _route(rt: Runtime, case_id: str, *, reason: str = "routed") -> tuple[Outcome, str | None]:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = uow.support.cases.get(case_id, for_update=True)
        routed = uow.routing.cases.get(case_id)
        if (
            case is None
            or routed is None
            or routed.state != RoutingState.WAITING
            or case.assignee_id is not None
        ):
            return Outcome.NOT_WAITING, None
        agent = routing.offer(rt, uow, case, routed, now, reason=reason)
        uow.support.cases.save(case)
        uow.commit()
    return (Outcome.OFFERED, agent) if agent else (Outcome.NO_AGENT, None)


def route_case(rt: Runtime, case_id: str) -> str | None:
    """Offer a waiting case now; the agent's id, or None when it is not waiting or nobody
    fits (it keeps waiting)."""
    return _route(rt, case_id)[1]


def dispatch_waiting(rt: Runtime, *, limit: int = 200) -> int:
    """Offer waiting cases while agents fit, most urgent first across queues and channels
    (rank, then arrival); returns how many were offered. A queue and channel whose next case
    finds no agent is left alone for this round: its other cases need the same agents."""
    with rt.db.uow(read_only=True) as uow:
        if not uow.routing.agents.any_free():
            return 0
        queues = [q.id for q in uow.routing.queues.all()]
        heads: list[tuple[int, datetime, str, str, str]] = []
        for queue_id in queues:
            for each in Channel:
                head = uow.routing.cases.waiting_head(queue_id, each.value)
                if head is not None:
                    heads.append((*head, queue_id, each.value))
    heapq.heapify(heads)
    offered = 0
    for _ in range(2 * limit):
        if not heads or offered >= limit:
            break
        _, _, case_id, queue_id, channel = heapq.heappop(heads)
        outcome, _agent = _route(rt, case_id)
        if outcome is Outcome.NO_AGENT:
            continue
        offered += outcome is Outcome.OFFERED
        with rt.db.uow(read_only=True) as uow:
            head = uow.routing.cases.waiting_head(queue_id, channel)
        if head is not None and head[2] != case_id:
            heapq.heappush(heads, (*head, queue_id, channel))
    return offered


@dataclass(frozen=True)
class OfferSweep:
    reoffered: int
    """Lapsed offers given to the next agent."""
    waiting: int
    """Lapsed offers back in their queue (no other agent fits now)."""


def _lapse(
    rt: Runtime, case_id: str, now: datetime, *, cutoff: datetime | None, agent_id: str | None
) -> Outcome | None:
    """Take a lapsed offer back (one transaction), then offer the case again (another):
    each transaction then changes one agent's counter, so two lapses crossing between the
    same two agents cannot deadlock."""
    with rt.db.uow() as uow:
        case = uow.support.cases.get(case_id, for_update=True)
        routed = uow.routing.cases.get(case_id)
        if case is None or routed is None or routed.state != RoutingState.OFFERED:
            return None
        if cutoff is not None and (routed.offered_at is None or routed.offered_at > cutoff):
            return None
        if agent_id is not None and routed.agent_id != agent_id:
            return None
        lapsed = routed.agent_id
        move_load(uow, routed.channel, released=lapsed, taken=None)
        routed.agent_id = None
        routed.offered_at = None
        routed.state = RoutingState.WAITING.value
        routed.passed_over = (*routed.passed_over, *(x for x in (lapsed,) if x))
        routed.updated_at = now
        uow.routing.cases.save(routed)
        case.assignee_id = None
        history.assigned(rt, uow, case, By.system(), now, lapsed, reason="offer_expired")
        uow.support.cases.save(case)
        uow.commit()
    outcome, _agent = _route(rt, case_id, reason="reoffered")
    return None if outcome is Outcome.NOT_WAITING else outcome


def check_offers(rt: Runtime, *, limit: int = 500) -> OfferSweep:
    """Re-offer the cases offered `support_offer_seconds` ago or earlier that their agent
    has neither accepted nor acted on, on `rt.clock`: offered at T, the case moves on at
    T + N seconds, not a second before."""
    now = rt.clock.now()
    cutoff = now - timedelta(seconds=rt.settings.support_offer_seconds)
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.routing.cases.lapsed_offers(cutoff, limit=limit)
    return _tally(_lapse(rt, case_id, now, cutoff=cutoff, agent_id=None) for case_id in case_ids)


def return_offers_of(rt: Runtime, agent_id: str) -> OfferSweep:
    """Re-offer every case offered to `agent_id` and not accepted (they went offline)."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.routing.cases.offers_to(agent_id)
    return _tally(_lapse(rt, case_id, now, cutoff=None, agent_id=agent_id) for case_id in case_ids)


def _tally(outcomes: Iterable[Outcome | None]) -> OfferSweep:
    done = [o for o in outcomes if o is not None]
    return OfferSweep(
        reoffered=sum(o is Outcome.OFFERED for o in done),
        waiting=sum(o is Outcome.NO_AGENT for o in done),
    )


def sweep_routing(rt: Runtime) -> OfferSweep:
    """The periodic part: lapsed offers move on, then waiting cases meet freed agents."""
    sweep = check_offers(rt)
    dispatch_waiting(rt)
    return sweep


def _open_if_new(rt: Runtime, uow: UnitOfWork, case: Case, by: By, reason: str) -> None:
    if case.category == Category.NEW:
        do_change_status(
            rt,
            uow,
            case,
            by,
            Status(Category.OPEN),
            now=rt.clock.now(),
            calendars=load_calendars(uow),
            reason=reason,
        )


def offer_waiting(rt: Runtime, actor: SupportActor, case_id: str) -> bool:
    """Whether the case is offered to `actor` and not accepted yet: it still moves on when the
    offer lapses or they go offline, so the console offers an Accept button."""
    with rt.db.uow(read_only=True) as uow:
        access_case_for(uow, actor, case_id)
        routed = uow.routing.cases.get(case_id)
    return (
        routed is not None
        and routed.agent_id == actor.user_id
        and routed.state == RoutingState.OFFERED
    )


def accept_offer(rt: Runtime, actor: SupportActor, case_id: str) -> Case:
    """The offered agent takes the case: it stays theirs (no re-offer) and a new case opens.
    Accepting again changes nothing; a case offered to someone else is refused."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        routed = uow.routing.cases.get(case.id)
        if (
            routed is None
            or routed.agent_id != actor.user_id
            or routed.state not in (RoutingState.OFFERED, RoutingState.ACCEPTED)
        ):
            raise NotOffered()
        if routed.state == RoutingState.ACCEPTED:
            return case
        by = actor.by(case)
        history_routing.offer_accepted(rt, uow, case, by, now)
        _open_if_new(rt, uow, case, by, "accepted")
        uow.support.cases.save(case)
        uow.commit()
    return case


def reassign(rt: Runtime, actor: SupportActor, case_id: str, agent_id: str | None) -> Case:
    """A supervisor gives the case to an agent (firmly: no offer that lapses, and even past
    the agent's capacity), or back to its queue with `agent_id` None."""
    if not has_permission(actor.roles, Permission.CASES_SUPERVISE):
        raise Forbidden("reassign_forbidden", N_("Only supervisors reassign cases."))
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        if case.is_closed:
            raise CaseIsClosed()
        if agent_id == case.assignee_id:
            return case
        if agent_id is not None:
            profile_for(uow, agent_id, now)  # refuses anyone who does not work cases
        by = actor.by(case)
        before = case.assignee_id
        case.assignee_id = agent_id
        history.assigned(rt, uow, case, by, now, before, reason="supervisor")
        if agent_id is None:
            routing.enqueue(rt, uow, case, now)  # a case never routed before joins a queue
        else:
            _open_if_new(rt, uow, case, by, "assigned")
        uow.support.cases.save(case)
        uow.commit()
    return case
