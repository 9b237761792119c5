"""Paying a merchant order with a bound bank card, through the bank simulator."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import CCB_CREDIT, ICBC_DEBIT, bank, bind
from tests.banking.money import cny_wallet, history
from tests.banking.test_notices import inbox
from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import (
    WebhookReceiver,
    new_order,
    open_shop,
    pay,
    refund,
    shop_headers,
    webhook_receiver,
)
from tests.merchants.test_coupons_and_points import admin_headers, give_coupon
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.banking.settlement import reconcile_pending
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.identity.authentication import authenticate
from walletdesk.identity.models import SessionKind
from walletdesk.ledger.invariants import check_books
from walletdesk.ledger.limits import limit_for, remaining
from walletdesk.merchants import card_payments
from walletdesk.merchants.registry import NewMerchant
from walletdesk.merchants.signing import verify_signature
from walletdesk.merchants.store import store
from walletdesk.runtime import Runtime


def zhang_with_card(
    client: TestClient, rt: Runtime, number: str = ICBC_DEBIT
) -> tuple[dict[str, str], str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, number)
    return zhang, card_id, bank(rt).token_for(number)


def books_are_right(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []


def merchant_balance(client: TestClient, shop: NewMerchant) -> str:
    body = client.get("/api/v1/merchant/balance", headers=shop_headers(shop)).json()
    return str(body["available"]["amount"])


def order_seen(
    client: TestClient, headers: dict[str, str], order_id: str, lang: str = "zh-CN"
) -> dict:
    response = client.get(
        f"/api/v1/payments/{order_id}", headers=headers | {"Accept-Language": lang}
    )
    assert response.status_code == 200, response.text
    return response.json()


def payment_webhooks(hooks: WebhookReceiver) -> list[dict]:
    return [h.event for h in hooks.received if h.event["type"] == "payment.succeeded"]


def test_a_card_payment_the_bank_accepts_pays_the_merchant_from_the_banks_clearing_account(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    with webhook_receiver() as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang, card_id, _token = zhang_with_card(client, rt)
        order = new_order(client, shop, amount="88.00")
        status, paid = pay(client, zhang, order["id"], "card-1", card_id=card_id)
    assert status == 201, paid
    assert paid["status"] == "paid" and paid["paid_with"] == "card"
    assert paid["paid_by_card"] == {"amount": "88.00", "currency": "CNY"}
    assert paid["paid_from_wallet"] is None
    assert paid["charge"]["status"] == "succeeded" and paid["charge"]["failure_reason"] is None
    assert paid["charge"]["card"]["last4"] == ICBC_DEBIT[-4:]
    assert paid["points_earned"] == 88
    assert paid["status_url"] == f"/api/v1/payments/{order['id']}"
    # The card paid, not the wallet; the merchant got the order amount; the bank took it.
    assert cny_wallet(client, zhang)["total"] == "0.00"
    assert merchant_balance(client, shop) == "88.00"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 88_00
    # ONE entry: the bank's clearing account → a merchant shard (and the points).
    with rt.db.uow(read_only=True) as uow:
        clearing = uow.accounts.get_by_code("platform:bank_clearing:ICBC:CNY")
        assert clearing is not None and clearing.posted == -88_00
        stored = store(uow).orders.get(order["id"])
        assert stored is not None and stored.entry_id is not None
        postings = uow.journal.postings_of(stored.entry_id)
    assert sorted((p.amount, p.currency) for p in postings) == [
        (-88_00, "CNY"),
        (-88, "PTS"),
        (88, "PTS"),
        (88_00, "CNY"),
    ]
    assert {p.account_id for p in postings if p.amount == -88_00} == {clearing.id}
    books_are_right(rt)
    [event] = payment_webhooks(hooks)
    assert event["data"]["payment_id"] == order["id"]
    assert event["data"]["amount"] == {"amount": "88.00", "currency": "CNY"}
    hook = hooks.received[0]
    assert verify_signature(
        shop.webhook_secret,
        hook.headers["X-Walletdesk-Timestamp"],
        hook.body,
        hook.headers["X-Walletdesk-Signature"],
    )
    # The payer's history shows the payment to the merchant, under the charge's id.
    [item] = history(client, zhang)
    assert item["kind"] == "payment" and item["status"] == "succeeded"
    assert item["counterparty"] == "喜茶 HEYTEA" and item["amount"]["amount"] == "-88.00"
    assert item["id"] == paid["charge"]["id"]
    one = client.get(f"/api/v1/transactions/{item['id']}", headers=zhang).json()
    assert one["status"] == "succeeded" and one["counterparty"] == "喜茶 HEYTEA"
    assert any(n.startswith("银行卡付款成功") and "¥88.00" in n for n in inbox(client, zhang))
    merchant_view = client.get(
        f"/api/v1/merchant/payments/{order['id']}", headers=shop_headers(shop)
    ).json()
    assert merchant_view["status"] == "paid" and merchant_view["paid_with"] == "card"


def test_a_credit_card_may_pay_a_merchant(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang, card_id, _token = zhang_with_card(client, rt, CCB_CREDIT)
    order = new_order(client, shop, amount="36.00")
    status, paid = pay(client, zhang, order["id"], "credit", card_id=card_id)
    assert status == 201 and paid["status"] == "paid"
    assert paid["charge"]["card"]["card_type"] == "credit"
    assert merchant_balance(client, shop) == "36.00"
    books_are_right(rt)


DECLINES = [
    ("insufficient funds", Outcome.INSUFFICIENT_FUNDS, "您的银行卡余额不足。",
     "Your bank card does not have enough money for this."),
    ("bank daily limit", Outcome.DAILY_LIMIT_EXCEEDED, "这张卡已达到银行的单日限额。",
     "This card has reached its bank's daily limit."),
    ("card expired", Outcome.CARD_EXPIRED, "这张银行卡已过期。", "This bank card has expired."),
    ("card frozen", Outcome.CARD_FROZEN, "这张卡已被发卡银行冻结。",
     "Your bank has frozen this card."),
]  # fmt: skip


@pytest.mark.parametrize(("label", "outcome", "zh", "en"), DECLINES)
def test_a_declined_card_payment_leaves_the_order_payable_and_shows_the_banks_reason(
    client: TestClient, rt: Runtime, label: str, outcome: Outcome, zh: str, en: str
) -> None:
    with webhook_receiver() as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang, card_id, token = zhang_with_card(client, rt)
        bank(rt).script(token, [outcome])
        order = new_order(client, shop, amount="120.00")
        status, body = pay(client, zhang, order["id"], f"declined-{outcome}", card_id=card_id)
        assert status == 201, label
        assert body["status"] == "pending" and body["paid_with"] is None
        assert body["charge"]["status"] == "failed"
        assert body["charge"]["failure_reason"]["code"] == outcome.value
        assert body["charge"]["failure_reason"]["message"] == zh
        english = order_seen(client, zhang, order["id"], "en")
        assert english["status"] == "pending"
        assert english["charge"]["failure_reason"]["message"] == en
        assert english["charge"]["failure_reason"]["next_step"]
        assert merchant_balance(client, shop) == "0.00"
        # The decline reaches the history with its message, and the in-app notice says why.
        [item] = history(client, zhang)
        assert item["kind"] == "payment" and item["status"] == "failed"
        assert item["failure_reason"]["message"] == zh
        [notice] = [n for n in inbox(client, zhang) if n.startswith("银行卡付款未成功")]
        assert zh in notice and "喜茶 HEYTEA" in notice and "¥120.00" in notice
        # Still payable: from the balance now.
        fund(rt, user_id_of(rt, "张明"), "200.00")
        status, paid = pay(client, zhang, order["id"], "balance-after-decline")
        assert status == 201 and paid["status"] == "paid" and paid["paid_with"] == "balance"
    assert len(payment_webhooks(hooks)) == 1  # only the payment that went through
    books_are_right(rt)


def test_a_decline_gives_back_the_coupon_and_the_limits_it_used(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang, card_id, token = zhang_with_card(client, rt)
    coupon_id = give_coupon(client, rt, admin_headers(client, rt))
    order = new_order(client, shop, amount="120.00")
    before = _limits_left(rt)
    bank(rt).script(token, [Outcome.CARD_FROZEN])
    status, body = pay(
        client, zhang, order["id"], "frozen-card", card_id=card_id, coupon_id=coupon_id
    )
    assert status == 201 and body["charge"]["amount"]["amount"] == "110.00"
    assert body["status"] == "pending" and body["coupon_discount"] is None
    assert (
        client.get("/api/v1/coupons", headers=zhang).json()["coupons"][0]["status"] == "available"
    )
    assert _limits_left(rt) == before
    status, paid = pay(
        client, zhang, order["id"], "other-try", card_id=card_id, coupon_id=coupon_id
    )
    assert status == 201 and paid["status"] == "paid"
    assert (
        paid["paid_by_card"]["amount"] == "110.00" and paid["coupon_discount"]["amount"] == "10.00"
    )
    assert merchant_balance(client, shop) == "120.00"
    assert _limits_left(rt)["day"] == before["day"] - 110_00
    books_are_right(rt)


def _limits_left(rt: Runtime) -> dict[str, int]:
    with rt.db.uow(read_only=True) as uow:
        return remaining(
            uow, subject_id=user_id_of(rt, "张明"), limit=limit_for(0), at=rt.clock.now()
        )


def test_a_timed_out_card_payment_is_paying_until_the_banks_callback_settles_it(
    client: TestClient, rt: Runtime
) -> None:
    with webhook_receiver() as hooks:
        shop = open_shop(rt, webhook_url=hooks.url)
        zhang, card_id, token = zhang_with_card(client, rt)
        li = sign_up_and_in(client, LI_NA)
        bank(rt).script(token, [Outcome.NETWORK_TIMEOUT])
        order = new_order(client, shop, amount="66.00")
        status, body = pay(client, zhang, order["id"], "lost-answer", card_id=card_id)
        assert status == 201 and body["status"] == "paying"
        assert body["charge"]["status"] == "processing"
        assert body["charge"]["failure_reason"]["code"] == "network_timeout"
        # Nobody can pay it meanwhile, and someone else cannot even see it.
        again = pay(client, zhang, order["id"], "second-try")
        assert again[0] == 409 and again[1]["error"]["code"] == "payment_in_progress"
        assert pay(client, li, order["id"], "li-tries")[0] == 404
        assert payment_webhooks(hooks) == []
        [pending] = history(client, zhang)
        assert pending["status"] == "processing" and pending["kind"] == "payment"
        bank_code, raw, headers = bank(rt).callback_for(body["charge"]["id"])
        answered = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=raw, headers=headers)
        assert answered.status_code == 200 and answered.json()["status"] == "succeeded"
        repeated = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=raw, headers=headers)
        assert repeated.status_code == 200  # a repeated callback changes nothing
    settled = order_seen(client, zhang, order["id"])
    assert settled["status"] == "paid" and settled["charge"]["status"] == "succeeded"
    assert merchant_balance(client, shop) == "66.00"
    assert len(payment_webhooks(hooks)) == 1
    books_are_right(rt)


def test_a_timed_out_card_payment_is_settled_by_asking_the_bank_for_its_status(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang, card_id, token = zhang_with_card(client, rt)
    bank(rt).script(token, [Outcome.NETWORK_TIMEOUT, Outcome.INSUFFICIENT_FUNDS])
    order = new_order(client, shop, amount="66.00")
    _status, body = pay(client, zhang, order["id"], "ask-later", card_id=card_id)
    assert body["status"] == "paying"
    queried = client.get(body["status_url"], headers=zhang | {"Accept-Language": "en"}).json()
    assert queried["status"] == "pending"
    assert queried["charge"]["failure_reason"] == {
        "code": "insufficient_funds",
        "message": "Your bank card does not have enough money for this.",
        "next_step": "Use another card, or try a smaller amount.",
    }
    books_are_right(rt)


def test_a_slow_bank_leaves_the_order_paying_until_reconciliation_asks_again(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    shop = open_shop(rt)
    zhang, card_id, _token = zhang_with_card(client, rt)
    bank(rt).latency = timedelta(seconds=20)
    rt.merchant_policy.order_ttl_minutes = 1
    order = new_order(client, shop, amount="25.00")
    _status, body = pay(client, zhang, order["id"], "slow", card_id=card_id)
    assert body["status"] == "paying" and body["charge"]["failure_reason"] is None
    clock.advance(timedelta(seconds=10))
    assert order_seen(client, zhang, order["id"])["status"] == "paying"
    assert reconcile_pending(rt) == {"processing": 0, "succeeded": 0, "failed": 0}
    # Past the order's own expiry: a charge the bank is working on does not expire.
    clock.advance(timedelta(seconds=60))
    assert reconcile_pending(rt) == {"processing": 0, "succeeded": 1, "failed": 0}
    assert order_seen(client, zhang, order["id"])["status"] == "paid"
    assert merchant_balance(client, shop) == "25.00"
    books_are_right(rt)


def test_a_retried_card_payment_returns_the_first_response_and_charges_once(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang, card_id, _token = zhang_with_card(client, rt)
    order = new_order(client, shop, amount="50.00")
    first = pay(client, zhang, order["id"], "same-key", card_id=card_id)
    again = pay(client, zhang, order["id"], "same-key", card_id=card_id)
    assert again == first and first[1]["status"] == "paid"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 50_00
    assert pay(client, zhang, order["id"], "same-key")[0] == 409  # another body, same key
    books_are_right(rt)


def test_a_retry_after_a_lost_reply_finds_the_first_charge_instead_of_charging_again(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang, card_id, _token = zhang_with_card(client, rt)
    order = new_order(client, shop, amount="70.00")
    actor = authenticate(
        rt, zhang["Authorization"].removeprefix("Bearer "), ip=None, kind=SessionKind.API
    )
    # As if the process died after the bank answered but before the response was stored:
    # the idempotency layer frees the key, and the retry runs the service again.
    first = card_payments.pay_by_card(
        rt, actor, order["id"], card_id=card_id, coupon_id=None, key="crash-key", locale="zh-CN"
    )
    again = card_payments.pay_by_card(
        rt, actor, order["id"], card_id=card_id, coupon_id=None, key="crash-key", locale="zh-CN"
    )
    assert first.charge is not None and again.charge is not None
    assert again.charge.operation.id == first.charge.operation.id
    assert again.state == "paid"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 70_00
    assert merchant_balance(client, shop) == "70.00"


def test_a_refund_of_a_card_payment_goes_to_the_wallet_balance(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang, card_id, _token = zhang_with_card(client, rt)
    order = new_order(client, shop, amount="100.00")
    assert pay(client, zhang, order["id"], "card", card_id=card_id)[1]["status"] == "paid"
    assert refund(client, shop, order["id"], "30.00", "RF-1")[0] == 201
    assert cny_wallet(client, zhang)["available"] == "30.00"
    assert merchant_balance(client, shop) == "70.00"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 100_00  # the card is not credited
    seen = order_seen(client, zhang, order["id"])
    assert seen["status"] == "partially_refunded" and seen["refunded"]["amount"] == "30.00"
    books_are_right(rt)


def test_a_card_cannot_pay_an_order_in_another_currency_or_from_a_frozen_wallet(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    usd_order = new_order(
        client, open_shop(rt, "Blue Bottle", currency="USD"), amount="5.00", currency="USD"
    )
    refused = pay(client, zhang, usd_order["id"], "usd-card", card_id=card_id)
    assert refused[0] == 422 and refused[1]["error"]["code"] == "card_currency_not_supported"
    order = new_order(client, open_shop(rt))
    client.post("/api/v1/me/freeze", headers=zhang, json={"reason": "lost_phone"})
    frozen = pay(client, zhang, order["id"], "frozen", card_id=card_id)
    assert frozen[0] == 423 and frozen[1]["error"]["code"] == "wallet_frozen"
    assert order_seen(client, zhang, order["id"])["status"] == "pending"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00


def test_someone_elses_card_cannot_pay(client: TestClient, rt: Runtime) -> None:
    _zhang, card_id, _token = zhang_with_card(client, rt)
    li = sign_up_and_in(client, LI_NA)
    order = new_order(client, open_shop(rt))
    stolen = pay(client, li, order["id"], "li-with-zhangs-card", card_id=card_id)
    assert stolen[0] == 404 and stolen[1]["error"]["code"] == "card_not_found"
    assert order_seen(client, li, order["id"])["status"] == "pending"
