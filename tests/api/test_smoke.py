from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, bearer, login, register


def test_registered_user_signs_in_and_reads_their_profile(client: TestClient) -> None:
    register(client, ZHANG_MING)
    token = login(client, ZHANG_MING)
    me = client.get("/api/v1/me", headers=bearer(token)).json()
    assert me["display_name"] == "张明"
    assert me["phone"] == "+8613812345678"
    assert me["locale"] == "zh-CN"
