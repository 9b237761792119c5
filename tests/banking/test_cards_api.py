from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.banking.cards import CCB_CREDIT, ICBC_DEBIT, bind, with_check_digit
from tests.support import LI_NA, ZHANG_MING, last_code, messages_to, sign_up_and_in
from walletdesk.runtime import Runtime
from walletdesk.storage.tables_banking import bank_cards


def start(client: TestClient, headers: dict[str, str], number: str) -> dict:
    response = client.post(
        "/api/v1/cards",
        headers=headers,
        json={"card_number": number, "holder_name": "张明", "phone": ZHANG_MING.phone},
    )
    return {"http": response.status_code} | response.json()


def test_a_card_is_bound_with_the_code_the_bank_texts_to_its_phone(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    started = start(client, zhang, ICBC_DEBIT)
    assert started["http"] == 201 and started["status"] == "pending_verification"
    assert started["card_type"] == "debit"
    assert started["bank"] == {"code": "ICBC", "name": "中国工商银行"}
    assert started["last4"] == ICBC_DEBIT[-4:] and started["code_sent_to"] == "138****5678"
    texts = messages_to(rt, ZHANG_MING.phone or "")
    assert "【工商银行】" in texts[0] and f"尾号{ICBC_DEBIT[-4:]}" in texts[0]
    code = last_code(rt, ZHANG_MING.phone or "")
    verified = client.post(
        f"/api/v1/cards/{started['id']}/verify", headers=zhang, json={"code": code}
    )
    assert verified.status_code == 200 and verified.json()["status"] == "active"
    listed = client.get("/api/v1/cards", headers=zhang | {"Accept-Language": "en"}).json()
    assert [(c["bank"]["name"], c["last4"]) for c in listed] == [
        ("Industrial and Commercial Bank of China", ICBC_DEBIT[-4:])
    ]


def test_a_wrong_code_is_refused_and_the_card_stays_unverified(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    card_id = start(client, zhang, ICBC_DEBIT)["id"]
    code = last_code(rt, ZHANG_MING.phone or "")
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(f"/api/v1/cards/{card_id}/verify", headers=zhang, json={"code": wrong})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_code"
    assert "验证码不正确" in refused.json()["error"]["message"]
    topup = client.post(
        "/api/v1/topups",
        headers=zhang | {"Idempotency-Key": "unverified"},
        json={"card_id": card_id, "amount": "10.00"},
    )
    assert topup.status_code == 409 and topup.json()["error"]["code"] == "card_not_verified"


def test_only_the_token_bank_type_and_last_four_digits_are_stored(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    with rt.db.engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(select(bank_cards))]
    assert len(rows) == 1 and rows[0]["last4"] == ICBC_DEBIT[-4:]
    assert rows[0]["gateway_token"].startswith("ctk_")
    stored = repr(rows)
    assert ICBC_DEBIT not in stored and ICBC_DEBIT[:12] not in stored
    assert "张明" not in stored and (ZHANG_MING.phone or "") not in stored


def test_a_number_failing_the_luhn_check_or_from_an_unknown_bank_is_refused(
    client: TestClient,
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    typo = ICBC_DEBIT[:-1] + str((int(ICBC_DEBIT[-1]) + 1) % 10)
    assert start(client, zhang, typo)["error"]["code"] == "invalid_card_number"
    unknown = start(client, zhang, with_check_digit("999999001234567"))
    assert unknown["http"] == 422 and unknown["error"]["code"] == "unsupported_bank"
    assert "无法识别这张卡的发卡银行" in unknown["error"]["message"]


def test_someone_elses_card_looks_missing_and_an_unbound_card_is_gone(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    card_id = bind(client, rt, zhang, ZHANG_MING, CCB_CREDIT)
    assert client.delete(f"/api/v1/cards/{card_id}", headers=li).status_code == 404
    assert client.get("/api/v1/cards", headers=li).json() == []
    assert client.delete(f"/api/v1/cards/{card_id}", headers=zhang).status_code == 204
    assert client.get("/api/v1/cards", headers=zhang).json() == []
    assert client.delete(f"/api/v1/cards/{card_id}", headers=zhang).status_code == 404
