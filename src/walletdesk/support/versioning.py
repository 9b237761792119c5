"""Optimistic locking on cases: an agent's reply, note, status change or action carries the
case `version` it was composed against. If anything happened to the case since (every
history event bumps the version), the write is refused with `case_changed` and the events
the agent has not seen yet, so they can read them and decide again.

The check runs under the case row lock (`access_case_for(..., for_update=True)`), so a change
cannot slip in between the check and the write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.history import CaseEvent
    from walletdesk.support.models import Case


class CaseChanged(Conflict):
    default_code = "case_changed"
    default_message = N_(
        "The case changed while you were writing. Read what happened and send again."
    )

    def __init__(self, *, case_id: str, current_version: int, events: list[CaseEvent]) -> None:
        super().__init__()
        self.case_id = case_id
        self.current_version = current_version
        self.events = events
        """Every event after the version the caller had, oldest first (staff only)."""


def check_version(uow: UnitOfWork, case: Case, expected: int | None) -> None:
    """Refuse the write unless the locked `case` is still at `expected` (None: no check)."""
    if expected is None or expected == case.version:
        return
    if expected > case.version or expected < 0:
        raise ValidationFailed(
            "invalid_case_version",
            N_("This case has no version {version}."),
            field="version",
            version=expected,
        )
    raise CaseChanged(
        case_id=case.id,
        current_version=case.version,
        events=uow.agent_tools.reads.events_since(case.id, expected),
    )
