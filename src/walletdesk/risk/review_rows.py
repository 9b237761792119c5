"""The review lists as a reviewer reads them, one row per case: the queue (cases not yet
closed) and the second-approver inbox (cases, open or closed, where an action waits for a
second reviewer).

Each list is one read-only unit of work with a fixed number of queries, however many cases
it shows: the cases, their alerts, those alerts' decisions, the movements still held and the
people named (customers and staff). Building a full `review_view.CaseView` per row took a
dozen queries a row.

A row about a case that involves the reviewer's own account (as a counterparty: cases
about their own wallet are not listed) shows no customer, reasons or amounts; they can
neither open nor act on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.identity.access import check_permission
from walletdesk.identity.masking import mask_email, mask_phone
from walletdesk.identity.models import User
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.identity.vault import email_of, phone_of
from walletdesk.ledger.money import Money
from walletdesk.risk import review
from walletdesk.risk.models import RuleHit
from walletdesk.risk.review_models import ReviewAlert, ReviewCase
from walletdesk.risk.review_rules import may_decide, needs_two, sla

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


@dataclass(frozen=True)
class QueueRow:
    case: ReviewCase
    involved: bool
    """The case involves this reviewer's own account: they can neither open nor act on it
    (and the row shows nothing about the customer)."""
    customer: str
    """The customer's display name ("" when `involved`)."""
    customer_contact: str
    """Their phone (or email) masked, 138****5678."""
    assignee: str
    """The display name of the reviewer who has the case ("" when nobody has it)."""
    hits: list[RuleHit]
    """Every rule that fired in the case's alerts, once each, in the order they fired."""
    kinds: list[str]
    """The kinds of movement (`MovementKind` values) its alerts were about."""
    held: list[Money]
    """What is still held for review, summed per currency."""
    age: timedelta
    due_at: datetime
    breached: bool
    needs_two: bool
    may_decide: bool
    """`review_rules.may_decide` for this reviewer (false when escalated past them)."""


def queue_rows(rt: Runtime, reviewer: Authenticated) -> list[QueueRow]:
    """`review.open_cases` as rows."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    with rt.db.uow(read_only=True) as uow:
        return _rows(rt, uow, reviewer, review.queued(uow, reviewer.user.id))


def second_rows(rt: Runtime, reviewer: Authenticated) -> list[QueueRow]:
    """`review.awaiting_second` as rows."""
    check_permission(reviewer, Permission.RISK_REVIEW)
    with rt.db.uow(read_only=True) as uow:
        return _rows(rt, uow, reviewer, review.awaiting(uow, reviewer.user.id))


def _rows(
    rt: Runtime, uow: UnitOfWork, reviewer: Authenticated, cases: list[ReviewCase]
) -> list[QueueRow]:
    me = reviewer.user.id
    ids = [case.id for case in cases]
    alerts: dict[str, list[ReviewAlert]] = defaultdict(list)
    for alert in uow.risk_review.alerts.of_cases(ids):
        alerts[alert.case_id].append(alert)
    decisions = uow.risk.decisions([a.decision_id for found in alerts.values() for a in found])
    held: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for movement in uow.risk_review.held.pending_of_cases(ids):
        held[movement.case_id][movement.currency] += movement.amount_minor
    people = {case.user_id for case in cases} | {case.assigned_to or "" for case in cases}
    # Customers are read as `access_customer_for` allows (customer.read), masked.
    may_read = has_permission(reviewer.roles, Permission.CUSTOMER_READ)
    users = uow.users.named(ids=sorted(people - {""}), login_indexes=[]) if may_read else {}
    now, within = rt.clock.now(), sla(rt)
    rows = []
    for case in cases:
        involved = any(me in (a.user_id, a.counterparty_id) for a in alerts[case.id])
        hits: dict[str, RuleHit] = {}
        kinds: list[str] = []
        for alert in [] if involved else alerts[case.id]:
            decision = decisions.get(alert.decision_id)
            if decision is None:
                continue
            if str(decision.movement_kind) not in kinds:
                kinds.append(str(decision.movement_kind))
            for hit in decision.hits:
                hits.setdefault(hit.rule_id, hit)
        customer = None if involved else users.get(case.user_id)
        assignee = users.get(case.assigned_to or "")
        rows.append(
            QueueRow(
                case=case,
                involved=involved,
                customer=customer.display_name if customer else "",
                customer_contact=_masked_contact(rt, customer) if customer else "",
                assignee=assignee.display_name if assignee else "",
                hits=list(hits.values()),
                kinds=kinds,
                held=[]
                if involved
                else [Money(minor, currency) for currency, minor in sorted(held[case.id].items())],
                age=(case.closed_at or now) - case.opened_at,
                due_at=case.opened_at + within,
                breached=case.is_open and now > case.opened_at + within,
                needs_two=needs_two(rt, case),
                may_decide=not involved and may_decide(reviewer.roles, case),
            )
        )
    return rows


def _masked_contact(rt: Runtime, user: User) -> str:
    phone = phone_of(rt.cipher, user)
    if phone:
        return mask_phone(phone)
    email = email_of(rt.cipher, user)
    return mask_email(email) if email else ""
