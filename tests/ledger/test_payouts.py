"""Bulk payouts: one entry pays everyone, or nobody is paid."""

from __future__ import annotations

import pytest

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from walletdesk.errors import DomainError
from walletdesk.ledger.fx_rates import seed_demo_rates
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.money import Money
from walletdesk.ledger.payouts import PayoutItem, pay_out
from walletdesk.runtime import Runtime


def cny(text: str) -> Money:
    return Money.parse(text, "CNY")


def balances(rt: Runtime, *user_ids: str) -> list[int]:
    with rt.db.uow(read_only=True) as uow:
        return [sum(a.posted for a in uow.accounts.for_owner(u)) for u in user_ids]


def test_a_payroll_pays_every_recipient_in_one_entry(rt: Runtime) -> None:
    boss = sign_in(rt, phone="13811112222", name="陈老板")
    li = sign_in(rt, phone="13987654321", name="李娜")
    tom = sign_in(rt, phone="13700000007", name="Tom Baker")
    fund(rt, boss.user.id, "10000.00")
    items = [
        PayoutItem(li.user.id, cny("3000.00")),
        PayoutItem(tom.user.id, cny("2500.50")),
        PayoutItem(li.user.id, cny("200.00")),  # a bonus line for the same person
    ]
    result = pay_out(rt, boss, items=items, note="十一月工资", locale="zh-CN")
    assert result.paid == 3 and result.total == cny("5700.50")
    assert balances(rt, boss.user.id, li.user.id, tom.user.id) == [429950, 320000, 250050]
    with rt.db.uow(read_only=True) as uow:
        assert len(uow.journal.postings_of(result.id)) == 3  # the payer and two wallets
        assert check_books(uow) == []


@pytest.mark.parametrize(
    ("case", "amounts", "code"),
    [
        ("more than the balance", ["60.00", "50.00"], "insufficient_funds"),
        ("a zero line", ["10.00", "0.00"], "invalid_amount"),
    ],
)
def test_a_payout_that_cannot_be_paid_in_full_pays_nobody(
    rt: Runtime, case: str, amounts: list[str], code: str
) -> None:
    boss = sign_in(rt, phone="13811112222", name="陈老板")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, boss.user.id, "100.00")
    with pytest.raises(DomainError) as refused:
        pay_out(
            rt,
            boss,
            items=[PayoutItem(li.user.id, cny(a)) for a in amounts],
            note=None,
            locale="zh-CN",
        )
    assert refused.value.code == code
    assert balances(rt, boss.user.id, li.user.id) == [100_00, 0]


def test_a_payout_to_oneself_is_refused(rt: Runtime) -> None:
    boss = sign_in(rt, phone="13811112222", name="陈老板")
    fund(rt, boss.user.id, "100.00")
    with pytest.raises(DomainError) as refused:
        pay_out(rt, boss, items=[PayoutItem(boss.user.id, cny("1.00"))], note=None, locale="zh-CN")
    assert refused.value.code == "transfer_to_self"


def test_a_payout_names_recipients_by_phone_or_wallet_id_and_tells_each_of_them(
    rt: Runtime,
) -> None:
    boss = sign_in(rt, phone="13811112222", name="陈老板")
    li = sign_in(rt, phone="13987654321", name="李娜")
    tom = sign_in(rt, phone="13700000007", name="Tom Baker")
    seed_demo_rates(rt)  # limits weigh a USD payout at its CNY equivalent
    fund(rt, boss.user.id, "500.00", "USD")
    items = [
        PayoutItem("139 8765 4321", Money.parse("10.00", "USD")),  # Li, by phone
        PayoutItem(tom.user.id, Money.parse("20.00", "USD")),  # Tom, by wallet id
    ]
    pay_out(rt, boss, items=items, note="bonus", locale="en")
    # Neither had a USD wallet: the payout opened both.
    with rt.db.uow(read_only=True) as uow:
        held = {
            owner: {a.currency: a.posted for a in uow.accounts.for_owner(owner)}
            for owner in (li.user.id, tom.user.id)
        }
        assert held[li.user.id]["USD"] == 1000 and held[tom.user.id]["USD"] == 2000
        for person, line in ((li, "$10.00"), (tom, "$20.00")):
            notices = uow.inbox.list_for_user(person.user.id)
            assert sum(line in notice.body for notice in notices) == 1, notices
    # A second payout to the same wallets finds them again (known ids, no new accounts).
    pay_out(rt, boss, items=items, note=None, locale="en")
    assert balances(rt, li.user.id, tom.user.id) == [2000, 4000]


def test_a_payout_to_someone_unknown_pays_nobody(rt: Runtime) -> None:
    boss = sign_in(rt, phone="13811112222", name="陈老板")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, boss.user.id, "100.00")
    with pytest.raises(DomainError) as refused:
        pay_out(
            rt,
            boss,
            items=[PayoutItem(li.user.id, cny("1.00")), PayoutItem("13500000000", cny("1.00"))],
            note=None,
            locale="zh-CN",
        )
    assert refused.value.code == "recipient_not_found"
    assert balances(rt, boss.user.id, li.user.id) == [10000, 0]
