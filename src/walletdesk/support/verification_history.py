"""Case-history events of the verification workflow and of registered outbound contacts, one
writer per kind (the same contract as `support.history`: bump the case version, append the
event, announce it after commit).

All of them are internal (`public=False`): the customer learns about each step from the
system messages in the conversation, the in-app notices and `GET /api/v1/me/pending-contacts`,
never from the staff history (which names agents and operations). No event carries a contact
code or a destination.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from walletdesk.support.events import SupportEvent, announce_after_commit
from walletdesk.support.history import CaseEvent
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


def _write(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: VerificationEventKind,
    at: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    recipients: tuple[str, ...] = (),
) -> CaseEvent:
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
            public=False,
        )
    )
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
            public=False,
            after=event.after,
            recipients=recipients,
        ),
    )
    return event


def opened(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, verification: Verification
) -> CaseEvent:
    return _write(
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
    return _write(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_REQUESTED,
        at,
        after={
            "verification_id": verification.id,
            "method": verification.challenge_method,
            "expires_at": verification.challenge_expires_at.isoformat()
            if verification.challenge_expires_at
            else None,
        },
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
    return _write(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_PASSED,
        at,
        before={"assurance": assurance_before},
        after={
            "verification_id": verification.id,
            "method": verification.challenge_method,
            "conversation_id": conversation.id,
            "assurance": conversation.assurance,
        },
        recipients=tuple(x for x in (case.assignee_id,) if x),
    )


def challenge_failed(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, verification: Verification
) -> CaseEvent:
    """The customer used up the attempts: the challenge is over (a new one may be asked)."""
    return _write(
        rt,
        uow,
        case,
        by,
        VerificationEventKind.CHALLENGE_FAILED,
        at,
        after={
            "verification_id": verification.id,
            "method": verification.challenge_method,
            "attempts": verification.challenge_attempts,
        },
        recipients=tuple(x for x in (case.assignee_id,) if x),
    )


def contact_registered(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, contact: OutboundContact
) -> CaseEvent:
    return _write(
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
    return _write(
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
