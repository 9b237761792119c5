"""A subscriber to case events: where to POST them, the secret that signs them, and which
event kinds it wants (none named: all of them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseWebhook:
    id: str
    url: str
    secret_enc: str
    kinds: frozenset[str]
    active: bool
    created_by: str | None
    created_at: datetime
    disabled_at: datetime | None = None

    def wants(self, kind: str) -> bool:
        return self.active and (not self.kinds or kind in self.kinds)
