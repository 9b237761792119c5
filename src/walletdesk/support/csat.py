"""Customer satisfaction (CSAT): once a case is solved the customer is asked, once, to rate the
help from 1 to 5 with an optional comment, through the case's own channel (a system message in
its latest conversation, which a channel adapter relays) and, for wallet users, an in-app notice.

A second rating is refused. A low score (at most `CsatPolicy.low_score_max`, 2 by default)
reopens the case, or only alerts the handler and the supervisors, as the policy says; a case
that is already closed cannot reopen, so it is escalated instead. Results per agent, queue and
channel are in `metrics.py`, computed from the `csat.rated` events.

Asking happens in the support sweep (`ask_solved_cases`), so a case solved by any door (an
agent, a complaint result, the bot) is asked exactly once, after its solving committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.identity.permissions import Role
from walletdesk.notify.models import Channel as NoticeChannel
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.cases import do_add_message, do_change_status
from walletdesk.support.complaints_history import DeskEventKind
from walletdesk.support.history_writer import write_event
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import By, Case, Visibility
from walletdesk.support.statuses import Category, Status

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

POLICY_KEY = "csat"
COMMENT_MAX = 1000
NOTICE = "support.csat_requested"

ASK_TEXT = N_(
    "Your request is solved. How satisfied are you with our help? Please rate it from 1 "
    "(very dissatisfied) to 5 (very satisfied) with the rating button in the app; you can add "
    "a comment. Replying here reopens the request instead."
)

TEMPLATES[NOTICE] = Template(
    NOTICE,
    N_("How did we do?"),
    N_("Your request “{subject}” is solved. Please rate our help from 1 to 5."),
)


class LowScoreAction(StrEnum):
    REOPEN = "reopen"
    """Reopen the case (while it is solved) and alert the handler and the supervisors."""
    ESCALATE = "escalate"
    """Leave the case as it is and alert the handler and the supervisors."""


@dataclass(frozen=True)
class CsatPolicy:
    low_score_max: int = 2
    """Scores up to this one are low; 0 turns the follow-up off."""
    action: LowScoreAction = LowScoreAction.REOPEN

    def check(self) -> CsatPolicy:
        if not 0 <= self.low_score_max <= 4:
            raise ValidationFailed(
                "invalid_csat_policy",
                N_("A low score is at most 0 to 4 (0 turns the follow-up off)."),
                field="low_score_max",
            )
        return self

    def as_data(self) -> dict[str, object]:
        return {"low_score_max": self.low_score_max, "action": self.action.value}


@dataclass
class CsatSurvey:
    case_id: str
    channel: str
    queue: str
    locale: str
    asked_at: datetime
    conversation_id: str | None = None
    agent_id: str | None = None
    """Who handled the case when it was solved (None: the bot, or nobody)."""
    score: int | None = None
    comment: str | None = None
    rated_at: datetime | None = None
    outcome: str | None = None
    """reopened or escalated after a low score; None otherwise."""


def queue_of(uow: UnitOfWork, case: Case) -> str:
    """The queue a case is reported under: its routing queue, else its type."""
    return uow.complaints_kb.csat.routed_queue(case.id) or case.type


def csat_policy(uow: UnitOfWork) -> CsatPolicy:
    stored = uow.complaints_kb.policies.get(POLICY_KEY)
    if not stored:
        return CsatPolicy()
    return CsatPolicy(int(stored["low_score_max"]), LowScoreAction(stored["action"]))


def read_csat_policy(rt: Runtime) -> CsatPolicy:
    with rt.db.uow(read_only=True) as uow:
        return csat_policy(uow)


def set_csat_policy(rt: Runtime, actor: Actor, policy: CsatPolicy) -> CsatPolicy:
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
            action="csat.policy_set",
            subject_kind="support_policy",
            subject_id=POLICY_KEY,
            details=checked.as_data(),
        )
        uow.commit()
    return checked


def do_ask(rt: Runtime, uow: UnitOfWork, case: Case, now: datetime) -> CsatSurvey:
    """Ask for the rating in the case's latest conversation (the caller holds the case lock
    and has checked that it was not asked before)."""
    conversations = uow.support.conversations.for_case(case.id)
    conversation = ([c for c in conversations if not c.bot_owned] or conversations)[-1]
    survey = CsatSurvey(
        case_id=case.id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        agent_id=case.assignee_id,
        queue=queue_of(uow, case),
        locale=case.locale,
        asked_at=now,
    )
    uow.complaints_kb.csat.add(survey)
    do_add_message(
        rt,
        uow,
        case,
        conversation,
        By.system(),
        text=translate(ASK_TEXT, case.locale),
        visibility=Visibility.PUBLIC,
        now=now,
    )
    contact = uow.support.contacts.get(case.contact_id)
    user = uow.users.get(contact.user_id) if contact and contact.user_id else None
    if user is not None:
        rt.outbox.enqueue(
            uow,
            now=now,
            channel=NoticeChannel.INAPP,
            template=NOTICE,
            params={"subject": case.subject},
            locale=user.locale,
            user_id=user.id,
            destination=None,
        )
    write_event(
        rt,
        uow,
        case,
        By.system(),
        DeskEventKind.CSAT_REQUESTED,
        now,
        public=True,
        after={"conversation_id": conversation.id, "channel": conversation.channel},
    )
    return survey


def ask_solved_cases(rt: Runtime, *, limit: int = 200) -> int:
    """Ask every case solved within the reopen window that was never asked; returns how many
    were asked. One transaction per case; safe to run from several processes at once."""
    now = rt.clock.now()
    since = now - timedelta(days=rt.settings.support_reopen_days)
    with rt.db.uow(read_only=True) as uow:
        case_ids = uow.complaints_kb.csat.solved_unasked(since, limit=limit)
    asked = 0
    for case_id in case_ids:
        with rt.db.uow() as uow:
            case = uow.support.cases.get(case_id, for_update=True)
            if case is None or case.category != Category.SOLVED:
                continue
            if uow.complaints_kb.csat.get(case.id) is not None:
                continue
            do_ask(rt, uow, case, now)
            uow.support.cases.save(case)
            uow.commit()
            asked += 1
    return asked


def survey_for(rt: Runtime, actor: SupportActor, case_id: str) -> CsatSurvey | None:
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        found: CsatSurvey | None = uow.complaints_kb.csat.get(case.id)
        return found


def rate(
    rt: Runtime, actor: SupportActor, case_id: str, *, score: int, comment: str | None = None
) -> CsatSurvey:
    """Record the customer's one rating (`actor` is the customer, or the bot or an adapter
    relaying it); a low score follows the policy."""
    if not 1 <= score <= 5:
        raise ValidationFailed(
            "invalid_score",
            N_("Rate from 1 (very dissatisfied) to 5 (very satisfied)."),
            field="score",
        )
    text = (comment or "").strip()[:COMMENT_MAX] or None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        survey: CsatSurvey | None = uow.complaints_kb.csat.get(case.id, for_update=True)
        if survey is None:
            raise Conflict(
                "rating_not_open", N_("We ask for your rating once your request is solved.")
            )
        if survey.score is not None:
            raise Conflict("already_rated", N_("You already rated this request. Thank you!"))
        survey.score, survey.comment, survey.rated_at = score, text, now
        by = By.contact(case.contact_id)
        policy = csat_policy(uow)
        low = score <= policy.low_score_max
        write_event(
            rt,
            uow,
            case,
            by,
            DeskEventKind.CSAT_RATED,
            now,
            public=False,
            after={
                "score": score,
                "commented": text is not None,
                "agent_id": survey.agent_id,
                "queue": survey.queue,
                "channel": survey.channel,
                "low": low,
            },
        )
        if low:
            survey.outcome = _follow_up(rt, uow, case, policy, score, now)
        uow.complaints_kb.csat.save(survey)
        uow.support.cases.save(case)
        uow.commit()
    return survey


def _follow_up(
    rt: Runtime, uow: UnitOfWork, case: Case, policy: CsatPolicy, score: int, now: datetime
) -> str:
    reopen = policy.action is LowScoreAction.REOPEN and case.category == Category.SOLVED
    if reopen:
        do_change_status(
            rt,
            uow,
            case,
            By.system(),
            Status(Category.OPEN),
            now=now,
            calendars=load_calendars(uow),
            reason="low_satisfaction",
        )
    outcome = "reopened" if reopen else "escalated"
    supervisors = uow.support.staff.with_role(Role.SUPERVISOR.value)
    recipients = tuple(
        dict.fromkeys([*([case.assignee_id] if case.assignee_id else []), *supervisors])
    )
    write_event(
        rt,
        uow,
        case,
        By.system(),
        DeskEventKind.CSAT_LOW_SCORE,
        now,
        public=False,
        after={"score": score, "outcome": outcome, "recipients": list(recipients)},
        recipients=recipients,
    )
    return outcome
