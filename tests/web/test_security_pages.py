"""The security centre: freeze and unfreeze, devices, password, contacts, two-factor."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.support import LI_NA, TOM, ZHANG_MING, current_totp, last_code, remember
from tests.web.pages import (
    post_form,
    sign_in_via_page,
    signed_up_and_in,
    turn_on_two_factor,
)
from walletdesk.runtime import Runtime


def test_freezing_from_the_security_page_shows_the_frozen_banner(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    page = client.get("/security")
    assert "立即冻结钱包" in page.text
    assert "手机丢失" in page.text

    frozen = post_form(
        client,
        "/security/freeze",
        {"reason": "lost_phone", "note": "丢在出租车上了"},
        page="/security",
    )
    assert frozen.url.path == "/security"
    assert 'class="banner frozen"' in frozen.text
    assert "您的钱包已冻结。" in frozen.text
    assert "解冻钱包" in frozen.text
    assert 'class="banner frozen"' in client.get("/").text
    assert "已冻结" in client.get("/").text


def test_an_unknown_freeze_reason_is_shown_next_to_the_reason(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    page = post_form(
        client, "/security/freeze", {"reason": "bored", "note": "hm"}, page="/security"
    )
    assert page.status_code == 422
    assert "hm</textarea>" in page.text
    assert 'class="banner frozen"' not in page.text


def test_unfreezing_needs_the_code_we_send(client: TestClient, rt: Runtime) -> None:
    signed_up_and_in(client, ZHANG_MING)
    post_form(client, "/security/freeze", {"reason": "other"}, page="/security")

    without_code = post_form(client, "/security/unfreeze", {}, page="/security")
    assert without_code.status_code == 403
    assert 'id="unfreeze-step_up_code-error"' in without_code.text

    sent = post_form(client, "/security/step-up/code", {"section": "unfreeze"}, page="/security")
    assert "验证码已发送到您的手机。" in sent.text
    code = last_code(rt, ZHANG_MING.phone or "")
    unfrozen = post_form(client, "/security/unfreeze", {"step_up_code": code}, page="/security")
    assert "钱包已解冻。" in unfrozen.text
    assert 'class="banner frozen"' not in unfrozen.text


def test_revoking_another_session_from_the_devices_list_signs_it_out(
    client: TestClient,
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    phone = TestClient(client.app, base_url="https://testserver")
    sign_in_via_page(phone, ZHANG_MING)
    assert phone.get("/security", follow_redirects=False).status_code == 200

    devices = client.get("/security")
    assert devices.text.count('<li class="session') == 2
    assert "本机" in devices.text
    others = re.findall(r'action="/security/sessions/([a-z0-9_]+)/revoke"', devices.text)
    assert len(others) == 1, "the current session has no sign-out button"

    done = post_form(client, f"/security/sessions/{others[0]}/revoke", {}, page="/security")
    assert "该设备已退出登录。" in done.text
    assert done.text.count('<li class="session') == 1

    bounced = phone.get("/security", follow_redirects=False)
    assert bounced.status_code == 303
    assert bounced.headers["location"].startswith("/login")


def test_someone_elses_session_cannot_be_revoked(client: TestClient) -> None:
    signed_up_and_in(client, TOM)
    toms_phone = TestClient(client.app, base_url="https://testserver")
    sign_in_via_page(toms_phone, TOM)
    toms_phone_session = re.findall(
        r'action="/security/sessions/([a-z0-9_]+)/revoke"', client.get("/security").text
    )[0]

    zhang = TestClient(client.app, base_url="https://testserver")
    signed_up_and_in(zhang, ZHANG_MING)
    refused = post_form(
        zhang, f"/security/sessions/{toms_phone_session}/revoke", {}, page="/security"
    )
    assert refused.status_code == 404
    assert "找不到" in refused.text
    assert toms_phone.get("/security", follow_redirects=False).status_code == 200


def test_changing_the_password_signs_out_the_other_devices(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    laptop = TestClient(client.app, base_url="https://testserver")
    sign_in_via_page(laptop, ZHANG_MING)
    new_password = "lotus pond evening bell"
    remember(new_password)

    wrong = post_form(
        client,
        "/security/password",
        {"current_password": "guess guess guess", "new_password": new_password},
        page="/security",
    )
    assert 'id="current_password-error"' in wrong.text
    assert new_password not in wrong.text

    changed = post_form(
        client,
        "/security/password",
        {"current_password": ZHANG_MING.password, "new_password": new_password},
        page="/security",
    )
    assert "密码已修改" in changed.text
    assert laptop.get("/security", follow_redirects=False).status_code == 303
    assert client.get("/security", follow_redirects=False).status_code == 200


def test_changing_the_phone_number_takes_a_step_up_and_the_new_numbers_code(
    client: TestClient, rt: Runtime
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    new_phone = "13911112222"
    remember(new_phone, "+86" + new_phone)
    post_form(client, "/security/step-up/code", {"section": "contact"}, page="/security")
    step_up = last_code(rt, ZHANG_MING.phone or "")

    step_two = post_form(
        client,
        "/security/contact",
        {"kind": "phone", "value": new_phone, "step_up_code": step_up},
        page="/security",
    )
    assert "第 2 步" in step_two.text
    code = last_code(rt, new_phone)
    done = post_form(
        client,
        "/security/contact/confirm",
        {"kind": "phone", "value": new_phone, "code": code},
        page="/security",
    )
    assert "您的联系方式已更新。" in done.text
    assert "+86 139 1111 2222" in done.text


def test_turning_two_factor_off_needs_a_code(client: TestClient, rt: Runtime) -> None:
    signed_up_and_in(client, LI_NA)
    _, codes = turn_on_two_factor(client, rt)
    assert "已开启" in client.get("/security").text

    wrong = post_form(client, "/security/2fa/disable", {"code": "123456"}, page="/security")
    assert wrong.status_code == 422
    assert 'id="disable-code-error"' in wrong.text

    off = post_form(client, "/security/2fa/disable", {"code": codes[0]}, page="/security")
    assert "两步验证已关闭。" in off.text
    assert "设置身份验证器" in off.text


def test_new_recovery_codes_replace_the_old_ones(client: TestClient, rt: Runtime) -> None:
    signed_up_and_in(client, LI_NA)
    secret, old_codes = turn_on_two_factor(client, rt)
    renewed = post_form(
        client, "/security/2fa/recovery-codes", {"code": old_codes[0]}, page="/security"
    )
    new_codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", renewed.text)
    remember(*new_codes)
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert current_totp(rt, secret)  # the authenticator itself keeps working


def test_a_wrong_first_code_shows_the_same_qr_code_again(client: TestClient) -> None:
    signed_up_and_in(client, LI_NA)
    started = post_form(client, "/security/2fa/begin", {}, page="/security")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', started.text)
    uri = re.search(r'name="otpauth_uri" value="([^"]+)"', started.text)
    assert secret and uri
    remember(secret.group(1))
    again = post_form(
        client,
        "/security/2fa/confirm",
        {
            "code": "000000",
            "secret": secret.group(1),
            "otpauth_uri": html.unescape(uri.group(1)),
        },
        page="/security",
    )
    assert again.status_code == 422
    assert f'<code class="secret">{secret.group(1)}</code>' in again.text
    assert 'id="totp-code-error"' in again.text


def test_a_wrong_code_for_the_new_contact_keeps_step_two_open(
    client: TestClient, rt: Runtime
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    post_form(client, "/security/step-up/code", {"section": "contact"}, page="/security")
    new_email = "zhang.ming@example.net"
    remember(new_email)
    post_form(
        client,
        "/security/contact",
        {
            "kind": "email",
            "value": new_email,
            "step_up_code": last_code(rt, ZHANG_MING.phone or ""),
        },
        page="/security",
    )
    wrong = post_form(
        client,
        "/security/contact/confirm",
        {"kind": "email", "value": new_email, "code": "111111"},
        page="/security",
    )
    assert wrong.status_code == 422
    assert "第 2 步" in wrong.text
    assert 'id="contact-confirm-code-error"' in wrong.text
    assert f'name="value" value="{new_email}"' in wrong.text


def test_tampered_set_up_fields_are_not_shown_back(client: TestClient) -> None:
    signed_up_and_in(client, LI_NA)
    post_form(client, "/security/2fa/begin", {}, page="/security")
    page = post_form(
        client,
        "/security/2fa/confirm",
        {
            "code": "000000",
            "secret": "AAAAAAAAAAAAAAAA",
            "otpauth_uri": "javascript:alert(1)",
        },
        page="/security",
    )
    assert page.status_code == 422
    assert "javascript:" not in page.text
    assert "设置身份验证器" in page.text  # start again
    assert 'class="error"' in page.text
