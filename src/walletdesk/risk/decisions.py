"""Reading risk decisions back: for agents (a customer's recent decisions) and reviewers (the
decisions about one movement). Staff need `risk.read`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.errors import NotFound
from walletdesk.identity.access import check_permission
from walletdesk.identity.permissions import Permission
from walletdesk.risk.models import Decision

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

LIST_MAX = 200


def decisions_for_user(
    rt: Runtime, actor: Authenticated, *, user_id: str, limit: int = 50
) -> list[Decision]:
    """The customer's latest decisions, newest first."""
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        return uow.risk.decisions_of_user(user_id, limit=max(1, min(limit, LIST_MAX)))


def decisions_for_movement(
    rt: Runtime, actor: Authenticated, *, movement_id: str
) -> list[Decision]:
    """Every decision about one movement, oldest first (a movement assessed again after a
    review has two)."""
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        found = uow.risk.decisions_of_movement(movement_id)
    if not found:
        raise NotFound("decision_not_found")
    return found
