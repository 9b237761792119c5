"""Changing the phone number or email: step-up first, then proof of the new contact, then a
notice to the old one (the classic account-takeover move must never be silent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_, Text
from walletdesk.identity.codes import check_code, invalid_code, send_code
from walletdesk.identity.contacts import normalise_contact
from walletdesk.identity.factors import check_step_up
from walletdesk.identity.masking import mask_email, mask_phone
from walletdesk.identity.models import CodePurpose, ContactKind
from walletdesk.identity.registration import contact_taken
from walletdesk.identity.vault import contact_of, login_index, set_contact
from walletdesk.notify.models import Channel

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

_NEW_CONTACT = "contact_change.new"


@dataclass(frozen=True)
class ContactChangeStarted:
    expires_in: int


def start_contact_change(
    rt: Runtime,
    actor: Authenticated,
    *,
    kind: ContactKind,
    value: str,
    totp_code: str | None,
    otp_code: str | None,
    ip: str | None,
) -> ContactChangeStarted:
    new_value = normalise_contact(kind, value)
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        method = check_step_up(rt, uow, user, totp_code=totp_code, otp_code=otp_code)
        if method is None:
            uow.users.save(user)
            uow.commit()
            raise invalid_code()
        uow.users.save(user)
        if uow.users.index_taken(login_index(rt.cipher, new_value)):
            raise contact_taken()
        send_code(
            rt,
            uow,
            purpose=CodePurpose.CONTACT_VERIFY,
            kind=kind,
            destination=new_value,
            locale=user.locale,
            actor=Actor.user(user.id, ip),
            user_id=user.id,
            context_enc=rt.cipher.encrypt(f"{kind}:{new_value}", _NEW_CONTACT),
        )
        record_for_user(
            uow,
            rt.clock.now(),
            Actor.user(user.id, ip),
            "contact_change.started",
            user.id,
            kind=kind,
            step_up=method,
        )
        uow.commit()
    return ContactChangeStarted(expires_in=rt.settings.otp_ttl_seconds)


def confirm_contact_change(
    rt: Runtime,
    actor: Authenticated,
    *,
    kind: ContactKind,
    value: str,
    code: str,
    ip: str | None,
) -> None:
    new_value = normalise_contact(kind, value)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        accepted = check_code(
            rt,
            uow,
            purpose=CodePurpose.CONTACT_VERIFY,
            destination=new_value,
            code=code,
            user_id=user.id,
        )
        if accepted is None or accepted.context_enc is None:
            uow.commit()
            raise invalid_code()
        if rt.cipher.decrypt(accepted.context_enc, _NEW_CONTACT) != f"{kind}:{new_value}":
            uow.commit()
            raise ValidationFailed("contact_mismatch", field="value")
        if uow.users.index_taken(login_index(rt.cipher, new_value)):
            raise contact_taken()
        old_value = contact_of(rt.cipher, user, kind)
        set_contact(rt.cipher, user, kind, new_value)
        user.contact_changed_at = now
        user.updated_at = now
        uow.users.save(user)
        record_for_user(
            uow,
            now,
            Actor.user(user.id, ip),
            "contact.changed",
            user.id,
            kind=kind,
            had_previous=old_value is not None,
        )
        masked = mask_phone(new_value) if kind is ContactKind.PHONE else mask_email(new_value)
        notice_to = []
        if old_value is not None:
            channel = Channel.SMS if kind is ContactKind.PHONE else Channel.EMAIL
            notice_to.append((channel, old_value))
        rt.outbox.notify_user(
            uow,
            now=now,
            user=user,
            template="contact.changed",
            params={
                "kind": _kind_word(kind),
                "masked": masked,
                "time": now,
            },
            contacts=notice_to,
        )
        uow.commit()


def _kind_word(kind: ContactKind) -> Text:
    if kind is ContactKind.PHONE:
        return Text(N_("phone number"))
    return Text(N_("email address"))
