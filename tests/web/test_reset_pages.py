"""Forgot password through the pages: a code by SMS, then a new password."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, current_totp, last_code, remember
from tests.web.pages import (
    post_form,
    register_via_page,
    sign_in_via_page,
    signed_up_and_in,
    turn_on_two_factor,
)
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

NEW_PASSWORD = "bamboo lantern autumn road"


def test_a_forgotten_password_is_reset_with_the_code_we_send(
    client: TestClient, rt: Runtime
) -> None:
    register_via_page(client, ZHANG_MING)
    remember(NEW_PASSWORD)
    asked = post_form(client, "/forgot", {"login": ZHANG_MING.login})
    assert asked.status_code == 200
    assert "5 分钟内有效" in asked.text
    assert f'value="{ZHANG_MING.login}"' in asked.text

    code = last_code(rt, ZHANG_MING.phone or "")
    done = post_form(
        client,
        "/forgot/confirm",
        {"login": ZHANG_MING.login, "code": code, "new_password": NEW_PASSWORD},
    )
    assert done.url.path == "/login"
    assert "密码已重置" in done.text

    assert sign_in_via_page(client, ZHANG_MING).url.path == "/login"  # the old one is gone
    home = sign_in_via_page(client, ZHANG_MING, password=NEW_PASSWORD)
    assert "张明，您好" in home.text


def test_an_unknown_account_gets_the_same_answer(client: TestClient) -> None:
    remember("13500001111")
    asked = post_form(client, "/forgot", {"login": "13500001111"})
    assert asked.status_code == 200
    assert "如果有账户使用此手机号或邮箱" in asked.text


def test_a_wrong_code_is_shown_next_to_the_code_field(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    post_form(client, "/forgot", {"login": ZHANG_MING.login})
    remember(NEW_PASSWORD)
    page = post_form(
        client,
        "/forgot/confirm",
        {"login": ZHANG_MING.login, "code": "999999", "new_password": NEW_PASSWORD},
    )
    assert page.status_code == 422
    assert 'id="code-error"' in page.text
    assert NEW_PASSWORD not in page.text


def test_with_two_factor_on_a_reset_also_needs_the_authenticator(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    signed_up_and_in(client, LI_NA)
    secret, _ = turn_on_two_factor(client, rt)
    post_form(client, "/logout", {}, page="/")
    remember(NEW_PASSWORD)

    post_form(client, "/forgot", {"login": LI_NA.login})
    code = last_code(rt, LI_NA.phone or "")
    missing = post_form(
        client,
        "/forgot/confirm",
        {"login": LI_NA.login, "code": code, "new_password": NEW_PASSWORD},
    )
    assert missing.status_code == 400
    assert 'id="second_factor-error"' in missing.text
    assert f'value="{code}"' in missing.text  # the code still works: it is kept

    clock.advance(timedelta(seconds=30))
    done = post_form(
        client,
        "/forgot/confirm",
        {
            "login": LI_NA.login,
            "code": code,
            "new_password": NEW_PASSWORD,
            "second_factor": current_totp(rt, secret),
        },
    )
    assert "密码已重置" in done.text


def test_too_many_reset_requests_say_how_long_to_wait(client: TestClient) -> None:
    register_via_page(client, ZHANG_MING)
    for _ in range(5):
        post_form(client, "/forgot", {"login": ZHANG_MING.login})
    limited = post_form(client, "/forgot?lang=en", {"login": ZHANG_MING.login}, page="/forgot")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Please wait" in limited.text
