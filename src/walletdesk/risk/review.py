"""The risk review queue: one open case per customer (new alerts join it), "next case" takes
the oldest unassigned case and locks it to the reviewer, and every action carries a comment,
is audited, and respects four-eyes and self-review rules.

Four-eyes: approving a case whose decision asked for it, or with a movement above
`risk_review_four_eyes_yuan`, needs two different reviewers; so does every unfreeze of a
wallet (auto-frozen or not). Nobody reviews a case about their own account, as customer or
as counterparty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, Forbidden, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.access import check_permission
from walletdesk.identity.models import Device
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.permissions import Permission, Role
from walletdesk.randomness import new_id
from walletdesk.risk import held_transfers
from walletdesk.risk.models import Decision
from walletdesk.risk.review_models import (
    CaseLabel,
    CaseStatus,
    HeldStatus,
    HeldTransfer,
    ReviewAction,
    ReviewActionRecord,
    ReviewAlert,
    ReviewCase,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

COMMENT_MAX = 1000
SECURITY_ACTIONS = frozenset(
    {
        "password_reset.completed",
        "password.reset_done",
        "password.changed",
        "contact.changed",
        "login.succeeded",
        "wallet.frozen",
        "wallet.unfrozen",
        "two_factor.disabled",
    }
)


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
    """Take the oldest unassigned open case (not about the reviewer) and assign it to them.
    On PostgreSQL the row is read FOR UPDATE SKIP LOCKED: two reviewers asking at once get
    two different cases."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = uow.risk_review.cases.next_unassigned(
            skip_locked=uow.dialect == "postgresql", excluding_user=me
        )
        if case is None:
            return None
        now = rt.clock.now()
        case.assigned_to = me
        case.assigned_at = now
        uow.risk_review.cases.save(case)
        _log(rt, uow, case, me, ReviewAction.ASSIGN, "next case")
        uow.commit()
    return case


# -- the case view ----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    case: ReviewCase
    age: timedelta
    sla_due_at: datetime
    sla_breached: bool
    needs_second_approver: bool
    decisions: list[Decision]
    held: list[HeldTransfer]
    counterparty_history: dict[str, list[dict[str, object]]]
    past_alerts: list[ReviewAlert]
    devices: list[Device]
    security_events: list[dict[str, object]]
    actions: list[ReviewActionRecord] = field(default_factory=list)


def _needs_two(rt: Runtime, case: ReviewCase) -> bool:
    return (
        case.four_eyes or case.max_amount_cny_minor > rt.settings.risk_review_four_eyes_yuan * 100
    )


def _sla(rt: Runtime) -> timedelta:
    return timedelta(minutes=rt.settings.risk_review_expected_minutes)


def case_view(rt: Runtime, reviewer: Authenticated, case_id: str) -> CaseView:
    check_permission(reviewer, Permission.RISK_REVIEW)
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case = _case(uow, case_id)
        _check_not_involved(uow, case, reviewer.user.id)
        alerts = uow.risk_review.alerts.of_case(case.id)
        decisions = [d for a in alerts if (d := uow.risk.decision(a.decision_id)) is not None]
        counterparties = sorted({a.counterparty_id for a in alerts if a.counterparty_id})
        history = {
            cp: uow.risk_review.movements_between(case.user_id, cp, now - timedelta(days=30))
            for cp in counterparties
        }
        held = [
            h
            for h in uow.risk_review.held.of_user(case.user_id, pending_only=False, limit=100)
            if h.case_id == case.id
        ]
        events = [
            {
                "at": e.at,
                "action": e.action,
                "actor_kind": e.actor_kind,
                "details": _safe(e.details),
            }
            for e in uow.audit.recent(subject_id=case.user_id, limit=300)
            if e.action in SECURITY_ACTIONS
            and (e.action != "login.succeeded" or '"new_device": true' in (e.details or ""))
        ][:30]
        view = CaseView(
            case=case,
            age=(case.closed_at or now) - case.opened_at,
            sla_due_at=case.opened_at + _sla(rt),
            sla_breached=case.is_open and now > case.opened_at + _sla(rt),
            needs_second_approver=_needs_two(rt, case),
            decisions=decisions,
            held=held,
            counterparty_history=history,
            past_alerts=uow.risk_review.alerts.of_user_elsewhere(case.user_id, case.id),
            devices=uow.devices.list_for_user(case.user_id),
            security_events=events,
            actions=uow.risk_review.actions.of_case(case.id),
        )
    return view


def _safe(details: str | None) -> dict[str, object]:
    shown = ("kind", "reason", "by", "method", "new_device", "case_id")
    data = json.loads(details or "{}")
    return {k: data[k] for k in shown if k in data} if isinstance(data, dict) else {}


def open_cases(rt: Runtime, reviewer: Authenticated) -> list[ReviewCase]:
    check_permission(reviewer, Permission.RISK_REVIEW)
    with rt.db.uow(read_only=True) as uow:
        return [c for c in uow.risk_review.cases.queue() if c.user_id != reviewer.user.id]


# -- acting -------------------------------------------------------------------------------


def _case(uow: UnitOfWork, case_id: str, *, for_update: bool = False) -> ReviewCase:
    case = uow.risk_review.cases.get(case_id, for_update=for_update)
    if case is None:
        raise NotFound("review_case_not_found")
    return case


def _check_not_involved(uow: UnitOfWork, case: ReviewCase, staff_id: str) -> None:
    if case.user_id == staff_id or uow.risk_review.alerts.involving(case.id, staff_id):
        raise Forbidden(
            "own_review_case", N_("You cannot review a case that involves your own account.")
        )


def _comment(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationFailed(
            "comment_required", N_("Write a comment for this review action."), field="comment"
        )
    return cleaned[:COMMENT_MAX]


def _label(label: str | None) -> CaseLabel:
    try:
        return CaseLabel(label or "")
    except ValueError:
        raise ValidationFailed(
            "review_label_required",
            N_("Close the case as a false positive, a valuable alert or confirmed fraud."),
            field="label",
        ) from None


def _log(
    rt: Runtime,
    uow: UnitOfWork,
    case: ReviewCase,
    staff_id: str,
    action: ReviewAction,
    comment: str,
    **details: object,
) -> None:
    now = rt.clock.now()
    uow.risk_review.actions.add(
        ReviewActionRecord(
            id=new_id(rt.random, "rvx"),
            case_id=case.id,
            actor_id=staff_id,
            action=action.value,
            comment=comment,
            created_at=now,
        )
    )
    record(
        uow,
        at=now,
        actor=Actor.staff(staff_id),
        action=f"risk.review.{action.value}",
        subject_kind="risk_case",
        subject_id=case.id,
        details={"user_id": case.user_id, "comment": comment, **details},
    )


@dataclass(frozen=True)
class ActionResult:
    case: ReviewCase
    done: bool
    """False when the action waits for a second approver."""
    entry_ids: list[str] = field(default_factory=list)


def _open_for_action(uow: UnitOfWork, reviewer: Authenticated, case_id: str) -> ReviewCase:
    check_permission(reviewer, Permission.RISK_REVIEW)
    case = _case(uow, case_id, for_update=True)
    _check_not_involved(uow, case, reviewer.user.id)
    if not case.is_open:
        raise Conflict("review_case_closed", N_("This review case is closed."))
    if case.escalated and Role.SUPERVISOR.value not in reviewer.roles:
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
    text, chosen = _comment(comment), _label(label)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        customer = uow.users.get(case.user_id)
        if customer is not None and customer.is_frozen:
            raise Conflict(
                "review_customer_frozen",
                N_("The customer's wallet is frozen: unfreeze it (two approvers) first."),
            )
        if _needs_two(rt, case) and not (
            case.status == CaseStatus.AWAITING_SECOND and case.pending_action == "approve"
        ):
            if case.pending_action is not None:
                raise Conflict(
                    "review_action_pending", N_("Another action awaits a second approver.")
                )
            case.status = CaseStatus.AWAITING_SECOND.value
            case.pending_action, case.pending_by, case.pending_at = "approve", me, rt.clock.now()
            uow.risk_review.cases.save(case)
            _log(rt, uow, case, me, ReviewAction.APPROVE, text, step="first")
            uow.commit()
            return ActionResult(case, done=False)
        if case.pending_action == "approve" and case.pending_by == me:
            raise Forbidden(
                "second_approver_must_differ",
                N_("A second reviewer, not you, must confirm this approval."),
            )
        entries = [
            held_transfers.approve(rt, uow, held, by=me)
            for held in uow.risk_review.held.pending_of_case(case.id)
        ]
        _log(
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
    text, chosen = _comment(comment), _label(label)
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
        _log(rt, uow, case, me, action, text, label=chosen.value)
        _close(rt, case, me, chosen)
        uow.risk_review.cases.save(case)
        uow.commit()
    return ActionResult(case, done=True)


def ask_customer(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Tell the customer in the app that we need to confirm a transfer (no links, no codes);
    the case stays open with its holds."""
    text = _comment(comment)
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
        _log(rt, uow, case, reviewer.user.id, ReviewAction.ASK_CUSTOMER, text)
        uow.commit()
    return ActionResult(case, done=True)


def escalate_case(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Hand the case to supervisors: unassigned, only a supervisor may act on it now."""
    text = _comment(comment)
    with rt.db.uow() as uow:
        case = _open_for_action(uow, reviewer, case_id)
        case.escalated = True
        case.assigned_to = None
        case.assigned_at = None
        uow.risk_review.cases.save(case)
        _log(rt, uow, case, reviewer.user.id, ReviewAction.ESCALATE, text)
        uow.commit()
    return ActionResult(case, done=True)


def unfreeze_customer(
    rt: Runtime, reviewer: Authenticated, case_id: str, *, comment: str
) -> ActionResult:
    """Unfreeze the case's customer: the first reviewer asks, a different one confirms. Works
    on open and closed cases (a frozen wallet outlives its case)."""
    text = _comment(comment)
    check_permission(reviewer, Permission.RISK_REVIEW)
    me = reviewer.user.id
    with rt.db.uow() as uow:
        case = _case(uow, case_id, for_update=True)
        _check_not_involved(uow, case, me)
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
            _log(rt, uow, case, me, ReviewAction.UNFREEZE, text, step="first")
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
        _log(rt, uow, case, me, ReviewAction.UNFREEZE, text, first_approver=first)
        uow.commit()
    return ActionResult(case, done=True)
