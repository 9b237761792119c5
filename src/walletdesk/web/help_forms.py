"""What the help centre's customer forms share (complaints, suggestions): the customer's text,
refused as the API would refuse it; a choice from a closed list; and the form page drawn again
with a refusal beside its field and what was typed kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Generic, TypeVar

from fastapi import Request, Response

from walletdesk.api.complaints import TEXT_MAX
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.web.forms import FormState
from walletdesk.web.forms import text as clip
from walletdesk.web.help_view import help_failure, help_render

REFERENCE_MAX: Final = 32
CHOICE_MAX: Final = 32

Choice = TypeVar("Choice", bound=StrEnum)


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


@dataclass(frozen=True)
class ChoiceAndText(Generic[Choice]):
    """A form of one choice from a closed list (`choice_field`) and one text ("text"): a
    complaint's category, a suggestion's topic."""

    choice_field: str
    choices: type[Choice]
    missing_code: str
    missing_message: str
    """Beside the choice when it is none of `choices`."""
    empty_message: str
    """Beside the text when it is empty."""

    @property
    def fields(self) -> tuple[str, str]:
        return (self.choice_field, "text")

    def typed(self, choice: str, text: str) -> dict[str, str]:
        """What was typed, clipped (the text at twice what is accepted, so that a refusal
        still shows it whole)."""
        return {self.choice_field: clip(choice, CHOICE_MAX), "text": clip(text, TEXT_MAX * 2)}

    def checked(self, typed: Mapping[str, str]) -> tuple[Choice, str]:
        """The choice and the text, or a refusal beside the first field that is wrong."""
        try:
            choice = self.choices(typed[self.choice_field])
        except ValueError:
            raise ValidationFailed(
                self.missing_code, self.missing_message, field=self.choice_field
            ) from None
        return choice, checked_text(typed["text"], field="text", empty_message=self.empty_message)


def form_page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    form: FormState,
    exc: DomainError | None,
    *,
    fields: tuple[str, ...],
) -> Response:
    """The page with its form: as given, or with `exc` beside its field among `fields`."""
    if exc is None:
        return help_render(request, template, {**context, "form": form})
    return help_failure(request, exc, template, context, fields=fields, values=form.values)
