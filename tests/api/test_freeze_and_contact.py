from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import (
    LI_NA,
    ZHANG_MING,
    current_totp,
    enable_totp,
    last_code,
    messages_to,
    remember,
    sign_up_and_in,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def test_a_user_freezes_their_wallet_at_once_and_can_still_look(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    response = client.post(
        "/api/v1/me/freeze",
        headers=headers,
        json={"reason": "lost_phone", "note": "手机丢在出租车上"},
    )
    assert response.status_code == 204
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["frozen"] is True and me["frozen_at"]
    assert any(
        "钱包已于" in text and "冻结" in text for text in messages_to(rt, ZHANG_MING.phone or "")
    )
    # Freezing again is harmless.
    assert (
        client.post("/api/v1/me/freeze", headers=headers, json={"reason": "lost_phone"}).status_code
        == 204
    )


def test_freezing_needs_one_of_the_known_reasons(client: TestClient) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    response = client.post("/api/v1/me/freeze", headers=headers, json={"reason": "bored"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_freeze_reason"


def test_unfreezing_needs_a_code_sent_to_the_phone(client: TestClient, rt: Runtime) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    client.post("/api/v1/me/freeze", headers=headers, json={"reason": "suspected_theft"})
    without = client.post("/api/v1/me/unfreeze", headers=headers, json={})
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "step_up_required"
    sent = client.post("/api/v1/me/step-up/code", headers=headers).json()
    assert sent == {"channel": "sms", "expires_in": 300}
    wrong = client.post("/api/v1/me/unfreeze", headers=headers, json={"otp_code": "999999"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_code"
    code = last_code(rt, ZHANG_MING.phone or "")
    done = client.post("/api/v1/me/unfreeze", headers=headers, json={"otp_code": code})
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["frozen"] is False
    again = client.post("/api/v1/me/unfreeze", headers=headers, json={"otp_code": code})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_frozen"


def test_with_2fa_on_unfreezing_needs_the_authenticator(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    headers = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, headers)
    client.post("/api/v1/me/freeze", headers=headers, json={"reason": "lost_phone"})
    client.post("/api/v1/me/step-up/code", headers=headers)
    sms_code = last_code(rt, LI_NA.phone or "")
    refused = client.post("/api/v1/me/unfreeze", headers=headers, json={"otp_code": sms_code})
    assert refused.status_code == 403  # an SMS code is not enough when 2FA is on
    clock.advance(timedelta(seconds=30))
    done = client.post(
        "/api/v1/me/unfreeze", headers=headers, json={"totp_code": current_totp(rt, secret)}
    )
    assert done.status_code == 204


def test_changing_the_phone_needs_step_up_proof_of_the_new_number_and_tells_the_old_one(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    remember("13698765432", "+8613698765432")
    refused = client.post(
        "/api/v1/me/contact/change",
        headers=headers,
        json={"kind": "phone", "value": "136 9876 5432"},
    )
    assert refused.status_code == 403
    client.post("/api/v1/me/step-up/code", headers=headers)
    step_up = last_code(rt, ZHANG_MING.phone or "")
    started = client.post(
        "/api/v1/me/contact/change",
        headers=headers,
        json={"kind": "phone", "value": "136 9876 5432", "otp_code": step_up},
    )
    assert started.status_code == 202
    new_code = last_code(rt, "13698765432")
    done = client.post(
        "/api/v1/me/contact/confirm",
        headers=headers,
        json={"kind": "phone", "value": "13698765432", "code": new_code},
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["phone"] == "+8613698765432"
    # The code and the notice were sent at the same (frozen) instant: find the notice by text.
    notices = [m for m in messages_to(rt, ZHANG_MING.phone or "") if "手机号" in m]
    assert len(notices) == 1 and "136****5432" in notices[0]
    old_login = client.post(
        "/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": ZHANG_MING.password}
    )
    assert old_login.status_code == 401
    new_login = client.post(
        "/api/v1/auth/login", json={"login": "13698765432", "password": ZHANG_MING.password}
    )
    assert new_login.status_code == 200
    remember(new_login.json()["access_token"])


def test_adding_an_email_that_belongs_to_someone_else_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    sign_up_and_in(client, LI_NA)
    headers = sign_up_and_in(client, ZHANG_MING)
    client.post("/api/v1/me/step-up/code", headers=headers)
    step_up = last_code(rt, ZHANG_MING.phone or "")
    taken = client.post(
        "/api/v1/me/contact/change",
        headers=headers,
        json={"kind": "email", "value": LI_NA.email, "otp_code": step_up},
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "contact_taken"


def test_a_confirmation_code_for_another_address_does_not_apply(
    client: TestClient, rt: Runtime
) -> None:
    headers = sign_up_and_in(client, ZHANG_MING)
    client.post("/api/v1/me/step-up/code", headers=headers)
    step_up = last_code(rt, ZHANG_MING.phone or "")
    client.post(
        "/api/v1/me/contact/change",
        headers=headers,
        json={"kind": "email", "value": "zm@example.com", "otp_code": step_up},
    )
    code = last_code(rt, "zm@example.com")
    response = client.post(
        "/api/v1/me/contact/confirm",
        headers=headers,
        json={"kind": "email", "value": "other@example.com", "code": code},
    )
    assert response.status_code == 422
