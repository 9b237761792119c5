"""The risk review queue: one open case per customer (new alerts join it), "next case" takes
the oldest unassigned case the reviewer can act on and locks it to them; the second-approver
inbox lists every case where an action waits for a second reviewer.

What a reviewer then sees is in `review_view` (a case) and `review_rows` (the lists), what
they can do in `review_actions`, and the rules every action follows (comment, four-eyes,
self-review, escalation) in `review_rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.identity.access import check_permission
from walletdesk.identity.permissions import Permission
from walletdesk.randomness import new_id
from walletdesk.risk.models import Decision
from walletdesk.risk.review_models import CaseStatus, ReviewAction, ReviewAlert, ReviewCase
from walletdesk.risk.review_rules import decides_escalated, log_action

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


# -- joining ------------------------------------------------------------------------------


def join_case(rt: Runtime, uow: UnitOfWork, decision: Decision) -> ReviewCase:
    """Add `decision` as an alert to the customer's open case, opening one if none is."""
    now = rt.clock.now()
    case = uow.risk_review.cases.open_of_user(decision.user_id, for_update=True)
    if case is None:
        case = ReviewCase(
            id=new_id(rt.random, "rvc"),
            user_id=decision.user_id,
            open_user_id=decision.user_id,
            status=CaseStatus.OPEN.value,
            opened_at=now,
            assigned_to=None,
            assigned_at=None,
            escalated=False,
            four_eyes=False,
            max_score=0,
            max_amount_cny_minor=0,
            auto_frozen=False,
        )
        uow.risk_review.cases.add(case)
    case.four_eyes = case.four_eyes or decision.four_eyes
    case.max_score = max(case.max_score, decision.score)
    case.max_amount_cny_minor = max(case.max_amount_cny_minor, decision.amount_cny_minor)
    uow.risk_review.cases.save(case)
    uow.risk_review.alerts.add(
        ReviewAlert(
            id=new_id(rt.random, "rva"),
            case_id=case.id,
            user_id=decision.user_id,
            decision_id=decision.id,
            movement_id=decision.movement_id,
            counterparty_id=decision.counterparty_id,
            action=str(decision.action),
            score=decision.score,
            created_at=now,
        )
    )
    return case


# -- taking a case ----------------------------------------------------------------------


def next_case(rt: Runtime, reviewer: Authenticated) -> ReviewCase | None:
    """Take the oldest unassigned open case the reviewer can act on and assign it to them:
    never one that involves their own account (as the customer or a counterparty), and an
    escalated one only if they decide escalated cases. On PostgreSQL the row is read FOR
    UPDATE SKIP LOCKED: two reviewers asking at once get two different cases."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = uow.risk_review.cases.next_unassigned(
            skip_locked=uow.dialect == "postgresql",
            excluding_user=me,
            escalated_too=decides_escalated(reviewer.roles),
        )
        if case is None:
            return None
        now = rt.clock.now()
        case.assigned_to = me
        case.assigned_at = now
        uow.risk_review.cases.save(case)
        log_action(rt, uow, case, me, ReviewAction.ASSIGN, "next case")
        uow.commit()
    return case


def open_cases(rt: Runtime, reviewer: Authenticated) -> list[ReviewCase]:
    """The cases not yet closed, oldest first. Cases about the reviewer's own wallet are left
    out; those where they are a counterparty stay (the lists mark them: another reviewer
    takes them)."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    with rt.db.uow(read_only=True) as uow:
        return queued(uow, reviewer.user.id)


def awaiting_second(rt: Runtime, reviewer: Authenticated) -> list[ReviewCase]:
    """Every case, open or closed, where an action waits for a second reviewer, oldest ask
    first: an unfreeze may be asked on a case that "freeze" closed. Cases about the
    reviewer's own wallet are left out."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    with rt.db.uow(read_only=True) as uow:
        return awaiting(uow, reviewer.user.id)


def queued(uow: UnitOfWork, reviewer_id: str) -> list[ReviewCase]:
    """`open_cases` inside the caller's unit of work."""
    return [c for c in uow.risk_review.cases.queue() if c.user_id != reviewer_id]


def awaiting(uow: UnitOfWork, reviewer_id: str) -> list[ReviewCase]:
    """`awaiting_second` inside the caller's unit of work."""
    return [c for c in uow.risk_review.cases.awaiting_second() if c.user_id != reviewer_id]
