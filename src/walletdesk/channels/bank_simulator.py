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

The bank keeps its books in the database (`storage/tables_bank_sim.py`, records in
`bank_sim_records`), so every server process and a restarted one see the same bank: cards and
balances, daily usage, binding codes, decided operations waiting for their callback or query,
and scripted outcomes. Like a real bank it is a separate system: each call runs in its own
short transaction and never inside walletdesk's unit of work. It knows a card by an HMAC digest
of its number (and the last four digits), never by the full number, and a binding code only by
its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from walletdesk.banking.bins import lookup_bin
from walletdesk.channels.bank import (
    SIGNATURE_HEADER,
    BankReply,
    BankStatus,
    BindingConfirmed,
    BindingStarted,
    callback_secret,
    sign_callback,
)
from walletdesk.channels.bank_sim_records import SimulatedBinding, SimulatedCard, SimulatedOperation
from walletdesk.channels.base import MessageSender
from walletdesk.clock import Clock
from walletdesk.identity.masking import mask_phone
from walletdesk.ledger.money import Money
from walletdesk.notify.models import Channel, Delivery
from walletdesk.randomness import RandomSource, new_id, numeric_code
from walletdesk.storage.repositories.bank_sim import BankSimRepository

if TYPE_CHECKING:
    from walletdesk.storage.uow import Database, UnitOfWork

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


def _books(uow: UnitOfWork) -> BankSimRepository:
    return BankSimRepository(uow.connection)


class BankSimulator:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        random: RandomSource,
        sms: MessageSender,
        secret_key: bytes,
        latency: timedelta = timedelta(0),
    ) -> None:
        self.latency = latency
        """How long the bank takes to decide; 0 answers at once (pending while it works).
        A setting of this gateway connection, like a timeout: each decision stores when it
        becomes visible, so every process sees it at the same moment."""
        self._db = db
        self._clock = clock
        self._random = random
        self._sms = sms
        self._secret_key = secret_key
        self._digest_key = hmac.new(secret_key, b"bank-simulator", hashlib.sha256).digest()

    # --- what tests and demos use to set the bank up -----------------------------------------

    def card(self, number: str) -> SimulatedCard:
        """The bank's record of a card (opened on first sight, like any card that exists)."""
        with self._db.uow() as uow:
            card = self._open(_books(uow), number)
            uow.commit()
        return card

    def token_for(self, number: str) -> str:
        return self.card(number).token

    def set_card(
        self,
        number: str,
        *,
        balance: int | None = None,
        daily_limit: int | None = None,
        frozen: bool | None = None,
        expired: bool | None = None,
    ) -> SimulatedCard:
        """Change what the bank knows about a card: its balance (fen), daily limit, frozen or
        expired. Returns the card as it now stands."""
        changes = {
            name: value
            for name, value in (
                ("balance", balance),
                ("daily_limit", daily_limit),
                ("frozen", frozen),
                ("expired", expired),
            )
            if value is not None
        }
        with self._db.uow() as uow:
            books = _books(uow)
            card = self._open(books, number)
            if changes:
                books.change_card(card.token, **changes)
            changed = books.card(card.token)
            uow.commit()
        assert changed is not None
        return changed

    def script(self, card_token: str, outcomes: list[Outcome]) -> None:
        """The next operations on this card end so, in order. A scripted timeout hides the
        outcome scripted after it (or the natural one) until a callback or query."""
        with self._db.uow() as uow:
            _books(uow).push_outcomes(card_token, [outcome.value for outcome in outcomes])
            uow.commit()

    def callback_for(self, request_id: str) -> tuple[str, bytes, dict[str, str]]:
        """What the bank would POST once the operation is decided: (bank code, raw body,
        headers). Tests and the dev tools deliver it to the callback endpoint."""
        with self._db.uow(read_only=True) as uow:
            books = _books(uow)
            operation = books.operation(request_id)
            if operation is None:
                raise KeyError(request_id)
            card = books.card(operation.card_token)
        assert card is not None, "operations reference their card"
        result = operation.result
        body = json.dumps(
            {
                "request_id": result.request_id,
                "status": result.status.value,
                "reason": result.reason,
                "reference": result.reference,
            },
            sort_keys=True,
        ).encode()
        secret = callback_secret(self._secret_key, card.bank_code)
        headers = {
            SIGNATURE_HEADER: sign_callback(secret, body),
            "Content-Type": "application/json",
        }
        return card.bank_code, body, headers

    # --- the gateway -------------------------------------------------------------------------

    def start_binding(
        self, *, request_id: str, card_number: str, holder_name: str, phone: str
    ) -> BindingStarted:
        now = self._clock.now()
        with self._db.uow() as uow:
            books = _books(uow)
            card = self._open(books, card_number)
            code = numeric_code(self._random)
            books.add_binding(
                SimulatedBinding(
                    request_id=request_id,
                    card_token=card.token,
                    code_digest=self._code_digest(request_id, code),
                    expires_at=now + CODE_TTL,
                    attempts=0,
                )
            )
            uow.commit()
        # The bank's own text, in Chinese as mainland banks send it.
        body = (
            f"【{card.bank_name_zh}】您正在将尾号{card.last4}的银行卡绑定到 walletdesk，"
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
        with self._db.uow() as uow:
            books = _books(uow)
            binding = books.binding(request_id)
            if binding is None or binding.attempts >= CODE_ATTEMPTS:
                return BindingConfirmed(None, "too_many_attempts")
            if now >= binding.expires_at:
                return BindingConfirmed(None, "code_expired")
            if not hmac.compare_digest(self._code_digest(request_id, code), binding.code_digest):
                books.count_attempt(request_id)
                uow.commit()
                return BindingConfirmed(None, "invalid_code")
            books.drop_binding(request_id)
            uow.commit()
        return BindingConfirmed(binding.card_token)

    def charge(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        return self._operate(request_id, card_token, -amount.minor)

    def payout(self, *, request_id: str, card_token: str, amount: Money) -> BankReply:
        return self._operate(request_id, card_token, amount.minor)

    def query(self, request_id: str) -> BankReply:
        now = self._clock.now()
        with self._db.uow(read_only=True) as uow:
            operation = _books(uow).operation(request_id)
        if operation is None:
            # Never reached the bank: a real bank answers "no such order".
            return BankReply(request_id, BankStatus.DECLINED, "bank_declined")
        if now < operation.ready_at:
            return BankReply(request_id, BankStatus.PENDING)
        return operation.result

    # --- inside the bank ---------------------------------------------------------------------

    def _number_digest(self, number: str) -> str:
        return hmac.new(self._digest_key, f"card:{number}".encode(), hashlib.sha256).hexdigest()

    def _code_digest(self, request_id: str, code: str) -> str:
        message = f"code:{request_id}:{code}".encode()
        return hmac.new(self._digest_key, message, hashlib.sha256).hexdigest()

    def _open(self, books: BankSimRepository, number: str) -> SimulatedCard:
        digest = self._number_digest(number)
        card = books.card_by_digest(digest)
        if card is None:
            info = lookup_bin(number)
            if info is None:
                raise ValueError("the simulated bank has no card with this BIN")
            books.open_card(
                SimulatedCard(
                    token=new_id(self._random, "ctk"),
                    number_digest=digest,
                    last4=number[-4:],
                    bank_code=info.bank.code,
                    card_type=info.card_type,
                    balance=DEFAULT_BALANCE,
                    daily_limit=DEFAULT_DAILY_LIMIT,
                    frozen=False,
                    expired=False,
                    opened_at=self._clock.now(),
                )
            )
            card = books.card_by_digest(digest)  # ours, or the one a racing process opened
            assert card is not None
        return card

    def _operate(self, request_id: str, card_token: str, delta: int) -> BankReply:
        now = self._clock.now()
        with self._db.uow() as uow:
            books = _books(uow)
            existing = books.operation(request_id)
            card = None
            if existing is None:
                card = books.card(card_token, for_update=True)
                if card is None:  # an unknown token: the bank refuses and keeps no order
                    return BankReply(request_id, BankStatus.DECLINED, "bank_declined")
                # The card's lock orders requests on it: a resend that waited for it finds
                # the operation the first one recorded.
                existing = books.operation(request_id)
            if existing is not None:  # a resend: the same operation, never a second one
                pending = existing.lost or now < existing.ready_at
                return BankReply(request_id, BankStatus.PENDING) if pending else existing.result
            assert card is not None
            outcome = self._next(books, card_token)
            lost = outcome is Outcome.NETWORK_TIMEOUT
            if lost:
                outcome = self._next(books, card_token)
                if outcome is Outcome.NETWORK_TIMEOUT:
                    outcome = None
            day = now.astimezone(BEIJING).strftime("%Y-%m-%d")
            outcome = outcome or self._natural(card, books.spent(card_token, day), delta)
            if outcome is Outcome.SUCCESS:
                books.move(card_token, delta)
                if delta < 0:
                    books.add_spent(card_token, day, -delta)
                result = BankReply(
                    request_id, BankStatus.SUCCEEDED, reference=new_id(self._random, "bnk")
                )
            else:
                result = BankReply(request_id, BankStatus.DECLINED, outcome.value)
            books.add_operation(
                SimulatedOperation(
                    request_id=request_id,
                    card_token=card_token,
                    delta=delta,
                    status=result.status.value,
                    reason=result.reason,
                    reference=result.reference,
                    lost=lost,
                    ready_at=now + self.latency,
                    created_at=now,
                )
            )
            uow.commit()
        if lost:
            return BankReply(request_id, BankStatus.PENDING, Outcome.NETWORK_TIMEOUT.value)
        if self.latency > timedelta(0):
            return BankReply(request_id, BankStatus.PENDING)
        return result

    @staticmethod
    def _next(books: BankSimRepository, card_token: str) -> Outcome | None:
        scripted = books.pop_outcome(card_token)
        return Outcome(scripted) if scripted is not None else None

    @staticmethod
    def _natural(card: SimulatedCard, spent_today: int, delta: int) -> Outcome:
        if card.expired:
            return Outcome.CARD_EXPIRED
        if card.frozen:
            return Outcome.CARD_FROZEN
        if delta < 0:
            if card.balance + delta < 0:
                return Outcome.INSUFFICIENT_FUNDS
            if spent_today - delta > card.daily_limit:
                return Outcome.DAILY_LIMIT_EXCEEDED
        return Outcome.SUCCESS
