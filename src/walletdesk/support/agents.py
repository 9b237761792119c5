"""Agents as routing sees them: status (online / away / offline), skills (languages, topics)
and a capacity per channel, with the load routing keeps.

A staff member who works cases gets a profile the first time routing needs one: offline,
their own language, the default topics (a generalist until an admin narrows it) and the
default capacities. The status here is the agent's only status: routing picks by it and chat
shows it. It changes through `change_status` inside a unit of work, called by the presence
service (`realtime_presence`): when an agent sets it (`POST /api/v1/staff/status`,
`POST /api/v1/staff/presence`, the console), when their first inbox socket opens or their last
one closes, and when the heartbeat finds their server died.

Going online or away, and more capacity or skills, dispatch waiting cases after commit;
going offline re-offers the cases offered to the agent and not yet accepted (accepted cases
stay theirs). Skill and capacity changes are admin actions and audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from walletdesk.support.access import may_work_cases
from walletdesk.support.errors import not_an_agent
from walletdesk.support.models import Channel
from walletdesk.support.routing_load import dispatch_after_commit
from walletdesk.support.routing_model import (
    CAPACITY_MAX,
    DEFAULT_CAPACITY,
    DEFAULT_TOPICS,
    AgentProfile,
    AgentStatus,
    ChannelLoad,
    check_languages,
    check_slug,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

TOPICS_MAX = 20


def profile_for(uow: UnitOfWork, user_id: str, now: datetime) -> AgentProfile:
    """The staff member's routing profile, created with the defaults on first use; refuses
    anyone who does not work cases."""
    existing = uow.routing.agents.get(user_id, for_update=True)
    if existing is not None:
        return existing
    user = uow.users.get(user_id)
    if user is None or not may_work_cases(uow.staff_roles.roles_of(user_id)):
        raise not_an_agent()
    locale = user.locale if user.locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    uow.routing.agents.add(
        AgentProfile(
            user_id=user_id,
            status=AgentStatus.OFFLINE.value,
            status_changed_at=now,
            created_at=now,
            languages=(locale,),
            topics=DEFAULT_TOPICS,
            channels={ch: ChannelLoad(ch, cap, 0) for ch, cap in DEFAULT_CAPACITY.items()},
        )
    )
    created = uow.routing.agents.get(user_id, for_update=True)
    assert created is not None
    return created


def change_status(
    rt: Runtime, uow: UnitOfWork, user_id: str, status: AgentStatus, now: datetime
) -> bool:
    """Set a staff member's status inside the caller's unit of work (the caller commits);
    False when it already was that status. Refuses anyone who does not work cases. After
    commit, taking cases dispatches waiting ones; going offline re-offers their open offers."""
    profile = profile_for(uow, user_id, now)
    if profile.status == status:
        return False
    uow.routing.agents.set_status(user_id, status.value, now)
    if status.takes_cases:
        dispatch_after_commit(rt, uow)
    else:
        uow.on_commit(lambda: _return_offers(rt, user_id))
    return True


def _return_offers(rt: Runtime, user_id: str) -> None:
    from walletdesk.support.routing_work import return_offers_of

    return_offers_of(rt, user_id)


def set_agent_skills(
    rt: Runtime,
    actor: Actor,
    user_id: str,
    *,
    languages: Sequence[str],
    topics: Sequence[str],
) -> AgentProfile:
    """Replace the agent's skills (audited)."""
    chosen_languages = check_languages(languages)
    chosen_topics = tuple(dict.fromkeys(check_slug(t, "topics") for t in topics))
    if len(chosen_topics) > TOPICS_MAX:
        raise ValidationFailed("too_many_topics", field="topics")
    now = rt.clock.now()
    with rt.db.uow() as uow:
        profile_for(uow, user_id, now)
        uow.routing.agents.set_skills(user_id, chosen_languages, chosen_topics)
        record(
            uow,
            at=now,
            actor=actor,
            action="routing.agent_skills_set",
            subject_kind="user",
            subject_id=user_id,
            details={"languages": list(chosen_languages), "topics": list(chosen_topics)},
        )
        dispatch_after_commit(rt, uow)
        uow.commit()
    return agent_profile(rt, user_id)


def set_agent_capacity(
    rt: Runtime, actor: Actor, user_id: str, capacities: Mapping[Channel, int]
) -> AgentProfile:
    """Set how many unsolved cases the agent takes at once per channel (audited). Lowering
    it below the current load takes nothing away: routing offers no more until it drops."""
    if not capacities:
        raise ValidationFailed("capacity_required", field="capacity")
    if any(not 0 <= value <= CAPACITY_MAX for value in capacities.values()):
        raise ValidationFailed("invalid_capacity", field="capacity")
    now = rt.clock.now()
    with rt.db.uow() as uow:
        profile_for(uow, user_id, now)
        for channel, value in sorted(capacities.items()):
            uow.routing.agents.set_capacity(user_id, Channel(channel).value, value)
        record(
            uow,
            at=now,
            actor=actor,
            action="routing.agent_capacity_set",
            subject_kind="user",
            subject_id=user_id,
            details={Channel(k).value: v for k, v in capacities.items()},
        )
        dispatch_after_commit(rt, uow)
        uow.commit()
    return agent_profile(rt, user_id)


def agent_profile(rt: Runtime, user_id: str) -> AgentProfile:
    with rt.db.uow(read_only=True) as uow:
        profile = uow.routing.agents.get(user_id)
    if profile is None:
        raise not_an_agent()
    return profile


def agent_profiles(rt: Runtime) -> list[AgentProfile]:
    with rt.db.uow(read_only=True) as uow:
        return uow.routing.agents.all()
