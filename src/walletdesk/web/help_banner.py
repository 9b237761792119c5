"""The banner of announced contacts: before an agent calls (or writes to) a signed-in user, the
wallet and help pages show our number and the code the agent will say.

A scammer can spoof a caller id, but cannot make this banner appear: only a contact an agent
registered through `support.contacts_registry` shows here, for its own customer and only
while its window is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from walletdesk.i18n import translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.support import contacts_registry
from walletdesk.support.verification_models import (
    CHANNEL_NAMES,
    PURPOSE_NAMES,
    ContactChannel,
    ContactPurpose,
)
from walletdesk.web.cookies import runtime_of
from walletdesk.web.rendering import page_locale


@dataclass(frozen=True)
class ContactBanner:
    is_call: bool
    source: str
    """The official number or address the contact comes from."""
    code: str
    """The code the agent says (or the message carries)."""
    agent_name: str
    channel_name: str
    purpose: str
    window_end: datetime


def pending_contacts_for(request: Request) -> list[ContactBanner]:
    """The signed-in user's announced contacts, in the page's language; none when signed out."""
    user: Authenticated | None = getattr(request.state, "page_user", None)
    if user is None:
        return []
    locale = page_locale(request)
    banners = []
    for pending in contacts_registry.pending_contacts(runtime_of(request), user):
        contact = pending.contact
        channel = ContactChannel(contact.channel)
        banners.append(
            ContactBanner(
                is_call=channel is ContactChannel.CALL,
                source=contact.source,
                code=pending.code,
                agent_name=pending.agent_name,
                channel_name=translate(CHANNEL_NAMES[channel], locale),
                purpose=translate(PURPOSE_NAMES[ContactPurpose(contact.purpose)], locale),
                window_end=contact.window_end,
            )
        )
    return banners
