"""Complaints (投诉) in the help centre, for signed-in users: file one, follow its timeline by
its reference number, appeal the result once, or accept it.

The timeline and what the customer may do next come from the same shaping as the API
(`api.complaints.ComplaintOut`), so the page and the app never disagree on whether an appeal
is still possible; the services decide and refuse.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.complaints import TEXT_MAX, ComplaintOut
from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import complaints, complaints_views
from walletdesk.support.complaints_model import CATEGORY_NAMES, ComplaintCategory
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText
from walletdesk.web.forms import text as clip
from walletdesk.web.help_forms import (
    REFERENCE_MAX,
    ChoiceAndText,
    checked_text,
    form_page,
)
from walletdesk.web.help_view import blank_form
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/help/complaints", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

COMPLAINT_FORM: Final = ChoiceAndText(
    "category",
    ComplaintCategory,
    "complaint_category_missing",
    N_("Choose what your complaint is about."),
    N_("Tell us what went wrong, so that we can look into it."),
)


def _list_page(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    locale = page_locale(request)
    context = {
        "complaints": [
            ComplaintOut.of(view, locale) for view in complaints_views.my_complaints(rt, actor)
        ],
        "category_options": [
            (code.value, translate(name, locale)) for code, name in CATEGORY_NAMES.items()
        ],
        "text_max": TEXT_MAX,
    }
    return form_page(
        request, "help/complaints.html", context, form, exc, fields=COMPLAINT_FORM.fields
    )


@router.get("")
def complaints_page(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    return _list_page(request, rt, actor, blank_form({"category": ""}))


@router.post("")
def file_complaint(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    category: FormText = "",
    text: FormText = "",
) -> Response:
    values = COMPLAINT_FORM.typed(category, text)
    try:
        chosen, said = COMPLAINT_FORM.checked(values)
        view = complaints.file_complaint(rt, actor, category=chosen, text=said)
    except DomainError as exc:
        return _list_page(request, rt, actor, blank_form(values), exc)
    return redirect(
        request, f"/help/complaints/{view.complaint.reference}", flash="complaint_filed"
    )


def _detail_page(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    reference: str,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    view = complaints_views.my_complaint(rt, actor, clip(reference, REFERENCE_MAX))
    context = {
        "complaint": ComplaintOut.of(view, page_locale(request)),
        "text_max": TEXT_MAX,
        "page_path": f"/help/complaints/{view.complaint.reference}",
    }
    return form_page(request, "help/complaint.html", context, form, exc, fields=("reason",))


@router.get("/{reference}")
def complaint_page(reference: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    """The timeline of one of the user's complaints (someone else's looks missing)."""
    return _detail_page(request, rt, actor, reference, blank_form())


@router.post("/{reference}/appeal")
def appeal(
    reference: str,
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    reason: FormText = "",
) -> Response:
    values = {"reason": clip(reason, TEXT_MAX * 2)}
    try:
        view = complaints.appeal(
            rt,
            actor,
            clip(reference, REFERENCE_MAX),
            reason=checked_text(
                values["reason"],
                field="reason",
                empty_message=N_("Tell us why the result does not settle your complaint."),
            ),
        )
    except DomainError as exc:
        return _detail_page(request, rt, actor, reference, blank_form(values), exc)
    return redirect(
        request, f"/help/complaints/{view.complaint.reference}", flash="complaint_appealed"
    )


@router.post("/{reference}/confirm")
def confirm(reference: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    try:
        view = complaints.confirm(rt, actor, clip(reference, REFERENCE_MAX))
    except DomainError as exc:
        return _detail_page(request, rt, actor, reference, blank_form(), exc)
    return redirect(
        request, f"/help/complaints/{view.complaint.reference}", flash="complaint_confirmed"
    )
