"""The simulated bank keeps its books in the database: a second server process, or the same one
after a restart, sees the same cards, balances, daily usage, binding codes, scripted outcomes
and operations still waiting for their answer."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.banking.cards import CMB_DEBIT, ICBC_DEBIT
from tests.conftest import FAST_ARGON2
from tests.support import last_code, remember
from walletdesk.channels.bank import BankStatus
from walletdesk.channels.bank_simulator import BankSimulator, Outcome
from walletdesk.clock import FrozenClock
from walletdesk.ledger.money import Money
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.tables_bank_sim import bank_sim_bindings, bank_sim_cards

PHONE = "13811112222"
remember(PHONE)


def simulator(runtime: Runtime) -> BankSimulator:
    assert isinstance(runtime.bank, BankSimulator)
    return runtime.bank


@pytest.fixture
def other(settings: Settings, clock: FrozenClock) -> Iterator[Runtime]:
    """A second server process on the same database (its own engine, its own random source)."""
    runtime = build_runtime(settings, clock=clock, random=SeededRandom(99), argon2=FAST_ARGON2)
    yield runtime
    runtime.close()


def yuan(amount: str) -> Money:
    return Money.parse(amount, "CNY")


def test_two_processes_see_one_card_with_one_balance(rt: Runtime, other: Runtime) -> None:
    first, second = simulator(rt), simulator(other)
    first.set_card(ICBC_DEBIT, balance=1_000_00)
    token = second.token_for(ICBC_DEBIT)
    assert token == first.token_for(ICBC_DEBIT)
    assert second.charge(request_id="top_a", card_token=token, amount=yuan("300.00")).status == (
        BankStatus.SUCCEEDED
    )
    assert first.card(ICBC_DEBIT).balance == 700_00
    declined = first.charge(request_id="top_b", card_token=token, amount=yuan("700.01"))
    assert (declined.status, declined.reason) == (BankStatus.DECLINED, "insufficient_funds")


def test_a_resend_to_the_other_process_is_the_same_operation_not_a_second_charge(
    rt: Runtime, other: Runtime, clock: FrozenClock
) -> None:
    first, second = simulator(rt), simulator(other)
    first.latency = timedelta(seconds=30)
    token = first.token_for(ICBC_DEBIT)
    assert first.charge(request_id="top_slow", card_token=token, amount=yuan("50.00")).status == (
        BankStatus.PENDING
    )
    clock.advance(timedelta(seconds=29))
    assert second.query("top_slow").status == BankStatus.PENDING
    clock.advance(timedelta(seconds=1))
    answered = second.query("top_slow")
    assert answered.status == BankStatus.SUCCEEDED and answered.reference
    again = second.charge(request_id="top_slow", card_token=token, amount=yuan("50.00"))
    assert again == answered
    assert second.card(ICBC_DEBIT).balance == 50_000_00 - 50_00


def test_an_outcome_scripted_through_one_process_ends_the_others_next_operation(
    rt: Runtime, other: Runtime
) -> None:
    first, second = simulator(rt), simulator(other)
    token = first.token_for(CMB_DEBIT)
    first.script(token, [Outcome.CARD_FROZEN, Outcome.SUCCESS])
    frozen = second.payout(request_id="wdr_1", card_token=token, amount=yuan("10.00"))
    assert (frozen.status, frozen.reason) == (BankStatus.DECLINED, "card_frozen")
    assert first.payout(request_id="wdr_2", card_token=token, amount=yuan("10.00")).status == (
        BankStatus.SUCCEEDED
    )
    assert first.charge(request_id="top_3", card_token=token, amount=yuan("1.00")).status == (
        BankStatus.SUCCEEDED  # the script is used up: the card's own state decides again
    )


def test_a_restarted_bank_still_answers_an_operation_whose_reply_was_lost(
    settings: Settings, clock: FrozenClock
) -> None:
    before = build_runtime(settings, clock=clock, random=SeededRandom(1), argon2=FAST_ARGON2)
    token = simulator(before).token_for(ICBC_DEBIT)
    simulator(before).script(token, [Outcome.NETWORK_TIMEOUT, Outcome.DAILY_LIMIT_EXCEEDED])
    lost = simulator(before).charge(request_id="top_lost", card_token=token, amount=yuan("8.00"))
    assert (lost.status, lost.reason) == (BankStatus.PENDING, "network_timeout")
    before.close()
    after = build_runtime(settings, clock=clock, random=SeededRandom(2), argon2=FAST_ARGON2)
    try:
        bank_code, body, headers = simulator(after).callback_for("top_lost")
        assert bank_code == "ICBC" and b'"daily_limit_exceeded"' in body and headers
        assert simulator(after).query("top_lost").reason == "daily_limit_exceeded"
        assert simulator(after).query("top_never_sent").status == BankStatus.DECLINED
    finally:
        after.close()


def test_the_banks_daily_limit_is_shared_and_turns_over_at_beijing_midnight(
    rt: Runtime, other: Runtime, clock: FrozenClock
) -> None:
    first, second = simulator(rt), simulator(other)
    first.set_card(ICBC_DEBIT, daily_limit=250_00)
    token = first.token_for(ICBC_DEBIT)
    assert first.charge(request_id="top_d1", card_token=token, amount=yuan("200.00")).status == (
        BankStatus.SUCCEEDED
    )
    # START is 17:00 in Beijing: the bank's day ends seven hours later.
    clock.advance(timedelta(hours=7) - timedelta(seconds=1))
    over = second.charge(request_id="top_d2", card_token=token, amount=yuan("50.01"))
    assert over.reason == "daily_limit_exceeded"
    assert second.charge(request_id="top_d3", card_token=token, amount=yuan("50.00")).status == (
        BankStatus.SUCCEEDED  # exactly at the limit
    )
    clock.advance(timedelta(seconds=1))
    assert first.charge(request_id="top_d4", card_token=token, amount=yuan("250.00")).status == (
        BankStatus.SUCCEEDED
    )


def test_a_binding_started_in_one_process_is_confirmed_in_the_other(
    rt: Runtime, other: Runtime
) -> None:
    simulator(rt).start_binding(
        request_id="bnd_shared", card_number=ICBC_DEBIT, holder_name="张明", phone=PHONE
    )
    code = last_code(rt, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    assert simulator(other).confirm_binding(request_id="bnd_shared", code=wrong).reason == (
        "invalid_code"
    )
    confirmed = simulator(other).confirm_binding(request_id="bnd_shared", code=code)
    assert confirmed.token == simulator(rt).token_for(ICBC_DEBIT)
    again = simulator(rt).confirm_binding(request_id="bnd_shared", code=code)
    assert again.token is None  # a code works once


def test_the_banks_books_hold_neither_the_card_number_nor_the_code(rt: Runtime) -> None:
    simulator(rt).start_binding(
        request_id="bnd_private", card_number=ICBC_DEBIT, holder_name="张明", phone=PHONE
    )
    code = last_code(rt, PHONE)
    with rt.db.engine.connect() as connection:
        stored = [
            str(value)
            for table in (bank_sim_cards, bank_sim_bindings)
            for row in connection.execute(select(table))
            for value in row
        ]
    assert ICBC_DEBIT[-4:] in stored
    assert not any(ICBC_DEBIT in value or code in value for value in stored)
