from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import CCB_CREDIT, ICBC_DEBIT, bank, bind
from tests.banking.money import cny_wallet, history, withdraw
from tests.ledger.funding import fund, user_id_of
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.ledger.limits import BEIJING
from walletdesk.runtime import Runtime


def funded_zhang(
    client: TestClient, rt: Runtime, clock: FrozenClock, amount: str = "900.00"
) -> tuple[dict, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    fund(rt, user_id_of(rt, "张明"), amount)
    clock.advance(timedelta(minutes=5))
    return zhang, card_id


def quote(client: TestClient, headers: dict, card_id: str, amount: str) -> dict:
    response = client.post(
        "/api/v1/withdrawals/quote", headers=headers, json={"card_id": card_id, "amount": amount}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_amount_is_held_while_the_bank_works_and_settled_when_it_pays(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock)
    bank(rt).latency = timedelta(seconds=30)
    status, body = withdraw(client, zhang, card_id, "300.00", "w-1")
    assert status == 201 and body["status"] == "processing"
    assert body["fee"] == {"amount": "0.00", "currency": "CNY"}  # within the free quota
    assert cny_wallet(client, zhang) == {
        "currency": "CNY",
        "available": "600.00",
        "held": "300.00",
        "total": "900.00",
    }
    [processing, _funding] = history(client, zhang)
    assert processing["status"] == "processing" and processing["amount"]["amount"] == "-300.00"
    clock.advance(timedelta(seconds=31))
    settled = client.get(body["status_url"], headers=zhang).json()
    assert settled["status"] == "succeeded" and settled["entry_id"]
    assert cny_wallet(client, zhang) == {
        "currency": "CNY",
        "available": "600.00",
        "held": "0.00",
        "total": "600.00",
    }
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 + 300_00
    latest = history(client, zhang)[0]
    assert latest["kind"] == "withdrawal" and latest["status"] == "succeeded"
    assert latest["balance_after"]["amount"] == "600.00"


def test_past_the_free_quota_the_quoted_fee_goes_to_fee_revenue(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock)
    assert quote(client, zhang, card_id, "100.00")["free_withdrawals_left"] == 2
    for key in ("free-1", "free-2"):
        assert withdraw(client, zhang, card_id, "100.00", key)[1]["fee"]["amount"] == "0.00"
    small = quote(client, zhang, card_id, "50.00")
    assert small["fee"]["amount"] == "0.10"  # the minimum fee
    offer = quote(client, zhang, card_id, "300.00")
    assert offer["fee"]["amount"] == "0.30" and offer["total"]["amount"] == "300.30"
    assert offer["free_withdrawals_left"] == 0
    changed = withdraw(client, zhang, card_id, "300.00", "stale", expected_fee="0.00")
    assert changed[0] == 409 and changed[1]["error"]["code"] == "fee_changed"
    status, body = withdraw(client, zhang, card_id, "300.00", "paid", expected_fee="0.30")
    assert status == 201 and body["status"] == "succeeded"
    assert cny_wallet(client, zhang)["available"] == "399.70"
    with rt.db.uow(read_only=True) as uow:
        revenue = uow.accounts.get_by_code("platform:fee_revenue:CNY")
        assert revenue is not None and revenue.posted == 30
        assert uow.journal.unbalanced_entries() == []


def test_a_declined_withdrawal_releases_the_hold_and_shows_why(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_FROZEN])
    status, body = withdraw(client, zhang, card_id, "300.00", "frozen-card")
    assert status == 201 and body["status"] == "failed"
    assert cny_wallet(client, zhang)["available"] == "900.00"
    assert cny_wallet(client, zhang)["held"] == "0.00"
    failed = history(client, zhang, "en")[0]
    assert failed["status"] == "failed" and failed["amount"]["amount"] == "-300.00"
    assert failed["failure_reason"]["message"] == "Your bank has frozen this card."
    # The declined ¥300 does not count against today's limit.
    with rt.db.uow(read_only=True) as uow:
        zhang_id = user_id_of(rt, "张明")
        assert (
            uow.limits.used(zhang_id, "day", clock.now().astimezone(BEIJING).strftime("%Y-%m-%d"))
            == 0
        )


def test_a_withdrawal_to_a_credit_card_is_refused(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, _debit = funded_zhang(client, rt, clock)
    credit = bind(client, rt, zhang, ZHANG_MING, CCB_CREDIT)
    status, body = withdraw(client, zhang, credit, "100.00", "to-credit")
    assert status == 422 and body["error"]["code"] == "withdrawal_needs_debit_card"
    assert "储蓄卡" in body["error"]["message"]
    assert cny_wallet(client, zhang)["held"] == "0.00"


def test_a_frozen_wallet_cannot_withdraw(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock)
    frozen = client.post("/api/v1/me/freeze", headers=zhang, json={"reason": "lost_phone"})
    assert frozen.status_code == 204
    status, body = withdraw(client, zhang, card_id, "100.00", "while-frozen")
    assert status == 423 and body["error"]["code"] == "wallet_frozen"
    assert cny_wallet(client, zhang)["available"] == "900.00"


def test_limits_and_the_balance_apply_to_withdrawals(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock, "2000.00")
    over_single = withdraw(client, zhang, card_id, "600.00", "too-big")  # tier 0: ¥500 a payment
    assert over_single[0] == 409 and over_single[1]["error"]["code"] == "limit_exceeded"
    assert withdraw(client, zhang, card_id, "500.00", "one")[1]["status"] == "succeeded"
    assert withdraw(client, zhang, card_id, "500.00", "two")[1]["status"] == "succeeded"
    over_day = withdraw(client, zhang, card_id, "10.00", "three")  # ¥1,000 a day used up
    assert over_day[0] == 409 and over_day[1]["error"]["code"] == "limit_exceeded"
    assert cny_wallet(client, zhang)["available"] == "1000.00"


def test_more_than_the_balance_is_refused_before_the_bank_is_asked(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = funded_zhang(client, rt, clock, "100.00")
    status, body = withdraw(client, zhang, card_id, "200.00", "broke")
    assert status == 409 and body["error"]["code"] == "insufficient_funds"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00
