"""Money forms are safe to send twice: each confirmation form carries its own key.

Every render of a confirmation step gets a fresh key (`new_form_key`) in a hidden field. The
post runs the service under that key with the same machinery as the API's Idempotency-Key
(`ledger.idempotency`): the first post moves the money and stores where its result is shown,
in the same transaction; a second post of the same form (a double click, a reload, the back
button) gets that same result without moving money again. A refusal that will not change
(insufficient funds, a wrong amount) is stored and shown again; one that may pass later (a
limit window, a freeze) frees the key, like the API does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from fastapi import Request

from walletdesk.errors import AccountLocked, Conflict, DomainError, RateLimited, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger import idempotency
from walletdesk.ledger.errors import WalletFrozen
from walletdesk.randomness import new_id
from walletdesk.runtime import Runtime

T = TypeVar("T")

KEY_FIELD: Final = "form_key"
KEY_PREFIX: Final = "pgk_"
_TRANSIENT = (RateLimited, AccountLocked, WalletFrozen)


class StoredRefusal(DomainError):
    """The refusal the first post of this form got, shown again (already translated)."""

    def __init__(self, status: int, code: str, message: str, field: str | None) -> None:
        super().__init__(code, message, field=field)
        self.http_status = status


def new_form_key(rt: Runtime) -> str:
    return new_id(rt.random, KEY_PREFIX.rstrip("_"))


def _checked(key: str) -> str:
    text = key.strip()
    if not text.startswith(KEY_PREFIX) or len(text) > idempotency.MAX_KEY_LENGTH:
        raise ValidationFailed(
            "form_expired",
            N_("This form has expired. Please start again; nothing was charged."),
        )
    return text


def _claim(
    rt: Runtime, actor: Authenticated, key: str, fingerprint: str
) -> idempotency.Reservation | idempotency.Replay:
    try:
        return idempotency.claim(rt, scope=actor.user.id, key=key, fingerprint=fingerprint)
    except Conflict as exc:
        if exc.code == "idempotency_key_reused":
            raise Conflict(
                "form_reused",
                N_("This form was already sent with other details. Please start again."),
            ) from None
        raise


def run_once(
    rt: Runtime,
    request: Request,
    actor: Authenticated,
    *,
    key: str,
    values: Mapping[str, str],
    locale: str,
    operation: Callable[[idempotency.ResponseRecord[T]], T],
    result_url: Callable[[T], str],
) -> str:
    """Run `operation` once for this form key and return the URL that shows its result.

    `values` are the form's inputs (without the CSRF token and the key): the same key with
    other values is refused. A refusal is raised as the service's `DomainError` the first
    time and as a `StoredRefusal` with the same text when the form is sent again."""
    checked = _checked(key)
    fingerprint = idempotency.request_hash("POST", request.url.path, dict(values))
    claimed = _claim(rt, actor, checked, fingerprint)
    if isinstance(claimed, idempotency.Replay):
        body = claimed.body
        if "redirect" in body:
            return str(body["redirect"])
        error = body.get("error", {})
        raise StoredRefusal(
            claimed.status,
            str(error.get("code", "refused")),
            str(error.get("message", "")),
            error.get("field"),
        )
    record = idempotency.ResponseRecord[T](
        claimed, 303, lambda result: {"redirect": result_url(result)}
    )
    try:
        result = operation(record)
    except DomainError as exc:
        if isinstance(exc, _TRANSIENT) or exc.http_status >= 500:
            idempotency.abandon(rt, claimed)
        else:
            message = translate(exc.message, locale, **exc.params)
            stored = {"error": {"code": exc.code, "message": message, "field": exc.field}}
            idempotency.finish_failed(rt, claimed, exc.http_status, stored)
        raise
    except Exception:
        idempotency.abandon(rt, claimed)
        raise
    return result_url(result)
