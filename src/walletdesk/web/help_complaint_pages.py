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
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import complaints, complaints_views
from walletdesk.support.complaints_model import CATEGORY_NAMES, ComplaintCategory
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText
from walletdesk.web.forms import text as clip
from walletdesk.web.help_view import blank_form, help_failure, help_render
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/help/complaints", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

REFERENCE_MAX: Final = 32
_FIELDS: Final = ("category", "text")


def checked_text(value: str, *, field: str, empty_message: str) -> str:
    """A customer's text, refused when empty or longer than the API accepts (kept whole in
    the form, so nothing typed is lost)."""
    if not value.strip():
        raise ValidationFailed("text_missing", empty_message, field=field)
    if len(value) > TEXT_MAX:
        raise ValidationFailed(
            "text_too_long",
            N_("Please keep it to {limit} characters."),
            field=field,
            limit=TEXT_MAX,
        )
    return value


def _category(value: str) -> ComplaintCategory:
    try:
        return ComplaintCategory(value)
    except ValueError:
        raise ValidationFailed(
            "complaint_category_missing",
            N_("Choose what your complaint is about."),
            field="category",
        ) from None


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
    if exc is None:
        return help_render(request, "help/complaints.html", {**context, "form": form})
    return help_failure(
        request, exc, "help/complaints.html", context, fields=_FIELDS, values=form.values
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
    values = {"category": clip(category, 32), "text": clip(text, TEXT_MAX * 2)}
    try:
        view = complaints.file_complaint(
            rt,
            actor,
            category=_category(values["category"]),
            text=checked_text(
                values["text"],
                field="text",
                empty_message=N_("Tell us what went wrong, so that we can look into it."),
            ),
        )
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
    if exc is None:
        return help_render(request, "help/complaint.html", {**context, "form": form})
    return help_failure(
        request, exc, "help/complaint.html", context, fields=("reason",), values=form.values
    )


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
