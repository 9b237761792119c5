"""Running a money-moving request under its Idempotency-Key (see ledger.idempotency)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from walletdesk.api.errors import error_body
from walletdesk.errors import AccountLocked, DomainError, RateLimited
from walletdesk.ledger import idempotency
from walletdesk.ledger.errors import WalletFrozen
from walletdesk.runtime import Runtime
from walletdesk.storage.uow import UnitOfWork

T = TypeVar("T")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Required; a retry with the same key and body returns the first response",
        max_length=200,
    ),
]
# Refusals that may pass later (a limit window, a lock, a freeze) free the key for a retry;
# definite ones (insufficient funds, bad input) are stored and replayed like a success.
_TRANSIENT = (RateLimited, AccountLocked, WalletFrozen)


def run_idempotent(
    rt: Runtime,
    request: Request,
    *,
    scope: str,
    key: str | None,
    body: BaseModel,
    operation: Callable[[Callable[[UnitOfWork, T], None]], T],
    shape: Callable[[T], BaseModel],
    status_code: int = 201,
) -> JSONResponse:
    checked = idempotency.check_key(key)
    fingerprint = idempotency.request_hash(
        request.method, request.url.path, body.model_dump(mode="json")
    )
    claimed = idempotency.claim(rt, scope=scope, key=checked, fingerprint=fingerprint)
    if isinstance(claimed, idempotency.Replay):
        return JSONResponse(
            claimed.body, status_code=claimed.status, headers={"Idempotent-Replayed": "true"}
        )

    record = idempotency.ResponseRecord[T](
        claimed, status_code, lambda result: shape(result).model_dump(mode="json")
    )
    try:
        result = operation(record)
    except DomainError as exc:
        if isinstance(exc, _TRANSIENT) or exc.http_status >= 500:
            idempotency.abandon(rt, claimed)
        else:
            stored = error_body(request, exc.code, exc.message, field=exc.field, **exc.params)
            idempotency.finish_failed(rt, claimed, exc.http_status, stored)
        raise
    except Exception:
        idempotency.abandon(rt, claimed)
        raise
    return JSONResponse(shape(result).model_dump(mode="json"), status_code=status_code)


def accepted_when_under_review(response: JSONResponse) -> JSONResponse:
    """A movement the risk engine held answers 202 (accepted, not done), like a held transfer;
    the stored body decides, so a replay of the same key answers the same status."""
    body = json.loads(bytes(response.body))
    if isinstance(body, dict) and body.get("status") == "under_review":
        response.status_code = 202
    return response
