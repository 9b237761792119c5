"""What every help-centre page shares: rendering with the help centre's helpers (category
names, the pending-contact banner), refused forms, and the help centre's one-line notices.

Pages show what the knowledge-base, complaint and verification services return; the words
for codes (a category, a suggestion topic, a kind of official channel) are msgids here or in
the services, translated in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fastapi import Request, Response

from walletdesk.errors import DomainError
from walletdesk.i18n import N_, translate
from walletdesk.support import kb
from walletdesk.web.flash import FLASHES
from walletdesk.web.forms import FormState, failed_form, failure_headers, failure_status
from walletdesk.web.help_banner import pending_contacts_for
from walletdesk.web.rendering import page_locale, render

PUBLIC_CATEGORIES: Final = tuple(c for c in kb.CATEGORIES if not c.internal)
"""The categories the help centre lists (agents' guides stay out)."""
_CATEGORY_NAMES: Final = {c.key: c.name for c in PUBLIC_CATEGORIES}

FLASHES.update(
    {
        "feedback_thanks": ("success", N_("Thank you for your feedback. It helps us improve.")),
        "complaint_filed": (
            "success",
            N_("Your complaint is registered. Keep its reference number to follow it here."),
        ),
        "complaint_appealed": (
            "success",
            N_("Your appeal is registered. Someone who did not give the first result reviews it."),
        ),
        "complaint_confirmed": ("success", N_("Thank you. You accepted the result.")),
        "suggestion_sent": (
            "success",
            N_("Thank you for your suggestion. You can follow what becomes of it here."),
        ),
    }
)


def is_public_category(key: str) -> bool:
    return key in _CATEGORY_NAMES


def help_render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`render` with what help templates use, bound to the page's language."""
    locale = page_locale(request)

    def category_name(key: str) -> str:
        return translate(_CATEGORY_NAMES.get(key, N_("Other")), locale)

    values: dict[str, Any] = {
        "categories": PUBLIC_CATEGORIES,
        "category_name": category_name,
        "text": lambda message, **params: translate(message, locale, **params),
        "pending_contacts": pending_contacts_for(request),
    }
    values.update(context or {})
    return render(request, template, values, status_code=status_code, headers=headers)


def help_failure(
    request: Request,
    exc: DomainError,
    template: str,
    context: Mapping[str, Any],
    *,
    fields: tuple[str, ...],
    values: Mapping[str, str],
    form_name: str = "form",
) -> Response:
    """The page again, with the refusal next to its field and what was typed kept."""
    form = failed_form(exc, page_locale(request), fields=fields, values=values)
    return help_render(
        request,
        template,
        {**context, form_name: form},
        status_code=failure_status(exc),
        headers=failure_headers(exc),
    )


def blank_form(values: Mapping[str, str] | None = None) -> FormState:
    return FormState(values=dict(values or {}))
