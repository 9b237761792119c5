"""Idempotency keys for money-moving requests (Stripe's rules).

`claim` runs in its own short transaction: the first request for a key gets a lease; the
same key with the same body returns the stored first response; with a different body, 409;
while the first is still running, 409. The response is stored by `finish` inside the same
transaction as the money movement, so a key maps to exactly one entry or to none. Keys are
kept for 24 hours; a lease that ran out (its process died) can be taken over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

T = TypeVar("T")
KEEP_FOR = timedelta(hours=24)
LEASE = timedelta(seconds=60)
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class Reservation:
    scope: str
    key: str
    token: str


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


def request_hash(method: str, path: str, body: object) -> str:
    canonical = json.dumps(
        [method, path, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ValidationFailed(
            "idempotency_key_required",
            N_("Send an Idempotency-Key header with every payment request."),
            field="Idempotency-Key",
        )
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed("invalid_idempotency_key", field="Idempotency-Key")
    return key


def claim(rt: Runtime, *, scope: str, key: str, fingerprint: str) -> Reservation | Replay:
    now = rt.clock.now()
    token = new_id(rt.random, "lse")
    fresh = {
        "scope": scope,
        "key": key,
        "request_hash": fingerprint,
        "status": "in_flight",
        "lease_token": token,
        "lease_until": now + LEASE,
        "response_status": None,
        "response_body": None,
        "created_at": now,
        "expires_at": now + KEEP_FOR,
    }
    with rt.db.uow() as uow:
        if uow.idempotency.claim(fresh):
            # A new claim moves nothing: if a crash loses it, the client's retry claims again,
            # and the operation's own (durable) commit flushes it first, so its lease check
            # never misses it. Not waiting for the disk here saves a log flush per request.
            uow.commit_unflushed()
            return Reservation(scope, key, token)
        existing = uow.idempotency.get(scope, key, for_update=True)
        assert existing is not None
        if existing["expires_at"] <= now:
            uow.idempotency.take_over(scope, key, existing["lease_token"], fresh)
            uow.commit()
            return Reservation(scope, key, token)
        if existing["request_hash"] != fingerprint:
            raise Conflict(
                "idempotency_key_reused",
                N_("This Idempotency-Key was already used for a different request."),
            )
        if existing["status"] == "done":
            return Replay(int(existing["response_status"]), json.loads(existing["response_body"]))
        if existing["lease_until"] > now:
            raise lease_lost()
        taken = {"lease_token": token, "lease_until": now + LEASE}
        uow.idempotency.take_over(scope, key, existing["lease_token"], taken)
        uow.commit()
        return Reservation(scope, key, token)


def finish(uow: UnitOfWork, reservation: Reservation, status: int, body: dict[str, Any]) -> None:
    """Store the response inside the operation's transaction (commits with the money)."""
    stored = uow.idempotency.finish(
        reservation.scope, reservation.key, reservation.token, status, stored_body(body)
    )
    if not stored:
        raise lease_lost()


def lease_lost() -> Conflict:
    """Another request holds the key (or took it over after our lease ran out): do not post
    twice."""
    return Conflict(
        "request_in_progress",
        N_("The same request is still being processed. Check its status shortly."),
    )


def stored_body(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class ResponseRecord(Generic[T]):
    """The `record` hook an idempotent request hands to its operation: called with the unit
    of work and the result, it stores the response. An operation that writes in bulk (the
    transfer engine) may instead ask for the row to store (`row`) and write it itself, with
    the same lease check."""

    reservation: Reservation
    status: int
    body_of: Callable[[T], dict[str, Any]]

    def __call__(self, uow: UnitOfWork, result: T) -> None:
        finish(uow, self.reservation, self.status, self.body_of(result))

    def row(self, result: T) -> dict[str, object]:
        return {
            "scope": self.reservation.scope,
            "key": self.reservation.key,
            "token": self.reservation.token,
            "status": self.status,
            "body": stored_body(self.body_of(result)),
        }


def finish_failed(rt: Runtime, reservation: Reservation, status: int, body: dict[str, Any]) -> None:
    """Store a refusal (4xx) in its own transaction; the same request gets the same answer."""
    with rt.db.uow() as uow:
        finish(uow, reservation, status, body)
        uow.commit()


def abandon(rt: Runtime, reservation: Reservation) -> None:
    """An unexpected failure: free the key at once so a retry runs the request again."""
    with rt.db.uow() as uow:
        uow.idempotency.take_over(
            reservation.scope,
            reservation.key,
            reservation.token,
            {"lease_until": rt.clock.now()},
        )
        uow.commit()
