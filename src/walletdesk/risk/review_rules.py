"""The rules every risk review action follows, shared by the queue, the case view and the
actions: finding a case, nobody reviewing their own account, the mandatory comment and closing
label, four-eyes, the SLA, and the action log.

Four-eyes: approving a case whose decision asked for it, or with a movement above
`risk_review_four_eyes_yuan`, needs two different reviewers; so does every unfreeze of a
wallet (auto-frozen or not). Nobody reviews a case about their own account, as customer or
as counterparty. An escalated case is decided only by those with `risk.review.escalated`
(supervisors and admins): the services and the pages both ask `may_decide`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Forbidden, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.randomness import new_id
from walletdesk.risk.review_models import CaseLabel, ReviewAction, ReviewActionRecord, ReviewCase

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

COMMENT_MAX = 1000


def needs_two(rt: Runtime, case: ReviewCase) -> bool:
    return (
        case.four_eyes or case.max_amount_cny_minor > rt.settings.risk_review_four_eyes_yuan * 100
    )


def decides_escalated(roles: frozenset[str]) -> bool:
    return has_permission(roles, Permission.RISK_REVIEW_ESCALATED)


def may_decide(roles: frozenset[str], case: ReviewCase) -> bool:
    """Whether someone with `roles` may approve, decline, freeze, ask about or escalate
    `case`: it must be open and, once escalated, they must decide escalated cases. (Whether
    the case involves them is `check_not_involved`; unfreezing follows its own rule.)"""
    return case.is_open and (not case.escalated or decides_escalated(roles))


def sla(rt: Runtime) -> timedelta:
    return timedelta(minutes=rt.settings.risk_review_expected_minutes)


def find_case(uow: UnitOfWork, case_id: str, *, for_update: bool = False) -> ReviewCase:
    case = uow.risk_review.cases.get(case_id, for_update=for_update)
    if case is None:
        raise NotFound("review_case_not_found")
    return case


def check_not_involved(uow: UnitOfWork, case: ReviewCase, staff_id: str) -> None:
    if case.user_id == staff_id or uow.risk_review.alerts.involving(case.id, staff_id):
        raise Forbidden(
            "own_review_case", N_("You cannot review a case that involves your own account.")
        )


def required_comment(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationFailed(
            "comment_required", N_("Write a comment for this review action."), field="comment"
        )
    return cleaned[:COMMENT_MAX]


def required_label(label: str | None) -> CaseLabel:
    try:
        return CaseLabel(label or "")
    except ValueError:
        raise ValidationFailed(
            "review_label_required",
            N_("Close the case as a false positive, a valuable alert or confirmed fraud."),
            field="label",
        ) from None


def log_action(
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
