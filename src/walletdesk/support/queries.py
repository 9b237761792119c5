"""Query parameters of the staff case list (kept apart so storage can import them cheaply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CaseFilter:
    categories: list[str] = field(default_factory=list)
    label: str | None = None
    assignee_id: str | None = None
    unassigned: bool = False
    types: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    include_bot: bool = False
    """Cases still with the bot stay out of agents' lists unless asked for."""
    breached: bool | None = None
    contact_id: str | None = None
    channels: list[str] = field(default_factory=list)
    queue_id: str | None = None
    """Cases routing placed in this queue."""
    search: str | None = None
    """Text the case's subject contains, or the case id itself."""
    before: tuple[datetime, str] | None = None
    """Keyset position: (created_at, id) of the last case of the previous page."""
