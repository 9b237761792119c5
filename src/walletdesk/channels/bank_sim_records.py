"""The bank simulator's records, as its books (`storage/repositories/bank_sim.py`) store and
return them: a card, a binding code waiting for confirmation, a decided operation. The bank
knows a card by an HMAC digest of its number and a code only by its digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from walletdesk.banking.bins import BANKS
from walletdesk.channels.bank import BankReply, BankStatus


@dataclass(frozen=True)
class SimulatedCard:
    """The bank's record of a card, as read from its books (change it with
    `BankSimulator.set_card`)."""

    token: str
    number_digest: str
    last4: str
    bank_code: str
    card_type: str
    balance: int
    """Money on a debit card, or the credit line left on a credit card (fen)."""
    daily_limit: int
    frozen: bool
    expired: bool
    opened_at: datetime

    @property
    def bank_name_zh(self) -> str:
        return BANKS[self.bank_code].name_zh


@dataclass(frozen=True)
class SimulatedBinding:
    request_id: str
    card_token: str
    code_digest: str
    expires_at: datetime
    attempts: int


@dataclass(frozen=True)
class SimulatedOperation:
    request_id: str
    card_token: str
    delta: int
    """Fen into the card (a payout) when positive, out of it (a charge) when negative."""
    status: str
    reason: str | None
    reference: str | None
    lost: bool
    """The first answer was lost on the line (a network timeout)."""
    ready_at: datetime
    created_at: datetime

    @property
    def result(self) -> BankReply:
        return BankReply(self.request_id, BankStatus(self.status), self.reason, self.reference)
