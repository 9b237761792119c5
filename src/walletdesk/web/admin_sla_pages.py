"""SLA policies (/console/admin/sla): the policies in force per priority and case type with
their first-response, next-response and resolution targets and escalation ladder, and a form
to set one. Storing and choosing policies is `support.sla_admin`'s and `support.casework`'s.

The ladder is typed one step per line, "<minutes after the breach> <action>"; left empty,
the policy keeps the ladder it has. `sla_admin.check_ladder` judges the steps."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import sla_admin
from walletdesk.support.models import CaseType, Priority
from walletdesk.support.sla import EscalationAction, EscalationStep
from walletdesk.web.admin_config_view import ConfigAdmin, admin_render, failed, staff_actor
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console/admin/sla", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

FIELDS = (
    "priority",
    "case_type",
    "first_response",
    "next_response",
    "resolution",
    "calendar",
    "ladder",
)
LADDER_MAX = 400
ACTION_NAMES = {
    EscalationAction.NOTIFY.value: N_("alert the assignee (supervisors if nobody has it)"),
    EscalationAction.REASSIGN_SENIOR.value: N_("give it to the least busy senior agent"),
    EscalationAction.SUPERVISOR.value: N_("alert every supervisor"),
}


def ladder_text(ladder: tuple[EscalationStep, ...]) -> str:
    return "\n".join(f"{step.after_minutes} {step.action.value}" for step in ladder)


def parse_ladder(typed: str) -> list[EscalationStep] | None:
    """The typed ladder, or None when nothing was typed (keep the policy's ladder)."""
    lines = [line.split() for line in typed.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return [EscalationStep(int(minutes), EscalationAction(action)) for minutes, action in lines]
    except ValueError:
        raise ValidationFailed(
            "invalid_sla_ladder_line",
            N_("Write each step on its own line as minutes and an action, e.g. “30 supervisor”."),
            field="ladder",
        ) from None


def _page(
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
        "console/admin/sla_policies.html",
        "sla",
        {
            "policies": sla_admin.effective_policies(rt),
            "calendars": sla_admin.calendar_keys(rt),
            "priorities": [p.value for p in Priority],
            "case_types": [t.value for t in CaseType],
            "form": form,
            "actions": ACTION_NAMES,
            "page_path": "/console/admin/sla",
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def sla_policies(
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    priority: str = "",
    case_type: str = "",
) -> Response:
    """`?priority=&case_type=` fills the form with the policy in force for them, to edit."""
    wanted = (text(priority, 16) or None, text(case_type, 16) or None)
    values = {
        "priority": wanted[0] or "any",
        "case_type": wanted[1] or "any",
        "calendar": sla_admin.NEW_POLICY_CALENDAR,
    }
    for shown in sla_admin.effective_policies(rt):
        p = shown.policy
        if (p.priority, p.case_type) == wanted and not shown.replaced:
            values.update(
                first_response=str(p.first_response_minutes),
                next_response=str(p.next_response_minutes),
                resolution=str(p.resolution_minutes),
                calendar=p.calendar,
                ladder=ladder_text(p.ladder),
            )
    return _page(request, rt, auth, FormState(values=values))


@router.post("")
def set_policy(
    request: Request,
    auth: ConfigAdmin,
    rt: RuntimeDep,
    priority: FormText = "",
    case_type: FormText = "",
    first_response: FormText = "",
    next_response: FormText = "",
    resolution: FormText = "",
    calendar: FormText = "",
    ladder: FormText = "",
) -> Response:
    values = {
        "priority": text(priority, 16),
        "case_type": text(case_type, 16),
        "first_response": text(first_response, 16),
        "next_response": text(next_response, 16),
        "resolution": text(resolution, 16),
        "calendar": text(calendar, 32),
        "ladder": text(ladder, LADDER_MAX),
    }
    try:
        sla_admin.check_set_policy(
            rt,
            staff_actor(request, auth),
            priority=values["priority"],
            case_type=values["case_type"],
            first_response=values["first_response"],
            next_response=values["next_response"],
            resolution=values["resolution"],
            calendar=values["calendar"],
            ladder=parse_ladder(values["ladder"]),
        )
    except DomainError as exc:
        form, status, headers = failed(request, exc, values, FIELDS, {"minutes": "first_response"})
        return _page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, "/console/admin/sla", flash="admin_sla_saved")


@router.post("/{policy_id}/remove")
def remove_policy(policy_id: str, request: Request, auth: ConfigAdmin, rt: RuntimeDep) -> Response:
    try:
        sla_admin.remove_policy(rt, staff_actor(request, auth), policy_id[:32])
    except DomainError as exc:
        form, status, headers = failed(request, exc, {}, FIELDS)
        return _page(request, rt, auth, form, status_code=status, headers=headers)
    return redirect(request, "/console/admin/sla", flash="admin_sla_removed")
