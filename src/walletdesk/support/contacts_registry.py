"""Anti-impersonation: every outbound staff contact is registered, and anyone can ask "Is this
really walletdesk?" (DESIGN principle 4).

Before an agent calls, texts, emails, writes on WeChat or opens a chat with a customer, the
contact is registered (`do_register_contact`): the agent, the channel, the official number or
address it comes from (`official_channels`), the customer's destination (encrypted), a time
window and a fresh 4-digit contact code. The customer's app shows it at once (an in-app
notice and `pending_contacts`): "we will call you from 400-000-8888 within 10 minutes; the
agent will say code 4821".

`verify_contact` answers, without sign-in and rate limited per IP, whether a phone number,
email address, web address, WeChat ID or contact code is ours. A contact code is genuine only
inside its window; the answer names the agent's display name and the purpose category and
nothing else, and a signed-in customer only gets "genuine" for a code that was meant for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_, Text
from walletdesk.identity.models import User
from walletdesk.identity.vault import email_of, phone_of
from walletdesk.notify.models import Channel as NoticeChannel
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.randomness import new_id, numeric_code
from walletdesk.ratelimit import Rate
from walletdesk.support import verification_history
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.contacts import identity_value
from walletdesk.support.models import By, Case, Contact, IdentityKind
from walletdesk.support.official_channels import OfficialEntry, phone_key
from walletdesk.support.official_channels_store import official_channels_now
from walletdesk.support.verification_models import (
    CHANNEL_NAMES,
    PURPOSE_NAMES,
    ContactChannel,
    ContactPurpose,
    OutboundContact,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

CODE_DIGITS = 4
CODE_PURPOSE = "support.contact_code"
DESTINATION_PURPOSE = "support.contact_destination"
CALL_WINDOW = timedelta(minutes=10)
"""A scheduled call happens within ten minutes, and its code checks out that long."""
MESSAGE_WINDOW = timedelta(hours=24)
"""Messages (SMS, email, WeChat, chat) can be checked for a day after they were sent."""
WINDOW_MAX = timedelta(hours=72)
IN_APP = "walletdesk app"

CALL_NOTICE = "support.contact.call_scheduled"
MESSAGE_NOTICE = "support.contact.registered"
TEMPLATES[CALL_NOTICE] = Template(
    CALL_NOTICE,
    N_("walletdesk will call you"),
    N_(
        "We will call you from {number} within {minutes} minutes about {purpose}. The agent "
        "will say the code {code}: hang up if they do not. We never ask for your password "
        "or the codes we send you."
    ),
)
TEMPLATES[MESSAGE_NOTICE] = Template(
    MESSAGE_NOTICE,
    N_("walletdesk will contact you"),
    N_(
        "{agent} will contact you by {channel} from {source} about {purpose}, with the code "
        "{code}. You can check it in the app until {until}. We never ask for your password "
        "or the codes we send you."
    ),
)

SCAM_WARNING = N_(
    "This is not a walletdesk number, address or code. It may be a scam: do not pay, do not "
    "tell anyone your password or codes, and do not install apps or share your screen. Call "
    "our hotline {hotline} or write to us in the app if you are unsure."
)
OFFICIAL_WHY = N_("Official walletdesk channel: {about}")
CONTACT_WHY = N_("{agent} from walletdesk is contacting you about {purpose}.")


class ValueKind(StrEnum):
    CONTACT_CODE = "contact_code"
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    WECHAT = "wechat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RegisteredContact:
    contact: OutboundContact
    code: str
    """Shown to the agent (who says it) and the customer (who checks it); stored encrypted."""


@dataclass(frozen=True)
class PendingContact:
    contact: OutboundContact
    code: str
    agent_name: str


@dataclass(frozen=True)
class ContactCheck:
    genuine: bool
    kind: ValueKind
    channel: str | None = None
    agent_name: str | None = None
    purpose: ContactPurpose | None = None
    entry: OfficialEntry | None = None


def _no_destination(channel: ContactChannel) -> ValidationFailed:
    return ValidationFailed(
        "no_destination",
        N_("The customer has no {channel} address on file to contact."),
        field="channel",
        channel=Text(CHANNEL_NAMES[channel]),
    )


def _contact_identity(rt: Runtime, uow: UnitOfWork, contact: Contact, kind: IdentityKind) -> str:
    for identity in uow.support.identities.for_contact(contact.id):
        if identity.kind == kind:
            return identity_value(rt, identity)
    return ""


def _destination(
    rt: Runtime, uow: UnitOfWork, contact: Contact, user: User | None, channel: ContactChannel
) -> str:
    """Where the contact goes: the wallet user's registered phone or email, else the
    visitor's known address on that channel."""
    found: str | None = None
    if channel in (ContactChannel.CALL, ContactChannel.SMS):
        found = phone_of(rt.cipher, user) if user else None
        found = found or _contact_identity(rt, uow, contact, IdentityKind.PHONE)
    elif channel is ContactChannel.EMAIL:
        found = email_of(rt.cipher, user) if user else None
        found = found or _contact_identity(rt, uow, contact, IdentityKind.EMAIL)
    elif channel is ContactChannel.WECHAT:
        found = _contact_identity(rt, uow, contact, IdentityKind.WECHAT_OPENID)
    elif user is not None:
        found = user.id  # in-app chat reaches the wallet user in the app
    if not found:
        raise _no_destination(channel)
    return found


def _source(rt: Runtime, uow: UnitOfWork, channel: ContactChannel) -> str:
    if channel is ContactChannel.CHAT:
        return IN_APP
    entry = official_channels_now(rt, uow).outbound_source(channel.value)
    if entry is None:
        raise Conflict(
            "no_official_channel",
            N_("walletdesk has no official {channel} channel to contact customers from."),
            channel=Text(CHANNEL_NAMES[channel]),
        )
    return entry.address or entry.display


def _fresh_code(rt: Runtime, uow: UnitOfWork, now: datetime) -> tuple[str, str]:
    """A code no contact that has not ended yet uses, with its digest."""
    for _ in range(50):
        code = numeric_code(rt.random, CODE_DIGITS)
        digest = rt.cipher.keyed_digest(code, CODE_PURPOSE)
        if not uow.verification.contacts.code_taken(digest, now):
            return code, digest
    # 50 misses in a row means thousands of contacts are live at once: the 4-digit space is
    # too small for this deployment, and reusing a code would make the check ambiguous.
    raise Conflict("contact_codes_exhausted", N_("Please try again in a few minutes."))


def do_register_contact(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    case: Case,
    agent: User,
    channel: ContactChannel,
    purpose: ContactPurpose,
    now: datetime,
    window: timedelta | None = None,
    verification_id: str | None = None,
) -> RegisteredContact:
    """Register an outbound contact on `case` (whose row the caller holds) before it happens:
    the in-app notice, the case event and the audit entry are written with it."""
    span = window or (CALL_WINDOW if channel is ContactChannel.CALL else MESSAGE_WINDOW)
    if span <= timedelta(0) or span > WINDOW_MAX:
        raise ValidationFailed("invalid_window", field="window_minutes")
    contact = uow.support.contacts.get(case.contact_id)
    assert contact is not None, "cases reference their contact"
    user = uow.users.get(contact.user_id) if contact.user_id else None
    destination = _destination(rt, uow, contact, user, channel)
    code, digest = _fresh_code(rt, uow, now)
    registered = OutboundContact(
        id=new_id(rt.random, "oc"),
        contact_id=contact.id,
        user_id=user.id if user else None,
        agent_id=agent.id,
        channel=channel.value,
        purpose=purpose.value,
        source=_source(rt, uow, channel),
        destination_enc=rt.cipher.encrypt(destination, DESTINATION_PURPOSE),
        code_digest=digest,
        code_enc=rt.cipher.encrypt(code, CODE_PURPOSE),
        window_start=now,
        window_end=now + span,
        created_at=now,
        case_id=case.id,
        verification_id=verification_id,
    )
    uow.verification.contacts.add(registered)
    verification_history.contact_registered(rt, uow, case, By.agent(agent.id), now, registered)
    if user is not None:
        _notify(rt, uow, user, agent, registered, code, now)
    record(
        uow,
        at=now,
        actor=Actor.staff(agent.id),
        action="support.contact_registered",
        subject_kind="case",
        subject_id=case.id,
        details={
            "contact_id": registered.id,
            "channel": registered.channel,
            "purpose": registered.purpose,
            "window_end": registered.window_end.isoformat(),
        },
    )
    return RegisteredContact(registered, code)


def _notify(
    rt: Runtime,
    uow: UnitOfWork,
    user: User,
    agent: User,
    contact: OutboundContact,
    code: str,
    now: datetime,
) -> None:
    channel = ContactChannel(contact.channel)
    purpose = Text(PURPOSE_NAMES[ContactPurpose(contact.purpose)])
    if channel is ContactChannel.CALL:
        template = CALL_NOTICE
        params: dict[str, object] = {
            "number": contact.source,
            "minutes": int((contact.window_end - contact.window_start).total_seconds() // 60),
            "purpose": purpose,
            "code": code,
        }
    else:
        template = MESSAGE_NOTICE
        params = {
            "agent": agent.display_name,
            "channel": Text(CHANNEL_NAMES[channel]),
            "source": contact.source,
            "purpose": purpose,
            "code": code,
            "until": contact.window_end,
        }
    rt.outbox.enqueue(
        uow,
        now=now,
        channel=NoticeChannel.INAPP,
        template=template,
        params=params,
        locale=user.locale,
        user_id=user.id,
        destination=None,
    )


def register_contact(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    channel: ContactChannel,
    purpose: ContactPurpose,
    window: timedelta | None = None,
) -> RegisteredContact:
    """An agent announces an outbound contact on a case (calls for a verification go through
    `verification.schedule_call`, which links them to it)."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        assert actor.user_id is not None
        agent = uow.users.get(actor.user_id)
        assert agent is not None
        registered = do_register_contact(
            rt,
            uow,
            case=case,
            agent=agent,
            channel=channel,
            purpose=purpose,
            now=now,
            window=window,
        )
        uow.support.cases.save(case)
        uow.commit()
    return registered


def pending_contacts(rt: Runtime, auth: Authenticated) -> list[PendingContact]:
    """The signed-in customer's announced contacts that are still to come or under way."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        contacts = uow.verification.contacts.pending_for_user(auth.user.id, now)
        names: dict[str, str] = {}
        for contact in contacts:
            if contact.agent_id not in names:
                agent = uow.users.get(contact.agent_id)
                names[contact.agent_id] = agent.display_name if agent else ""
    return [
        PendingContact(c, rt.cipher.decrypt(c.code_enc, CODE_PURPOSE), names[c.agent_id])
        for c in contacts
    ]


_CODE = re.compile(r"^\d{4}$")
_WECHAT_ID = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")
_DOMAIN_LIKE = re.compile(r"^[^\s/@]+\.[^\s/@]+(?:[/?#]\S*)?$")


def classify(value: str) -> ValueKind:
    text = value.strip()
    if _CODE.match(re.sub(r"[\s\-]", "", text)):
        return ValueKind.CONTACT_CODE
    if "@" in text and "://" not in text:
        return ValueKind.EMAIL
    if phone_key(text):
        return ValueKind.PHONE
    if "://" in text or text.lower().startswith("www.") or _DOMAIN_LIKE.match(text):
        return ValueKind.WEB
    if _WECHAT_ID.match(text):
        return ValueKind.WECHAT
    return ValueKind.UNKNOWN


def verify_contact(
    rt: Runtime, value: str, *, ip: str | None, user_id: str | None = None
) -> ContactCheck:
    """Is `value` ours? Counts against the caller's IP first (`rate_verify_contact_ip`)."""
    rt.limiter.hit("verify_contact_ip", ip or "-", Rate.parse(rt.settings.rate_verify_contact_ip))
    kind = classify(value)
    if kind is ValueKind.CONTACT_CODE:
        return _check_code(rt, re.sub(r"[\s\-]", "", value.strip()), user_id)
    registry = official_channels_now(rt)
    entry = {
        ValueKind.PHONE: registry.match_phone,
        ValueKind.EMAIL: registry.match_email,
        ValueKind.WEB: registry.match_web,
        ValueKind.WECHAT: registry.match_wechat,
    }.get(kind, lambda _: None)(value)
    if entry is None:
        return ContactCheck(False, kind)
    channel = entry.outbound[0] if entry.outbound else kind.value
    return ContactCheck(True, kind, channel=channel, entry=entry)


def _check_code(rt: Runtime, code: str, user_id: str | None) -> ContactCheck:
    now = rt.clock.now()
    digest = rt.cipher.keyed_digest(code, CODE_PURPOSE)
    with rt.db.uow(read_only=True) as uow:
        live = uow.verification.contacts.live_with_code(digest, now)
        if user_id is not None:
            live = [c for c in live if c.user_id == user_id]
        if not live:
            return ContactCheck(False, ValueKind.CONTACT_CODE)
        contact = live[0]
        agent = uow.users.get(contact.agent_id)
    return ContactCheck(
        True,
        ValueKind.CONTACT_CODE,
        channel=contact.channel,
        agent_name=agent.display_name if agent else None,
        purpose=ContactPurpose(contact.purpose),
    )
