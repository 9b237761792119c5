"""A bank gateway simulator that behaves like the real thing, so the whole system runs and is
tested on one machine.

Every card number with a known BIN is a card at its bank, with a balance (or credit line) and a
daily limit that tests may set. Each operation's result is decided when it arrives and becomes
visible after `latency` on the injected clock (pending until then). Declines use the real
reasons: insufficient funds, the bank's daily limit, an expired or frozen card; a network
timeout loses the answer, which then arrives by callback or status query. Tests script the
outcomes per card (`script(token, [Outcome.CARD_FROZEN])`); nothing here is random except
through the injected random source. The bank's verification code reaches the card's phone as
an SMS through walletdesk's SMS sender, so the dev outbox shows it.

State lives in memory: the simulator stands in for a bank, which keeps its own books.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from walletdesk.banking.bins import CardType, lookup_bin
from walletdesk.channels.bank import (
    SIGNATURE_HEADER,
    BankReply,
    BankStatus,
    BindingConfirmed,
    BindingStarted,
    callback_secret,
    sign_callback,
)
from walletdesk.channels.base import MessageSender
from walletdesk.clock import Clock
from walletdesk.identity.masking import mask_phone
from walletdesk.ledger.money import Money
from walletdesk.notify.models import Channel, Delivery
from walletdesk.randomness import RandomSource, new_id, numeric_code

BEIJING = ZoneInfo("Asia/Shanghai")
CODE_TTL = timedelta(minutes=5)
CODE_ATTEMPTS = 5
DEFAULT_BALANCE = 50_000_00  # fen
DEFAULT_DAILY_LIMIT = 20_000_00


class Outcome(StrEnum):
    SUCCESS = "success"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    DAILY_LIMIT_EXCEEDED = "daily_limit_exceeded"
    CARD_EXPIRED = "card_expired"
    CARD_FROZEN = "card_frozen"
    NETWORK_TIMEOUT = "network_timeout"


@dataclass
class SimulatedCard:
    number: str
    bank_code: str
    bank_name_zh: str
    card_type: CardType
    token: str
    balance: int = DEFAULT_BALANCE
    """Money on a debit card, or the credit line left on a credit card (fen)."""
    daily_limit: int = DEFAULT_DAILY_LIMIT
    frozen: bool = False
    expired: bool = False
    spent: dict[date, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Binding:
    card: SimulatedCard
    phone: str
    code: str
    expires_at: datetime
    attempts: int = 0


@dataclass
class _Operation:
    request_id: str
    card: SimulatedCard
    result: BankReply
    ready_at: datetime
    lost: bool
    """The first answer was lost on the line (a network timeout)."""


class BankSimulator:
    def __init__(
        self,
        *,
        clock: Clock,
        random: RandomSource,
        sms: MessageSender,
        secret_key: bytes,
        latency: timedelta = timedelta(0),
    ) -> None:
        self.latency = latency
        """How long the bank takes to decide; 0 answers at once (pending while it works)."""
        self._clock = clock
        self._random = random
        self._sms = sms
        self._secret_key = secret_key
        self._lock = threading.Lock()
        self._cards: dict[str, SimulatedCard] = {}
        self._by_token: dict[str, SimulatedCard] = {}
        self._bindings: dict[str, _Binding] = {}
        self._operations: dict[str, _Operation] = {}
        self._scripts: dict[str, deque[Outcome]] = defaultdict(deque)

    # --- what tests and demos use to set the bank up -----------------------------------------

    def card(self, number: str) -> SimulatedCard:
        """The bank's record of a card (opened on first sight, like any card that exists)."""
        with self._lock:
            return self._card(number)

    def token_for(self, number: str) -> str:
        return self.card(number).token

    def script(self, card_token: str, outcomes: list[Outcome]) -> None:
        """The next operations on this card end so, in order. A scripted timeout hides the
        outcome scripted after it (or the natural one) until a callback or query."""
        with self._lock:
            self._scripts[card_token].extend(outcomes)

    def callback_for(self, request_id: str) -> tuple[str, bytes, dict[str, str]]:
        """What the bank would POST once the operation is decided: (bank code, raw body,
        headers). Tests and the dev tools deliver it to the callback endpoint."""
        with self._lock:
            operation = self._operations[request_id]
            result = operation.result
            bank_code = operation.card.bank_code
        body = json.dumps(
            {
                "request_id": result.request_id,
                "status": result.status.value,
                "reason": result.reason,
                "reference": result.reference,
            },
            sort_keys=True,
        ).encode()
        signature = sign_callback(callback_secret(self._secret_key, bank_code), body)
        return bank_code, body, {SIGNATURE_HEADER: signature, "Content-Type": "application/json"}

    # --- the gateway -------------------------------------------------------------------------

    def start_binding(
        self, *, request_id: str, card_number: str, holder_name: str, phone: str
    ) -> BindingStarted:
        now = self._clock.now()
        with self._lock:
            card = self._card(card_number)
            code = numeric_code(self._random)
            self._bindings[request_id] = _Binding(card, phone, code, now + CODE_TTL)
        # The bank's own text, in Chinese as mainland banks send it.
        body = (
            f"【{card.bank_name_zh}】您正在将尾号{card.number[-4:]}的银行卡绑定到 walletdesk，"
            f"验证码{code}，5分钟内有效。银行工作人员不会向您索取验证码，请勿泄露。"
        )
        self._sms.send(
            Delivery(
                id=new_id(self._random, "bsm"),
                channel=Channel.SMS,
                user_id=None,
                destination=phone,
                subject=None,
                body=body,
                template="bank.binding_code",
                created_at=now,
            )
        )
        return BindingStarted(request_id=request_id, masked_phone=mask_phone(phone))

    def confirm_binding(self, *, request_id: str, code: str) -> BindingConfirmed:
        now = self._clock.now()
        with self._lock:
            binding = self._bindings.get(request_id)
            if binding is None or binding.attempts >= CODE_ATTEMPTS:
                return BindingConfirmed(None, "too_many_attempts")
            if now >= binding.expires_at:
                return BindingConfirmed(None, "code_expired")
            binding.attempts += 1
            if code != binding.code:
                return BindingConfirmed(None, "invalid_code")
            del self._bindings[request_id]
            return BindingConfirmed(binding.card.token)

    def charge(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        return self._operate(request_id, card_token, -amount.minor)

    def payout(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        return self._operate(request_id, card_token, amount.minor)

    def query(self, request_id: str) -> BankReply:
        now = self._clock.now()
        with self._lock:
            operation = self._operations.get(request_id)
            if operation is None:
                # Never reached the bank: a real bank answers "no such order".
                return BankReply(request_id, BankStatus.DECLINED, "bank_declined")
            if now < operation.ready_at:
                return BankReply(request_id, BankStatus.PENDING)
            return operation.result

    # --- inside the bank ---------------------------------------------------------------------

    def _card(self, number: str) -> SimulatedCard:
        card = self._cards.get(number)
        if card is None:
            info = lookup_bin(number)
            if info is None:
                raise ValueError("the simulated bank has no card with this BIN")
            card = SimulatedCard(
                number=number,
                bank_code=info.bank.code,
                bank_name_zh=info.bank.name_zh,
                card_type=info.card_type,
                token=new_id(self._random, "ctk"),
            )
            self._cards[number] = card
            self._by_token[card.token] = card
        return card

    def _operate(self, request_id: str, card_token: str, delta: int) -> BankReply:
        now = self._clock.now()
        with self._lock:
            existing = self._operations.get(request_id)
            if existing is not None:  # a resend: the same operation, never a second one
                pending = existing.lost or now < existing.ready_at
                return BankReply(request_id, BankStatus.PENDING) if pending else existing.result
            card = self._by_token.get(card_token)
            if card is None:  # an unknown token: the bank refuses and keeps no order
                return BankReply(request_id, BankStatus.DECLINED, "bank_declined")
            outcome = self._next(card_token)
            lost = outcome is Outcome.NETWORK_TIMEOUT
            if lost:
                outcome = self._next(card_token)
                if outcome is Outcome.NETWORK_TIMEOUT:
                    outcome = None
            outcome = outcome or self._natural(card, delta, now)
            if outcome is Outcome.SUCCESS:
                card.balance += delta
                if delta < 0:
                    card.spent[now.astimezone(BEIJING).date()] += -delta
                result = BankReply(
                    request_id, BankStatus.SUCCEEDED, reference=new_id(self._random, "bnk")
                )
            else:
                result = BankReply(request_id, BankStatus.DECLINED, outcome.value)
            ready_at = now + self.latency
            self._operations[request_id] = _Operation(request_id, card, result, ready_at, lost)
            if lost:
                return BankReply(request_id, BankStatus.PENDING, Outcome.NETWORK_TIMEOUT.value)
            if self.latency > timedelta(0):
                return BankReply(request_id, BankStatus.PENDING)
            return result

    def _next(self, card_token: str) -> Outcome | None:
        queue = self._scripts.get(card_token)
        return queue.popleft() if queue else None

    def _natural(self, card: SimulatedCard, delta: int, now: datetime) -> Outcome:
        if card.expired:
            return Outcome.CARD_EXPIRED
        if card.frozen:
            return Outcome.CARD_FROZEN
        if delta < 0:
            if card.balance + delta < 0:
                return Outcome.INSUFFICIENT_FUNDS
            if card.spent[now.astimezone(BEIJING).date()] - delta > card.daily_limit:
                return Outcome.DAILY_LIMIT_EXCEEDED
        return Outcome.SUCCESS
