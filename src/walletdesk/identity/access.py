"""The doors: every protected identity object is fetched through one of these.

Missing and forbidden look the same (NotFound), so ids reveal nothing about other users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.errors import Forbidden, NotFound
from walletdesk.identity.models import Session, User
from walletdesk.identity.permissions import Permission, has_permission

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.storage.uow import UnitOfWork


def access_session_for(uow: UnitOfWork, actor: Authenticated, session_id: str) -> Session:
    session = uow.sessions.get(session_id, for_update=True)
    if session is None or session.user_id != actor.user.id:
        raise NotFound("session_not_found")
    return session


def access_customer_for(uow: UnitOfWork, actor: Authenticated, user_id: str) -> User:
    """A customer record for a staff member who may read customers."""
    if not has_permission(actor.roles, Permission.CUSTOMER_READ):
        raise NotFound("user_not_found")
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("user_not_found")
    return user


def check_permission(actor: Authenticated, permission: Permission) -> None:
    if not has_permission(actor.roles, permission):
        raise Forbidden()
