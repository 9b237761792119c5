"""Risk rule versions (/console/admin/rules): the versions, one version's file, editing the
rules (the file is compiled before it is stored; a refused file comes back as typed, with the
line and the reason), the difference between two versions and rolling back to an earlier one.
Needs `risk.rules.manage`; `risk/rules_admin.py` checks the file and writes the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.risk import rules_admin
from walletdesk.runtime import Runtime
from walletdesk.web.admin_pages import RulesManager, admin_render, multiline
from walletdesk.web.console_view import form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/rules", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

SOURCE_MAX: Final = 200_000
"""Longest rule file the page passes on (the packaged one is about 8 KB)."""
EDIT_FIELDS: Final = ("source", "comment")
_EDIT_ALIASES: Final = {"rules": "source"}
LIST_MAX: Final = 200


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "hunk", "file" or "same": the colour of the line
    text: str


def diff_lines(unified: str) -> list[DiffLine]:
    lines = []
    for line in unified.splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "same"
        lines.append(DiffLine(kind, line))
    return lines


def parse_rule_version(value: str, field: str) -> int:
    cleaned = value.strip()
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise ValidationFailed(
            "invalid_rule_version",
            N_("Choose a rule set version from the list."),
            field=field,
        )
    return int(cleaned)


@router.get("")
def rule_versions(request: Request, auth: RulesManager, rt: RuntimeDep) -> Response:
    versions = rules_admin.rule_versions(rt, auth)[:LIST_MAX]
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/rules.html",
        {"versions": versions, "active": versions[0].version},
        admin_section="rules",
    )


def _version_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    version: int,
    *,
    form: FormState | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    shown = rules_admin.rule_version(rt, auth, version)
    active = rules_admin.rule_versions(rt, auth)[0].version
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/rule_version.html",
        {
            "shown": shown,
            "active": active,
            "form": form or FormState(),
            "page_path": f"/console/admin/rules/versions/{version}",
        },
        admin_section="rules",
        status_code=status_code,
        headers=headers,
    )


@router.get("/versions/{version}")
def rule_version(version: int, request: Request, auth: RulesManager, rt: RuntimeDep) -> Response:
    return _version_page(request, rt, auth, version)


@router.post("/versions/{version}/rollback")
def rollback(
    version: int, request: Request, auth: RulesManager, rt: RuntimeDep, comment: FormText = ""
) -> Response:
    values = {"comment": text(comment, rules_admin.COMMENT_MAX + 100)}
    try:
        rules_admin.rollback_rules(rt, auth, to_version=version, comment=values["comment"])
    except DomainError as exc:
        form, status, headers = form_error(request, exc, fields=("comment",), values=values)
        return _version_page(
            request, rt, auth, version, form=form, status_code=status, headers=headers
        )
    return redirect(request, "/console/admin/rules", flash="admin_rules_rolled_back")


def _edit_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    form: FormState,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/rule_edit.html",
        {"form": form, "page_path": "/console/admin/rules/edit"},
        admin_section="rules",
        status_code=status_code,
        headers=headers,
    )


@router.get("/edit")
def edit_rules(request: Request, auth: RulesManager, rt: RuntimeDep) -> Response:
    """The form starts from the rules in force now."""
    active = rules_admin.rule_versions(rt, auth)[0]
    values = {"source": active.source, "comment": "", "based_on": str(active.version)}
    return _edit_page(request, rt, auth, FormState(values=values))


@router.post("")
def save_rules(
    request: Request,
    auth: RulesManager,
    rt: RuntimeDep,
    source: FormText = "",
    comment: FormText = "",
    based_on: FormText = "",
) -> Response:
    """Store the edited file; refused when the rules changed since the editor opened
    (`based_on`), so nobody undoes a colleague's change without seeing it."""
    values = {
        "source": multiline(source, SOURCE_MAX),
        "comment": text(comment, rules_admin.COMMENT_MAX + 100),
        "based_on": text(based_on, 12),
    }
    try:
        rules_admin.save_rules(
            rt,
            auth,
            source=values["source"],
            comment=values["comment"],
            expected_version=parse_rule_version(values["based_on"], "based_on")
            if values["based_on"]
            else None,
        )
    except DomainError as exc:
        form, status, headers = form_error(
            request, exc, fields=EDIT_FIELDS, values=values, aliases=_EDIT_ALIASES
        )
        return _edit_page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, "/console/admin/rules", flash="admin_rules_saved")


@router.get("/diff")
def rule_diff(
    request: Request, auth: RulesManager, rt: RuntimeDep, old: str = "", new: str = ""
) -> Response:
    """Two versions compared: the rules added, removed and changed, and the line diff.
    Without a choice, the version in force against the one before it."""
    versions = rules_admin.rule_versions(rt, auth)[:LIST_MAX]
    numbers = [v.version for v in versions]
    values = {"old": text(old, 12), "new": text(new, 12)}
    if not values["new"]:
        values["new"] = str(numbers[0])
    if not values["old"]:
        values["old"] = str(numbers[1] if len(numbers) > 1 else numbers[0])
    form, status, diff = FormState(values=values), 200, None
    try:
        diff = rules_admin.diff_rule_versions(
            rt,
            auth,
            parse_rule_version(values["old"], "old"),
            parse_rule_version(values["new"], "new"),
        )
    except DomainError as exc:
        form, status, _ = form_error(request, exc, fields=("old", "new"), values=values)
    return admin_render(
        request,
        rt,
        auth,
        "console/admin/rule_diff.html",
        {
            "versions": versions,
            "form": form,
            "diff": diff,
            "lines": diff_lines(diff.unified) if diff else [],
        },
        admin_section="rules",
        status_code=status,
    )
