from datetime import timedelta

from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, shop_headers
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def wallet(client: TestClient, headers: dict[str, str]) -> str:
    return client.get("/api/v1/wallets", headers=headers).json()["wallets"][0]["available"]


def test_a_user_pays_a_merchant_order_from_the_wallet_and_both_sides_see_it(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop, amount="36.00")
    assert order["status"] == "pending" and order["amount"] == {
        "amount": "36.00",
        "currency": "CNY",
    }

    seen = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()
    assert seen["merchant_name"] == "喜茶 HEYTEA" and seen["description"] == "多肉葡萄 ×2"
    assert seen["status"] == "pending" and seen["paid_from_wallet"] is None

    status, paid = pay(client, zhang, order["id"], "pay-1")
    assert status == 201, paid
    assert paid["status"] == "paid" and paid["paid_from_wallet"]["amount"] == "36.00"
    assert wallet(client, zhang) == "464.00"
    merchant_view = client.get(
        f"/api/v1/merchant/payments/{order['id']}", headers=shop_headers(shop)
    ).json()
    assert merchant_view["status"] == "paid" and merchant_view["refunds"] == []
    balance = client.get("/api/v1/merchant/balance", headers=shop_headers(shop)).json()
    assert balance["available"] == {"amount": "36.00", "currency": "CNY"}
    history = client.get("/api/v1/transactions", headers=zhang).json()["items"][0]
    assert history["kind"] == "payment" and history["counterparty"] == "喜茶 HEYTEA"
    assert history["amount"]["amount"] == "-36.00"


def test_creating_an_order_is_idempotent_and_merchant_order_ids_are_unique(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    first = new_order(client, shop, key="create-once")
    again = client.post(
        "/api/v1/merchant/payments",
        headers=shop_headers(shop, "create-once"),
        json={
            "amount": "100.00",
            "currency": "CNY",
            "description": "多肉葡萄 ×2",
            "merchant_order_id": "HT-20261123-0001",
        },
    )
    assert again.status_code == 201 and again.json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    reused = client.post(
        "/api/v1/merchant/payments",
        headers=shop_headers(shop, "another-key"),
        json={
            "amount": "100.00",
            "currency": "CNY",
            "description": "多肉葡萄 ×2",
            "merchant_order_id": "HT-20261123-0001",
        },
    )
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "merchant_order_id_taken"
    assert "商户订单号" in reused.json()["error"]["message"]
    # Another merchant may use the same order number for its own order.
    assert new_order(client, open_shop(rt, "瑞幸咖啡"))["merchant_order_id"] == "HT-20261123-0001"


def test_an_order_is_paid_once_a_retry_replays_and_a_second_payment_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop)
    first = pay(client, zhang, order["id"], "pay-once")
    assert pay(client, zhang, order["id"], "pay-once") == first
    status, body = pay(client, zhang, order["id"], "pay-twice")
    assert status == 409 and body["error"]["code"] == "payment_already_paid"
    assert body["error"]["message"] == "该订单已支付，请勿重复付款。"
    assert wallet(client, zhang) == "400.00"


def test_a_paid_order_is_hidden_from_everyone_but_its_payer(
    client: TestClient, rt: Runtime
) -> None:
    shop, other_shop = open_shop(rt), open_shop(rt, "瑞幸咖啡")
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop)
    assert client.get(f"/api/v1/payments/{order['id']}", headers=li).status_code == 200
    pay(client, zhang, order["id"], "pay-1")
    hidden = client.get(f"/api/v1/payments/{order['id']}", headers=li)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "payment_not_found"
    assert pay(client, li, order["id"], "li-pays")[0] == 404
    other = client.get(f"/api/v1/merchant/payments/{order['id']}", headers=shop_headers(other_shop))
    assert other.status_code == 404


def test_an_unpaid_order_expires_on_the_injected_clock(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    rt.merchant_policy.order_ttl_minutes = 15
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert (
        client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["status"] == "pending"
    )
    clock.advance(timedelta(seconds=1))
    assert (
        client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["status"] == "expired"
    )
    status, body = pay(client, zhang, order["id"], "too-late")
    assert status == 409 and body["error"]["code"] == "payment_expired"
    assert "请让商户重新下单" in body["error"]["message"]
    assert wallet(client, zhang) == "500.00"


def test_a_payment_refused_for_funds_leaves_the_order_payable(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "50.00")
    order = new_order(client, shop)
    status, body = pay(client, zhang, order["id"], "short")
    assert status == 409 and body["error"]["code"] == "insufficient_funds"
    assert (
        client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["status"] == "pending"
    )
    fund(rt, user_id_of(rt, "张明"), "100.00")
    assert pay(client, zhang, order["id"], "topped-up")[0] == 201


def test_a_frozen_wallet_cannot_pay(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop)
    client.post("/api/v1/me/freeze", headers=zhang, json={"reason": "lost_phone"})
    status, body = pay(client, zhang, order["id"], "frozen")
    assert status == 423 and body["error"]["code"] == "wallet_frozen"
    assert (
        client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["status"] == "pending"
    )


def test_merchant_requests_need_a_valid_api_key_and_the_settlement_currency(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    body = {"amount": "10.00", "currency": "USD", "description": "tea", "merchant_order_id": "U-1"}
    wrong = client.post(
        "/api/v1/merchant/payments",
        headers={"Authorization": "Bearer wdk_not-a-real-key", "Idempotency-Key": "k"},
        json=body,
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    zhang = sign_up_and_in(client, ZHANG_MING)  # a user's token is not a merchant key
    assert client.get("/api/v1/merchant/balance", headers=zhang).status_code == 401
    usd = client.post(
        "/api/v1/merchant/payments",
        headers=shop_headers(shop, "usd") | {"Accept-Language": "en"},
        json=body,
    )
    assert usd.status_code == 422 and usd.json()["error"]["code"] == "currency_not_accepted"
    assert usd.json()["error"]["message"] == "This merchant takes payments in CNY only."
