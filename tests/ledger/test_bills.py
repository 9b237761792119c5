import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def pay(client: TestClient, headers: dict[str, str], key: str, amount: str, note: str) -> None:
    response = client.post(
        "/api/v1/transfers",
        headers=headers | {"Idempotency-Key": key},
        json={"to": LI_NA.phone, "amount": amount, "note": note},
    )
    assert response.status_code == 201, response.text


def test_the_monthly_bill_sums_each_category_of_that_month_only(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "300.00")  # 2026-11-23 17:00 Beijing
    pay(client, zhang, "a", "20.00", "早餐")
    pay(client, zhang, "b", "30.50", "午饭")
    clock.advance(timedelta(days=8))  # December in Beijing
    pay(client, zhang, "c", "5.00", "咖啡")
    bill = client.get("/api/v1/bills/2026-11", headers=zhang).json()
    assert bill["money_in"]["amount"] == "300.00" and bill["money_out"]["amount"] == "50.50"
    lines = {line["category"]: line for line in bill["lines"]}
    assert lines["transfer_out"]["count"] == 2
    assert lines["transfer_out"]["total"]["amount"] == "-50.50"
    assert lines["transfer_out"]["name"] == "转出"
    december = client.get("/api/v1/bills/2026-12", headers=zhang | {"Accept-Language": "en"})
    assert december.json()["lines"] == [
        {
            "category": "transfer_out",
            "name": "Transfers sent",
            "count": 1,
            "total": {"amount": "-5.00", "currency": "CNY"},
        }
    ]
    bad = client.get("/api/v1/bills/November", headers=zhang)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_month"


def test_the_csv_export_streams_every_transaction_and_defuses_formulas(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "300.00")
    pay(client, zhang, "a", "20.00", '=HYPERLINK("http://evil")')
    response = client.get("/api/v1/transactions.csv", headers=zhang)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["time", "id", "type", "amount"]
    assert [row[3] for row in rows[1:]] == ["-20.00", "300.00"]
    assert rows[1][7].startswith("'=")


def test_the_balance_at_a_past_moment(client: TestClient, rt: Runtime, clock: FrozenClock) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "300.00")
    before = clock.now()
    clock.advance(timedelta(hours=1))
    pay(client, zhang, "a", "20.00", "")
    then = client.get(
        "/api/v1/wallets/CNY/balance-at", headers=zhang, params={"at": before.isoformat()}
    ).json()
    now = client.get(
        "/api/v1/wallets/CNY/balance-at", headers=zhang, params={"at": clock.now().isoformat()}
    ).json()
    assert then["balance"]["amount"] == "300.00" and now["balance"]["amount"] == "280.00"
    earlier = (before - timedelta(days=1)).isoformat()
    assert (
        client.get("/api/v1/wallets/CNY/balance-at", headers=zhang, params={"at": earlier}).json()[
            "balance"
        ]["amount"]
        == "0.00"
    )
