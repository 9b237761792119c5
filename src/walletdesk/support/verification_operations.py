"""What a verification unblocks: a generic operation reference and the registry of callbacks
that release or cancel it.

The support desk does not know what a held transfer or a pending limit raise is. The code
that owns such an operation (risk, maker-checker) registers its kind once, at import time:

    from walletdesk.support.verification_operations import register_operation

    def _release(rt, uow, resolution):      # the customer was verified
        release_hold(rt, uow, resolution.operation.ref)
        return "released"

    def _cancel(rt, uow, resolution):       # failed or suspicious
        ...
        return "cancelled"

    register_operation("transfer_hold", on_verified=_release, on_rejected=_cancel)

and opens verifications that name it (`verification.request_verification`). When an agent
records the outcome, the matching callback runs **inside the same unit of work** as the
outcome: either both are committed or neither is (a callback that raises a `DomainError`
refuses the outcome with that error). The callback returns a short result code (at most 40
characters, e.g. "released", "cancelled", "already_settled") that the case history keeps.
Callbacks must be idempotent towards an operation that was settled elsewhere in the meantime
(return "already_settled" rather than raise), so the agent can still record the outcome.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.models import By
from walletdesk.support.verification_models import Outcome

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

_KIND = re.compile(r"^[a-z][a-z0-9_.]{1,39}$")
_REF = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
RESULT_MAX = 40


@dataclass(frozen=True)
class OperationRef:
    """A pending operation some other package owns: `kind` names the registry entry,
    `ref` is that package's own id (a hold id, a proposal id)."""

    kind: str
    ref: str

    def __post_init__(self) -> None:
        if not _KIND.match(self.kind):
            raise ValidationFailed("invalid_operation", field="operation.kind")
        if not _REF.match(self.ref):
            raise ValidationFailed("invalid_operation", field="operation.ref")


@dataclass(frozen=True)
class Resolution:
    """What a callback is told: which operation, how the verification ended, who decided."""

    verification_id: str
    case_id: str
    user_id: str
    operation: OperationRef
    outcome: Outcome
    by: By
    at: datetime


OperationCallback = Callable[["Runtime", "UnitOfWork", Resolution], str]


@dataclass(frozen=True)
class _Callbacks:
    on_verified: OperationCallback
    on_rejected: OperationCallback


def unknown_operation(kind: str) -> ValidationFailed:
    return ValidationFailed(
        "unknown_operation",
        N_("No part of walletdesk handles operations of kind {kind}."),
        field="operation.kind",
        kind=kind,
    )


class OperationRegistry:
    def __init__(self) -> None:
        self._callbacks: dict[str, _Callbacks] = {}
        self._lock = threading.Lock()

    def register(
        self,
        kind: str,
        *,
        on_verified: OperationCallback,
        on_rejected: OperationCallback,
    ) -> Callable[[], None]:
        """Handle operations of `kind`; returns the function that removes the handler.
        Registering a kind twice is a programming error (two owners for one operation)."""
        if not _KIND.match(kind):
            raise ValueError(f"operation kind {kind!r} must match {_KIND.pattern}")
        callbacks = _Callbacks(on_verified, on_rejected)
        with self._lock:
            if kind in self._callbacks:
                raise ValueError(f"operation kind {kind!r} is already registered")
            self._callbacks[kind] = callbacks

        def unregister() -> None:
            with self._lock:
                if self._callbacks.get(kind) is callbacks:
                    del self._callbacks[kind]

        return unregister

    def knows(self, kind: str) -> bool:
        with self._lock:
            return kind in self._callbacks

    def kinds(self) -> list[str]:
        with self._lock:
            return sorted(self._callbacks)

    def resolve(self, rt: Runtime, uow: UnitOfWork, resolution: Resolution) -> str:
        """Run the callback for the outcome inside `uow`; returns its result code."""
        with self._lock:
            callbacks = self._callbacks.get(resolution.operation.kind)
        if callbacks is None:
            # Fail closed: without its owner the operation stays blocked, and so does the
            # outcome, rather than being recorded as done while nothing was released.
            raise Conflict(
                "operation_unhandled",
                N_("The operation this verification unblocks cannot be settled right now."),
            )
        callback = (
            callbacks.on_verified
            if resolution.outcome is Outcome.VERIFIED
            else callbacks.on_rejected
        )
        result = callback(rt, uow, resolution)
        return str(result or "done")[:RESULT_MAX]


OPERATIONS = OperationRegistry()
"""The process's registry; owners register at import time."""
register_operation = OPERATIONS.register
