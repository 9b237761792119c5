"""Storage for agents' routing profiles: status, skills, per-channel capacity and load.

The pick (`AgentRepository.pick`) is one query over at most one row per agent: status, the
channel's load counter against its capacity, and the queue's skills; ordered online first,
then least load, then round robin after the queue's pointer. `reserve` takes the slot with a
conditional increment, so two transactions racing for an agent's last slot cannot both get it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    insert,
    literal,
    select,
    update,
)

from walletdesk.storage import tables_routing as r
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.support.routing_model import (
    AgentProfile,
    AgentStatus,
    ChannelLoad,
    SkillKind,
)

_TAKING = [AgentStatus.ONLINE.value, AgentStatus.AWAY.value]


def _pick_params(
    channel: str,
    language: str | None,
    topic: str | None,
    pointer: str | None,
    excluded: Sequence[str],
) -> dict[str, Any]:
    params: dict[str, Any] = {"slot_channel": channel, "pointer": pointer or ""}
    if language is not None:
        params["language"] = language
    if topic is not None:
        params["topic"] = topic
    if excluded:
        params["excluded"] = list(excluded)
    return params


@functools.cache
def _best_agent(language: bool, topic: bool, excluded: bool) -> Select[tuple[str]]:
    """The ranked pick, built once per shape with bound parameters (building a statement
    costs more Python time than running this one)."""
    a = r.routing_agents.c
    slots = r.routing_agent_channels.alias("slot")  # never correlated to an outer UPDATE
    ch = slots.c
    s = r.routing_agent_skills.c
    statement = (
        select(a.user_id)
        .join(slots, and_(ch.user_id == a.user_id, ch.channel == bindparam("slot_channel")))
        .where(a.status.in_(_TAKING), ch.load < ch.capacity)
    )
    for kind, wanted in ((SkillKind.LANGUAGE, language), (SkillKind.TOPIC, topic)):
        if wanted:
            statement = statement.where(
                exists().where(
                    s.user_id == a.user_id,
                    s.kind == kind.value,
                    s.value == bindparam(kind.value),
                )
            )
    if excluded:
        statement = statement.where(a.user_id.not_in(bindparam("excluded", expanding=True)))
    after_pointer = case((a.user_id > bindparam("pointer"), 0), else_=1)
    online_first = case((a.status == AgentStatus.ONLINE.value, 0), else_=1)
    return statement.order_by(online_first, ch.load, after_pointer, a.user_id).limit(1)


_SLOTS = r.routing_agent_channels
_RESERVE = (
    update(_SLOTS)
    .where(
        _SLOTS.c.user_id == bindparam("agent_id"),
        _SLOTS.c.channel == bindparam("slot_channel"),
        _SLOTS.c.load < _SLOTS.c.capacity,
    )
    .values(load=_SLOTS.c.load + 1)
)


@functools.cache
def _take_best_agent(language: bool, topic: bool, excluded: bool) -> Update:
    ch = r.routing_agent_channels
    return (
        update(ch)
        .where(
            ch.c.user_id == _best_agent(language, topic, excluded).scalar_subquery(),
            ch.c.channel == bindparam("slot_channel"),
            ch.c.load < ch.c.capacity,
        )
        .values(load=ch.c.load + 1)
        .returning(ch.c.user_id)
    )


class AgentRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, user_id: str, *, for_update: bool = False) -> AgentProfile | None:
        statement = select(r.routing_agents).where(r.routing_agents.c.user_id == user_id)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        if row is None:
            return None
        return self._profiles([row])[0]

    def all(self) -> list[AgentProfile]:
        rows = self.connection.execute(
            select(r.routing_agents).order_by(r.routing_agents.c.user_id)
        ).all()
        return self._profiles(rows)

    def _profiles(self, rows: Sequence[Row[Any]]) -> list[AgentProfile]:
        ids = [row.user_id for row in rows]
        skills: dict[str, dict[str, list[str]]] = {i: {"language": [], "topic": []} for i in ids}
        channels: dict[str, dict[str, ChannelLoad]] = {i: {} for i in ids}
        if ids:
            s = r.routing_agent_skills.c
            for skill in self.connection.execute(
                select(s.user_id, s.kind, s.value)
                .where(s.user_id.in_(ids))
                .order_by(s.user_id, s.kind, s.value)
            ):
                skills[skill.user_id].setdefault(skill.kind, []).append(skill.value)
            ch = r.routing_agent_channels.c
            for slot in self.connection.execute(
                select(r.routing_agent_channels)
                .where(ch.user_id.in_(ids))
                .order_by(ch.user_id, ch.channel)
            ):
                channels[slot.user_id][slot.channel] = ChannelLoad(
                    slot.channel, slot.capacity, slot.load
                )
        return [
            AgentProfile(
                user_id=row.user_id,
                status=row.status,
                status_changed_at=row.status_changed_at,
                created_at=row.created_at,
                languages=tuple(skills[row.user_id][SkillKind.LANGUAGE.value]),
                topics=tuple(skills[row.user_id][SkillKind.TOPIC.value]),
                channels=channels[row.user_id],
            )
            for row in rows
        ]

    def add(self, profile: AgentProfile) -> bool:
        """Insert a new profile with its skills and channels; False when one exists."""
        inserted = self.connection.execute(
            insert_ignoring_conflicts(self.connection, r.routing_agents).values(
                user_id=profile.user_id,
                status=profile.status,
                status_changed_at=profile.status_changed_at,
                created_at=profile.created_at,
            )
        ).rowcount
        if not inserted:
            return False
        self.set_skills(profile.user_id, profile.languages, profile.topics)
        for slot in profile.channels.values():
            self.set_capacity(profile.user_id, slot.channel, slot.capacity)
        return True

    def statuses(self, user_ids: Sequence[str]) -> dict[str, tuple[str, datetime]]:
        """(status, when it changed) of those of `user_ids` who have a profile."""
        if not user_ids:
            return {}
        a = r.routing_agents.c
        rows = self.connection.execute(
            select(a.user_id, a.status, a.status_changed_at).where(a.user_id.in_(user_ids))
        )
        return {row.user_id: (row.status, row.status_changed_at) for row in rows}

    def set_status(self, user_id: str, status: str, at: datetime) -> None:
        self.connection.execute(
            update(r.routing_agents)
            .where(r.routing_agents.c.user_id == user_id)
            .values(status=status, status_changed_at=at)
        )

    def set_skills(self, user_id: str, languages: Sequence[str], topics: Sequence[str]) -> None:
        s = r.routing_agent_skills
        self.connection.execute(delete(s).where(s.c.user_id == user_id))
        rows = [
            {"user_id": user_id, "kind": SkillKind.LANGUAGE.value, "value": v} for v in languages
        ]
        rows += [{"user_id": user_id, "kind": SkillKind.TOPIC.value, "value": v} for v in topics]
        if rows:
            self.connection.execute(insert(s), rows)

    def _ensure_channel(self, user_id: str, channel: str) -> None:
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, r.routing_agent_channels).values(
                user_id=user_id, channel=channel, capacity=0, load=0
            )
        )

    def set_capacity(self, user_id: str, channel: str, capacity: int) -> None:
        self._ensure_channel(user_id, channel)
        ch = r.routing_agent_channels
        self.connection.execute(
            update(ch)
            .where(ch.c.user_id == user_id, ch.c.channel == channel)
            .values(capacity=capacity)
        )

    def add_load(self, user_id: str, channel: str, delta: int) -> None:
        """Count a case in (+1) or out (-1) of an agent's load, whatever the capacity: a
        person may give an agent more than routing would. Never below zero."""
        self._ensure_channel(user_id, channel)
        ch = r.routing_agent_channels
        self.connection.execute(
            update(ch)
            .where(ch.c.user_id == user_id, ch.c.channel == channel)
            .values(load=case((ch.c.load + delta < 0, 0), else_=ch.c.load + delta))
        )

    def reserve(self, user_id: str, channel: str) -> bool:
        """Take one free slot of the agent's channel; False when it is full (after waiting for
        a concurrent transaction holding the row, whose outcome the check then sees)."""
        taken = self.connection.execute(
            _RESERVE, {"agent_id": user_id, "slot_channel": channel}
        ).rowcount
        return bool(taken)

    def pick(
        self,
        *,
        channel: str,
        language: str | None,
        topic: str | None,
        pointer: str | None,
        excluded: Sequence[str] = (),
    ) -> str | None:
        """The best agent for a queue's case on `channel`: taking cases, with the skills and
        a free slot; online before away, then least load, then the first after `pointer` in
        id order (wrapping round)."""
        shape = (language is not None, topic is not None, bool(excluded))
        row = self.connection.execute(
            _best_agent(*shape), _pick_params(channel, language, topic, pointer, excluded)
        ).first()
        return row.user_id if row else None

    def take_best(
        self,
        *,
        channel: str,
        language: str | None,
        topic: str | None,
        pointer: str | None,
        excluded: Sequence[str] = (),
    ) -> str | None:
        """`pick` then `reserve`: the best agent's load goes up by one if they still have room
        when their row is locked. None when nobody fits, or when a concurrent transaction took
        the best agent's last slot first (`pick` then tells the two apart). On PostgreSQL it
        is one statement, saving a round trip; SQLite (no round trips, and slower at the
        UPDATE with a subquery) runs the two."""
        if self.connection.dialect.name != "postgresql":
            agent = self.pick(
                channel=channel, language=language, topic=topic, pointer=pointer, excluded=excluded
            )
            return agent if agent and self.reserve(agent, channel) else None
        shape = (language is not None, topic is not None, bool(excluded))
        row = self.connection.execute(
            _take_best_agent(*shape), _pick_params(channel, language, topic, pointer, excluded)
        ).first()
        return row.user_id if row else None

    def any_free(self) -> bool:
        """Whether any agent taking cases has a free slot on some channel."""
        a = r.routing_agents.c
        ch = r.routing_agent_channels.c
        row = self.connection.execute(
            select(literal(1))
            .select_from(r.routing_agents)
            .join(r.routing_agent_channels, ch.user_id == a.user_id)
            .where(a.status.in_(_TAKING), ch.load < ch.capacity)
            .limit(1)
        ).first()
        return row is not None
