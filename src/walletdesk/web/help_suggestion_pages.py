"""Suggestions (建议) in the help centre, for signed-in users: send one, see what became of it
(received, being reviewed, adopted, ...) and the team's answer."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.complaints import TEXT_MAX
from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import suggestions
from walletdesk.support.suggestions import STATUS_NAMES, SuggestionStatus, SuggestionTopic
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText
from walletdesk.web.forms import text as clip
from walletdesk.web.help_complaint_pages import REFERENCE_MAX, checked_text
from walletdesk.web.help_view import blank_form, help_failure, help_render
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/help/suggestions", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

TOPIC_NAMES: Final = {
    SuggestionTopic.APP: N_("The app and its pages"),
    SuggestionTopic.PAYMENTS: N_("Payments and transfers"),
    SuggestionTopic.FEES: N_("Fees"),
    SuggestionTopic.SECURITY: N_("Security"),
    SuggestionTopic.SERVICE: N_("Customer service"),
    SuggestionTopic.OTHER: N_("Something else"),
}
_FIELDS: Final = ("topic", "text")


def _topic(value: str) -> SuggestionTopic:
    try:
        return SuggestionTopic(value)
    except ValueError:
        raise ValidationFailed(
            "suggestion_topic_missing", N_("Choose what your suggestion is about."), field="topic"
        ) from None


def _status_name(status: str) -> str:
    return STATUS_NAMES[SuggestionStatus(status)]


def _list_page(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    context = {
        "suggestions": suggestions.my_suggestions(rt, actor),
        "topic_names": TOPIC_NAMES,
        "topic_options": [
            (code.value, translate(name, page_locale(request)))
            for code, name in TOPIC_NAMES.items()
        ],
        "status_name": _status_name,
        "text_max": TEXT_MAX,
    }
    if exc is None:
        return help_render(request, "help/suggestions.html", {**context, "form": form})
    return help_failure(
        request, exc, "help/suggestions.html", context, fields=_FIELDS, values=form.values
    )


@router.get("")
def suggestions_page(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    return _list_page(request, rt, actor, blank_form({"topic": SuggestionTopic.APP.value}))


@router.post("")
def send_suggestion(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    topic: FormText = "",
    text: FormText = "",
) -> Response:
    values = {"topic": clip(topic, 32), "text": clip(text, TEXT_MAX * 2)}
    try:
        view = suggestions.submit_suggestion(
            rt,
            actor,
            topic=_topic(values["topic"]),
            text=checked_text(
                values["text"],
                field="text",
                empty_message=N_("Write your suggestion first."),
            ),
        )
    except DomainError as exc:
        return _list_page(request, rt, actor, blank_form(values), exc)
    return redirect(
        request, f"/help/suggestions/{view.suggestion.reference}", flash="suggestion_sent"
    )


@router.get("/{reference}")
def suggestion_page(reference: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    view = suggestions.my_suggestion(rt, actor, clip(reference, REFERENCE_MAX))
    return help_render(
        request,
        "help/suggestion.html",
        {
            "suggestion": view.suggestion,
            "topic_names": TOPIC_NAMES,
            "status_name": _status_name,
        },
    )
