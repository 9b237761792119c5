"""FX rates (/console/admin/fx): each foreign currency's rate against CNY in force now (mid,
spread, the customer's buy and sell prices), the pair's history including rates set to take
effect later, and a form to set a rate. Validating, storing and auditing is
`ledger.fx_rates.set_rate`'s (append-only: the rows are the versions); quotes price with it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger import fx_rates
from walletdesk.ledger.fx_pricing import FOREIGN, MAX_SPREAD_BPS, PIVOT
from walletdesk.runtime import Runtime
from walletdesk.web.admin_config_view import FxAdmin, admin_render, failed, staff_actor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.rendering import BEIJING

router = APIRouter(
    prefix="/console/admin/fx", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

FIELDS = ("base", "mid", "spread_bps", "effective_at")
HISTORY_SHOWN = 10


def _page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    current = {rate.base: rate for rate in fx_rates.rates_now(rt)}
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/fx_rates.html",
        "fx",
        {
            "currencies": FOREIGN,
            "pivot": PIVOT,
            "current": current,
            "history": {
                c: fx_rates.rate_history(rt, c, PIVOT, limit=HISTORY_SHOWN) for c in FOREIGN
            },
            "now": rt.clock.now(),
            "max_spread": MAX_SPREAD_BPS,
            "form": form,
            "page_path": "/console/admin/fx",
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def fx_rates_page(request: Request, auth: FxAdmin, rt: RuntimeDep, base: str = "") -> Response:
    """`?base=USD` fills the form with that pair's rate in force, to change it."""
    chosen = text(base, 3).upper()
    values = {"base": chosen or FOREIGN[0], "mid": "", "spread_bps": "", "effective_at": ""}
    rate = next((r for r in fx_rates.rates_now(rt) if r.base == values["base"]), None)
    if rate is not None:
        values.update(mid=rate.mid, spread_bps=str(rate.spread_bps))
    return _page(request, rt, auth, FormState(values=values))


def _effective(value: str) -> datetime | None:
    """The form's local date and time (Beijing), or None for "now"."""
    if not value.strip():
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=BEIJING)
    except ValueError:
        raise ValidationFailed(
            "invalid_fx_effective_at",
            N_("Enter a date and time, or leave it empty for now."),
            field="effective_at",
        ) from None


@router.post("")
def set_rate(
    request: Request,
    auth: FxAdmin,
    rt: RuntimeDep,
    base: FormText = "",
    mid: FormText = "",
    spread_bps: FormText = "",
    effective_at: FormText = "",
) -> Response:
    values = {
        "base": text(base, 3),
        "mid": text(mid, 24),
        "spread_bps": text(spread_bps, 8),
        "effective_at": text(effective_at, 20),
    }
    try:
        spread = values["spread_bps"].strip()
        fx_rates.set_rate(
            rt,
            staff_actor(request, auth),
            base=values["base"],
            quote=PIVOT,
            mid=values["mid"],
            # A spread that is not a whole number is refused by the service like one too big.
            spread_bps=int(spread) if spread.isdigit() else -1,
            effective_at=_effective(values["effective_at"]),
        )
    except DomainError as exc:
        form, status, headers = failed(
            request, exc, values, FIELDS, {"unsupported_fx_pair": "base"}
        )
        return _page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, "/console/admin/fx", flash="admin_fx_saved")
