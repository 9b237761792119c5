"""Staff and roles (/console/admin/staff): the staff list, a new staff account (shown its
authenticator secret and recovery codes once, as `walletdesk create-staff` prints them), a
staff member's roles and deactivating them. Admins only (`staff.manage`); the services in
`identity/staff.py` check the rules and write the audit entries."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_
from walletdesk.identity import staff, totp
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Role
from walletdesk.runtime import Runtime
from walletdesk.web.admin_pages import StaffManager, admin_render, audit_actor
from walletdesk.web.console_view import form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.session import PageContext

router = APIRouter(
    prefix="/console/admin/staff", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

ROLE_NAMES: Final = {
    Role.AGENT.value: N_("Agent"),
    Role.SENIOR_AGENT.value: N_("Senior agent"),
    Role.RISK_REVIEWER.value: N_("Risk reviewer"),
    Role.SUPERVISOR.value: N_("Supervisor"),
    Role.ADMIN.value: N_("Administrator"),
}
ROLE_HINTS: Final = {
    Role.AGENT.value: N_("Works cases; sees customers masked."),
    Role.SENIOR_AGENT.value: N_("An agent who may reveal fields and approve case actions."),
    Role.RISK_REVIEWER.value: N_("Works the risk review queue and the block lists."),
    Role.SUPERVISOR.value: N_("Supervises queues; manages rules, articles and macros."),
    Role.ADMIN.value: N_("Everything, including staff accounts."),
}
NEW_FIELDS: Final = ("login", "display_name", "password", "roles")
_NEW_ALIASES: Final = {"phone": "login", "email": "login", "contact_taken": "login"}
USER_ID_MAX: Final = 40

Roles = Annotated[list[str] | None, Form()]


def _staff_url(user_id: str) -> str:
    return f"/console/admin/staff/{user_id}"


def _names() -> dict[str, object]:
    return {"role_names": ROLE_NAMES, "role_hints": ROLE_HINTS, "all_roles": list(ROLE_NAMES)}


@router.get("")
def staff_list(request: Request, auth: StaffManager, rt: RuntimeDep) -> Response:
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/staff.html",
        {"members": staff.staff_members(rt), **_names()},
        admin_section="staff",
    )


def _new_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState,
    chosen: list[str],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/staff_new.html",
        {"form": form, "chosen": chosen, **_names(), "page_path": "/console/admin/staff/new"},
        admin_section="staff",
        status_code=status_code,
        headers=headers,
    )


@router.get("/new")
def new_staff(request: Request, auth: StaffManager, rt: RuntimeDep) -> Response:
    return _new_page(request, rt, auth, FormState(), [Role.AGENT.value])


@router.post("")
def create_staff(
    request: Request,
    auth: StaffManager,
    rt: RuntimeDep,
    ctx: PageContext,
    login: FormText = "",
    display_name: FormText = "",
    password: FormText = "",
    roles: Roles = None,
) -> Response:
    """Create the account; the answer (not a redirect) shows its secret and codes once."""
    chosen = [text(role, 32) for role in (roles or [])][: len(ROLE_NAMES)]
    values = {"login": text(login, 128), "display_name": text(display_name, 64)}
    try:
        created = staff.create_staff(
            rt,
            login_text=values["login"],
            password=text(password, 256),
            display_name=values["display_name"],
            roles=chosen,
            actor=audit_actor(request, auth),
            request=ctx,
        )
    except DomainError as exc:
        form, status, headers = form_error(
            request, exc, fields=NEW_FIELDS, values=values, aliases=_NEW_ALIASES
        )
        return _new_page(request, rt, auth, form, chosen, status_code=status, headers=headers)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/staff_created.html",
        {
            "created": created,
            "name": values["display_name"],
            "qr": totp.qr_svg_data_uri(created.otpauth_uri),
            **_names(),
            "page_path": "/console/admin/staff",
        },
        admin_section="staff",
        status_code=201,
    )


def _member_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    user_id: str,
    *,
    form: FormState | None = None,
    failed: str = "",
    chosen: list[str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    member = staff.staff_member(rt, user_id)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/staff_member.html",
        {
            "member": member,
            "chosen": member.roles if chosen is None else chosen,
            "form": form or FormState(),
            "failed": failed,
            **_names(),
            "page_path": _staff_url(user_id),
        },
        admin_section="staff",
        status_code=status_code,
        headers=headers,
    )


@router.get("/{user_id}")
def staff_member(user_id: str, request: Request, auth: StaffManager, rt: RuntimeDep) -> Response:
    return _member_page(request, rt, auth, user_id[:USER_ID_MAX])


@router.post("/{user_id}/roles")
def change_roles(
    user_id: str,
    request: Request,
    auth: StaffManager,
    rt: RuntimeDep,
    roles: Roles = None,
) -> Response:
    user_id = user_id[:USER_ID_MAX]
    chosen = [text(role, 32) for role in (roles or [])][: len(ROLE_NAMES)]
    try:
        staff.set_roles(rt, user_id=user_id, roles=chosen, actor=audit_actor(request, auth))
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=("roles",), values={})
        return _member_page(
            request,
            rt,
            auth,
            user_id,
            form=form,
            failed="roles",
            chosen=chosen,
            status_code=status,
            headers=headers,
        )
    return redirect(request, _staff_url(user_id), flash="admin_staff_roles")


@router.post("/{user_id}/deactivate")
def deactivate(
    user_id: str,
    request: Request,
    auth: StaffManager,
    rt: RuntimeDep,
) -> Response:
    user_id = user_id[:USER_ID_MAX]
    try:
        staff.deactivate_staff(rt, user_id=user_id, actor=audit_actor(request, auth))
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=(), values={})
        return _member_page(
            request,
            rt,
            auth,
            user_id,
            form=form,
            failed="deactivate",
            status_code=status,
            headers=headers,
        )
    return redirect(request, "/console/admin/staff", flash="admin_staff_deactivated")
