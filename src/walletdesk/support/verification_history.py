"""Case-history events of the verification workflow and of registered outbound contacts, one
writer per kind, each through the shared `history_writer.write_event` (bump the case version,
append the event, announce it after commit).

All of them are internal (`public=False`): the customer learns about each step from the
system messages in the conversation, the in-app notices and `GET /api/v1/me/pending-contacts`,
never from the staff history (which names agents and operations). No event carries a contact
code or a destination.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from walletdesk.support.history import CaseEvent
from walletdesk.support.history_writer import write_event
from walletdesk.support.models import By, Case, Conversation
from walletdesk.support.verification_models import OutboundContact, Verification

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class VerificationEventKind(StrEnum):
    OPENED = "verification.opened"
    CHALLENGE_REQUESTED = "verification.challenge_requested"
    CHALLENGE_PASSED = "verification.challenge_passed"
    CHALLENGE_FAILED = "verification.challenge_failed"
    CONTACT_REGISTERED = "contact.registered"
    DECIDED = "verification.decided"


def _internal(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: VerificationEventKind,
    at: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
    recipients: tuple[str, ...] = (),
) -> CaseEvent:
    """Every event here is internal (see above): `write_event` with `public=False`."""
    return write_event(
        rt, uow, case, by, kind, at, public=False, before=before, after=after, recipients=recipients
    )


def _challenge(verification: Verification, **more: Any) -> dict[str, Any]:
    return {"verification_id": verification.id, "method": verification.challenge_method, **more}


def _assignee(case: Case) -> tuple[str, ...]:
    """The agent working the case learns at once how the customer's check went."""
    return (case.assignee_id,) if case.assignee_id else ()


def opened(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, verification: Verification
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.OPENED,
        at,
        after={
            "verification_id": verification.id,
            "reason": verification.reason,
            "operation_kind": verification.operation_kind,
            "operation_ref": verification.operation_ref,
        },
    )


def challenge_requested(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, verification: Verification
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_REQUESTED,
        at,
        after=_challenge(
            verification,
            expires_at=verification.challenge_expires_at.isoformat()
            if verification.challenge_expires_at
            else None,
        ),
    )


def challenge_passed(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    verification: Verification,
    conversation: Conversation,
    assurance_before: str,
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_PASSED,
        at,
        before={"assurance": assurance_before},
        after=_challenge(
            verification, conversation_id=conversation.id, assurance=conversation.assurance
        ),
        recipients=_assignee(case),
    )


def challenge_failed(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, verification: Verification
) -> CaseEvent:
    """The customer used up the attempts: the challenge is over (a new one may be asked)."""
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_FAILED,
        at,
        after=_challenge(verification, attempts=verification.challenge_attempts),
        recipients=_assignee(case),
    )


def contact_registered(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, contact: OutboundContact
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CONTACT_REGISTERED,
        at,
        after={
            "contact_id": contact.id,
            "channel": contact.channel,
            "purpose": contact.purpose,
            "source": contact.source,
            "agent_id": contact.agent_id,
            "verification_id": contact.verification_id,
            "window_start": contact.window_start.isoformat(),
            "window_end": contact.window_end.isoformat(),
        },
    )


def decided(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    verification: Verification,
) -> CaseEvent:
    return _internal(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.DECIDED,
        at,
        before={"state": "pending"},
        after={
            "verification_id": verification.id,
            "state": verification.state,
            "note": verification.outcome_note,
            "operation_kind": verification.operation_kind,
            "operation_ref": verification.operation_ref,
            "operation_result": verification.operation_result,
        },
    )
