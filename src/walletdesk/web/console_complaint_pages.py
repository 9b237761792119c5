"""Complaint handling on a complaint case: register or change its category (which sets the
statutory deadline), mark it under investigation, give the result (solves the case)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support import complaints_handling
from walletdesk.support.complaints_model import ComplaintCategory
from walletdesk.web.console_case_pages import CASE_ID_MAX, case_url, failed_page
from walletdesk.web.console_view import ConsoleAgent, actor_of
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text

router = APIRouter(
    prefix="/console/cases", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_TEXT_MAX = 4000


@router.post("/{case_id}/complaint/category")
def set_category(
    case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep, category: FormText = ""
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"category": text(category, 32)}
    try:
        try:
            chosen = ComplaintCategory(values["category"])
        except ValueError:
            raise ValidationFailed(
                "invalid_complaint_category",
                N_("Choose a complaint category from the list."),
                field="category",
            ) from None
        complaints_handling.set_category(rt, actor_of(auth), case_id, chosen)
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "category", values, ("category",))
    return redirect(request, case_url(case_id), flash="console_complaint")


@router.post("/{case_id}/complaint/investigate")
def investigate(
    case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep, note: FormText = ""
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"investigate_note": text(note, _TEXT_MAX)}
    try:
        complaints_handling.start_investigation(
            rt, actor_of(auth), case_id, note=values["investigate_note"] or None
        )
    except DomainError as exc:
        return failed_page(
            request,
            rt,
            auth,
            case_id,
            exc,
            "investigate",
            values,
            ("investigate_note",),
            {"text": "investigate_note", "note": "investigate_note"},
        )
    return redirect(request, case_url(case_id), flash="console_complaint")


@router.post("/{case_id}/complaint/result")
def give_result(
    case_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep, result: FormText = ""
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"result": text(result, _TEXT_MAX)}
    try:
        complaints_handling.give_result(rt, actor_of(auth), case_id, text=values["result"])
    except DomainError as exc:
        return failed_page(
            request, rt, auth, case_id, exc, "result", values, ("result",), {"text": "result"}
        )
    return redirect(request, case_url(case_id), flash="console_complaint")
