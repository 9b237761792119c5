from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, TOM, ZHANG_MING, bearer, login, messages_to, register, remember
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

WRONG = "not my password at all"


def attempt(client: TestClient, login_text: str, password: str) -> tuple[int, dict]:
    response = client.post("/api/v1/auth/login", json={"login": login_text, "password": password})
    return response.status_code, response.json() | {"_headers": dict(response.headers)}


def test_registration_normalises_the_phone_and_defaults_to_chinese(client: TestClient) -> None:
    register(client, ZHANG_MING)
    token = login(client, ZHANG_MING)
    me = client.get("/api/v1/me", headers=bearer(token)).json()
    assert me["phone"] == "+8613812345678"
    assert me["locale"] == "zh-CN"
    assert me["kyc_tier"] == 0
    assert me["two_factor"] is False and me["frozen"] is False


def test_registration_with_an_email_and_english(client: TestClient) -> None:
    register(client, TOM, locale="en")
    me = client.get("/api/v1/me", headers=bearer(login(client, TOM))).json()
    assert me["email"] == "tom@example.org" and me["locale"] == "en"


def test_a_phone_number_registers_once_whatever_its_spelling(client: TestClient) -> None:
    register(client, ZHANG_MING)
    response = client.post(
        "/api/v1/auth/register",
        json={"phone": "+86 138-1234-5678", "password": "another fine phrase", "display_name": "x"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "contact_taken"


def test_the_login_accepts_the_phone_number_in_any_spelling(client: TestClient) -> None:
    register(client, ZHANG_MING)
    status, body = attempt(client, "+86 138 1234 5678", ZHANG_MING.password)
    assert status == 200 and body["access_token"]
    remember(body["access_token"])


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: TestClient) -> None:
    register(client, ZHANG_MING)
    wrong_status, wrong = attempt(client, ZHANG_MING.login, WRONG)
    unknown_status, unknown = attempt(client, "13900000000", WRONG)
    assert wrong_status == unknown_status == 401
    assert wrong["error"]["code"] == unknown["error"]["code"] == "invalid_credentials"
    assert wrong["error"]["message"] == unknown["error"]["message"]


def test_five_wrong_passwords_lock_the_account_until_exactly_thirty_minutes(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    register(client, ZHANG_MING)
    for _ in range(4):
        assert attempt(client, ZHANG_MING.login, WRONG)[0] == 401
    status, body = attempt(client, ZHANG_MING.login, WRONG)  # the fifth locks
    assert status == 423
    assert body["error"]["code"] == "account_locked"
    assert body["_headers"]["retry-after"] == "1800"
    # Even the right password is refused while locked.
    clock.advance(timedelta(minutes=29, seconds=59))
    status, body = attempt(client, ZHANG_MING.login, ZHANG_MING.password)
    assert status == 423
    assert body["_headers"]["retry-after"] == "1"
    clock.advance(timedelta(seconds=1))
    status, body = attempt(client, ZHANG_MING.login, ZHANG_MING.password)
    assert status == 200, body
    remember(body["access_token"])
    assert any("锁定" in text for text in messages_to(rt, ZHANG_MING.phone or ""))


def test_after_a_lock_expires_the_count_starts_again(
    client: TestClient, clock: FrozenClock
) -> None:
    register(client, ZHANG_MING)
    for _ in range(5):
        attempt(client, ZHANG_MING.login, WRONG)
    clock.advance(timedelta(minutes=30))
    assert attempt(client, ZHANG_MING.login, WRONG)[0] == 401  # one failure, not a new lock
    for _ in range(3):
        assert attempt(client, ZHANG_MING.login, WRONG)[0] == 401
    assert attempt(client, ZHANG_MING.login, WRONG)[0] == 423


def test_a_successful_login_resets_the_failure_count(client: TestClient) -> None:
    register(client, ZHANG_MING)
    for _ in range(4):
        attempt(client, ZHANG_MING.login, WRONG)
    login(client, ZHANG_MING)
    for _ in range(4):
        assert attempt(client, ZHANG_MING.login, WRONG)[0] == 401


def test_logins_from_one_ip_are_rate_limited_with_retry_after(
    client: TestClient, rt: Runtime
) -> None:
    register(client, ZHANG_MING)
    limit = rt.rates.login_account.count
    for _ in range(limit):
        client.post("/api/v1/auth/login", json={"login": "13900000000", "password": WRONG})
    response = client.post("/api/v1/auth/login", json={"login": "13900000000", "password": WRONG})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "rate_limited"


def test_logout_revokes_the_token(client: TestClient) -> None:
    register(client, ZHANG_MING)
    token = login(client, ZHANG_MING)
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_login_from_a_new_device_notifies_the_user_but_the_first_does_not(
    client: TestClient, rt: Runtime
) -> None:
    register(client, LI_NA)
    login(client, LI_NA)  # first device: nothing to warn about
    assert not [m for m in messages_to(rt, LI_NA.phone or "") if "新设备" in m]
    client.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile"
    login(client, LI_NA)
    warnings = [m for m in messages_to(rt, LI_NA.phone or "") if "新设备" in m]
    assert len(warnings) == 1 and "Chrome on Android" in warnings[0]
    assert [m for m in messages_to(rt, LI_NA.email or "") if "新设备" in m]
    inbox = client.get("/api/v1/me/notifications", headers=bearer(login(client, LI_NA))).json()
    assert any(item["title"] == "账户在新设备登录" for item in inbox)


def test_the_same_device_id_is_recognised_across_user_agents(
    client: TestClient, rt: Runtime
) -> None:
    register(client, LI_NA)
    first = client.post(
        "/api/v1/auth/login",
        headers={"X-Device-Id": "install-42"},
        json={"login": LI_NA.login, "password": LI_NA.password},
    )
    remember(first.json()["access_token"])
    second = client.post(
        "/api/v1/auth/login",
        headers={"X-Device-Id": "install-42", "User-Agent": "walletdesk-ios/2.1"},
        json={"login": LI_NA.login, "password": LI_NA.password},
    )
    remember(second.json()["access_token"])
    assert not [m for m in messages_to(rt, LI_NA.phone or "") if "新设备" in m]
