"""Complaints (投诉): the record beside a complaint case, its statutory deadline and the internal
escalation ladder, and the reference numbers customers quote.

A complaint is *received* when the customer complained (the case's creation), gets a reference
number like ``TS-20261122-0001`` (sequential per Beijing day) and a deadline: by default the end of
the 15th calendar day after the day of receipt, Beijing time. When the last day falls on a
weekend or public holiday, the deadline moves to the end of the next working day, as Chinese
law counts periods (民法典 第二百零三条). The policy may count business days instead.

The customer follows it on a timeline: received → assigned → investigating → result → confirmed.
They may appeal a result once; the appeal gets a deadline of its own and a second reviewer.
While no result is given, an internal ladder alerts people as the deadline comes closer
(by default at 50 % the assignee, at 80 % the senior agents, at 100 % the supervisors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.calendar import BusinessCalendar

BEIJING = ZoneInfo("Asia/Shanghai")
COMPLAINT_PREFIX = "TS"  # 投诉
SUGGESTION_PREFIX = "JY"  # 建议


class ComplaintCategory(StrEnum):
    FEES = "fees"
    TRANSFER = "transfer"
    TOPUP_WITHDRAWAL = "topup_withdrawal"
    CARD = "card"
    ACCOUNT_SECURITY = "account_security"
    SERVICE_ATTITUDE = "service_attitude"
    OTHER = "other"


CATEGORY_NAMES: dict[ComplaintCategory, str] = {
    ComplaintCategory.FEES: N_("Fees"),
    ComplaintCategory.TRANSFER: N_("Transfers"),
    ComplaintCategory.TOPUP_WITHDRAWAL: N_("Top-ups and withdrawals"),
    ComplaintCategory.CARD: N_("Bank cards"),
    ComplaintCategory.ACCOUNT_SECURITY: N_("Account security"),
    ComplaintCategory.SERVICE_ATTITUDE: N_("Service attitude"),
    ComplaintCategory.OTHER: N_("Other"),
}

CATEGORY_NAMES_ZH: dict[str, str] = {
    "fees": "费用",
    "transfer": "转账",
    "topup_withdrawal": "充值提现",
    "card": "银行卡",
    "account_security": "账户安全",
    "service_attitude": "服务态度",
    "other": "其他",
}
"""For the regulator's export, whose columns are Chinese whatever the reader's language."""


class Step(StrEnum):
    """The steps of the customer's timeline, in order."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    RESULT = "result"
    APPEALED = "appealed"
    APPEAL_RESULT = "appeal_result"
    CONFIRMED = "confirmed"


STEP_NAMES: dict[Step, str] = {
    Step.RECEIVED: N_("Complaint received"),
    Step.ASSIGNED: N_("Handler assigned"),
    Step.INVESTIGATING: N_("Under investigation"),
    Step.RESULT: N_("Result given"),
    Step.APPEALED: N_("Appeal received"),
    Step.APPEAL_RESULT: N_("Appeal result given"),
    Step.CONFIRMED: N_("You confirmed the result"),
}

STEP_NAMES_ZH: dict[str, str] = {
    "received": "已受理",
    "assigned": "已分派",
    "investigating": "调查中",
    "result": "已办结",
    "appealed": "申诉复核中",
    "appeal_result": "复核已办结",
    "confirmed": "客户已确认",
}


class DeadlineBasis(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class LadderAction(StrEnum):
    NOTIFY_ASSIGNEE = "notify_assignee"
    """The handler (the supervisors while nobody handles it)."""
    NOTIFY_SENIOR = "notify_senior"
    """Every senior agent (the supervisors when there is none)."""
    NOTIFY_SUPERVISOR = "notify_supervisor"


@dataclass(frozen=True)
class LadderStep:
    percent: int
    """Share of the time from receipt to the deadline that has passed, 1-100."""
    action: LadderAction


DEFAULT_LADDER = (
    LadderStep(50, LadderAction.NOTIFY_ASSIGNEE),
    LadderStep(80, LadderAction.NOTIFY_SENIOR),
    LadderStep(100, LadderAction.NOTIFY_SUPERVISOR),
)

DEADLINE_DAYS_MAX = 90


@dataclass(frozen=True)
class ComplaintPolicy:
    deadline_days: int = 15
    basis: DeadlineBasis = DeadlineBasis.CALENDAR
    appeal_days: int = 15
    """The deadline of an appeal, counted the same way from the day it was made."""
    ladder: tuple[LadderStep, ...] = DEFAULT_LADDER

    def check(self) -> ComplaintPolicy:
        if not 1 <= self.deadline_days <= DEADLINE_DAYS_MAX:
            raise _bad_policy("deadline_days")
        if not 1 <= self.appeal_days <= DEADLINE_DAYS_MAX:
            raise _bad_policy("appeal_days")
        percents = [step.percent for step in self.ladder]
        if any(not 1 <= p <= 100 for p in percents) or percents != sorted(set(percents)):
            raise _bad_policy("ladder")
        return self

    def as_data(self) -> dict[str, object]:
        return {
            "deadline_days": self.deadline_days,
            "basis": self.basis.value,
            "appeal_days": self.appeal_days,
            "ladder": [{"percent": s.percent, "action": s.action.value} for s in self.ladder],
        }

    @classmethod
    def from_data(cls, data: dict[str, object]) -> ComplaintPolicy:
        ladder = data.get("ladder")
        steps = (
            tuple(
                LadderStep(int(item["percent"]), LadderAction(str(item["action"])))
                for item in ladder
                if isinstance(item, dict)
            )
            if isinstance(ladder, list)
            else DEFAULT_LADDER
        )
        return cls(
            deadline_days=int(str(data.get("deadline_days", 15))),
            basis=DeadlineBasis(str(data.get("basis", DeadlineBasis.CALENDAR.value))),
            appeal_days=int(str(data.get("appeal_days", 15))),
            ladder=steps,
        )


def _bad_policy(name: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_complaint_policy",
        N_(
            "Deadlines are 1 to 90 days; ladder steps are distinct percentages from 1 to 100, "
            "in order."
        ),
        field=name,
    )


def _end_of(day: date) -> datetime:
    """The last second of `day` in Beijing (as UTC): a result given then is still on time."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BEIJING).astimezone(UTC)


def deadline(
    received: datetime, days: int, basis: DeadlineBasis, calendar: BusinessCalendar
) -> datetime:
    """The last instant that is on time for something received at `received`.

    Days are counted from the day after receipt (Beijing time). Calendar days: the `days`-th
    day, moved on to the next working day when it is a weekend or holiday. Business days: the
    `days`-th working day of `calendar` (public holidays and make-up working days included)."""
    day = received.astimezone(BEIJING).date()
    if basis is DeadlineBasis.CALENDAR:
        last = day + timedelta(days=days)
        while not calendar.is_working_day(last):
            last += timedelta(days=1)
        return _end_of(last)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return _end_of(day)


def reference(prefix: str, received: datetime, number: int) -> str:
    return f"{prefix}-{received.astimezone(BEIJING):%Y%m%d}-{number:04d}"


def reference_day(received: datetime) -> str:
    return f"{received.astimezone(BEIJING):%Y%m%d}"


@dataclass
class ComplaintRecord:
    case_id: str
    reference: str
    category: str
    received_at: datetime
    due_at: datetime
    deadline_days: int
    deadline_basis: str
    escalation_level: int
    updated_at: datetime
    next_escalation_at: datetime | None = None
    investigating_at: datetime | None = None
    result_at: datetime | None = None
    result_by: str | None = None
    result_text: str | None = None
    appealed_at: datetime | None = None
    appeal_reason: str | None = None
    appeal_due_at: datetime | None = None
    appeal_result_at: datetime | None = None
    appeal_result_by: str | None = None
    appeal_result_text: str | None = None
    confirmed_at: datetime | None = None

    @property
    def in_appeal(self) -> bool:
        return self.appealed_at is not None

    @property
    def awaiting_result(self) -> bool:
        """True while the current round (the complaint, or its appeal) has no result."""
        if self.in_appeal:
            return self.appeal_result_at is None
        return self.result_at is None

    @property
    def round_start(self) -> datetime:
        return self.appealed_at if self.appealed_at is not None else self.received_at

    @property
    def round_due(self) -> datetime:
        return self.appeal_due_at if self.appeal_due_at is not None else self.due_at

    @property
    def step(self) -> Step:
        """How far it got (the assigned step is the case's, see `complaints.timeline`)."""
        if self.confirmed_at is not None:
            return Step.CONFIRMED
        if self.appeal_result_at is not None:
            return Step.APPEAL_RESULT
        if self.appealed_at is not None:
            return Step.APPEALED
        if self.result_at is not None:
            return Step.RESULT
        if self.investigating_at is not None:
            return Step.INVESTIGATING
        return Step.RECEIVED

    def overdue(self, now: datetime) -> bool:
        return self.awaiting_result and now > self.round_due

    @staticmethod
    def on_time(result_at: datetime | None, due_at: datetime | None) -> bool | None:
        if result_at is None or due_at is None:
            return None
        return result_at <= due_at

    def schedule(self, ladder: tuple[LadderStep, ...]) -> None:
        """Set when the next ladder step of the current round is due (None when it is done or
        the round has its result)."""
        if not self.awaiting_result or self.escalation_level >= len(ladder):
            self.next_escalation_at = None
            return
        span = (self.round_due - self.round_start).total_seconds()
        step = ladder[self.escalation_level]
        # Whole seconds, rounded up: a step is never taken before its share of time passed.
        offset = math.ceil(span * step.percent / 100)
        self.next_escalation_at = self.round_start + timedelta(seconds=offset)


@dataclass(frozen=True)
class TimelineEntry:
    step: Step
    at: datetime | None
    done: bool


def timeline_of(record: ComplaintRecord, assigned_at: datetime | None) -> list[TimelineEntry]:
    """The customer's timeline. Steps not reached have no time; a step that was skipped (a
    result without a separate investigation) counts as done once a later one is."""
    reached: list[tuple[Step, datetime | None]] = [
        (Step.RECEIVED, record.received_at),
        (Step.ASSIGNED, assigned_at),
        (Step.INVESTIGATING, record.investigating_at),
        (Step.RESULT, record.result_at),
    ]
    if record.in_appeal:
        reached += [
            (Step.APPEALED, record.appealed_at),
            (Step.APPEAL_RESULT, record.appeal_result_at),
        ]
    reached.append((Step.CONFIRMED, record.confirmed_at))
    last_done = max((i for i, (_, at) in enumerate(reached) if at is not None), default=0)
    return [
        TimelineEntry(step, at, at is not None or index < last_done)
        for index, (step, at) in enumerate(reached)
    ]
