"""The bank gateway adapter: what walletdesk asks of a bank (or a card switch in front of many).

One operation per request id: we choose the id (our top-up or withdrawal id), so asking again
with the same id is safe and `query` can always find out what happened. A reply is definite
(succeeded or declined with a reason code from `banking.reasons`) or `PENDING`: the bank is
still working, or the line timed out and we do not know yet. A pending result arrives later by
a signed callback to `POST /api/v1/bank/callbacks/{bank_code}` or by `query`.

Callbacks are signed with HMAC-SHA256 over the raw body; each bank has its own secret, derived
from the application's secret key so a deployment configures one secret, not one per bank.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from walletdesk.ledger.money import Money

SIGNATURE_HEADER = "X-Bank-Signature"
SIGNATURE_PREFIX = "sha256="


class BankStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    PENDING = "pending"


@dataclass(frozen=True)
class BankReply:
    request_id: str
    status: BankStatus
    reason: str | None = None
    """Decline reason code, or `network_timeout` on a pending reply whose answer was lost."""
    reference: str | None = None
    """The bank's own reference for the operation, for reconciliation with its statements."""


@dataclass(frozen=True)
class BindingStarted:
    """The bank accepted the card details and sent a code to the card's reserved phone."""

    request_id: str
    masked_phone: str


@dataclass(frozen=True)
class BindingConfirmed:
    token: str | None
    """The gateway token that stands for the card from now on; None when refused."""
    reason: str | None = None
    """Why not: `invalid_code`, `code_expired` or `too_many_attempts`."""


class BankGateway(Protocol):
    def start_binding(
        self, *, request_id: str, card_number: str, holder_name: str, phone: str
    ) -> BindingStarted:
        """Check the card with its bank; the bank texts a verification code to `phone`."""
        ...

    def confirm_binding(self, *, request_id: str, code: str) -> BindingConfirmed:
        """Exchange the code the user received for a gateway token."""
        ...

    def charge(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        """Take `amount` from the card (a top-up). Same `request_id` again: the same operation."""
        ...

    def payout(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        """Pay `amount` into a debit card (a withdrawal)."""
        ...

    def query(self, request_id: str) -> BankReply:
        """What became of the operation with this request id."""
        ...


def callback_secret(secret_key: bytes, bank_code: str) -> bytes:
    """The per-bank callback secret, derived from the application secret."""
    return hmac.new(secret_key, f"bank-callback:{bank_code}".encode(), hashlib.sha256).digest()


def sign_callback(secret: bytes, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign_callback(secret, body), header)
