"""Case-history events of complaints, suggestions and satisfaction surveys, one writer per kind
(the foundation's kinds are in `history.py`; these extend the same append-only history).

Each writer runs inside the caller's unit of work on a locked case and goes through the shared
`history_writer.write_event` (bump the case's version, append the event, announce it after
commit); `csat.py` and `suggestions.py` call it with these kinds too. Metrics (`metrics.py`) and
the customer's complaint timeline read them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from walletdesk.support.history import CaseEvent
from walletdesk.support.history_writer import write_event
from walletdesk.support.models import By, Case

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class DeskEventKind(StrEnum):
    COMPLAINT_RECEIVED = "complaint.received"
    COMPLAINT_CATEGORISED = "complaint.categorised"
    COMPLAINT_INVESTIGATING = "complaint.investigating"
    COMPLAINT_RESULT = "complaint.result"
    COMPLAINT_APPEALED = "complaint.appealed"
    COMPLAINT_CONFIRMED = "complaint.confirmed"
    COMPLAINT_ESCALATED = "complaint.escalated"
    SUGGESTION_RECEIVED = "suggestion.received"
    SUGGESTION_ANSWERED = "suggestion.answered"
    CSAT_REQUESTED = "csat.requested"
    CSAT_RATED = "csat.rated"
    CSAT_LOW_SCORE = "csat.low_score"


def complaint_received(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, *, after: dict[str, Any]
) -> CaseEvent:
    return write_event(
        rt, uow, case, by, DeskEventKind.COMPLAINT_RECEIVED, at, public=True, after=after
    )


def complaint_categorised(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, before: str, after: str
) -> CaseEvent:
    return write_event(
        rt,
        uow,
        case,
        by,
        DeskEventKind.COMPLAINT_CATEGORISED,
        at,
        public=False,
        before={"complaint_category": before},
        after={"complaint_category": after},
    )


def complaint_investigating(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime
) -> CaseEvent:
    return write_event(rt, uow, case, by, DeskEventKind.COMPLAINT_INVESTIGATING, at, public=True)


def complaint_result(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    *,
    appeal: bool,
    due_at: datetime,
) -> CaseEvent:
    return write_event(
        rt,
        uow,
        case,
        by,
        DeskEventKind.COMPLAINT_RESULT,
        at,
        public=True,
        after={"appeal": appeal, "due_at": due_at.isoformat(), "on_time": at <= due_at},
    )


def complaint_appealed(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, *, due_at: datetime
) -> CaseEvent:
    return write_event(
        rt,
        uow,
        case,
        by,
        DeskEventKind.COMPLAINT_APPEALED,
        at,
        public=True,
        after={"due_at": due_at.isoformat()},
    )


def complaint_confirmed(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime
) -> CaseEvent:
    return write_event(rt, uow, case, by, DeskEventKind.COMPLAINT_CONFIRMED, at, public=True)


def complaint_escalated(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    at: datetime,
    *,
    level: int,
    percent: int,
    action: str,
    due_at: datetime,
    recipients: tuple[str, ...],
) -> CaseEvent:
    return write_event(
        rt,
        uow,
        case,
        By.system(),
        DeskEventKind.COMPLAINT_ESCALATED,
        at,
        public=False,
        before={"level": level - 1},
        after={
            "level": level,
            "percent": percent,
            "action": action,
            "due_at": due_at.isoformat(),
            "recipients": list(recipients),
        },
        recipients=recipients,
    )
