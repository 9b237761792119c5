"""Paying a merchant whose orders are in another currency, from a wallet holding CNY.

Rates as in the FX tests: customers buy USD at 7.236 CNY (mid 7.2, 50 bps) and JPY at 0.0505
CNY (mid 0.05, 100 bps)."""

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, shop_headers
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.ledger.invariants import check_books
from walletdesk.runtime import Runtime


@pytest.fixture
def priced(rt: Runtime) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    set_rate(rt, Actor.system(), base="JPY", quote="CNY", mid="0.05", spread_bps=100)


def balances(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    wallets = client.get("/api/v1/wallets", headers=headers).json()["wallets"]
    return {w["currency"]: w["available"] for w in wallets}


def totals_by_currency(rt: Runtime) -> dict[str, int]:
    with rt.db.uow(read_only=True) as uow:
        assert check_books(uow) == []
        return uow.accounts.totals_by_currency()


def zhang_with_cny(client: TestClient, rt: Runtime, amount: str = "800.00") -> dict[str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), amount)
    return zhang


CASES = [
    ("a US dollar order", "USD", "50.00", "361.80", "438.20"),
    ("a yen order, no decimals", "JPY", "1000", "50.50", "749.50"),
]


@pytest.mark.parametrize(("label", "currency", "amount", "cny", "cny_left"), CASES)
def test_a_user_with_only_cny_pays_a_foreign_order_at_the_quoted_cny_amount(
    client: TestClient,
    rt: Runtime,
    priced: None,
    label: str,
    currency: str,
    amount: str,
    cny: str,
    cny_left: str,
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency=currency)
    zhang = zhang_with_cny(client, rt)
    order = new_order(client, shop, amount=amount, currency=currency)
    seen = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()
    quote = seen["fx_quote"]
    assert quote["cny"] == {"amount": cny, "currency": "CNY"}, label
    assert quote["bought"] == {"amount": amount, "currency": currency}
    assert quote["from_wallet"]["amount"] == ("0.00" if currency == "USD" else "0")
    status, paid = pay(client, zhang, order["id"], "fx-pay", max_cny=cny)
    assert status == 201, paid
    assert paid["status"] == "paid" and paid["fx_quote"] is None
    assert paid["converted"] == {
        "bought": {"amount": amount, "currency": currency},
        "cny": {"amount": cny, "currency": "CNY"},
    }
    assert balances(client, zhang)[currency] in ("0.00", "0")
    assert balances(client, zhang)["CNY"] == cny_left
    merchant = client.get("/api/v1/merchant/balance", headers=shop_headers(shop)).json()
    assert merchant["available"] == {"amount": amount, "currency": currency}
    # Every currency is conserved: the house's FX liquidity took the CNY, gave the currency.
    assert totals_by_currency(rt) == {"CNY": 0, currency: 0}
    # Two entries in one commit: the conversion, then the payment of exactly the order amount.
    items = client.get("/api/v1/transactions", headers=zhang).json()["items"]
    moves = sorted((i["kind"], i["amount"]["currency"], i["amount"]["amount"]) for i in items)
    assert [m for m in moves if m[0] != "topup"] == [
        ("fx", "CNY", f"-{cny}"),
        ("fx", currency, amount),
        ("payment", currency, f"-{amount}"),
    ]


def test_the_wallet_in_the_order_currency_pays_first_and_only_the_rest_is_bought(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt)
    fund(rt, user_id_of(rt, "张明"), "20.00", "USD")
    order = new_order(client, shop, amount="50.00", currency="USD")
    quote = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["fx_quote"]
    assert quote["from_wallet"]["amount"] == "20.00" and quote["bought"]["amount"] == "30.00"
    assert quote["cny"]["amount"] == "217.08" and quote["cny_per_unit"] == "7.236"
    status, paid = pay(client, zhang, order["id"], "part-usd", max_cny="217.08")
    assert status == 201 and paid["converted"]["cny"]["amount"] == "217.08"
    assert balances(client, zhang) == {"CNY": "582.92", "USD": "0.00"}
    assert totals_by_currency(rt) == {"CNY": 0, "USD": 0}


def test_enough_in_the_order_currency_pays_directly_without_converting(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt)
    fund(rt, user_id_of(rt, "张明"), "60.00", "USD")
    order = new_order(client, shop, amount="50.00", currency="USD")
    quote = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["fx_quote"]
    assert quote["cny"]["amount"] == "0.00" and quote["rate"] is None
    status, paid = pay(client, zhang, order["id"], "usd-only")
    assert status == 201 and paid["converted"] is None
    assert paid["paid_from_wallet"] == {"amount": "50.00", "currency": "USD"}
    assert balances(client, zhang) == {"CNY": "800.00", "USD": "10.00"}


def test_a_rate_that_moved_past_the_agreed_cny_amount_refuses_the_payment_and_moves_nothing(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt)
    order = new_order(client, shop, amount="50.00", currency="USD")
    shown = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["fx_quote"]
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.3", spread_bps=50)
    status, body = pay(client, zhang, order["id"], "moved", max_cny=shown["cny"]["amount"])
    assert status == 409 and body["error"]["code"] == "cny_amount_changed"
    assert "¥366.83" in body["error"]["message"] and "¥361.80" in body["error"]["message"]
    assert balances(client, zhang) == {"CNY": "800.00"}
    again = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()
    assert again["status"] == "pending" and again["fx_quote"]["cny"]["amount"] == "366.83"
    assert pay(client, zhang, order["id"], "agreed", max_cny="366.83")[0] == 201


def test_conversion_and_payment_commit_together_or_not_at_all(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    """The conversion posts, then the rest from the USD wallet hits the yearly limit (¥1,000
    for an unverified account): both are rolled back."""
    cny_shop, usd_shop = open_shop(rt), open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt, "1000.00")
    fund(rt, user_id_of(rt, "张明"), "10.00", "USD")
    for number in ("A-1", "A-2"):
        spent = new_order(client, cny_shop, amount="300.00", order_no=number)
        assert pay(client, zhang, spent["id"], f"spend-{number}")[0] == 201
    order = new_order(client, usd_shop, amount="60.00", currency="USD")
    entries_before = _entry_count(rt)
    status, body = pay(client, zhang, order["id"], "over-the-limit")
    assert status == 409 and body["error"]["code"] == "limit_exceeded", body
    assert balances(client, zhang) == {"CNY": "400.00", "USD": "10.00"}
    assert _entry_count(rt) == entries_before  # the conversion that had posted is gone too
    assert client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()["status"] == (
        "pending"
    )
    assert totals_by_currency(rt) == {"CNY": 0, "USD": 0, "PTS": 0}


def _entry_count(rt: Runtime) -> int:
    with rt.db.uow(read_only=True) as uow:
        return uow.journal.count()


def test_a_retried_foreign_payment_returns_the_first_result_and_converts_once(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt)
    order = new_order(client, shop, amount="50.00", currency="USD")
    first = pay(client, zhang, order["id"], "fx-once", max_cny="361.80")
    assert pay(client, zhang, order["id"], "fx-once", max_cny="361.80") == first
    assert balances(client, zhang) == {"CNY": "438.20", "USD": "0.00"}


def test_a_refund_of_a_foreign_payment_goes_back_in_the_order_currency(
    client: TestClient, rt: Runtime, priced: None
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="USD")
    zhang = zhang_with_cny(client, rt)
    order = new_order(client, shop, amount="50.00", currency="USD")
    assert pay(client, zhang, order["id"], "fx-pay")[0] == 201
    response = client.post(
        f"/api/v1/merchant/payments/{order['id']}/refunds",
        headers=shop_headers(shop),
        json={"amount": "20.00", "currency": "USD", "out_request_no": "RF-1"},
    )
    assert response.status_code == 201, response.text
    assert balances(client, zhang) == {"CNY": "438.20", "USD": "20.00"}
    assert totals_by_currency(rt) == {"CNY": 0, "USD": 0}


def test_without_a_rate_the_order_shows_no_quote_and_cannot_be_paid_from_cny(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt, "Blue Bottle", currency="EUR")
    zhang = zhang_with_cny(client, rt)
    order = new_order(client, shop, amount="10.00", currency="EUR")
    seen = client.get(f"/api/v1/payments/{order['id']}", headers=zhang).json()
    assert seen["status"] == "pending" and seen["fx_quote"] is None
    status, body = pay(client, zhang, order["id"], "no-rate")
    assert status == 409 and body["error"]["code"] == "fx_rate_unavailable"
    assert balances(client, zhang) == {"CNY": "800.00"}
