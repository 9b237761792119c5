"""Verification (审核) and anti-impersonation.

- `POST /api/v1/verify-contact` and `GET /api/v1/official-channels`: "Is this really
  walletdesk?", for anyone (rate limited per IP). A signed-in caller's contact codes are
  checked against their own contacts only.
- `/api/v1/me/pending-contacts` and `/api/v1/me/verifications`: what the customer's app shows
  (announced calls with their codes; checks to confirm in the app).

The agents' side is in `verification_staff.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, Public
from walletdesk.api.deps import RuntimeDep, bearer_actor, client_ip, request_locale
from walletdesk.errors import AuthenticationFailed
from walletdesk.i18n import Text, translate
from walletdesk.notify.templates import TEMPLATES
from walletdesk.support import contacts_registry, verification_challenge
from walletdesk.support.official_channels import official_channels
from walletdesk.support.official_channels_store import hotline, official_channels_now
from walletdesk.support.verification_models import (
    CHANNEL_NAMES,
    PURPOSE_NAMES,
    REASON_NAMES,
    ContactChannel,
    ContactPurpose,
    OutboundContact,
    Reason,
    Verification,
)

router = APIRouter(tags=["verification"])


# The packaged file is verified when the API is assembled: a server with a tampered one does
# not start. Uploaded documents (`official_channels_store`) are verified whenever read.
official_channels()


class VerifyContactIn(BaseModel):
    value: str = Field(
        min_length=1,
        max_length=200,
        description="A phone number, email address, web address, WeChat ID or contact code",
        examples=["400-000-8888"],
    )


class VerifyContactOut(BaseModel):
    genuine: bool
    kind: str = Field(description="contact_code, phone, email, web, wechat or unknown")
    who: str | None = Field(default=None, description="Agent display name or channel name")
    why: str | None = Field(default=None, description="Purpose category or what the channel is")
    channel: str | None = None
    warning: str | None = Field(default=None, description="The scam warning when not genuine")


class OfficialEntryOut(BaseModel):
    kind: str
    value: str
    display: str
    name: str
    about: str
    outbound: list[str]


class OfficialChannelsOut(BaseModel):
    version: int
    issued_at: str
    entries: list[OfficialEntryOut]
    key_id: str = Field(description="Ed25519 key that signed `payload`")
    signature: str = Field(description="base64 Ed25519 signature of the canonical payload JSON")
    payload: dict[str, Any]


def _optional_user_id(rt: RuntimeDep, request: Request) -> str | None:
    """The signed-in caller, if a valid bearer token came along; anonymous otherwise."""
    if not request.headers.get("authorization"):
        return None
    try:
        return bearer_actor(rt, request, ip=client_ip(request)).user.id
    except AuthenticationFailed:
        return None


@router.post("/api/v1/verify-contact", dependencies=[Public])
def verify_contact(body: VerifyContactIn, rt: RuntimeDep, request: Request) -> VerifyContactOut:
    """Is this really walletdesk? No sign-in needed."""
    locale = request_locale(request)
    check = contacts_registry.verify_contact(
        rt, body.value, ip=client_ip(request), user_id=_optional_user_id(rt, request)
    )
    if not check.genuine:
        return VerifyContactOut(
            genuine=False,
            kind=check.kind.value,
            warning=translate(contacts_registry.SCAM_WARNING, locale, hotline=hotline(rt)),
        )
    if check.entry is not None:
        return VerifyContactOut(
            genuine=True,
            kind=check.kind.value,
            who=check.entry.name_in(locale),
            why=translate(
                contacts_registry.OFFICIAL_WHY, locale, about=check.entry.about_in(locale)
            ),
            channel=check.channel,
        )
    assert check.purpose is not None
    return VerifyContactOut(
        genuine=True,
        kind=check.kind.value,
        who=check.agent_name,
        why=translate(
            contacts_registry.CONTACT_WHY,
            locale,
            agent=check.agent_name or "",
            purpose=Text(PURPOSE_NAMES[check.purpose]),
        ),
        channel=check.channel,
    )


@router.get("/api/v1/official-channels", dependencies=[Public])
def list_official_channels(request: Request, rt: RuntimeDep) -> OfficialChannelsOut:
    registry = official_channels_now(rt)
    locale = request_locale(request)
    return OfficialChannelsOut(
        version=registry.version,
        issued_at=registry.issued_at,
        entries=[
            OfficialEntryOut(
                kind=e.kind.value,
                value=e.value,
                display=e.display,
                name=e.name_in(locale),
                about=e.about_in(locale),
                outbound=list(e.outbound),
            )
            for e in registry.entries
        ],
        key_id=registry.key_id,
        signature=registry.signature,
        payload=dict(registry.payload),
    )


class PendingContactOut(BaseModel):
    id: str
    channel: str
    source: str = Field(description="The official number or address it comes from")
    agent_name: str
    purpose: str
    purpose_text: str
    code: str = Field(description="The one-time code the agent will say or the message carries")
    window_start: datetime
    window_end: datetime
    message: str


def _contact_message(contact: OutboundContact, code: str, agent: str, locale: str) -> str:
    channel = ContactChannel(contact.channel)
    purpose = Text(PURPOSE_NAMES[ContactPurpose(contact.purpose)])
    if channel is ContactChannel.CALL:
        return translate(
            TEMPLATES[contacts_registry.CALL_NOTICE].body,
            locale,
            number=contact.source,
            minutes=int((contact.window_end - contact.window_start).total_seconds() // 60),
            purpose=purpose,
            code=code,
        )
    return translate(
        TEMPLATES[contacts_registry.MESSAGE_NOTICE].body,
        locale,
        agent=agent,
        channel=Text(CHANNEL_NAMES[channel]),
        source=contact.source,
        purpose=purpose,
        code=code,
        until=contact.window_end,
    )


@router.get("/api/v1/me/pending-contacts")
def my_pending_contacts(
    auth: CurrentUser, rt: RuntimeDep, request: Request
) -> list[PendingContactOut]:
    """Calls and messages our staff announced to you, with the code they will use."""
    locale = request_locale(request)
    return [
        PendingContactOut(
            id=p.contact.id,
            channel=p.contact.channel,
            source=p.contact.source,
            agent_name=p.agent_name,
            purpose=p.contact.purpose,
            purpose_text=translate(PURPOSE_NAMES[ContactPurpose(p.contact.purpose)], locale),
            code=p.code,
            window_start=p.contact.window_start,
            window_end=p.contact.window_end,
            message=_contact_message(p.contact, p.code, p.agent_name, locale),
        )
        for p in contacts_registry.pending_contacts(rt, auth)
    ]


class ChallengeOut(BaseModel):
    state: str = Field(description="none, requested, passed or failed")
    method: str | None = Field(description="totp or code (asked for); what passed afterwards")
    expires_at: datetime | None
    open: bool


class MyVerificationOut(BaseModel):
    id: str
    case_id: str
    reason: str
    reason_text: str
    challenge: ChallengeOut
    created_at: datetime


def challenge_out(v: Verification, now: datetime) -> ChallengeOut:
    return ChallengeOut(
        state=v.challenge_state,
        method=v.challenge_method,
        expires_at=v.challenge_expires_at,
        open=v.challenge_open(now),
    )


def _mine(v: Verification, locale: str, now: datetime) -> MyVerificationOut:
    return MyVerificationOut(
        id=v.id,
        case_id=v.case_id,
        reason=v.reason,
        reason_text=translate(REASON_NAMES[Reason(v.reason)], locale),
        challenge=challenge_out(v, now),
        created_at=v.created_at,
    )


@router.get("/api/v1/me/verifications")
def my_verifications(
    auth: CurrentUser, rt: RuntimeDep, request: Request
) -> list[MyVerificationOut]:
    """Identity checks waiting for you (confirm them in the app, never by telling a code)."""
    locale, now = request_locale(request), rt.clock.now()
    return [
        _mine(item.verification, locale, now)
        for item in verification_challenge.my_verifications(rt, auth)
    ]


class SentCodeOut(BaseModel):
    channel: str
    expires_in: int


class ChallengeAnswerIn(BaseModel):
    code: str = Field(min_length=4, max_length=16)


@router.post("/api/v1/me/verifications/{verification_id}/challenge/code")
def send_challenge_code(
    verification_id: str, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> SentCodeOut:
    sent = verification_challenge.send_challenge_code(
        rt, auth, verification_id, ip=client_ip(request)
    )
    return SentCodeOut(channel=sent.channel, expires_in=sent.expires_in)


@router.post("/api/v1/me/verifications/{verification_id}/challenge")
def answer_challenge(
    verification_id: str,
    body: ChallengeAnswerIn,
    auth: CurrentUser,
    rt: RuntimeDep,
    request: Request,
) -> MyVerificationOut:
    answered = verification_challenge.answer_challenge(
        rt, auth, verification_id, body.code, ip=client_ip(request)
    )
    return _mine(answered, request_locale(request), rt.clock.now())
