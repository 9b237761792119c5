"""Security notices: a change to how someone signs in or to their wallet's state is told to
the owner on every contact we hold and in the in-app inbox, so a thief cannot hide it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.identity.models import User
from walletdesk.identity.vault import contacts_for_notice

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork


def notify_owner(
    rt: Runtime, uow: UnitOfWork, user: User, template: str, at: datetime, **params: object
) -> None:
    """Queue `template` (with its `{time}`) to every contact of `user`, inside `uow`."""
    rt.outbox.notify_user(
        uow,
        now=at,
        user=user,
        template=template,
        params={"time": at, **params},
        contacts=contacts_for_notice(rt.cipher, user),
    )
