"""Every form post must carry the CSRF token that matches the browser's cookie."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, remember
from tests.web.pages import csrf_token, signed_up_and_in


@pytest.mark.parametrize(
    ("case", "sent"),
    [("missing", None), ("wrong", "forged-token-from-another-site"), ("empty", "")],
)
def test_a_sign_in_post_without_the_right_token_is_refused(
    client: TestClient, case: str, sent: str | None
) -> None:
    client.get("/login")  # the browser has its CSRF cookie
    data = {"login": ZHANG_MING.login, "password": ZHANG_MING.password}
    remember(ZHANG_MING.password)
    if sent is not None:
        data["csrf_token"] = sent
    refused = client.post("/login", data=data)
    assert refused.status_code == 403
    assert "此表单已过期或并非来自 walletdesk" in refused.text
    assert client.cookies.get("wd_session") is None


def test_a_token_without_its_cookie_is_refused(client: TestClient) -> None:
    token = csrf_token(client.get("/login").text)
    client.cookies.clear()
    refused = client.post(
        "/register", data={"csrf_token": token, "display_name": "x"}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_a_signed_in_user_cannot_be_made_to_freeze_by_another_site(
    client: TestClient,
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    refused = client.post("/security/freeze", data={"reason": "other"})
    assert refused.status_code == 403
    assert "您的钱包已冻结" not in client.get("/").text


def test_the_form_field_and_the_cookie_carry_the_same_token(client: TestClient) -> None:
    page = client.get("/register")
    assert csrf_token(page.text) == client.cookies.get("wd_csrf")
