"""Every page a person can reach by clicking renders, in Chinese and in English, for every role.

The crawler (tests/web/crawler.py) starts at each role's home page and follows every
same-origin link (GET only; never signing out), visiting each page once per language. It fails
on any server error and on any untranslated message showing on a page (see the crawler's
docstring for how that is recognised). Pages are found by following links, never from a list:
a new page is crawled as soon as some page links to it.

The data is the demo seed (`walletdesk seed --demo`: four wallets with three months of history,
one staff member per role, the help centre's articles) plus what makes more pages appear: a
customer's chat handed to a person, a complaint, a verification call and a held transfer."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import current_totp, remember
from tests.support_desk.helpers import hand_off, start_chat
from tests.web.crawler import Crawl, crawl, family, page_key, problems_in
from tests.web.pages import csrf_token, post_form
from tests.web.test_help_complaint_pages import file_complaint
from walletdesk.demo import DEMO_PASSWORD, DEMO_STAFF, DEMO_USERS, seed_demo
from walletdesk.identity.permissions import Role
from walletdesk.identity.staff import find_user_id
from walletdesk.runtime import Runtime
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.verification import open_verification, schedule_call
from walletdesk.support.verification_models import Reason

LOCALES = ("zh-CN", "en")
ZHANG = DEMO_USERS[0]
TOM = DEMO_USERS[2]
HOME = {
    "anonymous": "/",
    "user": "/",
    "agent": "/console",
    "senior_agent": "/console",
    "risk_reviewer": "/console/risk",
    "supervisor": "/console/dashboard",
    "admin": "/console",
}
"""Where each role starts: the landing page, the account home, the agents' inbox (the admin's
too: administration is linked from it), the supervisors' dashboard, the risk reviewers'
queue."""


def _browser(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def _user(app: FastAPI, login: str) -> TestClient:
    browser = _browser(app)
    signed = post_form(browser, "/login", {"login": login, "password": DEMO_PASSWORD})
    assert signed.status_code == 200 and browser.cookies.get("wd_session"), signed.text
    remember(browser.cookies.get("wd_session"))
    return browser


def _staff(app: FastAPI, rt: Runtime, email: str, secret: str, home: str) -> TestClient:
    browser = _browser(app)
    step = post_form(browser, "/login", {"login": email, "password": DEMO_PASSWORD, "next": home})
    assert "/login/2fa" in str(step.url), step.text
    done = browser.post(
        "/login/2fa",
        data={
            "code": current_totp(rt, secret),
            "next": home,
            "csrf_token": csrf_token(step.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == home, done.text
    remember(browser.cookies.get("wd_session"))
    return browser


def _bearer(client: TestClient, login: str) -> dict[str, str]:
    signed = client.post("/api/v1/auth/login", json={"login": login, "password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.text
    remember(signed.json()["access_token"])
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


def _more_pages(app: FastAPI, rt: Runtime, zhang: TestClient) -> None:
    """A chat handed to a person, a complaint, a verification with a call, a held transfer."""
    with _browser(app) as api:
        headers = _bearer(api, ZHANG.phone or "")
        started = start_chat(api, headers, "我的提现三天了还没到账")
        hand_off(api, headers, started["conversation_id"])
        balance = api.get("/api/v1/wallets", headers=headers).json()["wallets"]
        cny = next(wallet for wallet in balance if wallet["currency"] == "CNY")
        drained = api.post(  # nearly the whole balance at once: the risk engine holds it
            "/api/v1/transfers",
            headers=headers | {"Idempotency-Key": "crawler-drain"},
            json={"to": TOM.email, "amount": cny["available"], "currency": "CNY"},
        )
        assert drained.status_code == 202, drained.text
    file_complaint(zhang, "提现手续费和页面上写的不一样")
    agent_id = find_user_id(rt, DEMO_STAFF[0].email)
    assert agent_id
    agent = SupportActor(ActorKind.AGENT, agent_id, roles=frozenset({Role.AGENT.value}))
    zhang_id = find_user_id(rt, ZHANG.phone or "")
    assert zhang_id
    opened = open_verification(rt, agent, user_id=zhang_id, reason=Reason.LARGE_TRANSACTION)
    schedule_call(rt, agent, opened.id)


def _report(crawls: dict[str, Crawl]) -> str:
    """Each problem once, with the crawls (role and language) that met it."""
    seen: dict[str, list[str]] = {}
    for name, found in crawls.items():
        for problem in found.problems:
            seen.setdefault(problem, []).append(name.split()[0])
    return "\n".join(f"{problem}  ({', '.join(roles)})" for problem, roles in seen.items())


def test_every_linked_page_renders_translated_for_every_role(app: FastAPI, rt: Runtime) -> None:
    seed_demo(rt)
    browsers = {"anonymous": _browser(app), "user": _user(app, ZHANG.phone or "")}
    _more_pages(app, rt, browsers["user"])
    for member in DEMO_STAFF:
        browsers[member.role] = _staff(app, rt, member.email, member.totp_secret, HOME[member.role])
    crawls: dict[str, Crawl] = {}
    for role, browser in browsers.items():
        for locale in LOCALES:
            crawls[f"{role} {locale}"] = crawl(browser, HOME[role], locale)
        browser.close()
    assert not _report(crawls), "\n" + _report(crawls)
    # The crawl really went places: each role reached its own part of the site.
    visited = {name: set(found.visited) for name, found in crawls.items()}
    assert {"/help", "/login", "/register"} <= visited["anonymous zh-CN"]
    assert {"/wallet", "/wallet/transactions", "/security", "/help/complaints"} <= visited[
        "user en"
    ]
    user = visited["user zh-CN"]
    assert any(path.startswith("/wallet/transfer/held/") for path in user), "the held one"
    assert any(path.startswith("/help/complaints/TS-") for path in user), "the complaint"
    assert any(path.startswith("/console/cases/") for path in visited["agent zh-CN"])
    assert "/console/approvals" in visited["senior_agent zh-CN"]
    supervisor = visited["supervisor en"]
    assert {"/console/dashboard", "/console"} <= supervisor
    assert any(path.startswith("/console/dashboard/export/") for path in supervisor), "CSV"
    assert "/console/risk" in visited["risk_reviewer zh-CN"]
    assert any(path.startswith("/console/admin") for path in visited["admin en"])
    for name, pages in visited.items():
        assert len(pages) >= 5, f"{name} reached only {sorted(pages)}"


# The crawler's eyes, on pages written for the purpose ----------------------------------------


def _page(body: str, lang: str = "zh-CN") -> str:
    return f'<!doctype html><html lang="{lang}"><body><main>{body}</main></body></html>'


@pytest.mark.parametrize(
    ("label", "body", "locale", "found"),
    [
        ("an English msgid", "<p>Freeze the wallet now</p>", "zh-CN", "English text"),
        ("in a button's label", '<input type="submit" value="Send reply">', "zh-CN", "English"),
        ("in a tooltip", '<a title="Download as CSV" href="/x">下载</a>', "zh-CN", "English"),
        ("a Python placeholder", "<p>预计 {time} 前完成</p>", "en", "placeholder"),
        ("a template placeholder", "<p>Hello, %(name)s</p>", "en", "placeholder"),
        ("an event code", "<li><strong>csat.rated</strong> v3</li>", "en", "bare code"),
        ("a status code", "<span class='tag'>pending_customer</span>", "zh-CN", "bare code"),
        ("the wrong language", '<p lang="zh-CN">钱包</p>', "en", '<html lang="zh-CN">'),
    ],
)
def test_the_crawler_sees_an_untranslated_message(
    label: str, body: str, locale: str, found: str
) -> None:
    page_language = "zh-CN" if label == "the wrong language" else locale
    problems, _ = problems_in(_page(body, page_language), locale)
    assert any(found in problem for problem in problems), (label, problems)


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("Chinese", "<p>立即冻结钱包</p>"),
        ("a name and a brand", "<p>Tom Baker · 喜茶 HEYTEA · English</p>"),
        ("a rule file", "<pre>reasons:\n  en: Money sent within 24 hours</pre>"),
        ("a placeholder shown as code", "<p>可用占位符：<code>{customer_name}</code></p>"),
        (
            "an English passage marked so",
            '<blockquote lang="en">Freeze the wallet now</blockquote>',
        ),
        ("a draft being edited", "<textarea>Freeze the wallet now</textarea>"),
        ("an email address", "<dd>zhang.ming@example.com</dd><dd>agent@walletdesk.example</dd>"),
    ],
)
def test_the_crawler_lets_a_translated_page_pass(label: str, body: str) -> None:
    problems, _ = problems_in(_page(body), "zh-CN")
    assert problems == [], label


def test_the_crawler_follows_same_origin_links_once_and_never_signs_out() -> None:
    base = "https://testserver/wallet"
    assert (
        page_key("/wallet/bills?month=2026-10&lang=en#top", base) == "/wallet/bills?month=2026-10"
    )
    assert page_key("https://example.com/x", base) is None
    assert page_key("mailto:help@walletdesk.example", base) is None
    assert page_key("/logout", base) is None
    assert page_key("/static/site.css", base) is None
    assert family("/wallet/bills?month=2026-10") == family("/wallet/bills?month=2026-09")
    assert family("/wallet/bills") != family("/wallet/bills?month=2026-09")
