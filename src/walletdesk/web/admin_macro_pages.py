"""Macros (/console/admin/macros): every macro, shipped and stored, retired ones too; creating
and changing one (saving a retired macro brings it back) and retiring one. Needs
`support.macros.manage`; `support/macros.py` checks the text and placeholders and writes the
audit entry."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import macros
from walletdesk.web.admin_pages import MacrosManager, admin_render, audit_actor, multiline
from walletdesk.web.console_view import form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/macros", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

FIELDS: Final = ("shortcut", "title_zh", "title_en", "body_zh", "body_en")
SHORTCUT_MAX: Final = 40


def _macro_url(shortcut: str) -> str:
    return f"/console/admin/macros/{shortcut}"


@router.get("")
def macro_list(request: Request, auth: MacrosManager, rt: RuntimeDep) -> Response:
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/macros.html",
        {"macros": macros.every_macro(rt)},
        admin_section="macros",
    )


def _editor_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState,
    *,
    existing: macros.Macro | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The form for a new macro (`existing` None) or for changing one."""
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/macro_edit.html",
        {
            "form": form,
            "existing": existing,
            "placeholders": ["{" + name + "}" for name in macros.PLACEHOLDERS],
            "page_path": _macro_url(existing.shortcut) if existing else "/console/admin/macros/new",
        },
        admin_section="macros",
        status_code=status_code,
        headers=headers,
    )


@router.get("/new")
def new_macro(request: Request, auth: MacrosManager, rt: RuntimeDep) -> Response:
    return _editor_page(request, rt, auth, FormState(), existing=None)


@router.get("/{shortcut}")
def edit_macro(shortcut: str, request: Request, auth: MacrosManager, rt: RuntimeDep) -> Response:
    found = macros.find_macro(rt, shortcut[:SHORTCUT_MAX])
    values = {name: str(getattr(found, name)) for name in FIELDS}
    return _editor_page(request, rt, auth, FormState(values=values), existing=found)


@router.post("")
def save_macro(
    request: Request,
    auth: MacrosManager,
    rt: RuntimeDep,
    shortcut: FormText = "",
    title_zh: FormText = "",
    title_en: FormText = "",
    body_zh: FormText = "",
    body_en: FormText = "",
    editing: FormText = "",
) -> Response:
    """Create a macro or change one (`editing` names it; its shortcut cannot change)."""
    values = {
        "shortcut": text(editing or shortcut, SHORTCUT_MAX).strip(),
        "title_zh": text(title_zh, macros.TITLE_MAX + 20),
        "title_en": text(title_en, macros.TITLE_MAX + 20),
        "body_zh": multiline(body_zh, macros.BODY_MAX + 100),
        "body_en": multiline(body_en, macros.BODY_MAX + 100),
    }
    existing = None
    try:
        if editing:
            existing = macros.find_macro(rt, values["shortcut"])
        saved = macros.save_macro(
            rt,
            audit_actor(request, auth),
            macros.Macro(
                values["shortcut"],
                values["title_zh"],
                values["title_en"],
                values["body_zh"],
                values["body_en"],
            ),
            new=not editing,
        )
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=FIELDS, values=values)
        return _editor_page(
            request, rt, auth, form, existing=existing, status_code=status, headers=headers
        )
    return redirect(request, _macro_url(saved.shortcut), flash="admin_macro_saved")


@router.post("/{shortcut}/retire")
def retire_macro(shortcut: str, request: Request, auth: MacrosManager, rt: RuntimeDep) -> Response:
    retired = macros.retire_macro(rt, audit_actor(request, auth), shortcut[:SHORTCUT_MAX])
    return redirect(request, _macro_url(retired.shortcut), flash="admin_macro_retired")
