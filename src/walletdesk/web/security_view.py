"""What the security centre shows: built once here for the page and for every form result.

Each form on the page has a name (`SECTIONS`); a failed post re-renders the whole page with
that form's values and messages. Panels that exist only right after a post (the QR code of a
new authenticator, fresh recovery codes, the second step of a contact change) are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from fastapi import Request, Response

from walletdesk.clock import as_utc
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.identity import totp
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.freeze import FREEZE_REASONS, NOTE_MAX
from walletdesk.identity.profile import own_profile
from walletdesk.identity.sessions import list_sessions
from walletdesk.identity.twofactor import recovery_codes_left
from walletdesk.runtime import Runtime
from walletdesk.web.forms import FormState, failed_form, failure_headers, failure_status
from walletdesk.web.rendering import page_locale, page_text, render

SECTIONS: Final = (
    "freeze",
    "unfreeze",
    "totp",
    "totp_confirm",
    "totp_disable",
    "recovery",
    "password",
    "contact",
    "contact_confirm",
    "sessions",
)

FREEZE_REASON_LABELS: Final = {
    "lost_phone": N_("I lost my phone"),
    "suspected_theft": N_("My phone or account may have been stolen"),
    "suspicious_activity": N_("I see activity I do not recognise"),
    "other": N_("Another reason"),
}
SESSION_KIND_LABELS: Final = {"web": N_("Browser"), "api": N_("App")}
UNKNOWN_DEVICE: Final = N_("Unknown device")

STEP_UP_ALIASES: Final = {"invalid_code": "step_up_code", "step_up_required": "step_up_code"}

_BASE32_SECRET = re.compile(r"^[A-Z2-7]{16,64}$")
_URI_MAX = 512


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


@dataclass(frozen=True)
class PendingContact:
    kind: str
    value: str


def enrolment_from_form(secret: str, otpauth_uri: str) -> Enrolment | None:
    """Show the same authenticator set-up again after a wrong code (the pending secret is
    kept by the service, which checks the code; these fields only redraw what the page showed).
    Anything that does not look like what `begin_totp` gave is dropped."""
    if not _BASE32_SECRET.match(secret) or len(otpauth_uri) > _URI_MAX:
        return None
    if not otpauth_uri.startswith("otpauth://totp/") or f"secret={secret}" not in otpauth_uri:
        return None
    return Enrolment(secret, otpauth_uri, totp.qr_svg_data_uri(otpauth_uri))


def step_up_codes(actor: Authenticated, code: str) -> tuple[str | None, str | None]:
    """One code box on the page; services want it as (totp_code, otp_code): an authenticator
    or recovery code when two-factor sign-in is on, else the code we sent."""
    cleaned = code.strip() or None
    return (cleaned, None) if actor.user.has_totp else (None, cleaned)


@dataclass(frozen=True)
class SessionRow:
    id: str
    device: str
    kind: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


def _session_rows(request: Request, rt: Runtime, actor: Authenticated) -> list[SessionRow]:
    rows = []
    for view in list_sessions(rt, actor):
        device = view.device_name
        if device == "Unknown device":
            device = page_text(request, UNKNOWN_DEVICE)
        kind = SESSION_KIND_LABELS.get(view.kind)
        rows.append(
            SessionRow(
                id=view.id,
                device=device,
                kind=page_text(request, kind) if kind else view.kind,
                ip=view.ip,
                created_at=view.created_at,
                last_seen_at=view.last_seen_at,
                current=view.current,
            )
        )
    # This device first, then the most recently seen.
    rows.sort(key=lambda row: (not row.current, -as_utc(row.last_seen_at).timestamp()))
    return rows


def render_security(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    *,
    forms: Mapping[str, FormState] | None = None,
    enrolment: Enrolment | None = None,
    recovery_codes: Iterable[str] | None = None,
    pending_contact: PendingContact | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    profile = own_profile(rt, actor)
    states = {name: FormState() for name in SECTIONS}
    states.update(forms or {})
    reasons = [(value, page_text(request, FREEZE_REASON_LABELS[value])) for value in FREEZE_REASONS]
    return render(
        request,
        "security.html",
        {
            "profile": profile,
            "sessions": _session_rows(request, rt, actor),
            "codes_left": recovery_codes_left(rt, actor) if profile.two_factor else 0,
            "forms": states,
            "enrolment": enrolment,
            "recovery_codes": list(recovery_codes or []),
            "pending_contact": pending_contact,
            "freeze_reasons": reasons,
            "note_max": NOTE_MAX,
            "page_path": "/security",
        },
        status_code=status_code,
        headers=headers,
    )


def security_failure(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    exc: DomainError,
    section: str,
    *,
    fields: Iterable[str],
    values: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    enrolment: Enrolment | None = None,
    pending_contact: PendingContact | None = None,
) -> Response:
    """The security page again, with `exc` shown in the form called `section`."""
    assert section in SECTIONS, section
    form = failed_form(exc, page_locale(request), fields=fields, values=values, aliases=aliases)
    return render_security(
        request,
        rt,
        actor,
        forms={section: form},
        enrolment=enrolment,
        pending_contact=pending_contact,
        status_code=failure_status(exc),
        headers=failure_headers(exc),
    )
