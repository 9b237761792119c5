"""What the admin configuration pages share (SLA, calendars, limits, fees, FX, channels under
/console/admin/): who may open them, rendering in the console's frame with their sub-menu,
amounts shown as yuan, and the pages' one-line notices.

The rules (what is a valid limit, which schedule applies) live in the services these pages
call; pages only read forms, call one service and show what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

from fastapi import Depends, Request, Response

from walletdesk.api.deps import client_ip
from walletdesk.audit.services import Actor
from walletdesk.errors import DomainError, Forbidden
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.web.console_view import console_render, form_error
from walletdesk.web.flash import FLASHES
from walletdesk.web.forms import FormState
from walletdesk.web.rendering import page_text
from walletdesk.web.session import PageUser

CONFIG_SECTIONS: Final = (
    ("sla", "/console/admin/sla", N_("SLA policies")),
    ("calendars", "/console/admin/calendars", N_("Business hours and holidays")),
    ("limits", "/console/admin/limits", N_("Limits")),
    ("fees", "/console/admin/fees", N_("Fees")),
    ("fx", "/console/admin/fx", N_("Exchange rates")),
    ("channels", "/console/admin/channels", N_("Official channels")),
)

CALENDAR_NAMES: Final = {
    "business": N_("Working hours on working days"),
    "always": N_("Around the clock"),
}

FLASHES.update(
    {
        "admin_sla_saved": ("success", N_("The SLA policy was saved. New cases use it.")),
        "admin_sla_removed": (
            "info",
            N_("The SLA policy was removed. New cases use the default again."),
        ),
        "admin_hours_saved": ("success", N_("The business hours were saved.")),
        "admin_holidays_saved": ("success", N_("The holidays of the year were saved.")),
        "admin_limits_saved": (
            "success",
            N_("The limits were saved. They apply from the next payment."),
        ),
        "admin_fees_saved": (
            "success",
            N_("The fee schedule was saved. It applies from the next withdrawal."),
        ),
        "admin_fx_saved": ("success", N_("The exchange rate was saved.")),
    }
)


def _refused() -> Forbidden:
    return Forbidden(
        "admin_forbidden", N_("This part of the console is for walletdesk administrators.")
    )


def config_admin(user: PageUser) -> Authenticated:
    """The signed-in person, if they may change the configuration; everyone else gets 403."""
    if not has_permission(user.roles, Permission.CONFIG_MANAGE):
        raise _refused()
    return user


def fx_admin(user: PageUser) -> Authenticated:
    """The signed-in person, if they may set exchange rates; everyone else gets 403."""
    if not has_permission(user.roles, Permission.FX_MANAGE):
        raise _refused()
    return user


ConfigAdmin = Annotated[Authenticated, Depends(config_admin)]
FxAdmin = Annotated[Authenticated, Depends(fx_admin)]


def staff_actor(request: Request, auth: Authenticated) -> Actor:
    return Actor.staff(auth.user.id, client_ip(request))


def yuan(minor: int) -> str:
    """Fen as the form writes yuan: 500000 → "5000.00"."""
    return Money(minor, "CNY").to_string()


def admin_render(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    template: str,
    area: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    values: dict[str, Any] = {
        "section": "admin",
        "config_sections": CONFIG_SECTIONS,
        "config_area": area,
        "yuan": yuan,
        "calendar_name": lambda key: (
            page_text(request, CALENDAR_NAMES[key]) if key in CALENDAR_NAMES else key
        ),
    }
    values.update(context or {})
    return console_render(
        request, rt, auth, template, values, status_code=status_code, headers=headers
    )


def failed(
    request: Request,
    exc: DomainError,
    values: Mapping[str, str],
    fields: tuple[str, ...],
    aliases: Mapping[str, str] | None = None,
) -> tuple[FormState, int, dict[str, str]]:
    """The form again with what was typed and the translated reason beside its field."""
    return form_error(request, exc, fields=fields, values=values, aliases=aliases)
