"""Real concurrency at the service layer: threads, each with its own connection and
transaction. On PostgreSQL the guarded updates and row locks decide; on SQLite the single
writer serialises them, and the same outcomes must hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tests.banking.cards import ICBC_DEBIT, bank
from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.merchants.helpers import open_shop
from tests.support import last_code
from walletdesk.banking.cards import bind_card, verify_card
from walletdesk.errors import DomainError
from walletdesk.ledger.money import Money
from walletdesk.merchants import card_payments, payments, refunds
from walletdesk.merchants.accounts import merchant_balance
from walletdesk.merchants.coupons import create_campaign, issue_coupon
from walletdesk.merchants.store import store
from walletdesk.runtime import Runtime


def all_at_once(count: int, action: Callable[[int], object]) -> Counter[str]:
    """Run `action(0..count-1)` in `count` threads released together; tally the outcomes."""
    start = threading.Barrier(count)

    def attempt(index: int) -> str:
        start.wait()
        try:
            action(index)
        except DomainError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(attempt, range(count)))


def cny(amount: str) -> Money:
    return Money.parse(amount, "CNY")


def check_books(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        assert uow.journal.unbalanced_entries() == []
        assert all(total == 0 for total in uow.accounts.totals_by_currency().values())


def test_twenty_concurrent_refunds_of_ten_never_exceed_the_hundred_paid(rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_in(rt, phone="13812345678", name="张明")
    fund(rt, zhang.user.id, "500.00")
    order = payments.create_order(
        rt, shop.merchant, amount=cny("100.00"), merchant_order_id="C-1", description="并发退款"
    ).order
    payments.pay(rt, zhang, order.id, coupon_id=None, locale="zh-CN")

    outcomes = all_at_once(
        20,
        lambda i: refunds.refund(
            rt,
            shop.merchant,
            order.id,
            amount=cny("10.00"),
            out_request_no=f"RF-{i}",
            locale="zh-CN",
        ),
    )

    assert outcomes == Counter({"ok": 10, "refund_exceeds_payment": 10})
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        refunded = s.orders.get(order.id)
        assert refunded is not None and refunded.refunded == 10_000
        assert sum(r.amount for r in s.refunds.for_payment(order.id)) == 10_000
        wallet = uow.accounts.get_by_code(f"wallet:{zhang.user.id}:CNY")
        assert wallet is not None and wallet.posted == 50_000
    assert merchant_balance(rt, shop.merchant.id, "CNY") == 0
    check_books(rt)


def test_ten_concurrent_payments_of_one_order_charge_exactly_one_payer(rt: Runtime) -> None:
    shop = open_shop(rt)
    payers = [sign_in(rt, phone=f"1390000000{i}", name=f"顾客{i}") for i in range(10)]
    for payer in payers:
        fund(rt, payer.user.id, "200.00")
    order = payments.create_order(
        rt, shop.merchant, amount=cny("88.00"), merchant_order_id="C-2", description="抢单"
    ).order

    outcomes = all_at_once(
        10,
        lambda i: payments.pay(rt, payers[i], order.id, coupon_id=None, locale="zh-CN"),
    )

    assert outcomes["ok"] == 1
    assert outcomes["ok"] + outcomes["payment_already_paid"] + outcomes["payment_not_found"] == 10
    with rt.db.uow(read_only=True) as uow:
        paid = store(uow).orders.get(order.id)
        balances = [uow.accounts.get_by_code(f"wallet:{p.user.id}:CNY") for p in payers]
    assert paid is not None and paid.status == "paid"
    assert sorted(a.posted for a in balances if a) == [11_200] + [20_000] * 9
    assert merchant_balance(rt, shop.merchant.id, "CNY") == 8_800
    check_books(rt)


def test_one_coupon_spent_by_ten_concurrent_payments_discounts_only_one(rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_in(rt, phone="13812345678", name="张明")
    fund(rt, zhang.user.id, "2000.00")
    campaign = create_campaign(
        rt,
        zhang,
        name="满100减10",
        amount_off=cny("10.00"),
        min_spend=cny("100.00"),
        expires_at=rt.clock.now() + rt.merchant_policy.order_ttl * 100,
        quantity=1,
    )
    coupon = issue_coupon(rt, zhang, campaign.id, zhang.user.id)
    orders = [
        payments.create_order(
            rt,
            shop.merchant,
            amount=cny("100.00"),
            merchant_order_id=f"C-3-{i}",
            description="同一张券",
        ).order
        for i in range(10)
    ]

    outcomes = all_at_once(
        10,
        lambda i: payments.pay(rt, zhang, orders[i].id, coupon_id=coupon.id, locale="zh-CN"),
    )

    assert outcomes == Counter({"ok": 1, "coupon_already_used": 9})
    with rt.db.uow(read_only=True) as uow:
        wallet = uow.accounts.get_by_code(f"wallet:{zhang.user.id}:CNY")
    assert wallet is not None and wallet.posted == 200_000 - 9_000
    check_books(rt)


def test_the_same_refund_request_sent_ten_times_at_once_refunds_once(rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_in(rt, phone="13812345678", name="张明")
    fund(rt, zhang.user.id, "500.00")
    order = payments.create_order(
        rt, shop.merchant, amount=cny("100.00"), merchant_order_id="C-4", description="重复退款"
    ).order
    payments.pay(rt, zhang, order.id, coupon_id=None, locale="zh-CN")
    seen: list[str] = []

    def ask(_: int) -> None:
        result = refunds.refund(
            rt, shop.merchant, order.id, amount=cny("30.00"), out_request_no="RF-1", locale="zh-CN"
        )
        seen.append(result.refund.id)

    assert all_at_once(10, ask) == Counter({"ok": 10})
    assert len(set(seen)) == 1
    with rt.db.uow(read_only=True) as uow:
        paid = store(uow).orders.get(order.id)
    assert paid is not None and paid.refunded == 3_000
    check_books(rt)


def test_card_and_balance_payments_racing_for_one_order_pay_it_once(rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_in(rt, phone="13812345678", name="张明")
    fund(rt, zhang.user.id, "500.00")
    card, _masked = bind_card(
        rt, zhang, card_number=ICBC_DEBIT, holder_name="张明", phone="13812345678"
    )
    verify_card(rt, zhang, card.id, last_code(rt, "13812345678"))
    order = payments.create_order(
        rt, shop.merchant, amount=cny("80.00"), merchant_order_id="C-9", description="抢付"
    ).order

    def attempt(index: int) -> object:
        if index % 2:
            return payments.pay(rt, zhang, order.id, coupon_id=None, locale="zh-CN")
        return card_payments.pay_by_card(
            rt, zhang, order.id, card_id=card.id, coupon_id=None, key=f"k-{index}", locale="zh-CN"
        )

    outcomes = all_at_once(6, attempt)
    assert outcomes["ok"] == 1, outcomes
    assert set(outcomes) <= {"ok", "payment_already_paid", "payment_in_progress"}
    assert merchant_balance(rt, shop.merchant.id, "CNY") == 80_00
    with rt.db.uow(read_only=True) as uow:
        paid = store(uow).orders.get(order.id)
        wallet = uow.accounts.get_by_code(f"wallet:{zhang.user.id}:CNY")
    assert paid is not None and paid.status == "paid"
    assert wallet is not None
    charged = 50_000_00 - bank(rt).card(ICBC_DEBIT).balance
    # Exactly one of the two paid: the card or the wallet, never both.
    assert (charged, wallet.posted) in {(80_00, 500_00), (0, 420_00)}
    check_books(rt)
