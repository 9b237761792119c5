"""`GET /api/v1/transactions/{id}` finds a top-up or withdrawal by the id its POST returned,
also while the bank works and after it declined, with the reason in the caller's language."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import history, top_up, withdraw
from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def look_up(
    client: TestClient, headers: dict[str, str], transaction_id: str, locale: str = "zh-CN"
) -> tuple[int, dict]:
    response = client.get(
        f"/api/v1/transactions/{transaction_id}", headers=headers | {"Accept-Language": locale}
    )
    return response.status_code, response.json()


def zhang_with_card(client: TestClient, rt: Runtime) -> tuple[dict[str, str], str]:
    zhang = sign_up_and_in(client, ZHANG_MING)
    return zhang, bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)


def test_a_top_up_still_at_the_bank_is_found_by_its_id_with_the_reason_it_waits(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id = zhang_with_card(client, rt)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.NETWORK_TIMEOUT])
    _status, body = top_up(client, zhang, card_id, "80.00", "lost-answer")
    status, found = look_up(client, zhang, body["id"], "en")
    assert status == 200
    assert found == history(client, zhang, "en")[0]  # the same item the history shows
    assert found["id"] == body["id"] and found["kind"] == "topup"
    assert found["status"] == "processing" and found["balance_after"] is None
    assert found["amount"] == {"amount": "80.00", "currency": "CNY"}
    assert found["failure_reason"]["code"] == "network_timeout"
    assert found["failure_reason"]["message"] == "Your bank did not answer in time."
    assert found["counterparty"] == f"ICBC ****{ICBC_DEBIT[-4:]}"


def test_a_declined_withdrawal_is_found_by_its_id_with_the_reason_in_zh_and_en(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, card_id = zhang_with_card(client, rt)
    fund(rt, user_id_of(rt, "张明"), "900.00")
    clock.advance(timedelta(minutes=5))
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_FROZEN])
    _status, body = withdraw(client, zhang, card_id, "300.00", "frozen-card")
    assert body["status"] == "failed"
    zh_status, chinese = look_up(client, zhang, body["id"])
    en_status, english = look_up(client, zhang, body["id"], "en")
    assert zh_status == en_status == 200
    assert chinese["kind"] == "withdrawal" and chinese["status"] == "failed"
    assert chinese["amount"] == {"amount": "-300.00", "currency": "CNY"}
    assert chinese["failure_reason"]["message"] == "这张卡已被发卡银行冻结。"
    assert english["failure_reason"] == {
        "code": "card_frozen",
        "message": "Your bank has frozen this card.",
        "next_step": "Contact your bank to unfreeze it, or use another card.",
    }


def test_a_settled_top_up_found_by_its_operation_id_is_its_ledger_entry(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id = zhang_with_card(client, rt)
    _status, body = top_up(client, zhang, card_id, "200.00", "paid")
    assert body["status"] == "succeeded"
    status, found = look_up(client, zhang, body["id"])
    assert status == 200 and found["id"] == body["entry_id"]
    assert found == look_up(client, zhang, body["entry_id"])[1]
    assert found["status"] == "succeeded" and found["failure_reason"] is None
    assert found["balance_after"] == {"amount": "200.00", "currency": "CNY"}


def test_someone_elses_operation_id_looks_exactly_like_a_missing_one(
    client: TestClient, rt: Runtime
) -> None:
    zhang, card_id = zhang_with_card(client, rt)
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.INSUFFICIENT_FUNDS])
    _status, body = top_up(client, zhang, card_id, "80.00", "declined")
    li = sign_up_and_in(client, LI_NA)
    theirs_status, theirs = look_up(client, li, body["id"])
    missing_status, missing = look_up(client, li, "top_doesnotexist0000")
    assert theirs_status == missing_status == 404
    assert theirs["error"]["code"] == missing["error"]["code"] == "transaction_not_found"
    assert theirs["error"]["message"] == missing["error"]["message"]
