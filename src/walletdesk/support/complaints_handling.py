"""What the handler of a complaint does: register a complaint case that came in another way
(or change its category), mark it under investigation, and give the result (or the appeal's
result, which must come from someone else). Each step goes through the case's door with the
case row locked and writes its case-history event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, Forbidden, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support import complaints_history as events
from walletdesk.support import sla_clock
from walletdesk.support.access import ActorKind, SupportActor, access_case_for
from walletdesk.support.calendar import Calendars
from walletdesk.support.cases import clean_text, do_add_message, do_change_status, do_hand_off
from walletdesk.support.complaints import do_register
from walletdesk.support.complaints_model import ComplaintCategory, ComplaintRecord
from walletdesk.support.complaints_views import locked_complaint
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, CaseType, Conversation, Visibility
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def _result_given() -> Conflict:
    return Conflict("result_already_given", N_("This complaint already has its result."))


def _conversation_for_answer(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, now: datetime, calendars: Calendars
) -> Conversation:
    """The latest conversation with humans; a complaint still with the bot is taken over."""
    conversations = uow.support.conversations.for_case(case.id)
    with_humans = [c for c in conversations if not c.bot_owned]
    chosen = (with_humans or conversations)[-1]
    if chosen.bot_owned:
        do_hand_off(
            rt, uow, case, chosen, by, reason="complaint_handled", now=now, calendars=calendars
        )
    return chosen


def _answer(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    text: str,
    now: datetime,
    calendars: Calendars,
) -> None:
    conversation = _conversation_for_answer(rt, uow, case, by, now, calendars)
    do_add_message(
        rt, uow, case, conversation, by, text=text, visibility=Visibility.PUBLIC, now=now
    )
    sla_clock.after_agent_reply(rt, uow, case, by, now, calendars)


def set_category(
    rt: Runtime, actor: SupportActor, case_id: str, category: ComplaintCategory
) -> ComplaintRecord:
    """Register a complaint case that came in another way (the bot, a call, an email), or
    change the category of a registered one."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        if case.type != CaseType.COMPLAINT:
            raise ValidationFailed(
                "not_a_complaint",
                N_("Only complaint cases get a complaint number and deadline."),
                field="case_id",
            )
        complaint = uow.complaints_kb.complaints.get(case.id, for_update=True)
        by = actor.by(case)
        if complaint is None:
            complaint = do_register(
                rt, uow, case, category=category, by=by, now=now, calendars=load_calendars(uow)
            )
        elif complaint.category != category:
            before = complaint.category
            complaint.category = category.value
            complaint.updated_at = now
            events.complaint_categorised(rt, uow, case, by, now, before, category.value)
            uow.complaints_kb.complaints.save(complaint)
        else:
            return complaint
        uow.support.cases.save(case)
        uow.commit()
    return complaint


def start_investigation(
    rt: Runtime, actor: SupportActor, case_id: str, *, note: str | None = None
) -> ComplaintRecord:
    """The handler is looking into it; `note` (optional) tells the customer what happens
    next. Marking it twice, or during an appeal, changes nothing."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, complaint = locked_complaint(uow, actor, case_id)
        if case.is_closed:
            raise CaseIsClosed()
        if complaint.investigating_at is not None or complaint.in_appeal:
            return complaint
        if not complaint.awaiting_result:
            raise _result_given()
        calendars = load_calendars(uow)
        by = actor.by(case)
        if note and note.strip():
            _answer(rt, uow, case, by, clean_text(note, has_attachments=False), now, calendars)
        if case.category == Category.NEW:
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(Category.OPEN),
                now=now,
                calendars=calendars,
                reason="complaint_investigating",
            )
        complaint.investigating_at = now
        complaint.updated_at = now
        events.complaint_investigating(rt, uow, case, by, now)
        uow.complaints_kb.complaints.save(complaint)
        uow.support.cases.save(case)
        uow.commit()
    return complaint


def give_result(rt: Runtime, actor: SupportActor, case_id: str, *, text: str) -> ComplaintRecord:
    """Tell the customer the result (a public message) and solve the case. The result of an
    appeal must come from someone other than whoever gave the first one."""
    if actor.kind is not ActorKind.AGENT or actor.user_id is None:
        raise Forbidden()
    body = clean_text(text, has_attachments=False)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, complaint = locked_complaint(uow, actor, case_id)
        if case.is_closed:
            raise CaseIsClosed()
        if not complaint.awaiting_result:
            raise _result_given()
        if complaint.in_appeal and complaint.result_by == actor.user_id:
            raise Forbidden(
                "appeal_needs_another_reviewer",
                N_("An appeal is reviewed by someone other than who gave the first result."),
            )
        calendars = load_calendars(uow)
        by = actor.by(case)
        _answer(rt, uow, case, by, body, now, calendars)
        if complaint.in_appeal:
            complaint.appeal_result_at, complaint.appeal_result_by = now, actor.user_id
            complaint.appeal_result_text = body
        else:
            complaint.result_at, complaint.result_by, complaint.result_text = (
                now,
                actor.user_id,
                body,
            )
        complaint.updated_at = now
        complaint.next_escalation_at = None
        events.complaint_result(
            rt, uow, case, by, now, appeal=complaint.in_appeal, due_at=complaint.round_due
        )
        if case.category != Category.SOLVED:
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(Category.SOLVED),
                now=now,
                calendars=calendars,
                reason="complaint_result",
            )
        uow.complaints_kb.complaints.save(complaint)
        uow.support.cases.save(case)
        uow.commit()
    return complaint
