"""Case-history events of the agents' tools, one writer per kind (like `history.py`): a note
that mentions colleagues, and the life of a case action (proposed, approved, rejected,
cancelled, executed, failed). All are internal: a customer never sees them.

They go through `history._write`, so they bump the case version, land in the case history
and are announced after commit like every other event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from walletdesk.support import history
from walletdesk.support.history import CaseEvent, EventKind

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.actions_model import Proposal
    from walletdesk.support.models import By, Case


class AgentToolEvent(StrEnum):
    NOTE_MENTIONED = "note.mentioned"
    ACTION_PROPOSED = "action.proposed"
    ACTION_APPROVED = "action.approved"
    ACTION_REJECTED = "action.rejected"
    ACTION_CANCELLED = "action.cancelled"
    ACTION_EXECUTED = "action.executed"
    ACTION_FAILED = "action.failed"


def _internal(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: AgentToolEvent,
    at: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
    recipients: tuple[str, ...] = (),
) -> CaseEvent:
    # `_write` only reads `kind.value`; these kinds live here so history.py stays one area's.
    return history._write(
        rt,
        uow,
        case,
        by,
        cast(EventKind, kind),
        at,
        before=before,
        after=after,
        public=False,
        recipients=recipients,
    )


def note_mentioned(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    *,
    message_id: int,
    mentioned: list[str],
) -> CaseEvent:
    """Written after the note's own `message.added`; alerts the mentioned staff."""
    return _internal(
        rt,
        uow,
        case,
        by,
        AgentToolEvent.NOTE_MENTIONED,
        at,
        after={"message_id": message_id, "mentioned": mentioned},
        recipients=tuple(mentioned),
    )


def _proposal(proposal: Proposal) -> dict[str, Any]:
    return {
        "proposal_id": proposal.id,
        "kind": proposal.kind,
        "status": proposal.status,
        "target_id": proposal.target_id,
        "amount": proposal.amount,
        "currency": proposal.currency,
    }


def action_proposed(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, proposal: Proposal
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        AgentToolEvent.ACTION_PROPOSED,
        at,
        after=_proposal(proposal)
        | {
            "reason": proposal.reason,
            "transaction_ids": proposal.linked,
            "needs_approval": proposal.needs_approval,
        },
    )


def action_decided(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    proposal: Proposal,
    kind: AgentToolEvent,
    *,
    before: str,
) -> CaseEvent:
    """Approved, rejected or cancelled: who decided, with their note; tells the proposer."""
    return _internal(
        rt,
        uow,
        case,
        by,
        kind,
        at,
        before={"status": before},
        after=_proposal(proposal) | {"note": proposal.decision_note},
        recipients=(proposal.proposed_by,),
    )


def action_finished(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, proposal: Proposal
) -> CaseEvent:
    """The outcome: executed with its result (entries, refund, hold), or failed with the
    service's error code. Tells the proposer and the approver."""
    executed = proposal.failure_code is None
    kind = AgentToolEvent.ACTION_EXECUTED if executed else AgentToolEvent.ACTION_FAILED
    people = tuple(dict.fromkeys(x for x in (proposal.proposed_by, proposal.decided_by) if x))
    return _internal(
        rt,
        uow,
        case,
        by,
        kind,
        at,
        before={"status": "executing"},
        after=_proposal(proposal)
        | {
            "result": proposal.outcome,
            "failure_code": proposal.failure_code,
            "idempotency_key": proposal.idempotency_key,
        },
        recipients=people,
    )
