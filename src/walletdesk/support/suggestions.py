"""Suggestions (建议): tracked with a reference number (``JY-20261122-0001``), a status the
customer can see, and the team's answer.

received → reviewing → adopted / not adopted / implemented. An answer is a public message in
the case; a final status (adopted, not adopted, implemented) solves the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.errors import NotFound
from walletdesk.i18n import N_
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.attachments import Upload
from walletdesk.support.cases import clean_text, do_add_message, do_change_status
from walletdesk.support.complaints import allocate_reference, open_customer_case
from walletdesk.support.complaints_history import DeskEventKind
from walletdesk.support.complaints_model import SUGGESTION_PREFIX
from walletdesk.support.errors import CaseIsClosed, CaseNotFound
from walletdesk.support.history_writer import write_event
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, CaseType, Visibility
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


class SuggestionTopic(StrEnum):
    APP = "app"
    PAYMENTS = "payments"
    FEES = "fees"
    SECURITY = "security"
    SERVICE = "service"
    OTHER = "other"


class SuggestionStatus(StrEnum):
    RECEIVED = "received"
    REVIEWING = "reviewing"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    IMPLEMENTED = "implemented"

    @property
    def is_final(self) -> bool:
        return self in (
            SuggestionStatus.ADOPTED,
            SuggestionStatus.NOT_ADOPTED,
            SuggestionStatus.IMPLEMENTED,
        )


STATUS_NAMES: dict[SuggestionStatus, str] = {
    SuggestionStatus.RECEIVED: N_("Received"),
    SuggestionStatus.REVIEWING: N_("Being reviewed"),
    SuggestionStatus.ADOPTED: N_("Adopted"),
    SuggestionStatus.NOT_ADOPTED: N_("Not adopted"),
    SuggestionStatus.IMPLEMENTED: N_("Implemented"),
}


class SuggestionNotFound(NotFound):
    default_code = "suggestion_not_found"
    default_message = N_("We could not find this suggestion.")


@dataclass
class SuggestionRecord:
    case_id: str
    reference: str
    topic: str
    status: str
    received_at: datetime
    updated_at: datetime
    answer_text: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None


@dataclass(frozen=True)
class SuggestionView:
    suggestion: SuggestionRecord
    case: Case


def do_record(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    *,
    topic: SuggestionTopic,
    by: By,
    now: datetime,
) -> SuggestionRecord:
    suggestion = SuggestionRecord(
        case_id=case.id,
        reference=allocate_reference(uow, SUGGESTION_PREFIX, case.created_at),
        topic=topic.value,
        status=SuggestionStatus.RECEIVED.value,
        received_at=case.created_at,
        updated_at=now,
    )
    uow.complaints_kb.suggestions.add(suggestion)
    write_event(
        rt,
        uow,
        case,
        by,
        DeskEventKind.SUGGESTION_RECEIVED,
        now,
        public=True,
        after={"reference": suggestion.reference, "topic": suggestion.topic},
    )
    return suggestion


def submit_suggestion(
    rt: Runtime,
    auth: Authenticated,
    *,
    text: str,
    topic: SuggestionTopic = SuggestionTopic.OTHER,
    uploads: Sequence[Upload] = (),
) -> SuggestionView:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, _ = open_customer_case(
            rt,
            uow,
            auth,
            case_type=CaseType.SUGGESTION,
            text=text,
            uploads=uploads,
            now=now,
            calendars=load_calendars(uow),
        )
        suggestion = do_record(rt, uow, case, topic=topic, by=By.contact(case.contact_id), now=now)
        uow.support.cases.save(case)
        uow.commit()
    return SuggestionView(suggestion, case)


def answer_suggestion(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    status: SuggestionStatus,
    answer: str | None,
) -> SuggestionView:
    """Set the status the customer sees, with an answer (a public message) when given. A final
    status solves the case."""
    text = clean_text(answer, has_attachments=False) if answer and answer.strip() else None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, suggestion = _locked(uow, actor, case_id)
        if case.is_closed:
            raise CaseIsClosed()
        calendars = load_calendars(uow)
        by = actor.by(case)
        before = suggestion.status
        if text is not None:
            conversations = uow.support.conversations.for_case(case.id)
            with_humans = [c for c in conversations if not c.bot_owned] or conversations
            do_add_message(
                rt,
                uow,
                case,
                with_humans[-1],
                by,
                text=text,
                visibility=Visibility.PUBLIC,
                now=now,
            )
            suggestion.answer_text, suggestion.answered_at = text, now
            suggestion.answered_by = actor.user_id
        suggestion.status = status.value
        suggestion.updated_at = now
        write_event(
            rt,
            uow,
            case,
            by,
            DeskEventKind.SUGGESTION_ANSWERED,
            now,
            public=True,
            before={"status": before},
            after={"status": status.value, "answered": text is not None},
        )
        target = _category_after(Category(case.category), status)
        if target is not None:
            do_change_status(
                rt,
                uow,
                case,
                by,
                Status(target),
                now=now,
                calendars=calendars,
                reason=f"suggestion_{status.value}",
            )
        uow.complaints_kb.suggestions.save(suggestion)
        uow.support.cases.save(case)
        uow.commit()
    return SuggestionView(suggestion, case)


def _category_after(current: Category, status: SuggestionStatus) -> Category | None:
    """A final status solves the case; taking a suggestion (back) into review opens it."""
    if status.is_final:
        return Category.SOLVED if current is not Category.SOLVED else None
    return Category.OPEN if current in (Category.NEW, Category.SOLVED) else None


def _locked(uow: UnitOfWork, actor: SupportActor, case_id: str) -> tuple[Case, SuggestionRecord]:
    try:
        case = access_case_for(uow, actor, case_id, for_update=True)
    except CaseNotFound:
        raise SuggestionNotFound() from None
    suggestion = uow.complaints_kb.suggestions.get(case.id, for_update=True)
    if suggestion is None:
        raise SuggestionNotFound()
    return case, suggestion


def my_suggestions(rt: Runtime, auth: Authenticated) -> list[SuggestionView]:
    with rt.db.uow(read_only=True) as uow:
        contact = uow.support.contacts.get_by_user(auth.user.id)
        if contact is None:
            return []
        views = []
        for suggestion in uow.complaints_kb.suggestions.for_contact(contact.id):
            case = uow.support.cases.get(suggestion.case_id)
            assert case is not None
            views.append(SuggestionView(suggestion, case))
        return views


def my_suggestion(rt: Runtime, auth: Authenticated, ref: str) -> SuggestionView:
    with rt.db.uow(read_only=True) as uow:
        found = uow.complaints_kb.suggestions.get_by_reference(ref.strip().upper())
        if found is None:
            raise SuggestionNotFound()
        try:
            case = access_case_for(uow, SupportActor.customer(auth), found.case_id)
        except CaseNotFound:
            raise SuggestionNotFound() from None
        return SuggestionView(found, case)


def staff_suggestions(
    rt: Runtime, actor: SupportActor, *, status: SuggestionStatus | None, limit: int = 100
) -> list[SuggestionView]:
    with rt.db.uow(read_only=True) as uow:
        views = []
        for suggestion in uow.complaints_kb.suggestions.staff_list(
            status=status.value if status else None, limit=max(1, min(limit, 200))
        ):
            views.append(
                SuggestionView(suggestion, access_case_for(uow, actor, suggestion.case_id))
            )
        return views
