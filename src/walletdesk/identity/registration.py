"""Creating wallet accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_, normalise_locale
from walletdesk.identity.contacts import normalise_email, normalise_phone
from walletdesk.identity.models import ContactKind, Locale, User
from walletdesk.identity.passwords import check_password_policy
from walletdesk.identity.vault import login_index, set_contact
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.identity.context import RequestContext
    from walletdesk.runtime import Runtime

DISPLAY_NAME_MAX = 32


def check_display_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            "invalid_display_name",
            N_("Enter a display name of 1 to {max} characters."),
            field="display_name",
            max=DISPLAY_NAME_MAX,
        )
    return name


def contact_taken() -> Conflict:
    return Conflict(
        "contact_taken",
        N_("This phone number or email is already registered. Sign in or reset your password."),
    )


def register(
    rt: Runtime,
    *,
    phone: str | None,
    email: str | None,
    password: str,
    display_name: str,
    locale: str | None,
    request: RequestContext,
) -> User:
    """check_register: validate everything, then create the user with a welcome notice."""
    if not phone and not email:
        raise ValidationFailed(
            "contact_required",
            N_("Enter a mainland China mobile number or an email address."),
            field="phone",
        )
    contacts: list[tuple[ContactKind, str]] = []
    if phone:
        contacts.append((ContactKind.PHONE, normalise_phone(phone)))
    if email:
        contacts.append((ContactKind.EMAIL, normalise_email(email)))
    name = check_display_name(display_name)
    hints = [name] + [value for _, value in contacts]
    hints += [value.split("@")[0] for kind, value in contacts if kind is ContactKind.EMAIL]
    check_password_policy(password, user_inputs=hints)
    now = rt.clock.now()
    user = User(
        id=new_id(rt.random, "usr"),
        display_name=name,
        locale=normalise_locale(locale or request.locale or Locale.ZH_CN),
        kyc_tier=0,
        password_hash=rt.passwords.hash(password),
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    for kind, value in contacts:
        set_contact(rt.cipher, user, kind, value)
    with rt.db.uow() as uow:
        if any(uow.users.index_taken(login_index(rt.cipher, value)) for _, value in contacts):
            raise contact_taken()
        uow.users.add(user)
        record(
            uow,
            at=now,
            actor=Actor.user(user.id, request.ip),
            action="user.registered",
            subject_kind="user",
            subject_id=user.id,
            details={"contacts": [kind.value for kind, _ in contacts]},
        )
        rt.outbox.notify_user(
            uow,
            now=now,
            user=user,
            template="account.welcome",
            params={"name": user.display_name},
            contacts=[],
        )
        uow.commit()
    return user
