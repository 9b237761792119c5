"""Ledger domain objects: accounts, entries, postings, holds. No framework imports.

Signs: a posting's `amount` is added to its account's balance. Every entry's postings sum to
zero per currency, so money only moves, never appears: a top-up credits the wallet and debits
the bank's clearing account (which may go negative: it mirrors money held at the bank).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AccountKind(StrEnum):
    WALLET = "wallet"
    MERCHANT = "merchant"
    BANK_CLEARING = "bank_clearing"
    FEE_REVENUE = "fee_revenue"
    FX_LIQUIDITY = "fx_liquidity"
    COUPON_EXPENSE = "coupon_expense"
    POINTS_LIABILITY = "points_liability"
    SUSPENSE = "suspense"


PLATFORM_KINDS = frozenset(
    {
        AccountKind.BANK_CLEARING,
        AccountKind.FEE_REVENUE,
        AccountKind.FX_LIQUIDITY,
        AccountKind.COUPON_EXPENSE,
        AccountKind.POINTS_LIABILITY,
        AccountKind.SUSPENSE,
    }
)


class EntryKind(StrEnum):
    TOPUP = "topup"
    WITHDRAWAL = "withdrawal"
    TRANSFER = "transfer"
    PAYMENT = "payment"
    REFUND = "refund"
    REVERSAL = "reversal"
    FX = "fx"
    HOLD_CAPTURE = "hold_capture"
    ADJUSTMENT = "adjustment"


class HoldStatus(StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass
class LedgerAccount:
    id: str
    code: str
    kind: str
    owner_id: str | None
    currency: str
    allow_negative: bool
    posted: int
    held: int
    seq: int
    created_at: datetime

    @property
    def available(self) -> int:
        return self.posted - self.held


@dataclass(frozen=True)
class Leg:
    """One side of an entry before it is posted: `amount` is added to the account."""

    account_id: str
    amount: int
    currency: str


class UnbalancedEntry(ValueError):
    """The legs of an entry do not sum to zero in every currency: a bug, never user input."""


def check_balanced(legs: list[Leg]) -> None:
    if len(legs) < 2:
        raise UnbalancedEntry("an entry needs at least two postings")
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        if leg.amount == 0:
            raise UnbalancedEntry("a posting of zero moves nothing")
        totals[leg.currency] += leg.amount
    unbalanced = {currency: total for currency, total in totals.items() if total}
    if unbalanced:
        raise UnbalancedEntry(f"entry does not balance: {unbalanced}")


@dataclass
class JournalEntry:
    id: str
    kind: str
    created_at: datetime
    description: str
    details: str
    actor_id: str | None = None
    reverses_entry_id: str | None = None


@dataclass
class Posting:
    id: int | None
    entry_id: str
    account_id: str
    amount: int
    currency: str
    account_seq: int
    balance_after: int
    created_at: datetime


@dataclass
class Hold:
    id: str
    account_id: str
    amount: int
    currency: str
    status: str
    purpose: str
    created_at: datetime
    expires_at: datetime
    reference: str | None = None
    resolved_at: datetime | None = None
    captured_amount: int | None = None
    capture_entry_id: str | None = None


@dataclass(frozen=True)
class PostedEntry:
    entry: JournalEntry
    postings: list[Posting] = field(default_factory=list)
