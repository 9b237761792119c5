from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, remember, sign_up_and_in
from walletdesk.runtime import Runtime

ZHANG_ID = "11010519491231002X"


def test_real_name_verification_raises_the_tier_and_the_id_stays_masked(
    client: TestClient, rt: Runtime
) -> None:
    remember(ZHANG_ID)
    headers = sign_up_and_in(client, ZHANG_MING)
    response = client.post(
        "/api/v1/me/real-name",
        headers=headers,
        json={"real_name": "张明", "id_number": ZHANG_ID.lower()},
    )
    assert response.status_code == 200 and response.json() == {"kyc_tier": 1}
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["kyc_tier"] == 1 and me["real_name"] == "张明"
    assert me["id_number"] == "1101**********002X"
    again = client.post(
        "/api/v1/me/real-name", headers=headers, json={"real_name": "张明", "id_number": ZHANG_ID}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "real_name_already_verified"


def test_one_id_number_opens_one_wallet(client: TestClient) -> None:
    remember(ZHANG_ID)
    zhang = sign_up_and_in(client, ZHANG_MING)
    client.post(
        "/api/v1/me/real-name", headers=zhang, json={"real_name": "张明", "id_number": ZHANG_ID}
    )
    li = sign_up_and_in(client, LI_NA)
    response = client.post(
        "/api/v1/me/real-name", headers=li, json={"real_name": "李娜", "id_number": ZHANG_ID}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "id_number_taken"


def test_a_malformed_id_number_is_refused_with_its_field(client: TestClient) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    response = client.post(
        "/api/v1/me/real-name",
        headers=headers,
        json={"real_name": "张明", "id_number": "110105194912310021"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "id_number"
