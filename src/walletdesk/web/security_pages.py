"""The security centre: the page itself, password change, step-up codes and contact change.

Two-factor settings, devices and freezing live in their own modules; all of them render the
page through `security_view`.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import DomainError
from walletdesk.identity import contact_change, recovery, twofactor
from walletdesk.identity.models import ContactKind
from walletdesk.notify.models import Channel
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text
from walletdesk.web.security_view import (
    STEP_UP_ALIASES,
    PendingContact,
    render_security,
    security_failure,
    step_up_codes,
)
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/security", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_STEP_UP_SECTIONS: Final = ("contact", "unfreeze")
_CONTACT_ALIASES: Final = {"phone": "value", "email": "value", **STEP_UP_ALIASES}


@router.get("")
def security_page(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    return render_security(request, rt, actor)


@router.post("/password")
def change_password(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    current_password: FormText = "",
    new_password: FormText = "",
) -> Response:
    try:
        recovery.change_password(
            rt,
            actor,
            current_password=text(current_password),
            new_password=text(new_password),
            ip=client_ip(request),
        )
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "password",
            fields=("current_password", "new_password"),
            aliases={"password": "new_password"},
        )
    return redirect(request, "/security#password", flash="password_changed")


@router.post("/step-up/code")
def send_step_up_code(
    request: Request, actor: PageUser, rt: RuntimeDep, section: FormText = "unfreeze"
) -> Response:
    """Send a code for the next sensitive change (users without an authenticator app)."""
    target = section if section in _STEP_UP_SECTIONS else "unfreeze"
    try:
        sent = twofactor.send_step_up_code(rt, actor, ip=client_ip(request))
    except DomainError as exc:
        return security_failure(request, rt, actor, exc, target, fields=())
    flash = "code_sent_sms" if sent.channel is Channel.SMS else "code_sent_email"
    return redirect(request, f"/security#{target}", flash=flash)


def _contact_kind(value: str) -> ContactKind:
    return ContactKind.EMAIL if value == ContactKind.EMAIL.value else ContactKind.PHONE


@router.post("/contact")
def start_contact_change(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    kind: FormText = "phone",
    value: FormText = "",
    step_up_code: FormText = "",
) -> Response:
    contact_kind = _contact_kind(kind)
    new_value = text(value, 254).strip()
    totp_code, otp_code = step_up_codes(actor, text(step_up_code, 64))
    try:
        contact_change.start_contact_change(
            rt,
            actor,
            kind=contact_kind,
            value=new_value,
            totp_code=totp_code,
            otp_code=otp_code,
            ip=client_ip(request),
        )
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "contact",
            fields=("kind", "value", "step_up_code"),
            values={"kind": contact_kind.value, "value": new_value},
            aliases=_CONTACT_ALIASES,
        )
    return render_security(
        request, rt, actor, pending_contact=PendingContact(contact_kind.value, new_value)
    )


@router.post("/contact/confirm")
def confirm_contact_change(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    kind: FormText = "phone",
    value: FormText = "",
    code: FormText = "",
) -> Response:
    contact_kind = _contact_kind(kind)
    new_value = text(value, 254).strip()
    try:
        contact_change.confirm_contact_change(
            rt,
            actor,
            kind=contact_kind,
            value=new_value,
            code=text(code, 32),
            ip=client_ip(request),
        )
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "contact_confirm",
            fields=("code",),
            aliases={"invalid_code": "code"},
            pending_contact=PendingContact(contact_kind.value, new_value),
        )
    return redirect(request, "/security#contact", flash="contact_changed")
