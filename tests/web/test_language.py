"""Every page speaks zh-CN first and English second; the visitor's choice sticks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import TOM, ZHANG_MING
from tests.web.pages import register_via_page, sign_in_via_page, signed_up_and_in


@pytest.mark.parametrize(
    ("case", "lang", "title", "html_lang"),
    [
        ("chinese", "zh-CN", "登录 walletdesk", "zh-CN"),
        ("english", "en", "Sign in to walletdesk", "en"),
    ],
)
def test_login_page_is_shown_in_the_chosen_language(
    client: TestClient, case: str, lang: str, title: str, html_lang: str
) -> None:
    page = client.get(f"/login?lang={lang}")
    assert page.status_code == 200
    assert title in page.text
    assert f'<html lang="{html_lang}">' in page.text


@pytest.mark.parametrize(
    ("case", "path", "chinese", "english"),
    [
        ("landing", "/", "注册账户", "Create an account"),
        ("register", "/register", "至少 8 个字符", "At least 8 characters"),
        ("forgot", "/forgot", "忘记密码", "Forgot password"),
        ("reset", "/forgot/confirm", "设置新密码", "Choose a new password"),
        ("not found", "/no-such-page", "找不到页面", "Page not found"),
    ],
)
def test_public_pages_render_in_both_languages(
    client: TestClient, case: str, path: str, chinese: str, english: str
) -> None:
    assert chinese in client.get(path, params={"lang": "zh-CN"}).text
    assert english in client.get(path, params={"lang": "en"}).text


def test_chinese_is_the_default_and_the_footer_warns_about_codes(client: TestClient) -> None:
    page = client.get("/")
    assert '<html lang="zh-CN">' in page.text
    assert "客服不会向您索要密码或验证码" in page.text


def test_english_browsers_get_english_and_the_english_footer(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Our staff will never ask for your password or code." in page.text


def test_choosing_a_language_is_remembered_in_a_cookie(client: TestClient) -> None:
    chosen = client.get("/login?lang=en")
    assert "wd_locale=en" in chosen.headers["set-cookie"]
    later = client.get("/register", headers={"Accept-Language": "zh-CN"})
    assert "Create an account" in later.text


def test_language_links_keep_the_page_and_its_query(client: TestClient) -> None:
    page = client.get("/login?next=/security")
    assert 'href="/login?next=%2Fsecurity&amp;lang=en"' in page.text


def test_signed_in_pages_follow_the_profile_language(client: TestClient) -> None:
    english_browser = {"Accept-Language": "en"}
    client.headers.update(english_browser)
    register_via_page(client, TOM)  # stored with the language of the page: English
    client.headers.pop("Accept-Language")
    client.cookies.clear()
    home = sign_in_via_page(client, TOM)
    assert "Hello, Tom Baker" in home.text
    assert '<html lang="en">' in home.text


def test_an_explicit_choice_beats_the_profile_language(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    home = client.get("/?lang=en")
    assert "Hello, 张明" in home.text
