"""Bound cards and bank operations (top-ups and withdrawals). No framework imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from walletdesk.banking.bins import CardType
from walletdesk.ledger.money import Money


class CardStatus(StrEnum):
    PENDING = "pending_verification"
    ACTIVE = "active"
    REMOVED = "removed"


@dataclass
class Card:
    """A bound card as walletdesk keeps it: the gateway's token, the bank, the type and the
    last four digits. Never the full number, the CVV or the PIN."""

    id: str
    user_id: str
    bank_code: str
    card_type: str
    last4: str
    status: str
    binding_request_id: str
    created_at: datetime
    gateway_token: str | None = None
    verified_at: datetime | None = None
    removed_at: datetime | None = None

    @property
    def takes_payouts(self) -> bool:
        """Banks pay withdrawals only into debit cards."""
        return self.card_type == CardType.DEBIT

    def activate(self, token: str, now: datetime) -> None:
        self.gateway_token = token
        self.status = CardStatus.ACTIVE
        self.verified_at = now

    def remove(self, now: datetime) -> None:
        self.status = CardStatus.REMOVED
        self.removed_at = now


class OperationKind(StrEnum):
    TOPUP = "topup"
    WITHDRAWAL = "withdrawal"
    PAYMENT = "payment"
    """A card charge paying a merchant order; `merchants.card_payments` settles it."""


class OperationStatus(StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNDER_REVIEW = "under_review"
    """A withdrawal the risk engine held: reserved, not sent to the bank until a reviewer
    approves it (then processing); see `banking.screening`."""
    CANCELLED = "cancelled"
    """Cancelled by its owner while under review; never sent to the bank."""
    DECLINED = "declined"
    """Declined in review (or at the review's final timeout); never sent to the bank."""


REVIEW_STATUSES = frozenset(
    {OperationStatus.UNDER_REVIEW, OperationStatus.CANCELLED, OperationStatus.DECLINED}
)
"""Statuses of an operation that is (or was) held for review and never reached the bank: the
history shows it as a held movement (`risk.held_history`), with its expected decision time."""


@dataclass
class BankOperation:
    """One top-up or withdrawal; its id is the request id the bank knows it by."""

    id: str
    kind: str
    user_id: str
    card_id: str
    bank_code: str
    amount: int
    fee: int
    currency: str
    status: str
    created_at: datetime
    updated_at: datetime
    client_key: str | None = None
    """The request's Idempotency-Key: a retry after a crash finds this operation again."""
    reason_code: str | None = None
    """Why it failed, or `network_timeout` while we wait for a lost answer."""
    hold_id: str | None = None
    entry_id: str | None = None
    bank_reference: str | None = None
    resolved_at: datetime | None = None
    limit_counted: int | None = None
    """CNY fen a withdrawal counted against the user's limits, given back if it fails."""

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def fee_money(self) -> Money:
        return Money(self.fee, self.currency)

    @property
    def is_open(self) -> bool:
        return self.status == OperationStatus.PROCESSING

    def succeed(self, entry_id: str, reference: str | None, now: datetime) -> None:
        self.status = OperationStatus.SUCCEEDED
        self.entry_id = entry_id
        self.bank_reference = reference
        self.reason_code = None
        self.resolved_at = self.updated_at = now

    def fail(self, reason: str, reference: str | None, now: datetime) -> None:
        self.status = OperationStatus.FAILED
        self.reason_code = reason
        self.bank_reference = reference
        self.resolved_at = self.updated_at = now
