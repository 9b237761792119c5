"""Contacts and their channel identities.

Identity values are personal data, so, like `identity.vault` does for users, each is stored
encrypted (AES-GCM, bound to its kind) with a blind index (HMAC of the normal form) that finds
it again. The index space is the support desk's own (`support.identity.<kind>`), separate
from the login index: knowing a contact's phone never reveals whether it opens an account.

Channel adapters (email, IVR, WeChat) call `identify` with what they saw; the wallet's own
chat calls `contact_for_user`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.contacts import normalise_email, normalise_phone
from walletdesk.identity.models import User
from walletdesk.randomness import new_id
from walletdesk.support.models import Assurance, Contact, Identity, IdentityKind

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

_OPENID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
VISITOR_NAME = "visitor"


def purpose(kind: IdentityKind) -> str:
    return f"support.identity.{kind.value}"


def normalise(kind: IdentityKind, raw: str) -> str:
    if kind is IdentityKind.PHONE:
        return normalise_phone(raw)
    if kind is IdentityKind.EMAIL:
        return normalise_email(raw)
    value = raw.strip()
    if kind is IdentityKind.WECHAT_OPENID and not _OPENID.match(value):
        raise ValidationFailed(
            "invalid_openid", N_("This is not a valid WeChat OpenID."), field="value"
        )
    if kind is IdentityKind.WALLET_USER and not value:
        raise ValidationFailed("invalid_identity", field="value")
    return value


def identity_index(rt: Runtime, kind: IdentityKind, normalised: str) -> str:
    return rt.cipher.blind_index(normalised, purpose(kind))


def identity_value(rt: Runtime, identity: Identity) -> str:
    """The plaintext address (for an adapter that must reply to it); never log it."""
    return rt.cipher.decrypt(identity.value_enc, purpose(IdentityKind(identity.kind)))


def find_identity(rt: Runtime, uow: UnitOfWork, kind: IdentityKind, raw: str) -> Identity | None:
    normalised = normalise(kind, raw)
    return uow.support.identities.find(kind.value, identity_index(rt, kind, normalised))


def _new_identity(
    rt: Runtime,
    contact: Contact,
    kind: IdentityKind,
    normalised: str,
    assurance: Assurance,
    now: datetime,
) -> Identity:
    return Identity(
        id=new_id(rt.random, "cid"),
        contact_id=contact.id,
        kind=kind.value,
        value_index=identity_index(rt, kind, normalised),
        value_enc=rt.cipher.encrypt(normalised, purpose(kind)),
        assurance=assurance.value,
        created_at=now,
        verified_at=now if assurance.at_least(Assurance.LOGGED_IN) else None,
    )


def contact_for_user(
    rt: Runtime, uow: UnitOfWork, user: User, assurance: Assurance, now: datetime
) -> tuple[Contact, Identity]:
    """The wallet user's contact and wallet identity, created on first contact; the
    identity's assurance is raised to `assurance` (never lowered)."""
    contact = uow.support.contacts.get_by_user(user.id)
    if contact is None:
        contact = uow.support.contacts.add_for_user(
            Contact(
                id=new_id(rt.random, "ct"),
                display_name=user.display_name,
                locale=user.locale,
                created_at=now,
                user_id=user.id,
            )
        )
    identity = uow.support.identities.find(
        IdentityKind.WALLET_USER.value, identity_index(rt, IdentityKind.WALLET_USER, user.id)
    )
    if identity is None:
        identity = uow.support.identities.add_once(
            _new_identity(rt, contact, IdentityKind.WALLET_USER, user.id, assurance, now)
        )
    if identity.raise_assurance(assurance, now):
        uow.support.identities.save(identity)
    return contact, identity


def identify(
    rt: Runtime,
    uow: UnitOfWork,
    kind: IdentityKind,
    raw: str,
    *,
    assurance: Assurance,
    now: datetime,
    display_name: str = VISITOR_NAME,
    locale: str = "zh-CN",
) -> tuple[Contact, Identity]:
    """The contact behind a channel address: the known one, or a new visitor."""
    normalised = normalise(kind, raw)
    identity = uow.support.identities.find(kind.value, identity_index(rt, kind, normalised))
    if identity is not None:
        contact = uow.support.contacts.get(identity.contact_id)
        assert contact is not None, "identities reference their contact"
        if identity.raise_assurance(assurance, now):
            uow.support.identities.save(identity)
        return contact, identity
    contact = uow.support.contacts.add(
        Contact(
            id=new_id(rt.random, "ct"),
            display_name=display_name[:64],
            locale=locale,
            created_at=now,
        )
    )
    identity = uow.support.identities.add_once(
        _new_identity(rt, contact, kind, normalised, assurance, now)
    )
    if identity.contact_id != contact.id:
        # Another channel request added the same address a moment ago: use its contact.
        winner = uow.support.contacts.get(identity.contact_id)
        assert winner is not None
        contact = winner
    return contact, identity


def link_identity(
    rt: Runtime,
    uow: UnitOfWork,
    contact: Contact,
    kind: IdentityKind,
    raw: str,
    *,
    assurance: Assurance,
    now: datetime,
) -> Identity:
    """Attach an address to a known contact. An address already belonging to another
    contact is refused: merging contacts is a deliberate, separate act."""
    normalised = normalise(kind, raw)
    existing = uow.support.identities.find(kind.value, identity_index(rt, kind, normalised))
    if existing is not None:
        if existing.contact_id != contact.id:
            raise Conflict(
                "identity_taken",
                N_("This address already belongs to another contact."),
                field="value",
            )
        if existing.raise_assurance(assurance, now):
            uow.support.identities.save(existing)
        return existing
    return uow.support.identities.add(_new_identity(rt, contact, kind, normalised, assurance, now))
