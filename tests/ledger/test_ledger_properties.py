"""A random walk through the ledger's services, checked against a model and the books' invariants
after every step: deposits, idempotent P2P transfers and their retries, holds with captures,
releases and expiry, reversals, freezes and unfreezes, in CNY and USD."""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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

from tests.conftest import BACKENDS, FAST_ARGON2, TEST_KEYS, _reset_postgres
from tests.ledger.actors import send_transfer, sign_in
from tests.ledger.funding import fund
from tests.support import START
from walletdesk.clock import FrozenClock
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.freeze import freeze_wallet
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import capture_hold, expire_holds, place_hold, release_hold
from walletdesk.ledger.idempotency import KEEP_FOR
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import BEIJING, limit_for
from walletdesk.ledger.models import EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.reversal import reverse_entry
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.database import create_database_engine
from walletdesk.storage.schema import metadata

PEOPLE = [("13800000001", "张明", 3), ("13800000002", "李娜", 3), ("13800000003", "王芳", 0)]
CURRENCIES = ["CNY", "USD"]
Side = tuple[str, str]  # (user id or "platform", currency)


@dataclass
class ModelHold:
    owner: str
    currency: str
    amount: int
    expires_at: datetime
    status: str = "pending"


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

    def available(self, side: Side) -> int:
        return self.posted[side] - self.held[side]

    def post(self, entry_id: str, kind: str, legs: list[tuple[Side, int]]) -> None:
        for side, amount in legs:
            self.posted[side] += amount
        self.entries[entry_id] = (kind, legs)


def _fresh_runtime(url: str, tmp: Path, clock: FrozenClock) -> Runtime:
    built = Settings(env="dev", data_dir=tmp, database_url=url, **TEST_KEYS)
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

    users = Bundle("users")
    hold_ids = Bundle("holds")
    entry_ids = Bundle("entries")

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
        target=entry_ids,
        who=st.integers(0, 2),
        amount=st.integers(1, 200_000),
        currency=st.sampled_from(CURRENCIES),
    )
    def deposit(self, who: int, amount: int, currency: str) -> str:
        user = self._person(who).user.id
        entry_id = fund(self.rt, user, Money(amount, currency).to_string(), currency)
        self.model.post(
            entry_id,
            EntryKind.TOPUP,
            [((user, currency), amount), (("platform", currency), -amount)],
        )
        return entry_id

    def _expected_transfer(self, payer: str, currency: str, amount: int) -> str | None:
        if payer in self.model.frozen:
            return "wallet_frozen"
        if currency == "CNY":
            limit = limit_for(self.tiers[payer])
            local = self.clock.now().astimezone(BEIJING)
            day = (payer, "day", local.strftime("%Y-%m-%d"))
            year = (payer, "year", local.strftime("%Y"))
            if (
                amount > limit.per_transaction
                or self.model.usage[day] + amount > limit.per_day
                or self.model.usage[year] + amount > limit.per_year
            ):
                return "limit_exceeded"
        if self.model.available((payer, currency)) < amount:
            return "insufficient_funds"
        return None

    @rule(
        target=entry_ids,
        payer=st.integers(0, 2),
        hop=st.integers(1, 2),
        amount=st.integers(1, 80_000),
        currency=st.sampled_from(CURRENCIES),
    )
    def transfer(self, payer: int, hop: int, amount: int, currency: str) -> str:
        actor, payee = self._person(payer), self._person(payer + hop)
        self.keys += 1
        key = f"walk-{self.keys}"
        expected = self._expected_transfer(actor.user.id, currency, amount)
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
            return "ent_none"
        assert answer.status == 201
        self.model.answers[(actor.user.id, key)] = (
            self.clock.now(),
            answer.status,
            answer.body,
        )
        if currency == "CNY":
            local = self.clock.now().astimezone(BEIJING)
            self.model.usage[(actor.user.id, "day", local.strftime("%Y-%m-%d"))] += amount
            self.model.usage[(actor.user.id, "year", local.strftime("%Y"))] += amount
        entry_id = str(answer.body["id"])
        self.model.post(
            entry_id,
            EntryKind.TRANSFER,
            [((actor.user.id, currency), -amount), ((payee.user.id, currency), amount)],
        )
        return entry_id

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

    @rule(target=entry_ids, hold_id=consumes(hold_ids), to=st.integers(1, 2), part=st.floats(0, 1))
    def capture(self, hold_id: str, to: int, part: float) -> str:
        hold = self.model.holds.get(hold_id)
        if hold is None:
            return "ent_none"
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
            return "ent_none"
        assert expected is None, expected
        hold.status = "captured"
        side = (hold.owner, hold.currency)
        self.model.held[side] -= hold.amount
        self.model.post(
            posted.entry.id,
            EntryKind.HOLD_CAPTURE,
            [(side, -amount), ((payee, hold.currency), amount)],
        )
        return posted.entry.id

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

    @rule(entry_id=entry_ids)
    def reverse(self, entry_id: str) -> None:
        known = self.model.entries.get(entry_id)
        if known is None:
            return
        kind, legs = known
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
            stored = {
                (a.owner_id, a.currency): (a.posted, a.held)
                for a in uow.accounts.all()
                if a.owner_id is not None
            }
        for person in self.people:
            for currency in CURRENCIES:
                side = (person.user.id, currency)
                want = (self.model.posted[side], self.model.held[side])
                assert stored.get(side, (0, 0)) == want, (side, stored.get(side), want)


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
            max_examples=30,
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
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    engine.dispose()
