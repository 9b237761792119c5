"""Staff accounts: created with TOTP already on, roles granted and revoked with an audit trail,
listed for the admins (logins masked) and deactivated (every role taken, every session ended)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity import totp
from walletdesk.identity.contacts import parse_login
from walletdesk.identity.masking import mask_email, mask_phone
from walletdesk.identity.models import ContactKind
from walletdesk.identity.permissions import Role
from walletdesk.identity.registration import register
from walletdesk.identity.twofactor import enable_totp
from walletdesk.identity.vault import TOTP_SECRET, email_of, login_index, phone_of

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


@dataclass(frozen=True)
class StaffMember:
    """A staff account as the admin pages list it: the login is masked."""

    user_id: str
    display_name: str
    login: str
    roles: tuple[str, ...]
    two_factor: bool
    created_at: datetime


def staff_not_found() -> NotFound:
    return NotFound("staff_not_found", N_("There is no staff member with this id."))


def staff_members(rt: Runtime) -> list[StaffMember]:
    """Everyone who holds a staff role, by display name (the route checks `staff.manage`)."""
    with rt.db.uow(read_only=True) as uow:
        holders = uow.agent_tools.reads.staff_names()
        users = uow.users.named(ids=[user_id for user_id, _, _ in holders], login_indexes=[])
    members = []
    for user_id, name, roles in holders:
        user = users[user_id]
        phone, email = phone_of(rt.cipher, user), email_of(rt.cipher, user)
        login = mask_phone(phone) if phone else mask_email(email) if email else ""
        ordered = tuple(role.value for role in Role if role.value in roles)
        members.append(StaffMember(user_id, name, login, ordered, user.has_totp, user.created_at))
    return sorted(members, key=lambda member: (member.display_name, member.user_id))


def staff_member(rt: Runtime, user_id: str) -> StaffMember:
    for member in staff_members(rt):
        if member.user_id == user_id:
            return member
    raise staff_not_found()


def set_roles(rt: Runtime, *, user_id: str, roles: list[str], actor: Actor) -> tuple[Role, ...]:
    """Make `roles` exactly the staff member's roles: grants and revokes in one transaction,
    each audited. Taking every role away is `deactivate_staff`, which also ends the sessions;
    an admin cannot drop their own admin role (another admin must), so the last admin cannot
    lock everyone out by a slip of the mouse."""
    chosen = set(check_roles(roles))
    if not chosen:
        raise ValidationFailed(
            "staff_roles_required",
            N_("Choose at least one role. To take every role away, deactivate the account."),
            field="roles",
        )
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(user_id, for_update=True)
        current = {Role(role) for role in uow.staff_roles.roles_of(user_id)}
        if user is None or not current:
            raise staff_not_found()
        if actor.id == user_id and Role.ADMIN in current and Role.ADMIN not in chosen:
            raise Conflict(
                "own_admin_role",
                N_("You cannot take away your own admin role; ask another admin."),
                field="roles",
            )
        for role in sorted(chosen - current):
            uow.staff_roles.grant(user_id, role, now, actor.id)
            record_for_user(uow, now, actor, "role.granted", user_id, role=role)
        for role in sorted(current - chosen):
            uow.staff_roles.revoke(user_id, role)
            record_for_user(uow, now, actor, "role.revoked", user_id, role=role)
        uow.commit()
    return tuple(role for role in Role if role in chosen)


def deactivate_staff(rt: Runtime, *, user_id: str, actor: Actor) -> int:
    """Take every staff role away, sign the person out everywhere and take them off routing;
    returns how many sessions ended. Their account stays (history names them), as a plain
    user's: giving a role again (`grant_role`) brings them back. Nobody deactivates
    themselves."""
    # Routing is the support package's; identity needs it only here, so it is imported late.
    from walletdesk.support.agents import change_status
    from walletdesk.support.routing_model import AgentStatus

    if actor.id == user_id:
        raise Conflict("deactivate_self", N_("You cannot deactivate your own account."))
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(user_id, for_update=True)
        roles = sorted(uow.staff_roles.roles_of(user_id))
        if user is None or not roles:
            raise staff_not_found()
        if uow.routing.agents.get(user_id) is not None:
            change_status(rt, uow, user_id, AgentStatus.OFFLINE, now)
        for role in roles:
            uow.staff_roles.revoke(user_id, role)
            record_for_user(uow, now, actor, "role.revoked", user_id, role=role)
        ended = uow.sessions.revoke_all_for_user(user_id, now, "staff_deactivated")
        record_for_user(uow, now, actor, "staff.deactivated", user_id, roles=roles, sessions=ended)
        uow.commit()
    return ended
