"""The knowledge-base editor in a real browser (the system Chromium through Playwright): an
admin signs in with the authenticator code, opens a draft article, edits it as a new draft,
previews it, saves it, publishes it, and a reader finds it in the help centre. The admin
pages are photographed in Chinese and English at 1440 px.

Screenshots go to test-artifacts/screenshots/admin/ (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, sync_playwright

from tests.support import current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: F401
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime
from walletdesk.support import kb

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "admin"
LAPTOP: ViewportSize = {"width": 1440, "height": 900}
LOGIN = "guanli@walletdesk.example"


def _admin(rt: Runtime) -> str:
    created = create_staff(
        rt,
        login_text=LOGIN,
        password=STAFF_PASSWORD,
        display_name="管理员小林",
        roles=["admin"],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    return created.totp_secret


def _draft(rt: Runtime) -> str:
    article, _ = kb.create_article(
        rt,
        Actor.system(),
        slug="card-limit-raise",
        content=kb.ArticleContent(
            category="cards",
            audience=kb.Audience.PUBLIC,
            title_zh="如何提高银行卡限额",
            title_en="Raising your card limit",
            body_zh="请联系发卡银行。",
            body_en="Ask the bank that issued the card.",
        ),
    )
    return article.id


def _sign_in(context: BrowserContext, server: str, rt: Runtime, secret: str) -> Page:
    page = context.new_page()
    page.goto(f"{server}/console/admin")
    page.fill("#login", LOGIN)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("#code", current_totp(rt, secret))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_url(f"{server}/console/admin")
    return page


def test_an_admin_edits_a_draft_publishes_it_and_readers_find_it_in_the_help_centre(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    secret = _admin(rt)
    article_id = _draft(rt)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
            page = _sign_in(context, live_server, rt, secret)
            for language in ("zh-CN", "en"):
                page.goto(f"{live_server}/console/admin?lang={language}")
                page.screenshot(path=str(SHOTS / f"{language}-admin-1440.png"), full_page=True)
            page.goto(f"{live_server}/console/admin?lang=zh-CN")
            page.click(".console-nav a[href='/console/admin']")
            page.click(".admin-sections a[href='/console/admin/kb']")
            page.click("tr[data-article='card-limit-raise'] a")
            page.wait_for_url(f"**/console/admin/kb/{article_id}")
            assert "草稿，未在帮助中心显示" in page.inner_text("[data-state]")

            page.click(f"a[href='/console/admin/kb/{article_id}/edit']")
            page.fill("#title_en", "Raising your card's daily limit")
            page.fill("#body_en", "Ask the bank that issued the card, then **wait one day**.")
            page.fill("#note", "mention the waiting day")
            page.click("button[value=preview]")
            page.wait_for_selector(".kb-preview")
            assert "wait one day" in page.inner_text(".kb-preview strong")
            assert page.input_value("#note") == "mention the waiting day"
            page.screenshot(path=str(SHOTS / "zh-CN-kb-preview-1440.png"), full_page=True)

            page.click("button[value=save]")
            page.wait_for_selector(".flash")
            assert "已保存新的草稿版本" in page.inner_text(".flash")
            page.click("tr[data-kb-version='2'] button[type=submit]")
            page.wait_for_selector(".flash")
            assert "文章已发布到帮助中心" in page.inner_text(".flash")
            assert "已发布版本 2" in page.inner_text("[data-state]")

            page.click("[data-state] a[href='/help/articles/card-limit-raise']")
            page.wait_for_url("**/help/articles/card-limit-raise")
            page.goto(f"{live_server}/help/articles/card-limit-raise?lang=en")
            assert "Raising your card's daily limit" in page.inner_text("main")
            assert "wait one day" in page.inner_text("main strong")

            for language in ("zh-CN", "en"):
                for name in ("staff", "rules", "rules/edit", "kb", "macros", "macros/greet"):
                    page.goto(f"{live_server}/console/admin/{name}?lang={language}")
                    shot = f"{language}-{name.replace('/', '-')}-1440.png"
                    page.screenshot(path=str(SHOTS / shot), full_page=True)

            reader = browser.new_context(viewport={"width": 375, "height": 800}, locale="en")
            visitor = reader.new_page()
            visitor.goto(f"{live_server}/help/search?q=daily+limit&lang=en")
            assert "Raising your card's daily limit" in visitor.inner_text("main")
        finally:
            browser.close()


def test_a_rule_edit_in_the_browser_is_refused_where_wrong_and_diffs_only_what_changed(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
) -> None:
    """The browser sends the text area with CRLF line breaks: the stored file must still
    differ from the one before only in the line that was edited."""
    secret = _admin(rt)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = _sign_in(browser.new_context(viewport=LAPTOP), live_server, rt, secret)
            page.goto(f"{live_server}/console/admin/rules/edit?lang=en")
            typed = page.input_value("#source")
            page.fill("#source", typed.replace("weight: 20", "weight: lots", 1))
            page.fill("#comment", "riskier new accounts")
            page.click("form[action='/console/admin/rules'] button[type=submit]")
            assert "at line 11" in page.inner_text("[data-rule-error]")
            assert "weight: lots" in page.input_value("#source")
            page.screenshot(path=str(SHOTS / "en-rules-refused-1440.png"))

            page.fill("#source", typed.replace("  hold: 50", "  hold: 45", 1))
            page.click("form[action='/console/admin/rules'] button[type=submit]")
            page.wait_for_selector(".flash")
            page.goto(f"{live_server}/console/admin/rules/diff?old=0&new=1")
            assert page.locator(".diff-remove").all_inner_texts() == ["-  hold: 50"]
            assert page.locator(".diff-add").all_inner_texts() == ["+  hold: 45"]
            page.screenshot(path=str(SHOTS / "en-rules-diff-1440.png"), full_page=True)
        finally:
            browser.close()
