"""Routing's domain objects: queues, agents' routing profiles and a case's place in routing.

A *queue* says which cases it takes (case types, customer languages, priorities, risk flags;
an empty list takes any) and which skills an agent needs to be offered them (a language, a
topic). Queues are tried in `position` order; the first that matches takes the case, and the
last active queue takes whatever no other one matched, so a case is never without a queue.

An *agent profile* holds a staff member's status (online / away / offline), skills and, per
channel, a capacity and the current load (cases assigned and not yet solved).

A *routed case* is a case's row in routing: its queue, its urgency `rank`, its state

    held      still with the bot (routing only keeps its risk flags for later)
    waiting   in its queue, nobody assigned
    offered   given to an agent who has not answered yet (re-offered after N seconds)
    accepted  the agent answered or accepted, or a person assigned it
    done      solved or closed (reopening brings it back)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_, SUPPORTED_LOCALES
from walletdesk.support.models import CaseType, Channel, Priority


class AgentStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"

    @property
    def takes_cases(self) -> bool:
        """Online agents are offered cases first, away agents when no online one fits."""
        return self is not AgentStatus.OFFLINE


class RiskFlag(StrEnum):
    """Flags the risk engine or the bot put on a case; each makes it jump the queue."""

    ACCOUNT_TAKEOVER = "account_takeover"
    FROZEN_ACCOUNT = "frozen_account"
    LARGE_TRANSFER_PENDING = "large_transfer_pending"


class RoutingState(StrEnum):
    HELD = "held"
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DONE = "done"


class SkillKind(StrEnum):
    LANGUAGE = "language"
    TOPIC = "topic"


PRIORITY_WEIGHT: dict[str, int] = {
    Priority.URGENT.value: 0,
    Priority.HIGH.value: 1,
    Priority.NORMAL.value: 2,
    Priority.LOW.value: 3,
}
URGENT_RISK_BAND = 0
NORMAL_BAND = 10


def rank_of(priority: str, flags: Iterable[str]) -> int:
    """Lower goes first: any urgent risk flag puts the case ahead of every unflagged one,
    then priority; cases of equal rank wait in arrival order."""
    band = (
        URGENT_RISK_BAND if any(f in RiskFlag.__members__.values() for f in flags) else NORMAL_BAND
    )
    return band + PRIORITY_WEIGHT.get(priority, PRIORITY_WEIGHT[Priority.NORMAL.value])


@dataclass
class Queue:
    id: str
    name_zh: str
    name_en: str
    position: int
    """Queues are tried in this order (then by id)."""
    case_types: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    risk_flags: tuple[str, ...] = ()
    """A case matches when it carries at least one of these."""
    skill_language: str | None = None
    skill_topic: str | None = None
    active: bool = True
    rr_last_agent: str | None = None
    """The round-robin pointer: the agent last offered a case from this queue."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    def matches(self, case_type: str, locale: str, priority: str, flags: Sequence[str]) -> bool:
        return (
            (not self.case_types or case_type in self.case_types)
            and (not self.locales or locale in self.locales)
            and (not self.priorities or priority in self.priorities)
            and (not self.risk_flags or any(f in self.risk_flags for f in flags))
        )


def choose_queue(
    queues: Sequence[Queue], case_type: str, locale: str, priority: str, flags: Sequence[str]
) -> Queue:
    """The first active queue (by position) that matches, else the last active queue."""
    active = sorted((q for q in queues if q.active), key=lambda q: (q.position, q.id))
    assert active, "routing keeps at least one active queue"
    for queue in active:
        if queue.matches(case_type, locale, priority, flags):
            return queue
    return active[-1]


def default_queues(now: datetime) -> list[Queue]:
    """The queues a new installation starts with."""
    every_flag = tuple(f.value for f in RiskFlag)
    return [
        Queue("urgent_risk", "紧急风险", "Urgent risk", 10, risk_flags=every_flag),
        Queue(
            "verification",
            "审核",
            "Verification",
            20,
            case_types=(CaseType.VERIFICATION.value,),
            skill_topic="verification",
        ),
        Queue(
            "disputes",
            "争议交易",
            "Disputes",
            30,
            case_types=(CaseType.DISPUTE.value,),
            skill_topic="disputes",
        ),
        Queue(
            "complaints",
            "投诉",
            "Complaints",
            40,
            case_types=(CaseType.COMPLAINT.value,),
            skill_topic="complaints",
        ),
        Queue(
            "general_en", "英文综合", "English general", 90, locales=("en",), skill_language="en"
        ),
        Queue("general_zh", "中文综合", "Chinese general", 100, skill_language="zh-CN"),
    ]


DEFAULT_TOPICS = ("verification", "disputes", "complaints")
"""The topics a staff member gets when routing first sees them: a generalist until an admin
narrows their skills."""

DEFAULT_CAPACITY: dict[str, int] = {
    Channel.CHAT.value: 3,
    Channel.CALL.value: 1,
    Channel.EMAIL.value: 10,
    Channel.WECHAT.value: 3,
}
CAPACITY_MAX = 100


@dataclass
class RoutedCase:
    case_id: str
    queue_id: str
    channel: str
    state: str
    rank: int
    updated_at: datetime
    flags: tuple[str, ...] = ()
    enqueued_at: datetime | None = None
    """When the case first reached humans: its place in the queue and its waiting time."""
    agent_id: str | None = None
    """The agent whose load counts this case (offered or accepted, not yet solved)."""
    offered_at: datetime | None = None
    passed_over: tuple[str, ...] = ()
    """Agents who let an offer of this case lapse or gave it back; skipped while others fit."""


@dataclass
class ChannelLoad:
    channel: str
    capacity: int
    load: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


@dataclass
class AgentProfile:
    user_id: str
    status: str
    status_changed_at: datetime
    created_at: datetime
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    channels: dict[str, ChannelLoad] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueStats:
    queue: Queue
    waiting: int
    offered: int
    oldest_waiting_since: datetime | None


_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def check_slug(value: str, field_name: str) -> str:
    cleaned = value.strip()
    if not _SLUG.match(cleaned):
        raise ValidationFailed(
            "invalid_routing_key",
            N_("Use 2 to 32 lower-case letters, digits or underscores, starting with a letter."),
            field=field_name,
        )
    return cleaned


def check_languages(values: Iterable[str], field_name: str = "languages") -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip() for v in values))
    if any(v not in SUPPORTED_LOCALES for v in chosen):
        raise ValidationFailed(
            "unsupported_language",
            N_("Choose languages among: {languages}."),
            field=field_name,
            languages=", ".join(SUPPORTED_LOCALES),
        )
    return chosen


def check_choices(
    values: Iterable[str], allowed: Iterable[str], field_name: str
) -> tuple[str, ...]:
    known = set(allowed)
    chosen = tuple(dict.fromkeys(v.strip() for v in values))
    if any(v not in known for v in chosen):
        raise ValidationFailed("invalid_choice", field=field_name)
    return chosen
