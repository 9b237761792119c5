"""The admin pages (/console/admin): the index of every admin section and what the section
pages share: who may open them, rendering inside the console's frame, the admin notices.

Who may do what is the permission matrix's (`identity/permissions.py`): each section needs
its own permission (staff: `staff.manage`, admins only; risk rules, the knowledge base and
macros: `risk.rules.manage`, `kb.manage`, `support.macros.manage`, which supervisors hold
too). The configuration sections (SLA, calendars, limits, fees, FX, channels) are built in
`admin_config_view.py` and its pages, with `config.manage` and `fx.manage`. The index opens
for anyone holding one of these permissions and lists the sections they may use.
Every change goes through a service, which writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.audit.services import Actor
from walletdesk.errors import Forbidden
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.runtime import Runtime
from walletdesk.web.console_view import console_render
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import FLASHES
from walletdesk.web.forms import text
from walletdesk.web.rendering import ENVIRONMENT
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/console/admin", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

ADMIN_PERMISSIONS: Final = (
    Permission.STAFF_MANAGE,
    Permission.RISK_RULES_MANAGE,
    Permission.KB_MANAGE,
    Permission.MACROS_MANAGE,
    Permission.FX_MANAGE,
    Permission.CONFIG_MANAGE,
)
"""Holding any one of these opens the admin index."""


@dataclass(frozen=True)
class AdminSection:
    key: str
    path: str
    title: str
    hint: str
    permission: Permission
    """Who may open it; the index lists a section only to them."""


SECTIONS: Final = (
    AdminSection(
        "staff",
        "/console/admin/staff",
        N_("Staff and roles"),
        N_("Create staff accounts, change their roles, deactivate them."),
        Permission.STAFF_MANAGE,
    ),
    AdminSection(
        "rules",
        "/console/admin/rules",
        N_("Risk rules"),
        N_("Rule set versions: edit with validation, compare, roll back."),
        Permission.RISK_RULES_MANAGE,
    ),
    AdminSection(
        "kb",
        "/console/admin/kb",
        N_("Knowledge base"),
        N_("Help articles: drafts, preview, versions, publishing."),
        Permission.KB_MANAGE,
    ),
    AdminSection(
        "macros",
        "/console/admin/macros",
        N_("Macros"),
        N_("The agents' canned replies in Chinese and English."),
        Permission.MACROS_MANAGE,
    ),
    AdminSection(
        "sla",
        "/console/admin/sla",
        N_("SLA policies"),
        N_("Response and resolution targets per priority."),
        Permission.CONFIG_MANAGE,
    ),
    AdminSection(
        "calendars",
        "/console/admin/calendars",
        N_("Business hours and holidays"),
        N_("Opening hours and holiday calendars for SLA timers."),
        Permission.CONFIG_MANAGE,
    ),
    AdminSection(
        "limits",
        "/console/admin/limits",
        N_("Limits"),
        N_("Per-transaction, daily and yearly limits."),
        Permission.CONFIG_MANAGE,
    ),
    AdminSection(
        "fees",
        "/console/admin/fees",
        N_("Fees"),
        N_("Fee schedules."),
        Permission.CONFIG_MANAGE,
    ),
    AdminSection(
        "fx",
        "/console/admin/fx",
        N_("Exchange rates"),
        N_("FX rates and spreads."),
        Permission.FX_MANAGE,
    ),
    AdminSection(
        "channels",
        "/console/admin/channels",
        N_("Official channels"),
        N_("The registry of our official numbers and accounts."),
        Permission.CONFIG_MANAGE,
    ),
)

FLASHES.update(
    {
        "admin_staff_roles": ("success", N_("The roles were changed.")),
        "admin_staff_deactivated": (
            "warning",
            N_("The staff account was deactivated and signed out everywhere."),
        ),
        "admin_rules_saved": ("success", N_("The new rule set version is in force.")),
        "admin_rules_rolled_back": (
            "success",
            N_("The earlier rules are in force again, as a new version."),
        ),
        "admin_kb_created": ("success", N_("The article was created as a draft.")),
        "admin_kb_saved": ("success", N_("A new draft version was saved.")),
        "admin_kb_published": ("success", N_("The article is published in the help centre.")),
        "admin_kb_unpublished": ("info", N_("The article was taken off the help centre.")),
        "admin_macro_saved": ("success", N_("The macro was saved.")),
        "admin_macro_retired": ("info", N_("The macro was retired.")),
    }
)


def may_administer(roles: frozenset[str]) -> bool:
    return any(has_permission(roles, permission) for permission in ADMIN_PERMISSIONS)


# The console frame shows its "Administration" link with this (console/layout.html).
ENVIRONMENT.globals["may_administer"] = may_administer


def admin_refused() -> Forbidden:
    return Forbidden(
        "admin_forbidden",
        N_("This admin page is for walletdesk staff with the right admin role."),
    )


def admin_staff(user: PageUser) -> Authenticated:
    """The signed-in person, if they hold any admin permission; everyone else gets 403."""
    if not may_administer(user.roles):
        raise admin_refused()
    return user


def page_requires(permission: Permission) -> Callable[[Authenticated], Authenticated]:
    """A section's guard: the signed-in person, if they hold `permission` (else 403)."""

    def check(user: PageUser) -> Authenticated:
        if not has_permission(user.roles, permission):
            raise admin_refused()
        return user

    check.__name__ = f"admin_page_{permission.name.lower()}"
    return check


AdminStaff = Annotated[Authenticated, Depends(admin_staff)]
StaffManager = Annotated[Authenticated, Depends(page_requires(Permission.STAFF_MANAGE))]
RulesManager = Annotated[Authenticated, Depends(page_requires(Permission.RISK_RULES_MANAGE))]
KbManager = Annotated[Authenticated, Depends(page_requires(Permission.KB_MANAGE))]
MacrosManager = Annotated[Authenticated, Depends(page_requires(Permission.MACROS_MANAGE))]


def multiline(value: str | None, limit: int) -> str:
    """A text area's value with the line breaks a file has: browsers send CRLF (the HTML form
    encoding), which would make every line of a stored rule file differ from the last one."""
    return text(value, limit).replace("\r\n", "\n")


def audit_actor(request: Request, auth: Authenticated) -> Actor:
    return Actor.staff(auth.user.id, client_ip(request))


def visible_sections(auth: Authenticated) -> list[AdminSection]:
    return [section for section in SECTIONS if has_permission(auth.roles, section.permission)]


def admin_render(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    admin_section: str = "",
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render an admin page inside the console's frame, with the admin sub-menu."""
    values: dict[str, Any] = {
        "section": "admin",
        "admin_section": admin_section,
        "sections": visible_sections(auth),
    }
    values.update(context or {})
    return console_render(
        request, rt, auth, template, values, status_code=status_code, headers=headers
    )


@router.get("")
def admin_index(request: Request, auth: AdminStaff, rt: RuntimeDep) -> Response:
    return admin_render(request, rt, auth, "console/admin/index.html")


def admin_routers() -> tuple[APIRouter, ...]:
    """Every admin router, for `pages.install`. The section modules import this one (guards,
    rendering), so they are imported when asked for, not when this module loads."""
    from walletdesk.web import (
        admin_kb_pages,
        admin_macro_pages,
        admin_rules_pages,
        admin_staff_pages,
    )

    return (
        router,
        admin_staff_pages.router,
        admin_rules_pages.router,
        admin_kb_pages.router,
        admin_macro_pages.router,
    )
