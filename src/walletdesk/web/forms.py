"""Forms that fail come back with what the person typed and the reason next to the field.

Services raise `DomainError`s whose `field` names their own parameter (`phone`, `password`);
each form maps those names (or an error code) onto its own inputs. Passwords and codes are
never sent back to the browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Form

from walletdesk.errors import AccountLocked, DomainError, RateLimited
from walletdesk.i18n import translate

FormText = Annotated[str, Form()]
"""A form field read as text (pages default every field to "" and validate in services)."""

TEXT_LIMIT = 1024
"""Longest value a page passes on; services apply their own, tighter rules."""


def text(value: str | None, limit: int = TEXT_LIMIT) -> str:
    return (value or "")[:limit]


@dataclass
class FormState:
    """One form on a page: the values to show again and the messages to show with them."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.general is not None


def failed_form(
    exc: DomainError,
    locale: str,
    *,
    fields: Iterable[str],
    values: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> FormState:
    """Place the translated message of `exc` next to the input it concerns.

    `aliases` maps a service's field name or an error code onto an input name; a message
    about no input of this form is shown above the form.
    """
    message = translate(exc.message, locale, **exc.params)
    names = aliases or {}
    target = names.get(exc.code) or names.get(exc.field or "") or exc.field
    state = FormState(values=dict(values or {}))
    if target is not None and target in set(fields):
        state.errors[target] = message
    else:
        state.general = message
    return state


def failure_status(exc: DomainError) -> int:
    """The status of a page that shows a failed form: the error's own, except that 401 (which
    promises a WWW-Authenticate challenge) becomes 400."""
    return 400 if exc.http_status == 401 else exc.http_status


def failure_headers(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, RateLimited | AccountLocked):
        return {"Retry-After": str(exc.retry_after)}
    return {}
