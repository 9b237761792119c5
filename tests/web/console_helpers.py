"""Staff who sign in to the console through the pages (password, then the authenticator
code), and a customer's case for them to work."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.pages import csrf_token, post_form
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime


def console_staff(
    app: FastAPI, rt: Runtime, login: str, display_name: str, role: str
) -> tuple[TestClient, str]:
    """A browser (test client) in which `display_name` signed in; returns it and the user id."""
    email = f"{login}@walletdesk.example"
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=display_name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    browser = TestClient(app, base_url="https://testserver")
    step = post_form(
        browser,
        "/login",
        {"login": email, "password": STAFF_PASSWORD, "next": "/console"},
    )
    assert step.status_code == 200 and "/login/2fa" in str(step.url), step.text
    done = browser.post(
        "/login/2fa",
        data={
            "code": current_totp(rt, created.totp_secret),
            "next": "/console",
            "csrf_token": csrf_token(step.text),
        },
    )
    assert done.status_code == 200, done.text
    assert str(done.url).endswith("/console"), done.url
    remember(browser.cookies.get("wd_session"))
    return browser, created.user_id


def form_of(html: str) -> str:
    return csrf_token(html)
