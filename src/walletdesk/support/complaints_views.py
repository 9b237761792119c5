"""Finding complaints through the case's door, and what customers and staff see of them: the
record, the case, the customer's timeline and whether the current round is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import NotFound
from walletdesk.i18n import N_
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.complaints_model import ComplaintRecord, TimelineEntry, timeline_of
from walletdesk.support.errors import CaseNotFound
from walletdesk.support.history import EventKind
from walletdesk.support.models import Case

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class ComplaintNotFound(NotFound):
    """Missing, or not the caller's: the two look the same."""

    default_code = "complaint_not_found"
    default_message = N_("We could not find this complaint.")


def locked_complaint(
    uow: UnitOfWork, actor: SupportActor, case_id: str
) -> tuple[Case, ComplaintRecord]:
    """The case (row locked, through its door) and its complaint record (locked too)."""
    try:
        case = access_case_for(uow, actor, case_id, for_update=True)
    except CaseNotFound:
        raise ComplaintNotFound() from None
    complaint = uow.complaints_kb.complaints.get(case.id, for_update=True)
    if complaint is None:
        raise ComplaintNotFound()
    return case, complaint


def complaint_by_reference(
    uow: UnitOfWork, actor: SupportActor, ref: str, *, for_update: bool = False
) -> tuple[Case, ComplaintRecord]:
    found = uow.complaints_kb.complaints.get_by_reference(ref.strip().upper())
    if found is None:
        raise ComplaintNotFound()
    if for_update:
        return locked_complaint(uow, actor, found.case_id)
    try:
        case = access_case_for(uow, actor, found.case_id)
    except CaseNotFound:
        raise ComplaintNotFound() from None
    return case, found


@dataclass(frozen=True)
class ComplaintView:
    complaint: ComplaintRecord
    case: Case
    timeline: list[TimelineEntry]
    overdue: bool
    conversation_id: str | None


def assigned_at(uow: UnitOfWork, case: Case) -> datetime | None:
    """When the case first got a handler (from its history)."""
    for event in uow.support.events.for_case(case.id):
        if event.kind == EventKind.ASSIGNED and event.after.get("assignee_id"):
            return event.at
    return None


def complaint_view(
    uow: UnitOfWork, case: Case, complaint: ComplaintRecord, now: datetime
) -> ComplaintView:
    conversations = uow.support.conversations.for_case(case.id)
    return ComplaintView(
        complaint=complaint,
        case=case,
        timeline=timeline_of(complaint, assigned_at(uow, case)),
        overdue=complaint.overdue(now),
        conversation_id=conversations[-1].id if conversations else None,
    )


def my_complaints(rt: Runtime, auth: Authenticated) -> list[ComplaintView]:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        contact = uow.support.contacts.get_by_user(auth.user.id)
        if contact is None:
            return []
        views = []
        for complaint in uow.complaints_kb.complaints.for_contact(contact.id):
            case = uow.support.cases.get(complaint.case_id)
            assert case is not None
            views.append(complaint_view(uow, case, complaint, now))
        return views


def my_complaint(rt: Runtime, auth: Authenticated, ref: str) -> ComplaintView:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case, complaint = complaint_by_reference(uow, SupportActor.customer(auth), ref)
        return complaint_view(uow, case, complaint, now)


def staff_complaint(rt: Runtime, actor: SupportActor, case_id: str) -> ComplaintView:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        try:
            case = access_case_for(uow, actor, case_id)
        except CaseNotFound:
            raise ComplaintNotFound() from None
        complaint = uow.complaints_kb.complaints.get(case.id)
        if complaint is None:
            raise ComplaintNotFound()
        return complaint_view(uow, case, complaint, now)


def staff_complaints(
    rt: Runtime, actor: SupportActor, *, awaiting_result: bool | None, limit: int = 100
) -> list[ComplaintView]:
    """Newest first. `actor` must work cases (the route checks it)."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        views = []
        for complaint in uow.complaints_kb.complaints.staff_list(
            awaiting_result=awaiting_result, limit=max(1, min(limit, 200))
        ):
            case = access_case_for(uow, actor, complaint.case_id)
            views.append(complaint_view(uow, case, complaint, now))
        return views
