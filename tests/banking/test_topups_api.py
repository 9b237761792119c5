from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import cny_wallet, history, top_up
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.banking import topups
from walletdesk.banking.settlement import reconcile_pending
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.identity.authentication import authenticate
from walletdesk.identity.models import SessionKind
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime


def zhang_with_card(client: TestClient, rt: Runtime) -> tuple[dict[str, str], str, str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    return zhang, card_id, bank(rt).token_for(ICBC_DEBIT)


def test_a_top_up_the_bank_accepts_credits_the_wallet_from_the_banks_clearing_account(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    status, body = top_up(client, zhang, card_id, "200.00", "top-1")
    assert status == 201 and body["status"] == "succeeded" and body["failure_reason"] is None
    assert body["amount"] == {"amount": "200.00", "currency": "CNY"}
    assert cny_wallet(client, zhang)["available"] == "200.00"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 200_00
    with rt.db.uow(read_only=True) as uow:
        clearing = uow.accounts.get_by_code("platform:bank_clearing:ICBC:CNY")
        assert clearing is not None and clearing.posted == -200_00
        assert uow.journal.unbalanced_entries() == []
    [item] = history(client, zhang)
    assert item["kind"] == "topup" and item["status"] == "succeeded"
    assert item["balance_after"] == {"amount": "200.00", "currency": "CNY"}


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
def test_every_decline_reason_reaches_the_history_with_its_message_in_zh_and_en(
    client: TestClient, rt: Runtime, label: str, outcome: Outcome, zh: str, en: str
) -> None:
    zhang, card_id, token = zhang_with_card(client, rt)
    bank(rt).script(token, [outcome])
    status, body = top_up(client, zhang, card_id, "100.00", f"declined-{outcome}")
    assert status == 201 and body["status"] == "failed", label
    assert body["failure_reason"]["code"] == outcome.value
    assert cny_wallet(client, zhang)["total"] == "0.00"
    [chinese] = history(client, zhang, "zh-CN")
    [english] = history(client, zhang, "en")
    assert chinese["status"] == english["status"] == "failed"
    assert chinese["amount"] == {"amount": "100.00", "currency": "CNY"}
    assert chinese["balance_after"] is None
    assert chinese["failure_reason"]["code"] == outcome.value
    assert chinese["failure_reason"]["message"] == zh
    assert english["failure_reason"]["message"] == en
    assert english["failure_reason"]["next_step"]


def test_the_card_balance_and_the_banks_daily_limit_decline_without_a_script(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    bank(rt).set_card(ICBC_DEBIT, balance=300_00, daily_limit=250_00)
    assert top_up(client, zhang, card_id, "400.00", "a")[1]["failure_reason"]["code"] == (
        "insufficient_funds"
    )
    assert top_up(client, zhang, card_id, "260.00", "b")[1]["failure_reason"]["code"] == (
        "daily_limit_exceeded"
    )
    assert top_up(client, zhang, card_id, "250.00", "c")[1]["status"] == "succeeded"


def test_a_timed_out_top_up_is_processing_and_settled_by_the_banks_callback(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, token = zhang_with_card(client, rt)
    bank(rt).script(token, [Outcome.NETWORK_TIMEOUT])
    status, body = top_up(client, zhang, card_id, "80.00", "lost-answer")
    assert status == 201 and body["status"] == "processing"
    assert body["failure_reason"]["code"] == "network_timeout"
    assert "资金不会丢失" in body["failure_reason"]["next_step"]
    assert body["status_url"] == f"/api/v1/topups/{body['id']}"
    [pending] = history(client, zhang)
    assert pending["status"] == "processing" and pending["id"] == body["id"]
    bank_code, raw, headers = bank(rt).callback_for(body["id"])
    answered = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=raw, headers=headers)
    assert answered.status_code == 200 and answered.json()["status"] == "succeeded"
    again = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=raw, headers=headers)
    assert again.status_code == 200  # a repeated callback changes nothing
    assert cny_wallet(client, zhang)["available"] == "80.00"
    [settled] = history(client, zhang)
    assert settled["status"] == "succeeded" and settled["failure_reason"] is None


def test_a_timed_out_top_up_is_settled_by_asking_the_bank_for_its_status(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, token = zhang_with_card(client, rt)
    bank(rt).script(token, [Outcome.NETWORK_TIMEOUT, Outcome.CARD_FROZEN])
    _status, body = top_up(client, zhang, card_id, "80.00", "ask-later")
    assert body["status"] == "processing"
    queried = client.get(body["status_url"], headers=zhang | {"Accept-Language": "en"}).json()
    assert queried["status"] == "failed"
    assert queried["failure_reason"] == {
        "code": "card_frozen",
        "message": "Your bank has frozen this card.",
        "next_step": "Contact your bank to unfreeze it, or use another card.",
    }


def test_a_slow_bank_leaves_the_top_up_processing_until_reconciliation_asks_again(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    bank(rt).latency = timedelta(seconds=20)
    _status, body = top_up(client, zhang, card_id, "66.00", "slow")
    assert body["status"] == "processing" and body["failure_reason"] is None
    clock.advance(timedelta(seconds=10))
    assert client.get(body["status_url"], headers=zhang).json()["status"] == "processing"
    assert reconcile_pending(rt) == {"processing": 0, "succeeded": 0, "failed": 0}
    clock.advance(timedelta(seconds=40))
    assert reconcile_pending(rt) == {"processing": 0, "succeeded": 1, "failed": 0}
    assert cny_wallet(client, zhang)["available"] == "66.00"


def test_a_retried_top_up_returns_the_first_response_and_charges_once(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    first = top_up(client, zhang, card_id, "50.00", "same-key")
    again = top_up(client, zhang, card_id, "50.00", "same-key")
    assert again == first
    assert cny_wallet(client, zhang)["available"] == "50.00"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 50_00
    assert top_up(client, zhang, card_id, "51.00", "same-key")[0] == 409


def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, token = zhang_with_card(client, rt)
    bank(rt).script(token, [Outcome.NETWORK_TIMEOUT])
    _status, body = top_up(client, zhang, card_id, "80.00", "forged")
    bank_code, raw, headers = bank(rt).callback_for(body["id"])
    forged = raw.replace(b'"succeeded"', b'"declined"')
    refused = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=forged, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_signature"
    wrong_bank = client.post("/api/v1/bank/callbacks/CMB", content=raw, headers=headers)
    assert wrong_bank.status_code == 401
    unsigned = client.post(f"/api/v1/bank/callbacks/{bank_code}", content=raw)
    assert unsigned.status_code == 401
    assert client.get(body["status_url"], headers=zhang).json()["status"] != "failed"


def test_someone_elses_top_up_looks_missing(client: TestClient, rt: Runtime) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    li = sign_up_and_in(client, LI_NA)
    _status, body = top_up(client, zhang, card_id, "10.00", "mine")
    assert client.get(body["status_url"], headers=li).status_code == 404
    stolen = top_up(client, li, card_id, "10.00", "theirs")
    assert stolen[0] == 404 and stolen[1]["error"]["code"] == "card_not_found"


def test_a_retry_after_a_lost_reply_finds_the_first_top_up_instead_of_charging_again(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id, _token = zhang_with_card(client, rt)
    actor = authenticate(
        rt, zhang["Authorization"].removeprefix("Bearer "), ip=None, kind=SessionKind.API
    )
    amount = Money.parse("70.00", "CNY")
    # As if the process died after the bank answered but before the response was stored:
    # the idempotency layer frees the key, and the retry runs the service again.
    first = topups.top_up(rt, actor, card_id=card_id, amount=amount, key="crash-key")
    again = topups.top_up(rt, actor, card_id=card_id, amount=amount, key="crash-key")
    assert again.operation.id == first.operation.id and again.operation.status == "succeeded"
    assert cny_wallet(client, zhang)["available"] == "70.00"
    assert bank(rt).card(ICBC_DEBIT).balance == 50_000_00 - 70_00
