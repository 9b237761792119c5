"""Staff land on the first console page their permissions open: after signing in with no
page in mind (or at the console's front door), and with the "g i" shortcut (the frame's
`data-home`). A risk reviewer may not open the agents' inbox, so theirs is the risk queue."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.pages import csrf_token, post_form, signed_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime
from walletdesk.web.console_home import after_sign_in, console_home


@pytest.mark.parametrize(
    ("label", "roles", "home"),
    [
        ("an agent works the inbox", {"agent"}, "/console"),
        ("a reviewer the risk queue", {"risk_reviewer"}, "/console/risk"),
        ("a supervisor the inbox", {"supervisor"}, "/console"),
        ("an admin the inbox", {"admin"}, "/console"),
        ("a reviewer who is also an agent the inbox", {"agent", "risk_reviewer"}, "/console"),
        ("a customer has no console", set(), None),
    ],
)
def test_the_console_home_is_the_first_page_the_roles_open(
    label: str, roles: set[str], home: str | None
) -> None:
    assert console_home(frozenset(roles)) == home, label


def test_only_front_doors_are_replaced_by_the_console_home() -> None:
    reviewer = frozenset({"risk_reviewer"})
    assert after_sign_in("/", reviewer) == "/console/risk"
    assert after_sign_in("/console", reviewer) == "/console/risk"
    assert after_sign_in("/console/risk/second", reviewer) == "/console/risk/second"
    assert after_sign_in("/wallet", reviewer) == "/wallet"
    assert after_sign_in("/", frozenset()) == "/", "customers go home"


def sign_in_as_staff(
    app: FastAPI, rt: Runtime, login: str, role: str, next_page: str | None
) -> tuple[TestClient, str]:
    """Sign in through the pages (password, then the authenticator code), asking for
    `next_page` (or nothing); returns the browser and the path it landed on."""
    email = f"{login}@walletdesk.example"
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=login,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    browser = TestClient(app, base_url="https://testserver")
    asked = {"next": next_page} if next_page else {}
    step = post_form(browser, "/login", {"login": email, "password": STAFF_PASSWORD, **asked})
    assert "/login/2fa" in str(step.url), step.text
    done = browser.post(
        "/login/2fa",
        data={
            "code": current_totp(rt, created.totp_secret),
            **asked,
            "csrf_token": csrf_token(step.text),
        },
    )
    assert done.status_code == 200, (done.url, done.text)
    remember(browser.cookies.get("wd_session"))
    return browser, done.url.path


@pytest.mark.parametrize(
    ("label", "role", "asked", "landed"),
    [
        ("a reviewer with no page in mind", "risk_reviewer", None, "/console/risk"),
        ("a reviewer sent to the agents' inbox", "risk_reviewer", "/console", "/console/risk"),
        ("a reviewer who asked for a page", "risk_reviewer", "/console/risk/second", None),
        ("an agent with no page in mind", "agent", None, "/console"),
    ],
)
def test_staff_sign_in_lands_on_a_console_page_they_may_open(
    app: FastAPI, rt: Runtime, label: str, role: str, asked: str | None, landed: str | None
) -> None:
    _, path = sign_in_as_staff(app, rt, "liushen", role, asked)
    assert path == (landed or asked), label


def test_a_customer_still_lands_on_the_wallet_home(client: TestClient) -> None:
    answer = signed_up_and_in(client, ZHANG_MING)
    assert answer.url.path == "/"


def test_a_signed_in_reviewer_opening_the_sign_in_page_goes_to_the_risk_queue(
    app: FastAPI, rt: Runtime
) -> None:
    browser, _ = sign_in_as_staff(app, rt, "liushen", "risk_reviewer", None)
    assert browser.get("/login").url.path == "/console/risk"


def test_the_console_frame_names_the_home_and_the_next_case_key_for_reviewers(
    app: FastAPI, rt: Runtime
) -> None:
    reviewer, _ = sign_in_as_staff(app, rt, "liushen", "risk_reviewer", None)
    queue = reviewer.get("/console/risk?lang=en").text
    assert 'data-home="/console/risk"' in queue
    assert "<kbd>x</kbd>" in queue and "Take the next risk case" in queue
    assert "领取下一个风控案件" in reviewer.get("/console/risk?lang=zh-CN").text
    agent, _ = sign_in_as_staff(app, rt, "xiaochen", "agent", None)
    inbox = agent.get("/console?lang=en").text
    assert 'data-home="/console"' in inbox and "<kbd>x</kbd>" not in inbox
