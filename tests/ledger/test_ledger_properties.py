"""A random walk through the ledger's services, checked against a model and the books' invariants
after every step: deposits, idempotent P2P transfers and their retries, merchant payments with
points, partial and full refunds (never more than was paid, each request number once), FX
conversions between a user's own wallets, holds with captures, releases and expiry, reversals,
freezes and unfreezes, in CNY and USD.

After every step `check_books` proves the per-currency sums are zero, every entry balances,
balances equal the sums of their postings, no available balance is negative and each
idempotency key names one entry; the model then predicts every wallet, points wallet and
merchant shard balance and the platform's total per currency. Limits count USD at its CNY
equivalent at the mid rate, rounded up to the fen."""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import BACKENDS, FAST_ARGON2, RISK_BUDGET_MS, TEST_KEYS, _reset_postgres
from tests.ledger.actors import send_transfer, sign_in
from tests.ledger.funding import fund
from tests.support import START
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.freeze import freeze_wallet
from walletdesk.ledger import fx
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.ledger.holds import capture_hold, expire_holds, place_hold, release_hold
from walletdesk.ledger.idempotency import KEEP_FOR
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import BEIJING, limit_for
from walletdesk.ledger.models import AccountKind, EntryKind, LedgerAccount, Leg
from walletdesk.ledger.money import POINTS, Money
from walletdesk.ledger.reversal import reverse_entry
from walletdesk.merchants import payments, refunds
from walletdesk.merchants.accounts import shard_codes
from walletdesk.merchants.models import Merchant
from walletdesk.merchants.registry import create_merchant
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.database import create_database_engine
from walletdesk.storage.schema import metadata

PEOPLE = [("13800000001", "张明", 3), ("13800000002", "李娜", 3), ("13800000003", "王芳", 0)]
CURRENCIES = ["CNY", "USD"]
USD_MID = Fraction(72, 10)  # the walk's USD/CNY mid rate: limits count USD at ¥7.20
SHOPS = ["喜茶 HEYTEA", "瑞幸咖啡"]
OPENING = {"CNY": 3_000_00, "USD": 400_00}
Side = tuple[str, str]
"""(user id, currency) for a wallet, (user id, "PTS") for points, (account id, currency) for a
merchant shard, ("platform", currency) for all platform accounts of a currency together."""


def counted(amount: int, currency: str) -> int:
    """What a payment counts against the limits: its CNY equivalent, rounded up to the fen."""
    return amount if currency == "CNY" else math.ceil(amount * USD_MID)


@dataclass
class ModelHold:
    owner: str
    currency: str
    amount: int
    expires_at: datetime
    status: str = "pending"


@dataclass
class ModelOrder:
    merchant: int
    amount: int
    expires_at: datetime
    payer: str | None = None
    points: int = 0
    refunded: int = 0
    refunds: dict[str, int] = field(default_factory=dict)
    """out_request_no → amount of each refund that went through."""


@dataclass
class Model:
    """What the books should say, kept by hand from the rules the services promise."""

    posted: dict[Side, int] = field(default_factory=lambda: defaultdict(int))
    held: dict[Side, int] = field(default_factory=lambda: defaultdict(int))
    frozen: set[str] = field(default_factory=set)
    usage: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    holds: dict[str, ModelHold] = field(default_factory=dict)
    entries: dict[str, tuple[str, list[tuple[Side, int]]]] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    answers: dict[tuple[str, str], tuple[datetime, int, dict[str, object]]] = field(
        default_factory=dict
    )
    orders: dict[str, ModelOrder] = field(default_factory=dict)
    shards: dict[int, list[str]] = field(default_factory=dict)
    """Each shop's merchant shard account ids."""

    def available(self, side: Side) -> int:
        return self.posted[side] - self.held[side]

    def merchant_balance(self, shop: int) -> int:
        return sum(self.available((shard, "CNY")) for shard in self.shards[shop])

    def count(self, user: str, at: datetime, amount: int) -> None:
        local = at.astimezone(BEIJING)
        self.usage[(user, "day", local.strftime("%Y-%m-%d"))] += amount
        self.usage[(user, "year", local.strftime("%Y"))] += amount

    def post(self, entry_id: str, kind: str, legs: list[tuple[Side, int]]) -> None:
        for side, amount in legs:
            self.posted[side] += amount
        self.entries[entry_id] = (kind, legs)


def side_of(account: LedgerAccount) -> Side:
    if account.kind == AccountKind.MERCHANT:
        return (account.id, account.currency)
    if account.code.startswith("points:"):
        return (account.code.split(":")[1], POINTS)
    if account.kind == AccountKind.WALLET and account.owner_id is not None:
        return (account.owner_id, account.currency)
    return ("platform", account.currency)


def _fresh_runtime(url: str, tmp: Path, clock: FrozenClock) -> Runtime:
    # The model here is the ledger's: it has no reviewer, so a movement the risk engine holds
    # (random walks are bursts of quick follow-ups and new payees) would be a step it cannot
    # predict. Screening has its own tests (tests/risk/test_screening_*.py).
    built = Settings(
        env="dev",
        data_dir=tmp,
        database_url=url,
        risk_time_budget_ms=RISK_BUDGET_MS,
        risk_screen_transfers=False,
        **TEST_KEYS,
    )
    return build_runtime(built, clock=clock, random=SeededRandom(11), argon2=FAST_ARGON2)


class LedgerWalk(RuleBasedStateMachine):
    database_url: str
    workdir: Path

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.rt = _fresh_runtime(self.database_url, self.workdir, self.clock)
        self.model = Model()
        self.people: list[Authenticated] = [
            sign_in(self.rt, phone=phone, name=name, kyc_tier=tier) for phone, name, tier in PEOPLE
        ]
        self.tiers = {p.user.id: tier for p, (_, _, tier) in zip(self.people, PEOPLE, strict=True)}
        self.keys = 0
        set_rate(self.rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
        self.shops: list[Merchant] = []
        for index, name in enumerate(SHOPS):
            shop = create_merchant(self.rt, name=name, webhook_url=None).merchant
            self.shops.append(shop)
            with self.rt.db.uow(read_only=True) as uow:
                found = [uow.accounts.get_by_code(code) for code in shard_codes(shop.id, "CNY")]
            self.model.shards[index] = [account.id for account in found if account is not None]
        for person in self.people:  # everyone starts with some money, so most steps can move it
            for currency, amount in OPENING.items():
                self.deposit_for(person.user.id, amount, currency)

    users = Bundle("users")
    hold_ids = Bundle("holds")
    order_ids = Bundle("orders")
    paid_order_ids = Bundle("paid orders")

    def teardown(self) -> None:
        self.rt.close()

    def _person(self, index: int) -> Authenticated:
        return self.people[index % len(self.people)]

    def _wallet_id(self, user_id: str, currency: str) -> str:
        with self.rt.db.uow() as uow:
            account = wallet_account(self.rt, uow, user_id, currency)
            uow.commit()
        return account.id

    @rule(
        who=st.integers(0, 2),
        amount=st.integers(1, 200_000),
        currency=st.sampled_from(CURRENCIES),
    )
    def deposit(self, who: int, amount: int, currency: str) -> None:
        self.deposit_for(self._person(who).user.id, amount, currency)

    def deposit_for(self, user: str, amount: int, currency: str) -> None:
        entry_id = fund(self.rt, user, Money(amount, currency).to_string(), currency)
        self.model.post(
            entry_id,
            EntryKind.TOPUP,
            [((user, currency), amount), (("platform", currency), -amount)],
        )

    def _expected_outgoing(self, payer: str, currency: str, amount: int) -> str | None:
        """Why a payment, transfer or conversion out of the payer's wallet is refused, if it
        is: frozen first, then the limits (at the CNY equivalent), then the balance."""
        if payer in self.model.frozen:
            return "wallet_frozen"
        weight = counted(amount, currency)
        limit = limit_for(self.tiers[payer])
        local = self.clock.now().astimezone(BEIJING)
        day = (payer, "day", local.strftime("%Y-%m-%d"))
        year = (payer, "year", local.strftime("%Y"))
        if (
            weight > limit.per_transaction
            or self.model.usage[day] + weight > limit.per_day
            or self.model.usage[year] + weight > limit.per_year
        ):
            return "limit_exceeded"
        if self.model.available((payer, currency)) < amount:
            return "insufficient_funds"
        return None

    def _postings(self, entry_id: str) -> dict[str, int]:
        with self.rt.db.uow(read_only=True) as uow:
            return {p.account_id: p.amount for p in uow.journal.postings_of(entry_id)}

    @rule(
        payer=st.integers(0, 2),
        hop=st.integers(1, 2),
        amount=st.integers(1, 80_000),
        currency=st.sampled_from(CURRENCIES),
    )
    def transfer(self, payer: int, hop: int, amount: int, currency: str) -> None:
        actor, payee = self._person(payer), self._person(payer + hop)
        self.keys += 1
        key = f"walk-{self.keys}"
        expected = self._expected_outgoing(actor.user.id, currency, amount)
        answer = send_transfer(
            self.rt, actor, key=key, to=payee.user.id, amount=Money(amount, currency)
        )
        assert answer.code == expected, (answer, expected)
        if expected is not None:
            if expected != "wallet_frozen":  # transient refusals are not stored
                self.model.answers[(actor.user.id, key)] = (
                    self.clock.now(),
                    answer.status,
                    answer.body,
                )
            return
        assert answer.status == 201
        self.model.answers[(actor.user.id, key)] = (
            self.clock.now(),
            answer.status,
            answer.body,
        )
        self.model.count(actor.user.id, self.clock.now(), counted(amount, currency))
        entry_id = str(answer.body["id"])
        self.model.post(
            entry_id,
            EntryKind.TRANSFER,
            [((actor.user.id, currency), -amount), ((payee.user.id, currency), amount)],
        )

    def _new_order(self, shop: int, amount: int) -> str:
        self.keys += 1
        view = payments.create_order(
            self.rt,
            self.shops[shop],
            amount=Money(amount, "CNY"),
            merchant_order_id=f"walk-order-{self.keys}",
            description="walk order",
        )
        order = view.order
        assert (order.amount, order.status) == (amount, "pending")
        self.model.orders[order.id] = ModelOrder(shop, amount, order.expires_at)
        return order.id

    def _pay(self, order_id: str, who: int) -> None:
        order = self.model.orders[order_id]
        actor = self._person(who)
        payer = actor.user.id
        expected = None
        if order.payer is not None and order.payer != payer:
            expected = "payment_not_found"
        elif order.payer is not None:
            expected = "payment_already_paid"
        elif self.clock.now() >= order.expires_at:
            expected = "payment_expired"
        else:
            expected = self._expected_outgoing(payer, "CNY", order.amount)
        try:
            view = payments.pay(self.rt, actor, order_id, coupon_id=None, locale="zh-CN")
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
            return
        assert expected is None, expected
        entry_id = view.order.entry_id
        assert entry_id is not None and view.order.user_paid == order.amount
        points = self.rt.merchant_policy.points_for(order.amount, "CNY")
        assert view.order.points_earned == points
        shard = [a for a in self._postings(entry_id) if a in self.model.shards[order.merchant]]
        assert len(shard) == 1, shard  # the whole amount goes to one of the shop's shards
        legs = [((payer, "CNY"), -order.amount), ((shard[0], "CNY"), order.amount)]
        if points:
            legs += [((payer, POINTS), points), (("platform", POINTS), -points)]
        self.model.post(entry_id, EntryKind.PAYMENT, legs)
        self.model.count(payer, self.clock.now(), order.amount)
        order.payer, order.points = payer, points

    @rule(target=order_ids, shop=st.integers(0, len(SHOPS) - 1), amount=st.integers(1, 60_000))
    def merchant_creates_an_order(self, shop: int, amount: int) -> str:
        return self._new_order(shop, amount)

    @rule(target=paid_order_ids, order_id=order_ids, who=st.integers(0, 2))
    def pay_an_order(self, order_id: str, who: int) -> str:
        """Any order: unpaid, paid by this payer or another one, or expired."""
        self._pay(order_id, who)
        return order_id

    @rule(
        target=paid_order_ids,
        shop=st.integers(0, len(SHOPS) - 1),
        amount=st.integers(1, 60_000),
        who=st.integers(0, 2),
    )
    def pay_a_new_order(self, shop: int, amount: int, who: int) -> str:
        order_id = self._new_order(shop, amount)
        self._pay(order_id, who)
        return order_id

    @rule(order_id=paid_order_ids, share=st.one_of(st.just(0), st.integers(1, 120)))
    def merchant_refunds(self, order_id: str, share: int) -> None:
        """Refund `share` % of the order, or with 0 all that is left (a full refund at once or
        the rest of a partial one), under a new request number. More than is left is refused."""
        order = self.model.orders[order_id]
        left = order.amount - order.refunded
        amount = max(1, left if share == 0 else order.amount * share // 100)
        self.keys += 1
        number = f"walk-refund-{self.keys}"
        expected = None
        if order.payer is None:
            expected = "payment_not_paid"
        elif amount > left:
            expected = "refund_exceeds_payment"
        elif self.model.merchant_balance(order.merchant) < amount:
            expected = "merchant_balance_insufficient"
        try:
            result = refunds.refund(
                self.rt,
                self.shops[order.merchant],
                order_id,
                amount=Money(amount, "CNY"),
                out_request_no=number,
                locale="zh-CN",
            )
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
            return
        assert expected is None and result.created, expected
        assert order.payer is not None
        entry_id = result.refund.entry_id
        assert entry_id is not None and result.refund.to_wallet == amount
        before, after = order.refunded, order.refunded + amount
        # Points earned on the refunded share go back, as far as the payer still has them.
        due = order.points * after // order.amount - order.points * before // order.amount
        taken = min(due, self.model.available((order.payer, POINTS)))
        drawn = {
            account: posted
            for account, posted in self._postings(entry_id).items()
            if account in self.model.shards[order.merchant]
        }
        assert sum(drawn.values()) == -amount and all(v < 0 for v in drawn.values()), drawn
        legs = [((account, "CNY"), posted) for account, posted in drawn.items()]
        legs.append(((order.payer, "CNY"), amount))
        if taken:
            legs += [((order.payer, POINTS), -taken), (("platform", POINTS), taken)]
        self.model.post(entry_id, EntryKind.REFUND, legs)
        order.refunded = after
        order.refunds[number] = amount

    @rule(data=st.data(), bump=st.booleans())
    def merchant_repeats_a_refund_request(self, data: st.DataObject, bump: bool) -> None:
        """The same request number again: the same refund and no money moves; with another
        amount, the number is refused."""
        done = sorted(
            (order_id, number)
            for order_id, order in self.model.orders.items()
            for number in order.refunds
        )
        if not done:
            return
        order_id, number = data.draw(st.sampled_from(done))
        order = self.model.orders[order_id]
        amount = order.refunds[number] + (1 if bump else 0)
        try:
            result = refunds.refund(
                self.rt,
                self.shops[order.merchant],
                order_id,
                amount=Money(amount, "CNY"),
                out_request_no=number,
                locale="zh-CN",
            )
        except DomainError as exc:
            assert bump and exc.code == "refund_request_reused", exc.code
            return
        assert not bump and not result.created and result.refund.amount == amount

    @rule(
        who=st.integers(0, 2),
        sell=st.sampled_from(CURRENCIES),
        amount=st.integers(1, 150_000),
    )
    def convert_between_own_wallets(self, who: int, sell: str, amount: int) -> None:
        actor = self._person(who)
        user = actor.user.id
        buy = "USD" if sell == "CNY" else "CNY"
        try:
            quote = fx.create_quote(
                self.rt,
                actor,
                sell_currency=sell,
                buy_currency=buy,
                sell_amount=Money(amount, sell).to_string(),
                buy_amount=None,
            )
        except DomainError as exc:
            assert exc.code == "fx_amount_too_small", exc.code  # a few fen buy no cent
            return
        assert quote.sell_amount == amount and quote.buy_amount > 0
        expected = self._expected_outgoing(user, sell, amount)
        try:
            conversion = fx.convert(self.rt, actor, quote_id=quote.id, locale="zh-CN")
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
            return
        assert expected is None, expected
        assert (conversion.sell, conversion.buy) == (
            Money(amount, sell),
            Money(quote.buy_amount, buy),
        )
        self.model.post(
            conversion.id,
            EntryKind.FX,
            [
                ((user, sell), -amount),
                (("platform", sell), amount),
                (("platform", buy), -quote.buy_amount),
                ((user, buy), quote.buy_amount),
            ],
        )
        self.model.count(user, self.clock.now(), counted(amount, sell))

    @rule(data=st.data())
    def retry_a_stored_request(self, data: st.DataObject) -> None:
        """The same key and body again: the first answer comes back and no money moves."""
        if not self.model.answers:
            return
        scope, key = data.draw(st.sampled_from(sorted(self.model.answers)))
        _, status, body = self.model.answers[(scope, key)]
        if status != 201:
            return  # a refusal's body does not carry the request; the API tests replay those
        actor = next(p for p in self.people if p.user.id == scope)
        amount = Money.parse(str(body["amount"]), str(body["currency"]))
        answer = send_transfer(self.rt, actor, key=key, to=str(body["to"]), amount=amount)
        assert answer.replayed and (answer.status, answer.body) == (status, body)
        changed = send_transfer(
            self.rt,
            actor,
            key=key,
            to=str(body["to"]),
            amount=Money(amount.minor + 1, amount.currency),
        )
        assert changed.code == "idempotency_key_reused"

    @rule(
        target=hold_ids,
        who=st.integers(0, 2),
        amount=st.integers(1, 100_000),
        currency=st.sampled_from(CURRENCIES),
        minutes=st.integers(1, 120),
    )
    def place_a_hold(self, who: int, amount: int, currency: str, minutes: int) -> str:
        user = self._person(who).user.id
        account_id = self._wallet_id(user, currency)
        enough = self.model.available((user, currency)) >= amount
        try:
            with self.rt.db.uow() as uow:
                hold = place_hold(
                    self.rt,
                    uow,
                    account_id=account_id,
                    amount=Money(amount, currency),
                    purpose="review",
                    ttl=timedelta(minutes=minutes),
                )
                uow.commit()
        except DomainError as exc:
            assert not enough and exc.code == "insufficient_funds"
            return "hld_none"
        assert enough
        self.model.held[(user, currency)] += amount
        self.model.holds[hold.id] = ModelHold(user, currency, amount, hold.expires_at)
        return hold.id

    @rule(hold_id=consumes(hold_ids), to=st.integers(1, 2), part=st.floats(0, 1))
    def capture(self, hold_id: str, to: int, part: float) -> None:
        hold = self.model.holds.get(hold_id)
        if hold is None:
            return
        owner_index = next(i for i, p in enumerate(self.people) if p.user.id == hold.owner)
        payee = self._person(owner_index + to).user.id
        amount = max(1, round(hold.amount * part))
        expected = None
        if hold.status != "pending":
            expected = "hold_not_pending"
        elif hold.expires_at <= self.clock.now():
            expected = "hold_expired"
        target = self._wallet_id(payee, hold.currency)
        try:
            with self.rt.db.uow() as uow:
                posted = capture_hold(
                    self.rt,
                    uow,
                    hold_id=hold_id,
                    amount=Money(amount, hold.currency),
                    to_legs=[Leg(target, amount, hold.currency)],
                    kind=EntryKind.HOLD_CAPTURE,
                    description="captured in the walk",
                )
                uow.commit()
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
            return
        assert expected is None, expected
        hold.status = "captured"
        side = (hold.owner, hold.currency)
        self.model.held[side] -= hold.amount
        self.model.post(
            posted.entry.id,
            EntryKind.HOLD_CAPTURE,
            [(side, -amount), ((payee, hold.currency), amount)],
        )

    @rule(hold_id=hold_ids)
    def release(self, hold_id: str) -> None:
        hold = self.model.holds.get(hold_id)
        if hold is None:
            return
        try:
            with self.rt.db.uow() as uow:
                release_hold(self.rt, uow, hold_id=hold_id)
                uow.commit()
        except DomainError as exc:
            assert hold.status != "pending" and exc.code == "hold_not_pending"
            return
        assert hold.status == "pending"
        hold.status = "released"
        self.model.held[(hold.owner, hold.currency)] -= hold.amount

    @rule(minutes=st.one_of(st.integers(1, 180), st.just(24 * 60)))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        # Keys are kept for 24 hours; after that the same key is a new request.
        cutoff = self.clock.now() - KEEP_FOR
        self.model.answers = {k: v for k, v in self.model.answers.items() if v[0] > cutoff}

    @rule()
    def expiry_runs(self) -> None:
        now = self.clock.now()
        due = [
            h for h in self.model.holds.values() if h.status == "pending" and h.expires_at <= now
        ]
        assert expire_holds(self.rt) == len(due)
        for hold in due:
            hold.status = "expired"
            self.model.held[(hold.owner, hold.currency)] -= hold.amount

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        entry_id = data.draw(st.sampled_from(list(reversed(self.model.entries))))  # newest first
        kind, legs = self.model.entries[entry_id]
        expected = None
        if kind == EntryKind.REVERSAL:
            expected = "cannot_reverse_reversal"
        elif entry_id in self.model.reversed:
            expected = "already_reversed"
        elif any(
            side[0] != "platform" and self.model.available(side) < amount
            for side, amount in legs
            if amount > 0
        ):
            expected = "insufficient_funds"
        try:
            posted = reverse_entry(self.rt, entry_id=entry_id, reason="walk", actor_id=None)
        except DomainError as exc:
            assert exc.code == expected, (exc.code, expected)
            return
        assert expected is None, expected
        self.model.reversed.add(entry_id)
        self.model.post(
            posted.entry.id, EntryKind.REVERSAL, [(side, -amount) for side, amount in legs]
        )

    @rule(who=st.integers(0, 2))
    def freeze(self, who: int) -> None:
        actor = self._person(who)
        freeze_wallet(self.rt, actor, reason="lost_phone", note=None, ip=None)
        self.model.frozen.add(actor.user.id)

    @rule(who=st.integers(0, 2))
    def unfreeze(self, who: int) -> None:
        # The self-service unfreeze needs a step-up code; the ledger only cares about the row.
        user_id = self._person(who).user.id
        with self.rt.db.uow() as uow:
            user = uow.users.get(user_id, for_update=True)
            assert user is not None
            user.unfreeze(self.clock.now())
            uow.users.save(user)
            uow.commit()
        self.model.frozen.discard(user_id)

    @invariant()
    def books_are_right_and_match_the_model(self) -> None:
        with self.rt.db.uow(read_only=True) as uow:
            assert check_books(uow) == []
            accounts = uow.accounts.all()
        stored: dict[Side, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for a in accounts:
            side = side_of(a)
            posted, held = stored[side]
            stored[side] = (posted + a.posted, held + a.held)
        sides = set(stored) | set(self.model.posted) | set(self.model.held)
        for side in sorted(sides):
            want = (self.model.posted[side], self.model.held[side])
            assert stored[side] == want, (side, stored[side], want)


def test_random_walks_keep_the_books_balanced_on_sqlite(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "walk.db"

    class FreshCopy(LedgerWalk):
        def __init__(self) -> None:
            shutil.copyfile(sqlite_template, database)
            super().__init__()

    FreshCopy.database_url = f"sqlite:///{database}"
    FreshCopy.workdir = tmp_path
    run_state_machine_as_test(
        FreshCopy,
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="WALLETDESK_TEST_DATABASE_URL not set")
def test_random_walks_keep_the_books_balanced_on_postgresql(
    postgres_ready: str, tmp_path: Path
) -> None:
    _reset_postgres(postgres_ready)
    engine = create_database_engine(postgres_ready)
    # DELETE, not TRUNCATE, between examples: TRUNCATE syncs a new file for every table
    # (seconds per example); the append-only audit log is simply left to grow.
    keep = {"audit_log", "audit_head"}
    tables = [table for table in reversed(metadata.sorted_tables) if table.name not in keep]

    class Truncated(LedgerWalk):
        def __init__(self) -> None:
            with engine.begin() as connection:
                for table in tables:
                    connection.execute(table.delete())
            super().__init__()

    Truncated.database_url = postgres_ready
    Truncated.workdir = tmp_path
    run_state_machine_as_test(
        Truncated,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    engine.dispose()
