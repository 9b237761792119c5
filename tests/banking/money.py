"""Top-ups and withdrawals through the API, for the tests."""

from fastapi.testclient import TestClient


def top_up(
    client: TestClient, headers: dict[str, str], card_id: str, amount: str, key: str
) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/topups",
        headers=headers | {"Idempotency-Key": key},
        json={"card_id": card_id, "amount": amount, "currency": "CNY"},
    )
    return response.status_code, response.json()


def withdraw(
    client: TestClient, headers: dict[str, str], card_id: str, amount: str, key: str, **extra: str
) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/withdrawals",
        headers=headers | {"Idempotency-Key": key},
        json={"card_id": card_id, "amount": amount, "currency": "CNY"} | extra,
    )
    return response.status_code, response.json()


def cny_wallet(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    wallets = client.get("/api/v1/wallets", headers=headers).json()["wallets"]
    return next(w for w in wallets if w["currency"] == "CNY")


def history(client: TestClient, headers: dict[str, str], locale: str = "zh-CN") -> list[dict]:
    response = client.get("/api/v1/transactions", headers=headers | {"Accept-Language": locale})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
