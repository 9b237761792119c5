"""What a user sees of their own account, and what staff see of a customer (masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.i18n import normalise_locale
from walletdesk.identity.access import access_customer_for
from walletdesk.identity.models import User
from walletdesk.identity.registration import check_display_name
from walletdesk.identity.vault import email_of, masked_contacts, phone_of, real_name_of

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime


@dataclass(frozen=True)
class Profile:
    id: str
    display_name: str
    phone: str | None
    email: str | None
    real_name: str | None
    id_number: str | None
    """Masked for everyone, the owner included: the full number is never shown again."""
    locale: str
    kyc_tier: int
    two_factor: bool
    frozen: bool
    frozen_at: datetime | None
    roles: tuple[str, ...]
    password_reset_at: datetime | None
    created_at: datetime


def own_profile(rt: Runtime, actor: Authenticated) -> Profile:
    """The owner sees their own contacts in full."""
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(actor.user.id)
        assert user is not None
        roles = uow.staff_roles.roles_of(user.id)
    masked = masked_contacts(rt.cipher, user)
    return _profile(
        user,
        phone_of(rt.cipher, user),
        email_of(rt.cipher, user),
        roles,
        real_name=real_name_of(rt.cipher, user),
        id_number=masked["id_number"],
    )


def customer_profile(rt: Runtime, actor: Authenticated, user_id: str) -> Profile:
    """Staff see a customer masked (138****1234); revealing comes with a reason, later."""
    with rt.db.uow(read_only=True) as uow:
        user = access_customer_for(uow, actor, user_id)
        roles = uow.staff_roles.roles_of(user.id)
    masked = masked_contacts(rt.cipher, user)
    return _profile(
        user,
        masked["phone"],
        masked["email"],
        roles,
        real_name=masked["real_name"],
        id_number=masked["id_number"],
    )


def _profile(
    user: User,
    phone: str | None,
    email: str | None,
    roles: frozenset[str],
    *,
    real_name: str | None,
    id_number: str | None,
) -> Profile:
    return Profile(
        id=user.id,
        display_name=user.display_name,
        phone=phone,
        email=email,
        real_name=real_name,
        id_number=id_number,
        locale=user.locale,
        kyc_tier=user.kyc_tier,
        two_factor=user.has_totp,
        frozen=user.is_frozen,
        frozen_at=user.frozen_at,
        roles=tuple(sorted(roles)),
        password_reset_at=user.password_reset_at,
        created_at=user.created_at,
    )


def update_profile(
    rt: Runtime,
    actor: Authenticated,
    *,
    display_name: str | None,
    locale: str | None,
    ip: str | None,
) -> Profile:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        changed: dict[str, object] = {}
        if display_name is not None:
            user.display_name = check_display_name(display_name)
            changed["display_name"] = True
        if locale is not None:
            user.locale = normalise_locale(locale)
            changed["locale"] = user.locale
        if changed:
            user.updated_at = now
            uow.users.save(user)
            record(
                uow,
                at=now,
                actor=Actor.user(user.id, ip),
                action="profile.updated",
                subject_kind="user",
                subject_id=user.id,
                details=changed,
            )
        uow.commit()
    return own_profile(rt, actor)
