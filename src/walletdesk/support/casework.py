"""What agents do to a case: answer or add a note, change its status, priority and assignee;
plus the supervisors' configuration (status labels, SLA policies) and the sweep that closes
solved cases once they can no longer reopen.

Every function takes the acting `SupportActor` and goes through `access_case_for`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, Forbidden, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.support import history, sla_clock
from walletdesk.support.access import SupportActor, access_case_for, may_work_cases
from walletdesk.support.attachments import Upload
from walletdesk.support.cases import do_add_message, do_change_status, resolve_status
from walletdesk.support.conversations import Posted
from walletdesk.support.errors import (
    CaseIsClosed,
    ConversationNotFound,
    ConversationWithBot,
    not_an_agent,
)
from walletdesk.support.holidays import load_calendars
from walletdesk.support.impersonation import refuse_unsafe_draft
from walletdesk.support.models import By, Case, Conversation, Priority, Visibility
from walletdesk.support.sla import SlaPolicy
from walletdesk.support.statuses import (
    Category,
    Status,
    StatusLabel,
    check_label_key,
)
from walletdesk.support.versioning import check_version

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def _conversation_for_reply(
    uow: UnitOfWork, case: Case, conversation_id: str | None, visibility: Visibility
) -> Conversation:
    conversations = uow.support.conversations.for_case(case.id)
    if conversation_id is not None:
        chosen = next((c for c in conversations if c.id == conversation_id), None)
        if chosen is None:
            raise ConversationNotFound()
    else:
        with_humans = [c for c in conversations if not c.bot_owned]
        chosen = (with_humans or conversations)[-1]
    if visibility is Visibility.PUBLIC and chosen.bot_owned:
        raise ConversationWithBot()
    return chosen


def agent_reply(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    text: str,
    visibility: Visibility,
    conversation_id: str | None = None,
    uploads: Sequence[Upload] = (),
    expected_version: int | None = None,
) -> Posted:
    """A public answer (into the latest conversation with humans unless one is named) or an
    internal note. An answer fulfils the owed response target and opens a new case.
    `expected_version`: refuse with `case_changed` if the case moved past it."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        check_version(uow, case, expected_version)
        public = visibility is Visibility.PUBLIC
        if public and case.is_closed:
            raise CaseIsClosed()
        if public:
            refuse_unsafe_draft(uow, actor, case, text, rt=rt)  # audits and refuses scam asks
        conversation = _conversation_for_reply(uow, case, conversation_id, visibility)
        calendars = load_calendars(uow)
        by = actor.by(case)
        message, attachments = do_add_message(
            rt,
            uow,
            case,
            conversation,
            by,
            text=text,
            visibility=visibility,
            now=now,
            uploads=uploads,
        )
        if public:
            if case.category == Category.NEW:
                do_change_status(
                    rt,
                    uow,
                    case,
                    by,
                    Status(Category.OPEN),
                    now=now,
                    calendars=calendars,
                    reason="agent_replied",
                )
            sla_clock.after_agent_reply(rt, uow, case, by, now, calendars)
        uow.support.cases.save(case)
        uow.commit()
    return Posted(case, conversation, message, attachments)


def change_status(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    status: str,
    *,
    expected_version: int | None = None,
) -> Case:
    """Move a case to a category or a team label (`Case.transition_to` enforces the rules).
    `expected_version`: refuse with `case_changed` if the case moved past it."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        check_version(uow, case, expected_version)
        target = resolve_status(uow, status)
        if target == case.status:
            return case
        do_change_status(
            rt, uow, case, actor.by(case), target, now=now, calendars=load_calendars(uow)
        )
        uow.support.cases.save(case)
        uow.commit()
    return case


def _check_may_assign(actor: SupportActor, case: Case, assignee_id: str | None) -> None:
    if has_permission(actor.roles, Permission.CASES_SUPERVISE):
        return
    taking = assignee_id == actor.user_id and case.assignee_id in (None, actor.user_id)
    letting_go = assignee_id is None and case.assignee_id == actor.user_id
    if not (taking or letting_go):
        raise Forbidden(
            "assign_forbidden",
            N_("You can take unassigned cases and give back your own; a supervisor reassigns."),
        )


def assign(rt: Runtime, actor: SupportActor, case_id: str, assignee_id: str | None) -> Case:
    """Give the case to an agent (or to nobody). A new case becomes open."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        if case.is_closed:
            raise CaseIsClosed()
        _check_may_assign(actor, case, assignee_id)
        if assignee_id is not None and not may_work_cases(uow.staff_roles.roles_of(assignee_id)):
            raise not_an_agent()
        if assignee_id == case.assignee_id:
            return case
        by = actor.by(case)
        before = case.assignee_id
        case.assignee_id = assignee_id
        history.assigned(rt, uow, case, by, now, before)
        if case.category == Category.NEW and assignee_id is not None:
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(Category.OPEN),
                now=now,
                calendars=load_calendars(uow),
                reason="assigned",
            )
        uow.support.cases.save(case)
        uow.commit()
    return case


def change_priority(rt: Runtime, actor: SupportActor, case_id: str, priority: Priority) -> Case:
    """A new priority brings its SLA policy; the business time already used still counts."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        if case.is_closed:
            raise CaseIsClosed()
        if case.priority == priority:
            return case
        before, before_policy = case.priority, case.sla_policy_id
        case.priority = priority.value
        if not case.with_bot:
            sla_clock.after_priority_change(rt, uow, case, now, load_calendars(uow))
        history.priority_changed(rt, uow, case, actor.by(case), now, before, before_policy)
        uow.support.cases.save(case)
        uow.commit()
    return case


def close_solved_cases(rt: Runtime, *, limit: int = 500) -> int:
    """Close the cases solved longer ago than the reopen window (a reply to them starts a
    follow-up case anyway); returns how many were closed."""
    now = rt.clock.now()
    window = timedelta(days=rt.settings.support_reopen_days)
    cutoff = now - window
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.support.cases.solved_before(cutoff, limit=limit)
    closed = 0
    for case_id in case_ids:
        with rt.db.uow() as uow:
            case = access_case_for(uow, SupportActor.system(), case_id, for_update=True)
            if case.category != Category.SOLVED or case.reopens_on_reply(now, window):
                continue
            do_change_status(
                rt,
                uow,
                case,
                By.system(),
                Status(Category.CLOSED),
                now=now,
                calendars=load_calendars(uow),
                reason="reopen_window_passed",
            )
            uow.support.cases.save(case)
            uow.commit()
            closed += 1
    return closed


def define_status_label(
    rt: Runtime, actor: Actor, *, key: str, category: Category, name_zh: str, name_en: str
) -> StatusLabel:
    """A team's own status name, mapped onto one category (audited)."""
    cleaned = check_label_key(key)
    names = (name_zh.strip()[:64], name_en.strip()[:64])
    if not all(names):
        raise ValidationFailed("label_name_required", field="name_zh")
    now = rt.clock.now()
    with rt.db.uow() as uow:
        if uow.support.labels.get(cleaned) is not None:
            raise Conflict("label_exists", N_("A status label with this key already exists."))
        label = uow.support.labels.add(
            StatusLabel(cleaned, category.value, names[0], names[1], now, actor.id)
        )
        record(
            uow,
            at=now,
            actor=actor,
            action="support.label_defined",
            subject_kind="status_label",
            subject_id=cleaned,
            details={"category": category.value},
        )
        uow.commit()
    return label


def set_sla_policy(rt: Runtime, actor: Actor, policy: SlaPolicy) -> SlaPolicy:
    """Store (or replace) a policy; cases opened or re-prioritised afterwards use it."""
    minutes = (
        policy.first_response_minutes,
        policy.next_response_minutes,
        policy.resolution_minutes,
    )
    if any(m <= 0 for m in minutes) or any(s.after_minutes < 0 for s in policy.ladder):
        raise ValidationFailed("invalid_sla_policy", field="minutes")
    now = rt.clock.now()
    with rt.db.uow() as uow:
        if policy.calendar not in load_calendars(uow).by_key:
            raise ValidationFailed("unknown_calendar", field="calendar")
        stored = SlaPolicy(**{**vars(policy), "updated_at": now})
        uow.support.sla_policies.put(stored)
        sla_clock.forget_sla_policies(uow)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.sla_policy_set",
            subject_kind="sla_policy",
            subject_id=policy.id,
            details={
                "priority": policy.priority,
                "type": policy.case_type,
                "minutes": list(minutes),
                "calendar": policy.calendar,
                # The ladder decides who is alerted after a breach: a change to it is a
                # change to the policy and must show in the audit trail too.
                "ladder": [[s.after_minutes, s.action.value] for s in policy.ladder],
            },
        )
        uow.commit()
    return stored
