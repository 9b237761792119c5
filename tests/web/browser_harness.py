"""What the browser tests share beyond `live_server` (tests/web/test_browser.py): the system
Chromium, staff who sign in through the pages with their authenticator code, and screenshots.

Screenshots go to build/screenshots/ (ignored by git; `make clean` removes them), named
`<language>-<page>-<width>.png`, e.g. `zh-CN-wallet-home-375.png`. A few chosen ones are
copied by hand to docs/screenshots/ for the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

from tests.support import current_totp, remember
from tests.support_desk.helpers import STAFF_PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime

SCREENSHOTS: Final = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LAPTOP: Final[ViewportSize] = {"width": 1440, "height": 900}
LANGUAGES: Final = ("zh-CN", "en")


def chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; never a downloaded browser."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def phone_context(browser: Browser, locale: str = "zh-CN") -> BrowserContext:
    return browser.new_context(viewport=PHONE, locale=locale, is_mobile=True)


def laptop_context(browser: Browser, locale: str = "zh-CN") -> BrowserContext:
    return browser.new_context(viewport=LAPTOP, locale=locale)


def shoot(page: Page, language: str, name: str, *, full_page: bool = True) -> Path:
    """Save what the page shows now as build/screenshots/<language>-<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{language}-{name}-{width}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def shoot_in_both_languages(page: Page, server: str, path: str, name: str) -> None:
    """Open `path` in each language and photograph it (the page's language is checked first);
    the page is left in Chinese, the default."""
    for language in reversed(LANGUAGES):
        joiner = "&" if "?" in path else "?"
        page.goto(f"{server}{path}{joiner}lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        shoot(page, language, name)


@dataclass(frozen=True)
class StaffLogin:
    login: str
    totp_secret: str
    display_name: str


def new_staff(rt: Runtime, login: str, display_name: str, role: str) -> StaffLogin:
    """A staff account made the way an admin makes one (the service), with its TOTP secret."""
    created = create_staff(
        rt,
        login_text=f"{login}@walletdesk.example",
        password=STAFF_PASSWORD,
        display_name=display_name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    return StaffLogin(f"{login}@walletdesk.example", created.totp_secret, display_name)


def staff_sign_in(
    context: BrowserContext, server: str, rt: Runtime, staff: StaffLogin, home: str = "/console"
) -> Page:
    """Open `home`, get sent to sign in, enter the password and then the authenticator code."""
    page = context.new_page()
    page.goto(f"{server}{home}")
    page.fill("#login", staff.login)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("#code", current_totp(rt, staff.totp_secret))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_url(f"{server}{home}")
    return page
