"""What a reviewer can do with a case: approve or decline its held transfers (and close it),
freeze or unfreeze the customer, ask the customer, escalate to a supervisor. Each action takes
a mandatory comment, is logged and audited, and follows `review_rules` (four-eyes above the
configured amount and for every unfreeze, never one's own account).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, Forbidden
from walletdesk.i18n import N_
from walletdesk.identity.access import check_permission
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.permissions import Permission
from walletdesk.risk import held_approval, held_transfers
from walletdesk.risk.review_models import (
    CaseLabel,
    CaseStatus,
    HeldStatus,
    ReviewAction,
    ReviewCase,
)
from walletdesk.risk.review_rules import (
    check_not_involved,
    find_case,
    log_action,
    may_decide,
    needs_two,
    required_comment,
    required_label,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


@dataclass(frozen=True)
class ActionResult:
    case: ReviewCase
    done: bool
    """False when the action waits for a second approver."""
    entry_ids: list[str] = field(default_factory=list)


def _open_for_action(uow: UnitOfWork, reviewer: Authenticated, case_id: str) -> ReviewCase:
    check_permission(reviewer, Permission.RISK_REVIEW)
    case = find_case(uow, case_id, for_update=True)
    check_not_involved(uow, case, reviewer.user.id)
    if not case.is_open:
        raise Conflict("review_case_closed", N_("This review case is closed."))
    if not may_decide(reviewer.roles, case):
        raise Forbidden("review_case_escalated", N_("This case was escalated to a supervisor."))
    return case


def _close(rt: Runtime, case: ReviewCase, staff_id: str, label: CaseLabel) -> None:
    case.status = CaseStatus.CLOSED.value
    case.open_user_id = None
    case.label = label.value
    case.closed_at = rt.clock.now()
    case.closed_by = staff_id
    case.pending_action = case.pending_by = None
    case.pending_at = None


def approve_case(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str, label: str
) -> ActionResult:
    """Approve the case's held transfers (each captured into one entry to its receiver) and
    close it. Above the four-eyes amount the first approval waits for a different second."""
    text, chosen = required_comment(comment), required_label(label)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        customer = uow.users.get(case.user_id)
        if customer is not None and customer.is_frozen:
            raise Conflict(
                "review_customer_frozen",
                N_("The customer's wallet is frozen: unfreeze it (two approvers) first."),
            )
        if needs_two(rt, case) and not (
            case.status == CaseStatus.AWAITING_SECOND and case.pending_action == "approve"
        ):
            if case.pending_action is not None:
                raise Conflict(
                    "review_action_pending", N_("Another action awaits a second approver.")
                )
            case.status = CaseStatus.AWAITING_SECOND.value
            case.pending_action, case.pending_by, case.pending_at = "approve", me, rt.clock.now()
            uow.risk_review.cases.save(case)
            log_action(rt, uow, case, me, ReviewAction.APPROVE, text, step="first")
            uow.commit()
            return ActionResult(case, done=False)
        if case.pending_action == "approve" and case.pending_by == me:
            raise Forbidden(
                "second_approver_must_differ",
                N_("A second reviewer, not you, must confirm this approval."),
            )
        entries = [
            held_approval.approve(rt, uow, held, by=me)
            for held in uow.risk_review.held.pending_of_case(case.id)
        ]
        log_action(
            rt,
            uow,
            case,
            me,
            ReviewAction.APPROVE,
            text,
            label=chosen.value,
            entries=entries,
            first_approver=case.pending_by,
        )
        _close(rt, case, me, chosen)
        uow.risk_review.cases.save(case)
        uow.commit()
    return ActionResult(case, done=True, entry_ids=entries)


def decline_case(
    rt: Runtime,
    reviewer: Authenticated,
    case_id: str,
    *,
    comment: str,
    label: str,
    freeze: bool = False,
) -> ActionResult:
    """Decline the case's held transfers (money released to the payer) and close it;
    `freeze` also freezes the customer's wallet."""
    text, chosen = required_comment(comment), required_label(label)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        for held in uow.risk_review.held.pending_of_case(case.id):
            held_transfers.release(rt, uow, held, HeldStatus.DECLINED, by=me)
        action = ReviewAction.FREEZE if freeze else ReviewAction.DECLINE
        if freeze:
            user = uow.users.get(case.user_id, for_update=True)
            if user is not None and not user.is_frozen:
                user.freeze(rt.clock.now(), "risk review")
                uow.users.save(user)
                record(
                    uow,
                    at=rt.clock.now(),
                    actor=Actor.staff(me),
                    action="wallet.frozen",
                    subject_kind="user",
                    subject_id=user.id,
                    details={"by": "risk_review", "case_id": case.id},
                )
                notify_owner(rt, uow, user, "wallet.frozen", rt.clock.now())
        log_action(rt, uow, case, me, action, text, label=chosen.value)
        _close(rt, case, me, chosen)
        uow.risk_review.cases.save(case)
        uow.commit()
    return ActionResult(case, done=True)


def ask_customer(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Tell the customer in the app that we need to confirm a transfer (no links, no codes);
    the case stays open with its holds."""
    text = required_comment(comment)
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        user = uow.users.get(case.user_id)
        if user is not None:
            rt.outbox.notify_user(
                uow,
                now=rt.clock.now(),
                user=user,
                template="risk.question",
                params={},
                contacts=[],
            )
        log_action(rt, uow, case, reviewer.user.id, ReviewAction.ASK_CUSTOMER, text)
        uow.commit()
    return ActionResult(case, done=True)


def escalate_case(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Hand the case to supervisors: unassigned, and only those who decide escalated cases
    (`risk.review.escalated`) may act on it now."""
    text = required_comment(comment)
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        case.escalated = True
        case.assigned_to = None
        case.assigned_at = None
        uow.risk_review.cases.save(case)
        log_action(rt, uow, case, reviewer.user.id, ReviewAction.ESCALATE, text)
        uow.commit()
    return ActionResult(case, done=True)


def unfreeze_customer(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Unfreeze the case's customer: the first reviewer asks, a different one confirms. Works
    on open and closed cases (a frozen wallet outlives its case)."""
    text = required_comment(comment)
    check_permission(reviewer, Permission.RISK_REVIEW)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = find_case(uow, case_id, for_update=True)
        check_not_involved(uow, case, me)
        user = uow.users.get(case.user_id, for_update=True)
        if user is None or not user.is_frozen:
            raise Conflict("not_frozen", N_("This wallet is not frozen."))
        if case.pending_action != "unfreeze":
            if case.pending_action is not None:
                raise Conflict(
                    "review_action_pending", N_("Another action awaits a second approver.")
                )
            case.pending_action, case.pending_by, case.pending_at = "unfreeze", me, rt.clock.now()
            uow.risk_review.cases.save(case)
            log_action(rt, uow, case, me, ReviewAction.UNFREEZE, text, step="first")
            uow.commit()
            return ActionResult(case, done=False)
        if case.pending_by == me:
            raise Forbidden(
                "second_approver_must_differ",
                N_("A second reviewer, not you, must confirm this unfreeze."),
            )
        first = case.pending_by
        user.unfreeze(rt.clock.now())
        uow.users.save(user)
        record(
            uow,
            at=rt.clock.now(),
            actor=Actor.staff(me),
            action="wallet.unfrozen",
            subject_kind="user",
            subject_id=user.id,
            details={"by": "risk_review", "case_id": case.id, "approved_by": first},
        )
        notify_owner(rt, uow, user, "wallet.unfrozen", rt.clock.now())
        case.pending_action = case.pending_by = None
        case.pending_at = None
        uow.risk_review.cases.save(case)
        log_action(rt, uow, case, me, ReviewAction.UNFREEZE, text, first_approver=first)
        uow.commit()
    return ActionResult(case, done=True)
