"""The home page and the inbox."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING
from tests.web.pages import signed_up_and_in


def test_signed_out_visitors_see_what_walletdesk_is(client: TestClient) -> None:
    page = client.get("/")
    assert "内置客服中心的数字钱包" in page.text
    assert 'href="/register"' in page.text
    assert 'href="/login"' in page.text


def test_the_account_summary_shows_the_unread_count_and_no_balances(
    client: TestClient,
) -> None:
    home = signed_up_and_in(client, ZHANG_MING)
    assert "您有 1 条未读消息。" in home.text  # the welcome notice
    assert 'class="badge"' in home.text
    assert "余额" not in home.text and "¥" not in home.text


def test_opening_the_inbox_shows_the_notices_and_marks_them_read(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    inbox = client.get("/notifications")
    assert inbox.status_code == 200
    assert 'class="card unread"' in inbox.text
    assert 'class="badge"' not in inbox.text
    assert "没有未读消息。" in client.get("/").text
