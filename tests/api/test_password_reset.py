from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import (
    LI_NA,
    TOM,
    ZHANG_MING,
    bearer,
    current_totp,
    enable_totp,
    last_code,
    login,
    messages_to,
    register,
    remember,
    sign_up_and_in,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

NEW_PASSWORD = "autumn lotus pond 88"


def request_code(client: TestClient, login_text: str) -> None:
    response = client.post("/api/v1/auth/password-reset/request", json={"login": login_text})
    assert response.status_code == 202


def confirm(client: TestClient, login_text: str, code: str, **extra: str) -> tuple[int, dict]:
    remember(NEW_PASSWORD)
    response = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": login_text, "code": code, "new_password": NEW_PASSWORD, **extra},
    )
    return response.status_code, (response.json() if response.content else {})


def test_reset_by_sms_code_signs_out_everywhere_notifies_and_records_the_time(
    client: TestClient, rt: Runtime
) -> None:
    old_session = sign_up_and_in(client, ZHANG_MING)
    request_code(client, ZHANG_MING.login)
    sms = messages_to(rt, ZHANG_MING.phone or "")[0]
    assert "客服不会向您索要密码或验证码" in sms and sms.startswith("【walletdesk】")
    status, _ = confirm(client, ZHANG_MING.login, last_code(rt, ZHANG_MING.phone or ""))
    assert status == 204
    assert client.get("/api/v1/me", headers=old_session).status_code == 401
    new_session = client.post(
        "/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": NEW_PASSWORD}
    )
    assert new_session.status_code == 200
    remember(new_session.json()["access_token"])
    assert any(
        "密码已于" in text and "重置" in text for text in messages_to(rt, ZHANG_MING.phone or "")
    )
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.list_all()[0]
    assert user.password_reset_at == rt.clock.now()


def test_reset_by_email_code_in_english(client: TestClient, rt: Runtime) -> None:
    register(client, TOM, locale="en")
    request_code(client, TOM.login)
    email = messages_to(rt, TOM.email or "")[0]
    assert "Our staff will never ask for your password or code." in email
    assert confirm(client, TOM.login, last_code(rt, TOM.email or ""))[0] == 204


def test_reset_is_refused_without_the_second_factor_when_2fa_is_on(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, recovery_codes = enable_totp(client, rt, headers)
    request_code(client, LI_NA.login)
    code = last_code(rt, LI_NA.phone or "")
    status, body = confirm(client, LI_NA.login, code)
    assert status == 401 and body["error"]["code"] == "two_factor_required"
    status, body = confirm(client, LI_NA.login, code, second_factor="000000")
    assert status == 401 and body["error"]["code"] == "two_factor_required"
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # nothing changed
    clock.advance(timedelta(seconds=30))
    status, _ = confirm(client, LI_NA.login, code, second_factor=current_totp(rt, secret))
    assert status == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_reset_code_expires_after_five_minutes(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    register(client, ZHANG_MING)
    request_code(client, ZHANG_MING.login)
    code = last_code(rt, ZHANG_MING.phone or "")
    clock.advance(timedelta(minutes=4, seconds=59))
    request_code(client, TOM.login)  # unknown account: same answer, nothing sent
    clock.advance(timedelta(seconds=1))
    status, body = confirm(client, ZHANG_MING.login, code)
    assert status == 422 and body["error"]["code"] == "invalid_code"


def test_the_fifth_wrong_code_burns_the_code(client: TestClient, rt: Runtime) -> None:
    register(client, ZHANG_MING)
    request_code(client, ZHANG_MING.login)
    code = last_code(rt, ZHANG_MING.phone or "")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert confirm(client, ZHANG_MING.login, wrong)[0] == 422
    assert confirm(client, ZHANG_MING.login, code)[0] == 422


def test_a_code_for_one_purpose_does_not_work_for_another(client: TestClient, rt: Runtime) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    client.post("/api/v1/me/step-up/code", headers=headers)
    step_up_code = last_code(rt, ZHANG_MING.phone or "")
    status, _ = confirm(client, ZHANG_MING.login, step_up_code)
    assert status == 422


def test_only_the_latest_code_works(client: TestClient, rt: Runtime, clock: FrozenClock) -> None:
    register(client, ZHANG_MING)
    request_code(client, ZHANG_MING.login)
    first = last_code(rt, ZHANG_MING.phone or "")
    clock.advance(timedelta(seconds=40))
    request_code(client, ZHANG_MING.login)
    second = last_code(rt, ZHANG_MING.phone or "")
    if first != second:
        assert confirm(client, ZHANG_MING.login, first)[0] == 422
    assert confirm(client, ZHANG_MING.login, second)[0] == 204


def test_unknown_accounts_get_the_same_answer_and_no_message(
    client: TestClient, rt: Runtime
) -> None:
    response = client.post("/api/v1/auth/password-reset/request", json={"login": "13911112222"})
    assert response.status_code == 202 and response.json()["expires_in"] == 300
    assert messages_to(rt, "13911112222") == []


def test_code_sending_is_rate_limited_per_destination(client: TestClient, rt: Runtime) -> None:
    register(client, ZHANG_MING)
    for _ in range(rt.rates.reset_account.count):
        request_code(client, ZHANG_MING.login)
    response = client.post("/api/v1/auth/password-reset/request", json={"login": ZHANG_MING.login})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_changing_the_password_signs_out_other_sessions(client: TestClient) -> None:
    register(client, ZHANG_MING)
    this = bearer(login(client, ZHANG_MING))
    other = bearer(login(client, ZHANG_MING))
    remember(NEW_PASSWORD)
    wrong = client.post(
        "/api/v1/me/password",
        headers=this,
        json={"current_password": "nope nope nope", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 401
    done = client.post(
        "/api/v1/me/password",
        headers=this,
        json={"current_password": ZHANG_MING.password, "new_password": NEW_PASSWORD},
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=this).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401


def test_until_the_code_is_right_every_account_gets_the_same_answer(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    enable_totp(client, rt, headers)
    register(client, ZHANG_MING)
    answers = set()
    for login_text, password in [
        (LI_NA.login, NEW_PASSWORD),  # exists, 2FA on
        (ZHANG_MING.login, "password"),  # exists, weak new password
        ("13911112222", NEW_PASSWORD),  # no such account
    ]:
        response = client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"login": login_text, "code": "123456", "new_password": password},
        )
        answers.add((response.status_code, response.json()["error"]["code"]))
    assert answers == {(422, "invalid_code")}


def test_a_weak_new_password_keeps_the_code_for_another_try(
    client: TestClient, rt: Runtime
) -> None:
    register(client, ZHANG_MING)
    request_code(client, ZHANG_MING.login)
    code = last_code(rt, ZHANG_MING.phone or "")
    weak = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"login": ZHANG_MING.login, "code": code, "new_password": "password"},
    )
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "password_too_common"
    assert confirm(client, ZHANG_MING.login, code)[0] == 204
