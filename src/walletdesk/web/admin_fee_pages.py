"""The withdrawal fee schedule (/console/admin/fees): the schedule in force (free withdrawals
a month, a percentage in basis points, a minimum), its versions, and a form to change it.
Validating and storing is `banking.fee_config`'s; withdrawals quote with what it stores."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.banking import fee_config
from walletdesk.banking.fees import FeeSchedule
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.web.admin_config_view import ConfigAdmin, admin_render, failed, staff_actor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/fees", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

FIELDS = ("free_per_month", "basis_points", "minimum")


def _values(schedule: FeeSchedule) -> dict[str, str]:
    return {
        "free_per_month": str(schedule.free_per_month),
        "basis_points": str(schedule.basis_points),
        "minimum": schedule.minimum.to_string(),
    }


def _page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    current = fee_config.schedule_now(rt)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/fee_schedule.html",
        "fees",
        {
            "current": current,
            "history": fee_config.fee_history(rt),
            "form": form or FormState(values=_values(current)),
            "page_path": "/console/admin/fees",
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def fee_schedule(request: Request, auth: ConfigAdmin, rt: RuntimeDep) -> Response:
    return _page(request, rt, auth)


@router.post("")
def set_fee_schedule(
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    free_per_month: FormText = "",
    basis_points: FormText = "",
    minimum: FormText = "",
) -> Response:
    values = {
        "free_per_month": text(free_per_month, 16),
        "basis_points": text(basis_points, 16),
        "minimum": text(minimum, 24),
    }
    try:
        fee_config.set_fee_schedule(rt, staff_actor(request, auth), **values)
    except DomainError as exc:
        form, status, headers = failed(request, exc, values, FIELDS)
        return _page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, "/console/admin/fees", flash="admin_fees_saved")
