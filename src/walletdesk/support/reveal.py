"""Revealing a customer's masked field from a case (DESIGN principle 5): with a reason tied to
the case, for a few minutes, and read-audited.

Only the contact details and identity fields walletdesk stores encrypted can be revealed:
phone, email, real name and ID number. Passwords, one-time codes, TOTP secrets and full card
numbers cannot: they are not stored in a readable form at all. A reveal needs
`customer.reveal` (senior agents, supervisors) and a reason; it writes an audit entry
(`customer.field_revealed`) and a grant that lets the same person see that field, on that
case only, until it expires on the injected clock. Every later view of a revealed field in
the customer-360 panel is audited too (`customer.field_read`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Forbidden, NotFound, ValidationFailed
from walletdesk.fieldcrypt import FieldCipher
from walletdesk.i18n import N_
from walletdesk.identity.models import User
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.identity.vault import email_of, id_number_of, phone_of, real_name_of
from walletdesk.randomness import new_id
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.models import Case

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

REVEAL_FOR = timedelta(minutes=5)
REASON_MIN = 4
REASON_MAX = 200

OPENERS: dict[str, Callable[[FieldCipher, User], str | None]] = {
    "phone": phone_of,
    "email": email_of,
    "real_name": real_name_of,
    "id_number": id_number_of,
}
"""The fields that may be revealed, and how each is decrypted."""


@dataclass(frozen=True)
class RevealGrant:
    id: str
    case_id: str
    staff_id: str
    user_id: str
    field: str
    reason: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Revealed:
    grant: RevealGrant
    value: str


def customer_of(uow: UnitOfWork, case: Case) -> User:
    """The wallet user a case is about; NotFound for a visitor we only know by a channel."""
    contact = uow.support.contacts.get(case.contact_id)
    user = uow.users.get(contact.user_id) if contact and contact.user_id else None
    if user is None:
        raise NotFound("case_has_no_customer", N_("This case is not linked to a wallet account."))
    return user


def check_field(name: str) -> str:
    if name not in OPENERS:
        raise ValidationFailed(
            "field_not_revealable",
            N_(
                "Only the phone number, email, real name and ID number can be revealed. "
                "Passwords, codes and card numbers are never shown."
            ),
            field="field",
        )
    return name


def reveal(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    field: str,
    reason: str,
    ip: str | None = None,
) -> Revealed:
    """The full value of one field of the case's customer, for `REVEAL_FOR`."""
    if not has_permission(actor.roles, Permission.CUSTOMER_REVEAL):
        raise Forbidden(
            "reveal_forbidden",
            N_("Ask a senior agent or a supervisor: you may not reveal customer details."),
        )
    check_field(field)
    text = " ".join(reason.split())[:REASON_MAX]
    if len(text) < REASON_MIN:
        raise ValidationFailed(
            "reveal_reason_required",
            N_("Say why you need to see this, for this case."),
            field="reason",
        )
    assert actor.user_id is not None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id)
        if case.is_closed:
            raise CaseIsClosed()  # a reveal serves work on the case, not a look-up later
        user = customer_of(uow, case)
        value = OPENERS[field](rt.cipher, user)
        if value is None:
            raise NotFound("field_empty", N_("The customer has not given this detail."))
        grant = uow.agent_tools.reveals.add(
            RevealGrant(
                id=new_id(rt.random, "rvl"),
                case_id=case.id,
                staff_id=actor.user_id,
                user_id=user.id,
                field=field,
                reason=text,
                created_at=now,
                expires_at=now + REVEAL_FOR,
            )
        )
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user_id, ip),
            action="customer.field_revealed",
            subject_kind="user",
            subject_id=user.id,
            details={
                "field": field,
                "case_id": case.id,
                "reason": text,
                "grant_id": grant.id,
                "expires_at": grant.expires_at.isoformat(),
            },
        )
        uow.commit()
    return Revealed(grant, value)


def revealed_fields(
    rt: Runtime, uow: UnitOfWork, actor: SupportActor, case: Case, user: User
) -> dict[str, Revealed]:
    """The fields this actor revealed on this case that have not expired, with their values
    (the latest grant per field)."""
    if actor.user_id is None:
        return {}
    found: dict[str, Revealed] = {}
    for grant in uow.agent_tools.reveals.active(actor.user_id, case.id, rt.clock.now()):
        if grant.user_id != user.id or grant.field not in OPENERS:
            continue
        value = OPENERS[grant.field](rt.cipher, user)
        if value is not None:
            found[grant.field] = Revealed(grant, value)
    return found
