"""Stored risk configuration: rule-set versions, list entries and snoozes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RuleSetVersion:
    """One stored rule file. Versions only grow; the active one is the latest. Version 0 is
    the packaged default (`default_rules.yaml`), in force until a supervisor stores one."""

    version: int
    source: str
    sha256: str
    rule_count: int
    comment: str
    created_at: datetime
    created_by: str | None
    based_on: int | None = None
    """For a rollback: the earlier version whose file this one restores."""


@dataclass
class ListEntry:
    id: str
    kind: str
    value: str
    """Account or payee id, device fingerprint, phone blind index, or the CIDR text."""
    label: str
    """What staff see: the id, a masked phone, the network."""
    reason: str
    created_at: datetime
    created_by: str | None
    range_start: str | None = None
    range_end: str | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass
class Snooze:
    """Rule `rule_id` does not fire for customer `user_id` while ``now < until``."""

    id: str
    user_id: str
    rule_id: str
    until: datetime
    reason: str
    created_at: datetime
    created_by: str | None
    lifted_at: datetime | None = None
    lifted_by: str | None = None

    def active_at(self, now: datetime) -> bool:
        return self.lifted_at is None and now < self.until
