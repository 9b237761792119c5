"""Two-factor settings in the security centre: set up an authenticator app (QR code, then a
first code, then recovery codes shown once), turn it off, renew the recovery codes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import DomainError
from walletdesk.identity import twofactor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text
from walletdesk.web.security_view import (
    Enrolment,
    enrolment_from_form,
    render_security,
    security_failure,
)
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/security/2fa", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_CODE_ALIASES = {"invalid_code": "code"}


@router.post("/begin")
def begin_totp(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    try:
        started = twofactor.begin_totp(rt, actor)
    except DomainError as exc:
        return security_failure(request, rt, actor, exc, "totp", fields=())
    enrolment = Enrolment(started.secret, started.otpauth_uri, started.qr_svg_data_uri)
    return render_security(request, rt, actor, enrolment=enrolment)


@router.post("/confirm")
def confirm_totp(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    code: FormText = "",
    secret: FormText = "",
    otpauth_uri: FormText = "",
) -> Response:
    try:
        codes = twofactor.confirm_totp(rt, actor, text(code, 64), ip=client_ip(request))
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "totp_confirm",
            fields=("code",),
            aliases=_CODE_ALIASES,
            enrolment=enrolment_from_form(text(secret, 64), text(otpauth_uri)),
        )
    return render_security(request, rt, actor, recovery_codes=codes)


@router.post("/disable")
def disable_totp(
    request: Request, actor: PageUser, rt: RuntimeDep, code: FormText = ""
) -> Response:
    try:
        twofactor.disable_totp(rt, actor, text(code, 64), ip=client_ip(request))
    except DomainError as exc:
        return security_failure(
            request, rt, actor, exc, "totp_disable", fields=("code",), aliases=_CODE_ALIASES
        )
    return redirect(request, "/security#two-factor", flash="two_factor_off")


@router.post("/recovery-codes")
def regenerate_recovery_codes(
    request: Request, actor: PageUser, rt: RuntimeDep, code: FormText = ""
) -> Response:
    try:
        codes = twofactor.regenerate_recovery_codes(
            rt, actor, text(code, 64), ip=client_ip(request)
        )
    except DomainError as exc:
        return security_failure(
            request, rt, actor, exc, "recovery", fields=("code",), aliases=_CODE_ALIASES
        )
    return render_security(request, rt, actor, recovery_codes=codes)
