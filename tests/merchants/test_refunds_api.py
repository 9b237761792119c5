from datetime import timedelta

from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, refund, shop_headers
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.ledger.accounts import platform_account
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.posting import post_entry
from walletdesk.merchants.accounts import shard_codes
from walletdesk.merchants.registry import NewMerchant
from walletdesk.runtime import Runtime


def paid_order(client: TestClient, rt: Runtime, shop: NewMerchant, amount: str = "100.00") -> dict:
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop, amount=amount)
    assert pay(client, zhang, order["id"], "pay-1")[0] == 201
    return order | {"payer": zhang}


def wallet(client: TestClient, headers: dict[str, str]) -> str:
    return client.get("/api/v1/wallets", headers=headers).json()["wallets"][0]["available"]


def test_partial_refunds_then_the_rest_each_by_its_own_request_number(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    shop = open_shop(rt)
    order = paid_order(client, rt, shop)
    status, first = refund(client, shop, order["id"], "30.00", "RF-1")
    assert status == 201 and first["amount"] == {"amount": "30.00", "currency": "CNY"}
    clock.advance(timedelta(seconds=1))  # refunds listed in the order they were made
    assert refund(client, shop, order["id"], "20.00", "RF-2")[0] == 201
    seen = client.get(f"/api/v1/payments/{order['id']}", headers=order["payer"]).json()
    assert seen["status"] == "partially_refunded" and seen["refunded"]["amount"] == "50.00"
    clock.advance(timedelta(seconds=1))
    assert refund(client, shop, order["id"], "50.00", "RF-3")[0] == 201
    merchant_view = client.get(
        f"/api/v1/merchant/payments/{order['id']}", headers=shop_headers(shop)
    ).json()
    assert merchant_view["status"] == "refunded"
    assert [r["out_request_no"] for r in merchant_view["refunds"]] == ["RF-1", "RF-2", "RF-3"]
    assert wallet(client, order["payer"]) == "500.00"
    balance = client.get("/api/v1/merchant/balance", headers=shop_headers(shop)).json()
    assert balance["available"]["amount"] == "0.00"
    latest = client.get("/api/v1/transactions", headers=order["payer"]).json()["items"][0]
    assert latest["kind"] == "refund" and latest["counterparty"] == "喜茶 HEYTEA"
    inbox = client.get("/api/v1/me/notifications", headers=order["payer"]).json()
    assert any("喜茶 HEYTEA" in n["body"] and "¥50.00" in n["body"] for n in inbox)


def test_the_same_request_number_returns_the_same_refund(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    order = paid_order(client, rt, shop)
    status, first = refund(client, shop, order["id"], "30.00", "RF-1")
    again_status, again = refund(client, shop, order["id"], "30.00", "RF-1")
    assert (status, again_status) == (201, 200) and again == first
    assert wallet(client, order["payer"]) == "430.00"
    reused_status, reused = refund(client, shop, order["id"], "40.00", "RF-1")
    assert reused_status == 409 and reused["error"]["code"] == "refund_request_reused"
    assert "¥30.00" in reused["error"]["message"]


def test_a_refund_never_exceeds_the_amount_paid(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    order = paid_order(client, rt, shop)
    assert refund(client, shop, order["id"], "70.00", "RF-1")[0] == 201
    status, body = refund(client, shop, order["id"], "30.01", "RF-2")
    assert status == 409 and body["error"]["code"] == "refund_exceeds_payment"
    assert body["error"]["message"] == "退款金额不能超过实付金额，目前最多还能退 ¥30.00。"
    assert refund(client, shop, order["id"], "30.00", "RF-2")[0] == 201  # the number was freed
    assert refund(client, shop, order["id"], "0.01", "RF-3")[0] == 409


def test_an_unpaid_or_foreign_order_cannot_be_refunded(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop)
    status, body = refund(client, shop, order["id"], "1.00", "RF-1")
    assert status == 409 and body["error"]["code"] == "payment_not_paid"
    other = open_shop(rt, "瑞幸咖啡")
    assert refund(client, other, order["id"], "1.00", "RF-1")[0] == 404


def test_a_refund_is_refused_clearly_when_the_merchant_balance_cannot_cover_it(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    order = paid_order(client, rt, shop)
    with rt.db.uow() as uow:  # the merchant was paid out its takings but ¥20.00
        bank = platform_account(rt, uow, AccountKind.BANK_CLEARING, "CNY", "ICBC")
        shards = [a for a in uow.accounts.all() if a.code in shard_codes(shop.merchant.id, "CNY")]
        legs = [Leg(a.id, -a.posted, "CNY") for a in shards if a.posted]
        legs[0] = Leg(legs[0].account_id, legs[0].amount + 2000, "CNY")
        legs.append(Leg(bank.id, 8000, "CNY"))
        post_entry(rt, uow, kind=EntryKind.WITHDRAWAL, legs=legs, description="settlement")
        uow.commit()
    status, body = refund(client, shop, order["id"], "30.00", "RF-1")
    assert status == 409 and body["error"]["code"] == "merchant_balance_insufficient"
    assert body["error"]["message"] == (
        "商户余额 ¥20.00 不足以支付本次 ¥30.00 的退款，请等有新的收款入账后再试。"
    )
    view = client.get(f"/api/v1/merchant/payments/{order['id']}", headers=shop_headers(shop))
    assert view.json()["refunded"]["amount"] == "0.00"
    assert refund(client, shop, order["id"], "20.00", "RF-1")[0] == 201
