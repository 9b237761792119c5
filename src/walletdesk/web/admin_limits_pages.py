"""Payment limits (/console/admin/limits): per transaction, per day and per year for each KYC
tier of personal accounts and for business accounts, as in force now, with their versions;
each class has its own form. Validating and storing is `ledger.limits_config`'s; payments
and the transfer engine count against what it stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger import limits_config
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.limits_config import AccountType, LimitVersion
from walletdesk.runtime import Runtime
from walletdesk.web.admin_config_view import (
    ConfigAdmin,
    admin_render,
    failed,
    staff_actor,
    yuan,
)
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/limits",
    dependencies=[Depends(csrf_protected)],
    include_in_schema=False,
)

FIELDS = ("account_type", "kyc_tier", "per_transaction", "per_day", "per_year")
TIER_NAMES: Final = {
    0: N_("Personal, tier 0: registered, no real name (Class I)"),
    1: N_("Personal, tier 1: real name (Class II)"),
    2: N_("Personal, tier 2: bank card checked (Class III)"),
    3: N_("Personal, tier 3: enhanced checks"),
}
BUSINESS_NAME: Final = N_("Business accounts")


@dataclass(frozen=True)
class LimitRow:
    key: str
    """"personal:2" or "business:0": which form is which."""
    account_type: str
    kyc_tier: int
    name: str
    limit: Limit
    version: LimitVersion | None
    form: FormState


def _values(limit: Limit) -> dict[str, str]:
    return {
        "per_transaction": yuan(limit.per_transaction),
        "per_day": yuan(limit.per_day),
        "per_year": yuan(limit.per_year),
    }


def _rows(rt: Runtime, failed_key: str | None, failed_form: FormState | None) -> list[LimitRow]:
    table = limits_config.limits_now(rt)
    classes = [
        (AccountType.PERSONAL.value, tier, TIER_NAMES.get(tier, "")) for tier in table.personal
    ]
    classes.append((AccountType.BUSINESS.value, 0, BUSINESS_NAME))
    rows = []
    for account_type, tier, name in classes:
        key = f"{account_type}:{tier}"
        limit = table.for_tier(tier, business=account_type == AccountType.BUSINESS)
        form = failed_form if key == failed_key and failed_form else FormState(_values(limit))
        rows.append(
            LimitRow(
                key, account_type, tier, name, limit, table.versions.get((account_type, tier)), form
            )
        )
    return rows


def _page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    *,
    failed_key: str | None = None,
    form: FormState | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/limits_table.html",
        "limits",
        {
            "rows": _rows(rt, failed_key, form),
            "history": limits_config.limit_history(rt),
            "tier_names": TIER_NAMES,
            "business_name": BUSINESS_NAME,
            "page_path": "/console/admin/limits",
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def limits_table(request: Request, auth: ConfigAdmin, rt: RuntimeDep) -> Response:
    return _page(request, rt, auth)


@router.post("")
def set_limit(
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    account_type: FormText = "",
    kyc_tier: FormText = "",
    per_transaction: FormText = "",
    per_day: FormText = "",
    per_year: FormText = "",
) -> Response:
    values = {
        "account_type": text(account_type, 16),
        "kyc_tier": text(kyc_tier, 4),
        "per_transaction": text(per_transaction, 24),
        "per_day": text(per_day, 24),
        "per_year": text(per_year, 24),
    }
    try:
        limits_config.set_limit(rt, staff_actor(request, auth), **values)
    except DomainError as exc:
        form, status, headers = failed(request, exc, values, FIELDS)
        key = f"{values['account_type']}:{values['kyc_tier'] or 0}"
        return _page(
            request, rt, auth, failed_key=key, form=form, status_code=status, headers=headers
        )
    return redirect(request, "/console/admin/limits", flash="admin_limits_saved")
