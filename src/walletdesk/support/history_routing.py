"""Routing's case events, one writer per kind (next to the core ones in `history.py`).

Offers and re-offers are assignments and use `history.assigned` (reason `routed`,
`reoffered`, `offer_expired`, `supervisor`); the kinds here say what assignments do not:
that a case joined a queue, carries a risk flag, or that the agent accepted the offer. All are
internal: a customer never sees routing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from walletdesk.support.history import CaseEvent, EventKind, _write
from walletdesk.support.models import By, Case

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.routing_model import Queue, RoutedCase


class RoutingEventKind(StrEnum):
    QUEUED = "case.queued"
    RISK_FLAGGED = "case.risk_flagged"
    OFFER_ACCEPTED = "case.offer_accepted"


def _kind(kind: RoutingEventKind) -> EventKind:
    # `_write` only stores `kind.value`; the core enum stays closed to other areas' kinds.
    return cast(EventKind, kind)


def queued(
    rt: Runtime, uow: UnitOfWork, case: Case, at: datetime, queue: Queue, routed: RoutedCase
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        By.system(),
        _kind(RoutingEventKind.QUEUED),
        at,
        after={"queue_id": queue.id, "rank": routed.rank, "flags": list(routed.flags)},
        public=False,
    )


def risk_flagged(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    flag: str,
    *,
    before: tuple[str, ...],
    queue_id: str,
) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        _kind(RoutingEventKind.RISK_FLAGGED),
        at,
        before={"flags": list(before)},
        after={"flag": flag, "flags": [*before, flag], "queue_id": queue_id},
        public=False,
    )


def offer_accepted(rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime) -> CaseEvent:
    return _write(
        rt,
        uow,
        case,
        by,
        _kind(RoutingEventKind.OFFER_ACCEPTED),
        at,
        after={"assignee_id": case.assignee_id},
        public=False,
        recipients=tuple(x for x in (case.assignee_id,) if x),
    )
