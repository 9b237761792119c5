"""Bulk payouts: one entry pays everyone, or nobody is paid."""

from __future__ import annotations

import pytest

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from walletdesk.errors import DomainError
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
