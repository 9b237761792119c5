"""Registering, signing in and out through the forms, as a browser would."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, current_totp, remember
from tests.web.pages import (
    csrf_token,
    post_form,
    register_via_page,
    sign_in_via_page,
    signed_up_and_in,
    turn_on_two_factor,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def test_a_new_user_registers_signs_in_and_lands_on_their_home(client: TestClient) -> None:
    registered = register_via_page(client, ZHANG_MING)
    assert registered.headers["location"] == "/login"

    login_page = client.get("/login")
    assert "账户已创建，请登录。" in login_page.text

    home = sign_in_via_page(client, ZHANG_MING)
    assert home.url.path == "/"
    assert "张明，您好" in home.text
    assert "+86 138 1234 5678" in home.text
    assert "开启两步验证" in home.text  # the nudge: 2FA is off
    assert "退出登录" in home.text


def test_the_session_cookie_is_http_only_secure_and_same_site_lax(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    response = post_form(
        client,
        "/login",
        {"login": ZHANG_MING.login, "password": ZHANG_MING.password},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("wd_session=")
    )
    remember(cookie.split(";")[0].removeprefix("wd_session="))
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes


def test_a_first_visit_gets_a_long_lived_device_cookie(client: TestClient) -> None:
    first = client.get("/")
    cookie = next(v for v in first.headers.get_list("set-cookie") if v.startswith("wd_device="))
    assert "HttpOnly" in cookie
    assert "Max-Age=34560000" in cookie
    again = client.get("/")
    assert not any(v.startswith("wd_device=") for v in again.headers.get_list("set-cookie"))


def test_a_registration_mistake_keeps_the_form_but_not_the_password(client: TestClient) -> None:
    remember(ZHANG_MING.password)
    page = post_form(
        client,
        "/register",
        {"display_name": "张明", "phone": "12345", "email": "", "password": ZHANG_MING.password},
    )
    assert page.status_code == 422
    assert 'value="张明"' in page.text
    assert 'value="12345"' in page.text
    assert ZHANG_MING.password not in page.text
    assert 'id="phone-error"' in page.text


def test_a_wrong_password_shows_a_message_and_keeps_the_login(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    page = sign_in_via_page(client, ZHANG_MING, password="not my password at all")
    remember("not my password at all")
    assert page.status_code == 400
    assert 'class="error general"' in page.text
    assert f'value="{ZHANG_MING.login}"' in page.text
    assert client.cookies.get("wd_session") is None


def test_a_signed_out_visitor_is_sent_to_login_and_back(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    bounced = client.get("/security", follow_redirects=False)
    assert bounced.status_code == 303
    assert bounced.headers["location"] == "/login?next=%2Fsecurity"

    page = client.get(bounced.headers["location"])
    response = client.post(
        "/login",
        data={
            "login": ZHANG_MING.login,
            "password": ZHANG_MING.password,
            "next": "/security",
            "csrf_token": csrf_token(page.text),
        },
    )
    remember(client.cookies.get("wd_session"))
    assert response.url.path == "/security"
    assert "安全中心" in response.text


def test_next_never_leads_off_the_site(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    page = client.get("/login?next=//evil.example/steal")
    assert 'name="next" value="/"' in page.text
    response = client.post(
        "/login",
        data={
            "login": ZHANG_MING.login,
            "password": ZHANG_MING.password,
            "next": "https://evil.example/",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    remember(client.cookies.get("wd_session"))
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_session(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    old_token = client.cookies.get("wd_session")
    out = post_form(client, "/logout", {}, page="/")
    assert "您已退出登录。" in out.text
    assert client.cookies.get("wd_session") is None
    replay = TestClient(client.app, base_url="https://testserver")
    stale = replay.get(
        "/security", headers={"Cookie": f"wd_session={old_token}"}, follow_redirects=False
    )
    assert stale.status_code == 303


def test_login_with_two_factor_asks_for_the_authenticator_code(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    signed_up_and_in(client, LI_NA)
    secret, codes = turn_on_two_factor(client, rt)
    assert len(codes) == 10
    post_form(client, "/logout", {}, page="/")
    clock.advance(timedelta(seconds=30))  # a TOTP code works once: wait for the next one

    challenged = sign_in_via_page(client, LI_NA)
    assert challenged.url.path == "/login/2fa"
    assert client.cookies.get("wd_session") is None
    remember(client.cookies.get("wd_challenge"))

    wrong = post_form(client, "/login/2fa", {"code": "000000"})
    assert wrong.status_code == 400
    assert 'id="code-error"' in wrong.text

    home = post_form(client, "/login/2fa", {"code": current_totp(rt, secret)})
    remember(client.cookies.get("wd_session"))
    assert home.url.path == "/"
    assert "李娜，您好" in home.text
    assert client.cookies.get("wd_challenge") is None


def test_a_recovery_code_also_completes_the_two_factor_step(
    client: TestClient, rt: Runtime
) -> None:
    signed_up_and_in(client, LI_NA)
    _, codes = turn_on_two_factor(client, rt)
    post_form(client, "/logout", {}, page="/")
    sign_in_via_page(client, LI_NA)
    home = post_form(client, "/login/2fa", {"code": codes[0]})
    remember(client.cookies.get("wd_session"))
    assert "李娜，您好" in home.text
    assert "剩余 9 个恢复码" in client.get("/security").text
