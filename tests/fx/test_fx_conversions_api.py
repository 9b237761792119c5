import threading
from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, last_code, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.errors import Conflict
from walletdesk.ledger import fx
from walletdesk.ledger.fx import convert_within
from walletdesk.ledger.guards import lock_payer
from walletdesk.ledger.models import AccountKind
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime

pytestmark = pytest.mark.usefixtures("priced")


def quote(client: TestClient, headers: dict[str, str], **body: str) -> dict:
    payload = {"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": "723.60"} | body
    response = client.post("/api/v1/fx/quotes", headers=headers, json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def convert(
    client: TestClient, headers: dict[str, str], quote_id: str, key: str
) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/fx/conversions",
        headers=headers | {"Idempotency-Key": key},
        json={"quote_id": quote_id},
    )
    return response.status_code, response.json()


def balances(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    wallets = client.get("/api/v1/wallets", headers=headers).json()["wallets"]
    return {w["currency"]: w["available"] for w in wallets}


def zhang_with(client: TestClient, rt: Runtime, amount: str = "1000.00") -> dict[str, str]:
    """张明, real-name verified (KYC tier 2, so ¥723.60 is within his limits), with CNY."""
    headers = sign_up_and_in(client, ZHANG_MING)
    zhang_id = user_id_of(rt, "张明")
    with rt.db.uow() as uow:
        user = uow.users.get(zhang_id, for_update=True)
        assert user is not None
        user.kyc_tier = 2
        uow.users.save(user)
        uow.commit()
    fund(rt, zhang_id, amount)
    return headers


def test_a_quote_fixes_both_amounts_for_thirty_seconds(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    assert offer["sell"] == {"amount": "723.60", "currency": "CNY"}
    assert offer["buy"] == {"amount": "100.00", "currency": "USD"}
    assert offer["rate"] == "0.1381978993"  # 1 / 7.236, cut
    assert offer["expires_at"] == "2026-11-23T09:00:30Z"  # START + 30 s
    exact = quote(client, zhang, sell_amount=None, buy_amount="13.82")  # type: ignore[arg-type]
    assert exact["sell"]["amount"] == "100.01"  # 13.82 × 7.236 = 100.00152, rounded up


def test_converting_posts_one_entry_of_four_postings_through_fx_liquidity(
    client: TestClient, rt: Runtime
) -> None:
    zhang = zhang_with(client, rt)
    status, body = convert(client, zhang, quote(client, zhang)["id"], "fx-1")
    assert status == 201 and body["status"] == "succeeded"
    assert body["sell"]["amount"] == "723.60" and body["buy"]["amount"] == "100.00"
    assert balances(client, zhang) == {"CNY": "276.40", "USD": "100.00"}
    with rt.db.uow(read_only=True) as uow:
        postings = uow.journal.postings_of(body["id"])
        kinds = {p.account_id: uow.accounts.get(p.account_id).kind for p in postings}  # type: ignore[union-attr]
    assert len(postings) == 4
    per_currency: dict[str, int] = defaultdict(int)
    for posting in postings:
        per_currency[posting.currency] += posting.amount
    assert per_currency == {"CNY": 0, "USD": 0}
    moves = sorted((kinds[p.account_id], p.currency, p.amount) for p in postings)
    assert moves == [
        (AccountKind.FX_LIQUIDITY, "CNY", 72360),
        (AccountKind.FX_LIQUIDITY, "USD", -10000),
        (AccountKind.WALLET, "CNY", -72360),
        (AccountKind.WALLET, "USD", 10000),
    ]


def test_a_quote_still_holds_just_before_thirty_seconds(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    clock.advance(timedelta(seconds=30) - timedelta(microseconds=1))
    assert convert(client, zhang, offer["id"], "just-in-time")[0] == 201


def test_a_quote_is_refused_at_exactly_thirty_seconds(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    clock.advance(timedelta(seconds=30))
    status, body = convert(client, zhang, offer["id"], "too-late")
    assert status == 409 and body["error"]["code"] == "quote_expired"
    assert "重新获取报价" in body["error"]["message"]
    assert balances(client, zhang) == {"CNY": "1000.00"}


def test_a_quote_can_be_used_only_once(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    assert convert(client, zhang, offer["id"], "first")[0] == 201
    status, body = convert(client, zhang, offer["id"], "second")
    assert status == 409 and body["error"]["code"] == "quote_used"
    assert balances(client, zhang) == {"CNY": "276.40", "USD": "100.00"}


def test_a_retry_with_the_same_key_replays_the_conversion(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    first = convert(client, zhang, offer["id"], "same-key")
    assert convert(client, zhang, offer["id"], "same-key") == first
    assert balances(client, zhang) == {"CNY": "276.40", "USD": "100.00"}
    missing_key = client.post("/api/v1/fx/conversions", headers=zhang, json={"quote_id": "x"})
    assert missing_key.json()["error"]["code"] == "idempotency_key_required"


def test_someone_elses_quote_is_not_found(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt)
    li = sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "李娜"), "1000.00")
    offer = quote(client, zhang)
    stolen = convert(client, li, offer["id"], "not-mine")
    invented = convert(client, li, "fxq_doesnotexist0000", "invented")
    assert stolen[0] == invented[0] == 404
    assert stolen[1]["error"]["code"] == invented[1]["error"]["code"] == "quote_not_found"
    assert convert(client, zhang, offer["id"], "mine")[0] == 201


def test_selling_more_than_the_wallet_holds_is_refused(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt, "500.00")
    status, body = convert(client, zhang, quote(client, zhang)["id"], "too-much")
    assert status == 409 and body["error"]["code"] == "insufficient_funds"
    assert "¥500.00" in body["error"]["message"]
    assert balances(client, zhang) == {"CNY": "500.00"}


def test_a_frozen_wallet_cannot_convert(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    client.post("/api/v1/me/freeze", headers=zhang, json={"reason": "lost_phone"})
    status, body = convert(client, zhang, offer["id"], "frozen")
    assert status == 423 and body["error"]["code"] == "wallet_frozen"
    client.post("/api/v1/me/step-up/code", headers=zhang)
    client.post(
        "/api/v1/me/unfreeze",
        headers=zhang,
        json={"otp_code": last_code(rt, ZHANG_MING.phone or "")},
    )
    assert convert(client, zhang, offer["id"], "frozen")[0] == 201  # the quote was not used up


def test_cny_sold_counts_against_the_payment_limits(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)  # KYC tier 0: at most ¥500 a payment
    fund(rt, user_id_of(rt, "张明"), "1000.00")
    offer = quote(client, zhang, sell_amount="600.00")
    status, body = convert(client, zhang, offer["id"], "over-limit")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"


def test_a_cross_conversion_opens_the_yen_wallet_and_shows_in_history(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "10.00", "USD")
    offer = quote(client, zhang, sell_currency="USD", buy_currency="JPY", sell_amount="10.00")
    assert offer["buy"] == {"amount": "1418", "currency": "JPY"}  # 10 × 7.164 / 0.0505, cut
    status, body = convert(client, zhang, offer["id"], "usd-jpy")
    assert status == 201
    assert balances(client, zhang) == {"CNY": "0.00", "JPY": "1418", "USD": "0.00"}
    items = client.get("/api/v1/transactions", headers=zhang, params={"type": "fx"}).json()
    assert sorted((i["amount"]["amount"], i["amount"]["currency"]) for i in items["items"]) == [
        ("-10.00", "USD"),
        ("1418", "JPY"),
    ]
    assert {i["id"] for i in items["items"]} == {body["id"]}
    assert {i["kind"] for i in items["items"]} == {"fx"}


@pytest.mark.parametrize(
    ("label", "body", "code"),
    [
        ("both amounts", {"buy_amount": "1.00"}, "fx_amount_required"),
        ("same currency", {"buy_currency": "CNY"}, "fx_same_currency"),
        ("unknown currency", {"buy_currency": "GBP"}, "unsupported_currency"),
        ("yen have no decimals", {"buy_currency": "JPY", "sell_amount": None, "buy_amount": "1.5"},
         "invalid_amount"),
    ],
)  # fmt: skip
def test_bad_quote_requests_are_refused(
    client: TestClient, rt: Runtime, label: str, body: dict, code: str
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    payload = {"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": "10.00"} | body
    response = client.post("/api/v1/fx/quotes", headers=zhang, json=payload)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_a_currency_without_a_rate_cannot_be_quoted(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    response = client.post(
        "/api/v1/fx/quotes",
        headers=zhang,
        json={"sell_currency": "EUR", "buy_currency": "CNY", "sell_amount": "10.00"},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "fx_rate_unavailable"


def test_another_service_can_convert_inside_its_own_transaction(
    client: TestClient, rt: Runtime
) -> None:
    """How paying a USD merchant from CNY will use it: convert, then pay, in one commit."""
    zhang = zhang_with(client, rt)
    zhang_id = user_id_of(rt, "张明")
    with rt.db.uow() as uow:
        payer = lock_payer(uow, zhang_id)
        done = convert_within(
            rt, uow, payer=payer, sell_currency="CNY", buy=Money(1382, "USD"), locale="zh-CN"
        )
        assert done.sell == Money(10001, "CNY") and done.quote_id is None
        # leaving without commit rolls the conversion back, like a failed payment would
    assert balances(client, zhang) == {"CNY": "1000.00"}
    with rt.db.uow() as uow:
        payer = lock_payer(uow, zhang_id)
        convert_within(
            rt, uow, payer=payer, sell_currency="CNY", buy=Money(1382, "USD"), locale="zh-CN"
        )
        uow.commit()
    assert balances(client, zhang) == {"CNY": "899.99", "USD": "13.82"}


def test_racing_conversions_of_one_quote_move_money_once(client: TestClient, rt: Runtime) -> None:
    zhang = zhang_with(client, rt)
    offer = quote(client, zhang)
    with rt.db.uow(read_only=True) as uow:
        # The service reads the user, and the session's device and IP (for risk screening).
        actor = SimpleNamespace(
            user=uow.users.get(user_id_of(rt, "张明")),
            session=SimpleNamespace(device_id=None, ip=None),
        )
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            fx.convert(rt, actor, quote_id=offer["id"], locale="zh-CN")  # type: ignore[arg-type]
            outcomes.append("converted")
        except Conflict as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["converted"] + ["quote_used"] * 5
    assert balances(client, zhang) == {"CNY": "276.40", "USD": "100.00"}
