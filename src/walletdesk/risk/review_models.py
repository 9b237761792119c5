"""What the review queue stores: transfers held for review, review cases (one open per
customer), the alerts that joined a case and every reviewer action."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HeldStatus(StrEnum):
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    """Declined by the sweep after the final timeout (never approved on timeout)."""


class CaseStatus(StrEnum):
    OPEN = "open"
    AWAITING_SECOND = "awaiting_second"
    """A first reviewer approved (or asked to unfreeze); a different one must confirm."""
    CLOSED = "closed"


class CaseLabel(StrEnum):
    FALSE_POSITIVE = "false_positive"
    VALUABLE_ALERT = "valuable_alert"
    CONFIRMED_FRAUD = "confirmed_fraud"


class ReviewAction(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    ASK_CUSTOMER = "ask_customer"
    ESCALATE = "escalate"
    CLOSE = "close"
    ASSIGN = "assign"


@dataclass
class HeldTransfer:
    """A movement held for review. Despite the name (kept: the API and the review queue
    speak of held transfers) it may be a P2P transfer, a merchant payment or a withdrawal
    (`kind`, a `MovementKind` value); `reference` is the payment order or bank operation it
    belongs to, `details` (JSON) what approving it needs. A withdrawal has no recipient."""

    id: str
    user_id: str
    recipient_id: str | None
    hold_id: str
    decision_id: str
    case_id: str
    amount_minor: int
    currency: str
    amount_cny_minor: int
    note: str | None
    locale: str
    device_id: str | None
    ip: str | None
    status: str
    created_at: datetime
    expected_by: datetime
    decline_at: datetime
    """The final timeout: the sweep declines it from this instant on."""
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    entry_id: str | None = None
    kind: str = "transfer"
    reference: str | None = None
    details: str = "{}"

    @property
    def pending(self) -> bool:
        return self.status == HeldStatus.UNDER_REVIEW

    @property
    def recipient_wallet(self) -> str:
        """The receiving user of a held P2P transfer (the pages about held transfers)."""
        assert self.kind == "transfer" and self.recipient_id is not None, self.kind
        return self.recipient_id

    @property
    def facts(self) -> dict[str, object]:
        """`details`, read."""
        data = json.loads(self.details or "{}")
        return data if isinstance(data, dict) else {}


@dataclass
class ReviewCase:
    id: str
    user_id: str
    open_user_id: str | None
    status: str
    opened_at: datetime
    assigned_to: str | None
    assigned_at: datetime | None
    escalated: bool
    four_eyes: bool
    max_score: int
    max_amount_cny_minor: int
    auto_frozen: bool
    pending_action: str | None = None
    pending_by: str | None = None
    pending_at: datetime | None = None
    label: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


@dataclass
class ReviewAlert:
    id: str
    case_id: str
    user_id: str
    decision_id: str
    movement_id: str
    counterparty_id: str | None
    action: str
    score: int
    created_at: datetime


@dataclass
class ReviewActionRecord:
    id: str
    case_id: str
    actor_id: str
    action: str
    comment: str
    created_at: datetime
