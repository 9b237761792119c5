"""What a reviewer sees of a case: score, decisions with their rule hits, held transfers,
30-day counterparty history, past alerts, devices, recent security events, the actions taken,
the case's age against its SLA, and whether this reviewer may decide it.

The queue and the second-approver inbox (one row per case) are `review_rows`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.identity.access import check_permission
from walletdesk.identity.models import Device
from walletdesk.identity.permissions import Permission
from walletdesk.risk.models import Decision
from walletdesk.risk.review_models import (
    HeldTransfer,
    ReviewActionRecord,
    ReviewAlert,
    ReviewCase,
)
from walletdesk.risk.review_rules import (
    check_not_involved,
    find_case,
    may_decide,
    needs_two,
    sla,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

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


@dataclass(frozen=True)
class CaseView:
    case: ReviewCase
    age: timedelta
    sla_due_at: datetime
    sla_breached: bool
    needs_second_approver: bool
    may_decide: bool
    """This reviewer may approve, decline, freeze, ask or escalate (`review_rules.may_decide`:
    the case is open and, if escalated, they decide escalated cases)."""
    decisions: list[Decision]
    held: list[HeldTransfer]
    counterparty_history: dict[str, list[dict[str, object]]]
    past_alerts: list[ReviewAlert]
    devices: list[Device]
    security_events: list[dict[str, object]]
    actions: list[ReviewActionRecord] = field(default_factory=list)


def case_view(rt: Runtime, reviewer: Authenticated, case_id: str) -> CaseView:
    check_permission(reviewer, Permission.RISK_REVIEW)
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case = find_case(uow, case_id)
        check_not_involved(uow, case, reviewer.user.id)
        alerts = uow.risk_review.alerts.of_case(case.id)
        found = uow.risk.decisions([a.decision_id for a in alerts])
        decisions = [found[a.decision_id] for a in alerts if a.decision_id in found]
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
            sla_due_at=case.opened_at + sla(rt),
            sla_breached=case.is_open and now > case.opened_at + sla(rt),
            needs_second_approver=needs_two(rt, case),
            may_decide=may_decide(reviewer.roles, case),
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
