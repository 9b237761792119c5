"""Routing tables: queues, agents' status, skills and per-channel capacity with a load counter,
and each routed case's place (queue, state, rank, current agent).

The load counter (`routing_agent_channels.load`) is kept in the same transaction as the
assignment it counts, so picking an agent reads at most one row per agent and never counts
cases. The waiting index serves "the next case of this queue and channel" in rank order.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from walletdesk.storage.tables import ID, metadata
from walletdesk.storage.types import UTCDateTime

routing_queues = Table(
    "routing_queues",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name_zh", String(64), nullable=False),
    Column("name_en", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("case_types", String(200), nullable=False),
    Column("locales", String(100), nullable=False),
    Column("priorities", String(100), nullable=False),
    Column("risk_flags", String(200), nullable=False),
    Column("skill_language", String(16)),
    Column("skill_topic", String(32)),
    Column("active", Boolean, nullable=False),
    Column("rr_last_agent", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(ID)),
)

routing_agents = Table(
    "routing_agents",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("status", String(8), nullable=False),
    Column("status_changed_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

routing_agent_skills = Table(
    "routing_agent_skills",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("value", String(32), nullable=False),
    PrimaryKeyConstraint("user_id", "kind", "value", name="pk_routing_agent_skills"),
)

routing_agent_channels = Table(
    "routing_agent_channels",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("load", Integer, nullable=False),
    PrimaryKeyConstraint("user_id", "channel", name="pk_routing_agent_channels"),
)

routing_cases = Table(
    "routing_cases",
    metadata,
    Column("case_id", String(ID), ForeignKey("support_cases.id"), primary_key=True),
    Column("queue_id", String(ID), ForeignKey("routing_queues.id"), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("state", String(10), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("flags", String(200), nullable=False),
    Column("enqueued_at", UTCDateTime),
    Column("agent_id", String(ID), ForeignKey("users.id"), index=True),
    Column("offered_at", UTCDateTime),
    Column("passed_over", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_routing_cases_waiting", "state", "queue_id", "channel", "rank", "enqueued_at"),
    Index("ix_routing_cases_offered", "state", "offered_at"),
)
