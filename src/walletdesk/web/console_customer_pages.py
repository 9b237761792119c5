"""Revealing one masked field of the case's customer, with a reason (audited, time-boxed).

After the reveal the case page shows the field in full until the grant runs out (the
customer-360 service reads it back and writes a read-audit entry each time)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.support import reveal
from walletdesk.web.console_case_pages import CASE_ID_MAX, case_url, failed_page
from walletdesk.web.console_view import ConsoleAgent, actor_of
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import FLASHES, redirect
from walletdesk.web.forms import FormText, text

router = APIRouter(
    prefix="/console/cases", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

FLASHES["console_revealed"] = (
    "info",
    N_("The field is shown in full for a limited time. Your reason was recorded."),
)


@router.post("/{case_id}/reveal")
def reveal_field(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    field: FormText = "",
    reason: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"field": text(field, 16), "reason": text(reason, 200)}
    try:
        reveal.reveal(
            rt,
            actor_of(auth),
            case_id,
            field=values["field"],
            reason=values["reason"],
            ip=client_ip(request),
        )
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "reveal", values, ("field", "reason"))
    return redirect(request, f"{case_url(case_id)}#customer", flash="console_revealed")
