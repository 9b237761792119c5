"""The periodic side of complaints, suggestions and CSAT, run by the support sweep
(`sweeper.sweep_once`) on `rt.clock`:

- complaint and suggestion cases that came in through another door (the bot, a channel
  adapter) get their record, reference number and deadline;
- the complaint escalation ladder takes the steps that are due;
- solved cases are asked for their rating (`csat.ask_solved_cases`).

One transaction per case; each re-checks under the case row lock, so several processes may
sweep at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.i18n import N_, Text
from walletdesk.identity.permissions import Role
from walletdesk.notify.models import Channel as NoticeChannel
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.support import complaints_history as events
from walletdesk.support.complaints import complaint_policy, do_register
from walletdesk.support.complaints_model import (
    CATEGORY_NAMES,
    ComplaintCategory,
    ComplaintRecord,
    LadderAction,
)
from walletdesk.support.csat import ask_solved_cases
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, CaseType
from walletdesk.support.suggestions import SuggestionTopic, do_record

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

LOOKBACK = timedelta(days=30)
"""How far back the sweep looks for unrecorded complaint and suggestion cases."""
ALERT = "complaints.deadline_alert"

TEMPLATES[ALERT] = Template(
    ALERT,
    N_("Complaint deadline approaching"),
    N_(
        "Complaint {reference} ({category}): {percent}% of the time to answer has passed. "
        "It is due by {due}."
    ),
)


@dataclass(frozen=True)
class DeskSweep:
    recorded: int
    escalated: int
    surveys: int


def record_unrecorded(rt: Runtime, *, limit: int = 200) -> int:
    """Give complaint and suggestion cases without a record theirs (category and topic
    "other" until staff set them); returns how many were recorded."""
    now = rt.clock.now()
    recorded = 0
    for case_type in (CaseType.COMPLAINT, CaseType.SUGGESTION):
        with rt.db.uow(read_only=True) as uow:
            case_ids = uow.complaints_kb.unrecorded.find(
                case_type.value, since=now - LOOKBACK, limit=limit
            )
        for case_id in case_ids:
            with rt.db.uow() as uow:
                case = uow.support.cases.get(case_id, for_update=True)
                if case is None or _has_record(uow, case):
                    continue
                if case_type is CaseType.COMPLAINT:
                    do_register(
                        rt,
                        uow,
                        case,
                        category=ComplaintCategory.OTHER,
                        by=By.system(),
                        now=now,
                        calendars=load_calendars(uow),
                    )
                else:
                    do_record(rt, uow, case, topic=SuggestionTopic.OTHER, by=By.system(), now=now)
                uow.support.cases.save(case)
                uow.commit()
                recorded += 1
    return recorded


def _has_record(uow: UnitOfWork, case: Case) -> bool:
    if case.type == CaseType.COMPLAINT:
        return uow.complaints_kb.complaints.get(case.id) is not None
    return uow.complaints_kb.suggestions.get(case.id) is not None


def check_complaint_deadlines(rt: Runtime, *, limit: int = 500) -> int:
    """Take the ladder steps that are due; returns how many were taken."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.complaints_kb.complaints.escalations_due(now, limit=limit)
    taken = 0
    for case_id in case_ids:
        with rt.db.uow() as uow:
            case = uow.support.cases.get(case_id, for_update=True)
            complaint = uow.complaints_kb.complaints.get(case_id, for_update=True)
            if case is None or complaint is None:
                continue
            steps = _escalate(rt, uow, case, complaint, now)
            if steps:
                uow.complaints_kb.complaints.save(complaint)
                uow.support.cases.save(case)
                uow.commit()
                taken += steps
    return taken


def _escalate(
    rt: Runtime, uow: UnitOfWork, case: Case, complaint: ComplaintRecord, now: datetime
) -> int:
    ladder = complaint_policy(uow).ladder
    complaint.schedule(ladder)
    taken = 0
    while complaint.next_escalation_at is not None and complaint.next_escalation_at <= now:
        step = ladder[complaint.escalation_level]
        recipients = _recipients(uow, case, step.action)
        complaint.escalation_level += 1
        complaint.updated_at = now
        events.complaint_escalated(
            rt,
            uow,
            case,
            now,
            level=complaint.escalation_level,
            percent=step.percent,
            action=step.action.value,
            due_at=complaint.round_due,
            recipients=recipients,
        )
        _alert(rt, uow, complaint, step.percent, recipients, now)
        complaint.schedule(ladder)
        taken += 1
    return taken


def _recipients(uow: UnitOfWork, case: Case, action: LadderAction) -> tuple[str, ...]:
    supervisors = tuple(uow.support.staff.with_role(Role.SUPERVISOR.value))
    if action is LadderAction.NOTIFY_ASSIGNEE:
        return (case.assignee_id,) if case.assignee_id else supervisors
    if action is LadderAction.NOTIFY_SENIOR:
        return tuple(uow.support.staff.with_role(Role.SENIOR_AGENT.value)) or supervisors
    return supervisors


def _alert(
    rt: Runtime,
    uow: UnitOfWork,
    complaint: ComplaintRecord,
    percent: int,
    recipients: tuple[str, ...],
    now: datetime,
) -> None:
    """An in-app notice to each recipient, so the alert reaches them when they are offline."""
    for user_id in recipients:
        user = uow.users.get(user_id)
        if user is None:
            continue
        rt.outbox.enqueue(
            uow,
            now=now,
            channel=NoticeChannel.INAPP,
            template=ALERT,
            params={
                "reference": complaint.reference,
                "category": Text(CATEGORY_NAMES[ComplaintCategory(complaint.category)]),
                "percent": percent,
                "due": complaint.round_due,
            },
            locale=user.locale,
            user_id=user.id,
            destination=None,
        )


def desk_sweep(rt: Runtime) -> DeskSweep:
    """Everything above, in order; the support sweeper calls it before closing solved cases."""
    recorded = record_unrecorded(rt)
    escalated = check_complaint_deadlines(rt)
    return DeskSweep(recorded, escalated, ask_solved_cases(rt))
