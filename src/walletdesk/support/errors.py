"""Coded errors of the support desk. Clients switch on `code`."""

from __future__ import annotations

from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_


class CaseNotFound(NotFound):
    """Missing, or not the caller's: the two look the same."""

    default_code = "case_not_found"
    default_message = N_("We could not find this case.")


class ConversationNotFound(NotFound):
    default_code = "conversation_not_found"
    default_message = N_("We could not find this conversation.")


class AttachmentNotFound(NotFound):
    default_code = "attachment_not_found"
    default_message = N_("We could not find this attachment.")


class ConversationWithBot(Conflict):
    default_code = "conversation_with_bot"
    default_message = N_(
        "The assistant is still handling this conversation. It reaches an agent after hand-off."
    )


class CaseIsClosed(Conflict):
    default_code = "case_closed"
    default_message = N_("This case is closed and cannot change any more.")


class AttachmentRefused(ValidationFailed):
    default_code = "attachment_refused"
    default_message = N_(
        "Attach pictures (PNG, JPEG, GIF, WebP, HEIC) or PDF files of at most {max_mb} MB."
    )


def empty_message() -> ValidationFailed:
    return ValidationFailed("empty_message", N_("Write a message or attach a file."), field="text")


def too_many_attachments(limit: int) -> ValidationFailed:
    return ValidationFailed(
        "too_many_attachments",
        N_("Attach at most {limit} files to one message."),
        field="attachments",
        limit=limit,
    )


def not_an_agent() -> ValidationFailed:
    return ValidationFailed(
        "not_an_agent",
        N_("Cases can only be assigned to staff who work cases."),
        field="assignee_id",
    )
