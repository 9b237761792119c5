"""One real browser: the system Chromium, at a phone's size, through Playwright.

A new user registers, signs in, opens the security centre on a 375×740 screen and freezes
the wallet. The app is served by uvicorn from a background thread on 127.0.0.1; Chromium
treats loopback as a secure context, so the `Secure` session cookie works over plain HTTP.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import ViewportSize, sync_playwright

from tests.support import ZHANG_MING, remember_person
from walletdesk.app import create_app
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 375, "height": 740}

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(settings: Settings, rt: Runtime) -> Iterator[str]:
    if not settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("the browser test runs on the SQLite backend only")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    app = create_app(runtime=rt, background_worker=False)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", ws="none", http="h11", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


def test_a_new_user_freezes_their_wallet_from_a_phone_sized_screen(live_server: str) -> None:
    remember_person(ZHANG_MING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            page = context.new_page()

            page.goto(f"{live_server}/register")
            page.fill("#display_name", ZHANG_MING.display_name)
            page.fill("#phone", ZHANG_MING.phone or "")
            page.fill("#password", ZHANG_MING.password)
            page.click("form[action='/register'] button[type=submit]")
            page.wait_for_url(f"{live_server}/login")
            assert "账户已创建" in page.inner_text(".flash")

            page.fill("#login", ZHANG_MING.login)
            page.fill("#password", ZHANG_MING.password)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{live_server}/")
            assert "张明，您好" in page.inner_text("h1")
            cookies = {cookie["name"]: cookie for cookie in context.cookies()}
            assert cookies["wd_session"]["httpOnly"] and cookies["wd_session"]["secure"]

            page.goto(f"{live_server}/security")
            freeze_button = page.locator("form[action='/security/freeze'] button[type=submit]")
            assert freeze_button.is_visible()
            box = freeze_button.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            page.select_option("#freeze-reason", "lost_phone")
            page.fill("#freeze-note", "手机落在出租车上")
            freeze_button.click()
            page.wait_for_url(f"{live_server}/security#freeze")
            banner = page.locator(".banner.frozen")
            assert banner.is_visible()
            assert "您的钱包已冻结" in banner.inner_text()
            assert page.locator("form[action='/security/unfreeze']").is_visible()
        finally:
            browser.close()
