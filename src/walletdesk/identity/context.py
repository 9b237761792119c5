"""Where a request came from: what services need to know about the caller's connection."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str | None = None
    device_id: str | None = None
    """A stable id the client keeps (app install id, or the pages' device cookie)."""
    locale: str | None = None
