"""Reading the teams' status labels. Defining one is `casework.define_status_label` (audited);
agents read the list to know which finer states they may set, supervisors to manage them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.support.statuses import StatusLabel

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime


def status_labels(rt: Runtime) -> list[StatusLabel]:
    """Every defined label, by key."""
    with rt.db.uow(read_only=True) as uow:
        return uow.support.labels.all()
