"""Case actions under maker-checker: what can be proposed, the life of a proposal, and the
approval thresholds. Plain dataclasses, no framework imports.

A proposal goes

    pending ──approve──▶ executing ──▶ executed
       │                    │
       │                    └────────▶ failed      (the service refused: nothing moved)
       ├──reject──▶ rejected
       └──cancel──▶ cancelled

and skips `pending` when no second person is needed (below the threshold, or a freeze).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from walletdesk.errors import Conflict, Forbidden, NotFound
from walletdesk.i18n import N_
from walletdesk.ledger.limits import YUAN


class ActionKind(StrEnum):
    REFUND = "refund"
    """Refund (part of) a merchant payment the customer made, from the merchant."""
    REVERSE = "reverse"
    """Reverse a posted transfer or adjustment with a compensating entry."""
    WAIVE_FEE = "waive_fee"
    """Give back the fee of a withdrawal, from fee revenue."""
    RELEASE_HOLD = "release_hold"
    """Release a reservation on the customer's wallet (never one a bank is settling)."""
    UNFREEZE = "unfreeze"
    UNLOCK = "unlock"
    """End a password lock-out before it runs out."""
    RAISE_LIMIT = "raise_limit"
    """Raise the customer's payment limits for a number of days."""
    FREEZE = "freeze"
    """Freeze the wallet: immediate, never waits for anyone."""


MONEY_KINDS = frozenset(
    {ActionKind.REFUND, ActionKind.REVERSE, ActionKind.WAIVE_FEE, ActionKind.RELEASE_HOLD}
)

DEFAULT_APPROVAL_ABOVE: dict[ActionKind, int | None] = {
    ActionKind.REFUND: 200 * YUAN,
    ActionKind.REVERSE: None,
    ActionKind.WAIVE_FEE: 20 * YUAN,
    ActionKind.RELEASE_HOLD: None,
    ActionKind.UNFREEZE: None,
    ActionKind.UNLOCK: None,
    ActionKind.RAISE_LIMIT: None,
}
"""A second person approves when the amount (its CNY equivalent, in fen) is above this;
None: always. Actions without an amount count as zero, so 0 lets them through alone.
Supervisors change these per kind (`actions.set_policy`); freezing has no threshold."""


class ActionStatus(StrEnum):
    PENDING = "pending"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset({ActionStatus.PENDING, ActionStatus.EXECUTING})


@dataclass(frozen=True)
class ActionPolicy:
    kind: str
    approval_above: int | None
    updated_at: datetime | None = None
    updated_by: str | None = None

    def needs_approval(self, amount_cny: int | None) -> bool:
        """`amount_cny` None means it could not be weighed (no rate): ask a second person."""
        if self.approval_above is None or amount_cny is None:
            return True
        return amount_cny > self.approval_above


def default_policy(kind: ActionKind) -> ActionPolicy:
    return ActionPolicy(kind.value, DEFAULT_APPROVAL_ABOVE.get(kind))


@dataclass
class Proposal:
    id: str
    case_id: str
    kind: str
    status: str
    customer_id: str
    proposed_by: str
    reason: str
    params: str
    """JSON: what the executor needs besides the target (merchant, limits, ...)."""
    transaction_ids: str
    """JSON list of the journal entries or operations the proposer linked."""
    needs_approval: bool
    idempotency_key: str
    created_at: datetime
    target_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    amount_cny: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    executing_since: datetime | None = None
    executed_at: datetime | None = None
    result: str | None = None
    failure_code: str | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.params)
        return loaded

    @property
    def linked(self) -> list[str]:
        loaded: list[str] = json.loads(self.transaction_ids)
        return loaded

    @property
    def outcome(self) -> dict[str, Any] | None:
        if self.result is None:
            return None
        loaded: dict[str, Any] = json.loads(self.result)
        return loaded

    def start(self, now: datetime) -> None:
        self.status = ActionStatus.EXECUTING.value
        self.executing_since = now

    def finish(self, now: datetime, result: dict[str, Any]) -> None:
        self.status = ActionStatus.EXECUTED.value
        self.executed_at = now
        self.result = json.dumps(result, sort_keys=True, ensure_ascii=False, default=str)

    def fail(self, now: datetime, code: str) -> None:
        self.status = ActionStatus.FAILED.value
        self.executed_at = now
        self.failure_code = code[:64]


def idempotency_key(case_id: str, proposal_id: str) -> str:
    """The key every execution of one proposal carries (a refund's out_request_no, the
    reversal's reason, ...): a retry finds the first result instead of acting twice."""
    return f"case:{case_id}:{proposal_id}"


class ProposalNotFound(NotFound):
    default_code = "action_not_found"
    default_message = N_("We could not find this case action.")


class OwnProposal(Forbidden):
    default_code = "own_proposal"
    default_message = N_("A second person must approve this action; you proposed it yourself.")


class OwnAccount(Forbidden):
    default_code = "own_account"
    default_message = N_("You cannot act on your own wallet account.")


class ProposalDecided(Conflict):
    default_code = "action_already_decided"
    default_message = N_("This action can no longer change: it is {status}.")
