"""Staff accounts: created with TOTP already on, roles granted and revoked with an audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity import totp
from walletdesk.identity.contacts import parse_login
from walletdesk.identity.models import ContactKind
from walletdesk.identity.permissions import Role
from walletdesk.identity.registration import register
from walletdesk.identity.twofactor import enable_totp
from walletdesk.identity.vault import TOTP_SECRET, login_index

if TYPE_CHECKING:
    from walletdesk.identity.context import RequestContext
    from walletdesk.runtime import Runtime


@dataclass(frozen=True)
class StaffCreated:
    user_id: str
    roles: tuple[str, ...]
    totp_secret: str
    otpauth_uri: str
    recovery_codes: list[str]


def check_roles(names: list[str]) -> tuple[Role, ...]:
    try:
        return tuple(Role(name) for name in names)
    except ValueError as exc:
        raise ValidationFailed(
            "invalid_role",
            N_("Unknown role. Use one of: {roles}."),
            field="roles",
            roles=", ".join(role.value for role in Role),
        ) from exc


def create_staff(
    rt: Runtime,
    *,
    login_text: str,
    password: str,
    display_name: str,
    roles: list[str],
    actor: Actor,
    request: RequestContext,
    totp_secret: str | None = None,
) -> StaffCreated:
    """Register a staff account, enrol its TOTP and grant its roles.

    `totp_secret` lets the dev-only demo seed use known secrets; real staff get a new one.
    """
    chosen = check_roles(roles)
    if not chosen:
        raise ValidationFailed("invalid_role", field="roles")
    kind, value = parse_login(login_text)
    user = register(
        rt,
        phone=value if kind is ContactKind.PHONE else None,
        email=value if kind is ContactKind.EMAIL else None,
        password=password,
        display_name=display_name,
        locale=request.locale,
        request=request,
    )
    secret = totp_secret or totp.new_secret(rt.random)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        stored = uow.users.get(user.id, for_update=True)
        assert stored is not None
        stored.totp_secret_enc = rt.cipher.encrypt(secret, TOTP_SECRET)
        codes = enable_totp(rt, uow, stored, totp.counter_at(now) - 2, actor=actor)
        for role in chosen:
            uow.staff_roles.grant(user.id, role, now, actor.id)
            record_for_user(uow, now, actor, "role.granted", user.id, role=role)
        uow.commit()
    return StaffCreated(
        user_id=user.id,
        roles=tuple(chosen),
        totp_secret=secret,
        otpauth_uri=totp.provisioning_uri(secret, value),
        recovery_codes=codes,
    )


def grant_role(rt: Runtime, *, user_id: str, role: str, actor: Actor) -> None:
    (chosen,) = check_roles([role])
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(user_id, for_update=True)
        if user is None:
            raise NotFound("user_not_found")
        if not user.has_totp:
            raise Conflict(
                "staff_totp_required",
                N_("This person must turn on two-factor sign-in before getting a staff role."),
            )
        if chosen in uow.staff_roles.roles_of(user_id):
            return
        uow.staff_roles.grant(user_id, chosen, now, actor.id)
        record_for_user(uow, now, actor, "role.granted", user_id, role=chosen)
        uow.commit()


def revoke_role(rt: Runtime, *, user_id: str, role: str, actor: Actor) -> None:
    (chosen,) = check_roles([role])
    now = rt.clock.now()
    with rt.db.uow() as uow:
        if not uow.staff_roles.revoke(user_id, chosen):
            raise NotFound("role_not_found")
        record_for_user(uow, now, actor, "role.revoked", user_id, role=chosen)
        uow.commit()


def find_user_id(rt: Runtime, login_text: str) -> str | None:
    _, value = parse_login(login_text)
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get_by_login_index(login_index(rt.cipher, value))
    return user.id if user else None
