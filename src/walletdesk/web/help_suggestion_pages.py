"""Suggestions (建议) in the help centre, for signed-in users: send one, see what became of it
(received, being reviewed, adopted, ...) and the team's answer."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.complaints import TEXT_MAX
from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.support import suggestions
from walletdesk.support.suggestions import STATUS_NAMES, SuggestionStatus, SuggestionTopic
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText
from walletdesk.web.forms import text as clip
from walletdesk.web.help_forms import (
    REFERENCE_MAX,
    ChoiceAndText,
    form_page,
)
from walletdesk.web.help_view import blank_form, help_render
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
SUGGESTION_FORM: Final = ChoiceAndText(
    "topic",
    SuggestionTopic,
    "suggestion_topic_missing",
    N_("Choose what your suggestion is about."),
    N_("Write your suggestion first."),
)


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
    return form_page(
        request, "help/suggestions.html", context, form, exc, fields=SUGGESTION_FORM.fields
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
    values = SUGGESTION_FORM.typed(topic, text)
    try:
        chosen, said = SUGGESTION_FORM.checked(values)
        view = suggestions.submit_suggestion(rt, actor, topic=chosen, text=said)
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
