"""Freezing the wallet at once (a reason, an optional note, nothing else) and unfreezing it,
which needs a step-up code."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import DomainError
from walletdesk.identity import freeze
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text
from walletdesk.web.security_view import STEP_UP_ALIASES, security_failure, step_up_codes
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/security", dependencies=[Depends(csrf_protected)], include_in_schema=False
)


@router.post("/freeze")
def freeze_wallet(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    reason: FormText = "",
    note: FormText = "",
) -> Response:
    note_text = text(note, freeze.NOTE_MAX * 2)
    try:
        freeze.freeze_wallet(
            rt, actor, reason=text(reason, 64), note=note_text or None, ip=client_ip(request)
        )
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "freeze",
            fields=("reason", "note"),
            values={"reason": text(reason, 64), "note": note_text},
        )
    return redirect(request, "/security#freeze", flash="frozen")


@router.post("/unfreeze")
def unfreeze_wallet(
    request: Request, actor: PageUser, rt: RuntimeDep, step_up_code: FormText = ""
) -> Response:
    totp_code, otp_code = step_up_codes(actor, text(step_up_code, 64))
    try:
        freeze.unfreeze_wallet(
            rt, actor, totp_code=totp_code, otp_code=otp_code, ip=client_ip(request)
        )
    except DomainError as exc:
        return security_failure(
            request,
            rt,
            actor,
            exc,
            "unfreeze",
            fields=("step_up_code",),
            aliases=STEP_UP_ALIASES,
        )
    return redirect(request, "/", flash="unfrozen")
