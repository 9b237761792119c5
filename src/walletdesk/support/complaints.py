"""Complaints (投诉): the deadline policy, the building blocks (reference numbers, registering a
complaint case), and the customer's side: filing one, appealing its result once, confirming it.

The rules and the record are in `complaints_model.py`; the handler's steps in
`complaints_handling.py`; what people see in `complaints_views.py`; the deadline sweep in
`complaints_sweep.py`; the regulator's CSV in `complaints_export.py`. Every change goes through
the case's door (`access_case_for`) with the case row locked, writes its case-history event and
bumps the case's version in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict
from walletdesk.i18n import N_
from walletdesk.support import complaints_history as events
from walletdesk.support import sla_clock
from walletdesk.support.access import SupportActor
from walletdesk.support.attachments import Upload
from walletdesk.support.calendar import Calendars
from walletdesk.support.cases import (
    clean_text,
    do_add_message,
    do_change_status,
    do_open_case,
    subject_of,
)
from walletdesk.support.complaints_model import (
    COMPLAINT_PREFIX,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintRecord,
    deadline,
    reference,
    reference_day,
)
from walletdesk.support.complaints_views import (
    ComplaintView,
    complaint_by_reference,
    complaint_view,
)
from walletdesk.support.contacts import contact_for_user
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, CaseType, Channel, Conversation, Visibility
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

POLICY_KEY = "complaints"
DEADLINE_CALENDAR = "business"
"""Whose working days count: the desk's business calendar (public holidays, 调休)."""


def _conflict(code: str, message: str) -> Conflict:
    return Conflict(code, message)


# --- policy -------------------------------------------------------------------------------


def complaint_policy(uow: UnitOfWork) -> ComplaintPolicy:
    stored = uow.complaints_kb.policies.get(POLICY_KEY)
    return ComplaintPolicy.from_data(stored) if stored else ComplaintPolicy()


def read_complaint_policy(rt: Runtime) -> ComplaintPolicy:
    with rt.db.uow(read_only=True) as uow:
        return complaint_policy(uow)


def set_complaint_policy(rt: Runtime, actor: Actor, policy: ComplaintPolicy) -> ComplaintPolicy:
    """Store the deadline policy (audited). Complaints received from now on use it; those
    already received keep the deadline they were given."""
    checked = policy.check()
    now = rt.clock.now()
    with rt.db.uow() as uow:
        uow.complaints_kb.policies.put(
            POLICY_KEY, checked.as_data(), updated_at=now, updated_by=actor.id
        )
        record(
            uow,
            at=now,
            actor=actor,
            action="complaints.policy_set",
            subject_kind="support_policy",
            subject_id=POLICY_KEY,
            details=checked.as_data(),
        )
        uow.commit()
    return checked


# --- building blocks ----------------------------------------------------------------------


def allocate_reference(uow: UnitOfWork, prefix: str, received: datetime) -> str:
    number = uow.complaints_kb.counters.next(prefix, reference_day(received))
    return reference(prefix, received, number)


def open_customer_case(
    rt: Runtime,
    uow: UnitOfWork,
    auth: Authenticated,
    *,
    case_type: CaseType,
    text: str,
    uploads: Sequence[Upload],
    now: datetime,
    calendars: Calendars,
) -> tuple[Case, Conversation]:
    """A case straight with humans (no bot), opened in-app with the customer's first message:
    complaints and suggestions are written for people, and their clocks start at once."""
    actor = SupportActor.customer(auth)
    contact, identity = contact_for_user(rt, uow, auth.user, actor.assurance, now)
    by = By.contact(contact.id)
    case, conversation = do_open_case(
        rt,
        uow,
        contact=contact,
        channel=Channel.CHAT,
        case_type=case_type,
        with_bot=False,
        by=by,
        subject=subject_of(text),
        now=now,
        calendars=calendars,
        identity=identity,
        assurance=actor.assurance,
    )
    do_add_message(
        rt,
        uow,
        case,
        conversation,
        by,
        text=text,
        visibility=Visibility.PUBLIC,
        now=now,
        uploads=uploads,
    )
    return case, conversation


def do_register(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    *,
    category: ComplaintCategory,
    by: By,
    now: datetime,
    calendars: Calendars,
) -> ComplaintRecord:
    """Give a complaint case its record: reference number, deadline, ladder. The statutory
    clock starts when the customer complained (the case's creation), not when staff noticed."""
    policy = complaint_policy(uow)
    received = case.created_at
    complaint = ComplaintRecord(
        case_id=case.id,
        reference=allocate_reference(uow, COMPLAINT_PREFIX, received),
        category=category.value,
        received_at=received,
        due_at=deadline(
            received, policy.deadline_days, policy.basis, calendars.get(DEADLINE_CALENDAR)
        ),
        deadline_days=policy.deadline_days,
        deadline_basis=policy.basis.value,
        escalation_level=0,
        updated_at=now,
    )
    complaint.schedule(policy.ladder)
    uow.complaints_kb.complaints.add(complaint)
    events.complaint_received(
        rt,
        uow,
        case,
        by,
        now,
        after={
            "reference": complaint.reference,
            "complaint_category": complaint.category,
            "due_at": complaint.due_at.isoformat(),
        },
    )
    return complaint


# --- the customer -------------------------------------------------------------------------


def file_complaint(
    rt: Runtime,
    auth: Authenticated,
    *,
    category: ComplaintCategory,
    text: str,
    uploads: Sequence[Upload] = (),
) -> ComplaintView:
    """A complaint filed in the app: a complaint case with people (never the bot), its first
    message, and at once a reference number and a deadline."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        calendars = load_calendars(uow)
        case, _ = open_customer_case(
            rt,
            uow,
            auth,
            case_type=CaseType.COMPLAINT,
            text=text,
            uploads=uploads,
            now=now,
            calendars=calendars,
        )
        complaint = do_register(
            rt,
            uow,
            case,
            category=category,
            by=By.contact(case.contact_id),
            now=now,
            calendars=calendars,
        )
        uow.support.cases.save(case)
        view = complaint_view(uow, case, complaint, now)
        uow.commit()
    return view


def appeal(rt: Runtime, auth: Authenticated, ref: str, *, reason: str) -> ComplaintView:
    """Ask for the result to be reviewed, once. The case reopens, the appeal gets a deadline
    of its own, and a different person gives its result."""
    text = clean_text(reason, has_attachments=False)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, complaint = complaint_by_reference(
            uow, SupportActor.customer(auth), ref, for_update=True
        )
        if complaint.confirmed_at is not None:
            raise _conflict(
                "complaint_confirmed",
                N_("You confirmed this result, so it can no longer be appealed."),
            )
        if complaint.result_at is None:
            raise _conflict(
                "no_result_yet", N_("There is no result yet. We will tell you when there is.")
            )
        if complaint.appealed_at is not None:
            raise _conflict(
                "appeal_used",
                N_(
                    "A complaint result can be appealed once, and this one already was. "
                    "You may still take it to the financial regulator."
                ),
            )
        if case.is_closed:
            raise _conflict(
                "appeal_window_passed",
                N_("The time to appeal this result has passed. Start a new complaint instead."),
            )
        calendars = load_calendars(uow)
        policy = complaint_policy(uow)
        by = By.contact(case.contact_id)
        complaint.appealed_at = now
        complaint.appeal_reason = text
        complaint.appeal_due_at = deadline(
            now, policy.appeal_days, policy.basis, calendars.get(DEADLINE_CALENDAR)
        )
        complaint.escalation_level = 0
        complaint.updated_at = now
        complaint.schedule(policy.ladder)
        conversations = uow.support.conversations.for_case(case.id)
        if case.category in (Category.SOLVED, Category.PENDING_CUSTOMER):
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(Category.OPEN),
                now=now,
                calendars=calendars,
                reason="complaint_appealed",
            )
        do_add_message(
            rt,
            uow,
            case,
            conversations[-1],
            by,
            text=text,
            visibility=Visibility.PUBLIC,
            now=now,
        )
        sla_clock.after_customer_message(rt, uow, case, now, calendars)
        events.complaint_appealed(rt, uow, case, by, now, due_at=complaint.appeal_due_at)
        uow.complaints_kb.complaints.save(complaint)
        uow.support.cases.save(case)
        view = complaint_view(uow, case, complaint, now)
        uow.commit()
    return view


def confirm(rt: Runtime, auth: Authenticated, ref: str) -> ComplaintView:
    """The customer accepts the result. Confirming again changes nothing."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, complaint = complaint_by_reference(
            uow, SupportActor.customer(auth), ref, for_update=True
        )
        if complaint.confirmed_at is None:
            if complaint.awaiting_result:
                raise _conflict(
                    "no_result_yet", N_("There is no result yet. We will tell you when there is.")
                )
            complaint.confirmed_at = now
            complaint.updated_at = now
            complaint.next_escalation_at = None
            events.complaint_confirmed(rt, uow, case, By.contact(case.contact_id), now)
            uow.complaints_kb.complaints.save(complaint)
            uow.support.cases.save(case)
            uow.commit()
        return complaint_view(uow, case, complaint, now)
