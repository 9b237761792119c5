from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import (
    LI_NA,
    current_totp,
    enable_totp,
    messages_to,
    remember,
    sign_up_and_in,
    start_login,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def verify(client: TestClient, challenge: str, code: str) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/auth/2fa/verify", json={"challenge_token": challenge, "code": code}
    )
    body = response.json()
    if response.status_code == 200:
        remember(body["access_token"])
    return response.status_code, body


def test_enrolment_shows_a_qr_code_and_confirming_turns_2fa_on(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    enrolment = client.post("/api/v1/me/2fa/totp", headers=headers).json()
    remember(enrolment["secret"])
    assert enrolment["qr_svg_data_uri"].startswith("data:image/svg+xml")
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/walletdesk:")
    wrong = client.post("/api/v1/me/2fa/totp/confirm", headers=headers, json={"code": "000000"})
    assert wrong.status_code == 422
    code = current_totp(rt, enrolment["secret"])
    confirmed = client.post("/api/v1/me/2fa/totp/confirm", headers=headers, json={"code": code})
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    remember(*confirmed.json()["recovery_codes"])
    assert client.get("/api/v1/me", headers=headers).json()["two_factor"] is True
    assert any("两步验证" in text for text in messages_to(rt, LI_NA.phone or ""))


def test_login_with_2fa_needs_the_code_and_each_code_works_once(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, headers)
    clock.advance(timedelta(seconds=30))  # a fresh step, after the enrolment's code
    code = current_totp(rt, secret)
    status, body = verify(client, start_login(client, LI_NA), code)
    assert status == 200 and body["access_token"]
    status, body = verify(client, start_login(client, LI_NA), code)  # replayed
    assert status == 401 and body["error"]["code"] == "invalid_code"
    clock.advance(timedelta(seconds=30))
    status, _ = verify(client, start_login(client, LI_NA), current_totp(rt, secret))
    assert status == 200


def test_a_recovery_code_signs_in_once(client: TestClient, rt: Runtime) -> None:
    headers = sign_up_and_in(client, LI_NA)
    _, recovery_codes = enable_totp(client, rt, headers)
    status, _ = verify(client, start_login(client, LI_NA), recovery_codes[0].upper())
    assert status == 200
    status, _ = verify(client, start_login(client, LI_NA), recovery_codes[0])
    assert status == 401


def test_a_challenge_allows_five_tries_and_expires_after_five_minutes(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, headers)
    clock.advance(timedelta(seconds=30))
    challenge = start_login(client, LI_NA)
    for _ in range(5):
        assert verify(client, challenge, "000000")[0] == 401
    status, body = verify(client, challenge, current_totp(rt, secret))
    assert status == 401 and body["error"]["code"] == "challenge_expired"
    late = start_login(client, LI_NA)
    clock.advance(timedelta(minutes=5))
    status, body = verify(client, late, current_totp(rt, secret))
    assert status == 401 and body["error"]["code"] == "challenge_expired"


def test_disabling_2fa_needs_a_code_and_notifies(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, headers)
    refused = client.post("/api/v1/me/2fa/totp/disable", headers=headers, json={"code": "123456"})
    assert refused.status_code == 422
    clock.advance(timedelta(seconds=30))
    done = client.post(
        "/api/v1/me/2fa/totp/disable", headers=headers, json={"code": current_totp(rt, secret)}
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["two_factor"] is False
    assert any("关闭两步验证" in text for text in messages_to(rt, LI_NA.phone or ""))


def test_recovery_codes_can_be_renewed_and_the_old_ones_stop_working(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, old_codes = enable_totp(client, rt, headers)
    clock.advance(timedelta(seconds=30))
    renewed = client.post(
        "/api/v1/me/2fa/recovery-codes", headers=headers, json={"code": current_totp(rt, secret)}
    )
    assert renewed.status_code == 200
    new_codes = renewed.json()["recovery_codes"]
    remember(*new_codes)
    assert set(new_codes).isdisjoint(old_codes)
    assert verify(client, start_login(client, LI_NA), old_codes[1])[0] == 401
    assert verify(client, start_login(client, LI_NA), new_codes[1])[0] == 200


def test_enrolling_twice_is_refused_while_2fa_is_on(client: TestClient, rt: Runtime) -> None:
    headers = sign_up_and_in(client, LI_NA)
    enable_totp(client, rt, headers)
    again = client.post("/api/v1/me/2fa/totp", headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "totp_already_enabled"
