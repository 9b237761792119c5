"""Driving the pages the way a browser does: read the form's CSRF field, post, follow."""

from __future__ import annotations

import html
import re

import httpx2
from fastapi.testclient import TestClient

from tests.support import Person, current_totp, remember, remember_person
from walletdesk.runtime import Runtime

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF field"
    remember(found.group(1))
    return found.group(1)


def post_form(
    client: TestClient,
    action: str,
    data: dict[str, str],
    *,
    page: str | None = None,
    follow_redirects: bool = True,
) -> httpx2.Response:
    """Open `page` (default: `action`), take the CSRF field from its form, post `data`."""
    shown = client.get(page or action)
    assert shown.status_code == 200, shown.text
    body = {**data, "csrf_token": csrf_token(shown.text)}
    return client.post(action, data=body, follow_redirects=follow_redirects)


def register_via_page(client: TestClient, person: Person) -> httpx2.Response:
    remember_person(person)
    response = post_form(
        client,
        "/register",
        {
            "display_name": person.display_name,
            "phone": person.phone or "",
            "email": person.email or "",
            "password": person.password,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response


def sign_in_via_page(
    client: TestClient, person: Person, *, password: str | None = None
) -> httpx2.Response:
    """Post the sign-in form and follow to wherever it leads (home, or the 2FA step)."""
    response = post_form(
        client, "/login", {"login": person.login, "password": password or person.password}
    )
    session = client.cookies.get("wd_session")
    remember(session)
    return response


def signed_up_and_in(client: TestClient, person: Person) -> httpx2.Response:
    register_via_page(client, person)
    response = sign_in_via_page(client, person)
    assert response.status_code == 200, response.text
    assert client.cookies.get("wd_session"), "signing in sets the session cookie"
    return response


def _one(pattern: str, html_text: str) -> str:
    found = re.search(pattern, html_text)
    assert found, f"{pattern!r} is not on the page"
    return found.group(1)


def turn_on_two_factor(client: TestClient, rt: Runtime) -> tuple[str, list[str]]:
    """Set up an authenticator from the security page; returns (secret, recovery codes)."""
    started = post_form(client, "/security/2fa/begin", {}, page="/security")
    assert 'src="data:image/svg+xml' in started.text, "the QR code is shown"
    secret = _one(r'<code class="secret">([A-Z2-7]+)</code>', started.text)
    uri = html.unescape(_one(r'name="otpauth_uri" value="([^"]+)"', started.text))
    remember(secret)
    confirmed = client.post(
        "/security/2fa/confirm",
        data={
            "code": current_totp(rt, secret),
            "secret": secret,
            "otpauth_uri": uri,
            "csrf_token": csrf_token(started.text),
        },
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", confirmed.text)
    remember(*codes)
    return secret, codes
