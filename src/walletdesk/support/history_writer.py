"""The one writer behind the case-history events that other areas add to the append-only
history: complaints, suggestions and CSAT (`complaints_history`), the verification workflow
and registered outbound contacts (`verification_history`).

It keeps `history._write`'s contract: it runs inside the caller's unit of work on a locked
case, bumps the case's version, appends the event and announces it after commit through
`rt.support_events`. Unlike `history._write` it leaves the routing load alone; none of these
writers ever moved it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from walletdesk.support.case_webhooks import queue_for_event
from walletdesk.support.events import SupportEvent, announce_after_commit
from walletdesk.support.history import CaseEvent
from walletdesk.support.models import By, Case

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def write_event(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: StrEnum,
    at: datetime,
    *,
    public: bool,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    recipients: tuple[str, ...] = (),
) -> CaseEvent:
    """Append one event of `kind` to the case's history (the caller holds the case row
    lock); `public` events may reach the customer, `recipients` are staff to alert."""
    case.version = uow.support.cases.bump_version(case.id)
    case.touch(at)
    event = uow.support.events.add(
        CaseEvent(
            id=None,
            case_id=case.id,
            version=case.version,
            at=at,
            kind=kind.value,
            actor_kind=by.kind.value,
            actor_id=by.id,
            before=before or {},
            after=after or {},
            public=public,
        )
    )
    queue_for_event(rt, uow, event)  # subscribers' webhooks, in this transaction
    announce_after_commit(
        uow,
        rt.support_events,
        SupportEvent(
            kind=kind.value,
            case_id=case.id,
            version=case.version,
            at=at,
            actor_kind=by.kind.value,
            actor_id=by.id,
            public=public,
            after=event.after,
            recipients=recipients,
        ),
    )
    return event
