"""Every money movement is screened before it posts (screening is on by default): a held
payment or withdrawal reserves the payer's money and gives the receiver nothing; approve posts
it, decline releases it, both conserve the ledger; the payer sees it under review in the
history and may cancel it; a top-up, a card payment or an exchange the engine will not let
through is refused and nothing is charged or posted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT
from tests.ledger.funding import fund
from tests.merchants.helpers import open_shop
from tests.risk.helpers import staff
from tests.risk.review_helpers import balance, books_ok, templates_to
from tests.support import LI_NA, ZHANG_MING, Person, last_code, sign_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.banking import records
from walletdesk.banking.cards import bind_card, verify_card
from walletdesk.banking.models import OperationStatus
from walletdesk.banking.topups import top_up
from walletdesk.banking.withdrawals import withdraw
from walletdesk.errors import Conflict
from walletdesk.identity.authentication import Authenticated, authenticate
from walletdesk.identity.models import SessionKind
from walletdesk.ledger import fx
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.ledger.money import Money
from walletdesk.merchants.accounts import merchant_balance
from walletdesk.merchants.card_payments import pay_by_card
from walletdesk.merchants.payments import create_order, pay
from walletdesk.merchants.registry import NewMerchant
from walletdesk.risk import held_transfers, review, review_actions
from walletdesk.risk.rules_admin import save_rules
from walletdesk.risk.screening import MovementDeclined
from walletdesk.runtime import Runtime

MOVEMENT_RULES = """\
rule_set: screening tests
thresholds:
  hold: 50
  freeze: 90
rules:
  - id: wire_hold_from_1000
    version: 1
    weight: 10
    action: hold
    min_amount: 1000
    when: kind in [transfer, payment, withdrawal, topup, fx]
    reasons:
      zh: 1000 元以上需审核
      en: 1,000 yuan or more is reviewed
  - id: wire_freeze_8888
    version: 1
    weight: 95
    action: freeze
    when: amount == 8888
    reasons:
      zh: 冻结测试金额
      en: The amount that freezes
  - id: wire_decline_777
    version: 1
    weight: 60
    action: decline
    when: amount == 777
    reasons:
      zh: 可疑金额
      en: Suspicious amount
"""


def use_movement_rules(rt: Runtime) -> None:
    save_rules(rt, staff(rt, "usr_sun_min", "supervisor"), source=MOVEMENT_RULES, comment="wire")


def signed_in(rt: Runtime, client: TestClient, person: Person) -> tuple[dict, Authenticated]:
    """API headers and the same person as a service actor."""
    headers = sign_up_and_in(client, person)
    token = headers["Authorization"].removeprefix("Bearer ")
    actor = authenticate(rt, token, ip="127.0.0.1", kind=SessionKind.API)
    with rt.db.uow() as uow:  # verified identity (KYC tier 3): limits are not the subject
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        user.kyc_tier = 3
        uow.users.save(user)
        uow.commit()
    return headers, authenticate(rt, token, ip="127.0.0.1", kind=SessionKind.API)


def with_card(rt: Runtime, actor: Authenticated, phone: str) -> str:
    card, _ = bind_card(rt, actor, card_number=ICBC_DEBIT, holder_name="张明", phone=phone)
    verify_card(rt, actor, card.id, last_code(rt, phone))
    return card.id


def order_of(rt: Runtime, shop: NewMerchant, amount: str, number: str) -> str:
    view = create_order(
        rt,
        shop.merchant,
        amount=Money.parse(amount, "CNY"),
        merchant_order_id=number,
        description="月饼礼盒",
    )
    return view.order.id


def reviewer(rt: Runtime) -> Authenticated:
    return staff(rt, "usr_liu_shen", "risk_reviewer")


def decide(rt: Runtime, *, approve: bool) -> None:
    liu = reviewer(rt)
    case = review.next_case(rt, liu)
    assert case is not None
    if approve:
        done = review_actions.approve_case(
            rt, liu, case.id, comment="核实无误", label="false_positive"
        )
    else:
        done = review_actions.decline_case(rt, liu, case.id, comment="可疑", label="valuable_alert")
    assert done.done


@pytest.fixture
def zhang(rt: Runtime, client: TestClient) -> tuple[dict, Authenticated]:
    use_movement_rules(rt)
    headers, actor = signed_in(rt, client, ZHANG_MING)
    fund(rt, actor.user.id, "5000.00")
    return headers, actor


def test_a_held_payment_reserves_the_money_and_pays_the_merchant_nothing(
    rt: Runtime, client: TestClient, zhang: tuple[dict, Authenticated]
) -> None:
    headers, actor = zhang
    shop = open_shop(rt)
    order_id = order_of(rt, shop, "1200.00", "MC-1")
    view = pay(rt, actor, order_id, coupon_id=None, locale="zh-CN")
    assert view.state == "under_review" and view.order.status == "paying"
    assert balance(rt, actor.user.id) == (380_000, 120_000)
    assert merchant_balance(rt, shop.merchant.id, "CNY") == 0
    [item] = [
        i
        for i in client.get("/api/v1/transactions", headers=headers).json()["items"]
        if i["kind"] == "payment"
    ]
    assert item["status"] == "under_review" and item["amount"]["amount"] == "-1200.00"
    assert item["expected_by"] is not None and item["counterparty"] == shop.merchant.name
    assert "risk.payment_held" in templates_to(rt, actor.user.id)
    books_ok(rt)


@pytest.mark.parametrize(("label", "approve"), [("approved", True), ("declined", False)])
def test_a_reviewer_decides_a_held_payment_and_the_books_balance(
    rt: Runtime, zhang: tuple[dict, Authenticated], label: str, approve: bool
) -> None:
    _, actor = zhang
    shop = open_shop(rt)
    order_id = order_of(rt, shop, "1200.00", f"MC-{label}")
    pay(rt, actor, order_id, coupon_id=None, locale="zh-CN")
    decide(rt, approve=approve)
    with rt.db.uow(read_only=True) as uow:
        from walletdesk.merchants.store import store

        order = store(uow).orders.get(order_id)
    assert order is not None
    if approve:
        assert order.status == "paid" and order.entry_id is not None
        assert balance(rt, actor.user.id) == (380_000, 0)
        assert merchant_balance(rt, shop.merchant.id, "CNY") == 120_000
    else:
        assert order.status == "pending" and order.payer_id is None
        assert balance(rt, actor.user.id) == (500_000, 0)
        assert merchant_balance(rt, shop.merchant.id, "CNY") == 0
    books_ok(rt)


def test_the_payer_cancels_a_held_payment_through_the_api(
    rt: Runtime, client: TestClient, zhang: tuple[dict, Authenticated]
) -> None:
    headers, actor = zhang
    shop = open_shop(rt)
    order_id = order_of(rt, shop, "1500.00", "MC-cancel")
    pay(rt, actor, order_id, coupon_id=None, locale="zh-CN")
    [held] = held_transfers.held_transfers_of(
        rt, actor, kinds=tuple(held_transfers.TEMPLATES_BY_KIND)
    )
    cancelled = client.post(f"/api/v1/transactions/{held.id}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert balance(rt, actor.user.id) == (500_000, 0)
    again = client.post(f"/api/v1/transactions/{held.id}/cancel", headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "held_movement_settled"
    books_ok(rt)


@pytest.mark.parametrize(("label", "approve"), [("approved", True), ("declined", False)])
def test_a_held_withdrawal_waits_for_a_reviewer_before_the_bank_is_asked(
    rt: Runtime, zhang: tuple[dict, Authenticated], label: str, approve: bool
) -> None:
    _, actor = zhang
    card_id = with_card(rt, actor, ZHANG_MING.phone or "")
    view = withdraw(
        rt,
        actor,
        card_id=card_id,
        amount=Money.parse("1000.00", "CNY"),
        expected_fee=None,
        key=f"wd-{label}",
        locale="zh-CN",
    )
    operation = view.operation
    assert operation.status == OperationStatus.UNDER_REVIEW
    reserved = operation.amount + operation.fee
    assert balance(rt, actor.user.id) == (500_000 - reserved, reserved)
    decide(rt, approve=approve)
    with rt.db.uow(read_only=True) as uow:
        settled = records.operations(uow).get(operation.id)
    assert settled is not None
    if approve:  # sent to the bank once approved; the simulator pays at once
        assert settled.status == OperationStatus.SUCCEEDED
        assert balance(rt, actor.user.id) == (500_000 - reserved, 0)
    else:
        assert settled.status == OperationStatus.DECLINED
        assert balance(rt, actor.user.id) == (500_000, 0)
    books_ok(rt)


def test_a_top_up_the_engine_would_hold_is_refused_and_the_card_not_charged(
    rt: Runtime, zhang: tuple[dict, Authenticated]
) -> None:
    _, actor = zhang
    card_id = with_card(rt, actor, ZHANG_MING.phone or "")
    with pytest.raises(MovementDeclined) as refused:
        top_up(rt, actor, card_id=card_id, amount=Money.parse("1000.00", "CNY"), key="t1")
    assert refused.value.code == "topup_needs_review"
    with rt.db.uow(read_only=True) as uow:
        assert (
            records.operations(uow).count_since(actor.user.id, "topup", actor.user.created_at) == 0
        )
        [decision] = [
            d for d in uow.risk.decisions_of_user(actor.user.id) if d.movement_kind == "topup"
        ]
        assert uow.risk_review.cases.open_of_user(actor.user.id) is not None
    assert decision.action == "hold"
    small = top_up(rt, actor, card_id=card_id, amount=Money.parse("100.00", "CNY"), key="t2")
    assert small.operation.status == OperationStatus.SUCCEEDED
    books_ok(rt)


def test_a_card_payment_the_engine_would_hold_leaves_the_order_payable(
    rt: Runtime, zhang: tuple[dict, Authenticated]
) -> None:
    _, actor = zhang
    card_id = with_card(rt, actor, ZHANG_MING.phone or "")
    shop = open_shop(rt)
    order_id = order_of(rt, shop, "1000.00", "MC-card")
    with pytest.raises(MovementDeclined) as refused:
        pay_by_card(rt, actor, order_id, card_id=card_id, coupon_id=None, key="c1", locale="zh-CN")
    assert refused.value.code == "payment_needs_review"
    with rt.db.uow(read_only=True) as uow:
        from walletdesk.merchants.store import store

        order = store(uow).orders.get(order_id)
    assert order is not None and order.status == "pending"
    books_ok(rt)


def test_an_exchange_the_engine_declines_is_refused_and_nothing_exchanged(
    rt: Runtime, zhang: tuple[dict, Authenticated]
) -> None:
    _, actor = zhang
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    quote = fx.create_quote(
        rt, actor, sell_currency="CNY", buy_currency="USD", sell_amount="777.00", buy_amount=None
    )
    with pytest.raises(MovementDeclined) as refused:
        fx.convert(rt, actor, quote_id=quote.id, locale="zh-CN")
    assert refused.value.code == "fx_declined"
    assert balance(rt, actor.user.id) == (500_000, 0)
    small = fx.create_quote(
        rt, actor, sell_currency="CNY", buy_currency="USD", sell_amount="72.00", buy_amount=None
    )
    done = fx.convert(rt, actor, quote_id=small.id, locale="zh-CN")
    assert Decimal(done.buy.to_string()) < Decimal("10.00")
    assert balance(rt, actor.user.id) == (492_800, 0)
    books_ok(rt)


def test_nobody_else_cancels_a_held_movement_and_a_decided_one_cannot_be_cancelled(
    rt: Runtime, client: TestClient, zhang: tuple[dict, Authenticated]
) -> None:
    headers, actor = zhang
    shop = open_shop(rt)
    pay(rt, actor, order_of(rt, shop, "2000.00", "MC-other"), coupon_id=None, locale="zh-CN")
    [held] = held_transfers.held_transfers_of(
        rt, actor, kinds=tuple(held_transfers.TEMPLATES_BY_KIND)
    )
    li_headers, _ = signed_in(rt, client, LI_NA)
    refused = client.post(f"/api/v1/transactions/{held.id}/cancel", headers=li_headers)
    assert refused.status_code == 404
    decide(rt, approve=True)
    with pytest.raises(Conflict):
        held_transfers.cancel_held(rt, actor, held.id)
    shown = client.get(f"/api/v1/transactions/{held.id}", headers=headers).json()
    assert shown["status"] == "succeeded" and shown["amount"]["amount"] == "-2000.00"


def test_an_exchange_the_engine_would_hold_is_refused_and_shown_to_a_reviewer(
    rt: Runtime, zhang: tuple[dict, Authenticated]
) -> None:
    _, actor = zhang
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    quote = fx.create_quote(
        rt, actor, sell_currency="CNY", buy_currency="USD", sell_amount="1500.00", buy_amount=None
    )
    with pytest.raises(MovementDeclined) as refused:
        fx.convert(rt, actor, quote_id=quote.id, locale="en")
    assert refused.value.code == "fx_needs_review"
    assert balance(rt, actor.user.id) == (500_000, 0)
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_movement(quote.id)
        assert decision.action == "hold" and decision.movement_kind == "fx"
        assert uow.risk_review.cases.open_of_user(actor.user.id) is not None


def test_a_freeze_decision_on_a_top_up_freezes_the_wallet_and_charges_nothing(
    rt: Runtime, zhang: tuple[dict, Authenticated]
) -> None:
    _, actor = zhang
    card_id = with_card(rt, actor, ZHANG_MING.phone or "")
    with pytest.raises(MovementDeclined) as refused:
        top_up(rt, actor, card_id=card_id, amount=Money.parse("8888.00", "CNY"), key="t-freeze")
    assert refused.value.code == "topup_needs_review"
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(actor.user.id)
        case = uow.risk_review.cases.open_of_user(actor.user.id)
    assert user is not None and user.is_frozen
    assert case is not None and case.auto_frozen
    assert balance(rt, actor.user.id) == (500_000, 0)
    assert "wallet.frozen" in templates_to(rt, actor.user.id)
    books_ok(rt)


def test_a_held_payment_answers_202_and_its_replay_the_same(
    rt: Runtime, client: TestClient, zhang: tuple[dict, Authenticated]
) -> None:
    headers, actor = zhang
    shop = open_shop(rt)
    order_id = order_of(rt, shop, "1500.00", "MC-202")
    keyed = {**headers, "Idempotency-Key": "held-payment-1"}
    first = client.post(f"/api/v1/payments/{order_id}/pay", headers=keyed)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "under_review"
    again = client.post(f"/api/v1/payments/{order_id}/pay", headers=keyed)
    assert again.status_code == 202 and again.json() == first.json()
    assert balance(rt, actor.user.id) == (350_000, 150_000)  # reserved, not paid
    books_ok(rt)
