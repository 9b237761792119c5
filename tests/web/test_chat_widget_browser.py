"""The chat widget in a real browser (the system Chromium through Playwright, like
test_help_browser): on a 375 px phone screen a signed-in user opens the widget from the wallet
page with the keyboard, sees the "a real agent never asks" notice, types 转人工 and sees the
hand-off notice; Esc closes the panel and gives the focus back to the launcher.

The first test's server has no WebSocket support (uvicorn `ws="none"`), so it shows the widget
working over its REST routes alone; the second serves sockets (and runs the app's lifespan, which
starts the chat hub): in English the user rates the assistant's answer, asks for a person with
the button, and an agent's answer arrives live.
Screenshots go to test-artifacts/screenshots/widget/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright

from tests.bot.conftest import assistant, brain, catalogue, saved_model_dir  # noqa: F401
from tests.support import TOM, ZHANG_MING, Person, remember_person
from tests.support_desk.helpers import staff_member
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, live_server  # noqa: F401
from tests.web.test_wallet_browser import fits_the_screen
from walletdesk.app import create_app
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "widget"


def test_a_user_opens_the_widget_asks_for_a_person_and_sees_the_hand_off(
    live_server: str,  # noqa: F811 - the fixture imported above
    assistant: Runtime,  # noqa: F811
) -> None:
    remember_person(ZHANG_MING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
            registered = context.request.post(
                f"{live_server}/api/v1/auth/register",
                data={
                    "phone": ZHANG_MING.phone,
                    "password": ZHANG_MING.password,
                    "display_name": ZHANG_MING.display_name,
                },
            )
            assert registered.status == 201, registered.text()
            page = context.new_page()
            page.goto(f"{live_server}/login")
            page.fill("#login", ZHANG_MING.login)
            page.fill("#password", ZHANG_MING.password)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{live_server}/")
            page.goto(f"{live_server}/wallet")

            launcher = page.locator("[data-chat-open]")
            panel = page.locator("#chat-panel")
            assert launcher.inner_text().strip() == "在线咨询"
            assert panel.is_hidden()
            launcher.focus()
            page.keyboard.press("Enter")
            panel.wait_for(state="visible")
            assert launcher.get_attribute("aria-expanded") == "true"
            assert page.evaluate("document.activeElement.id") == "chat-text"
            assert (
                "真正的客服绝不会向您索要密码或验证码" in panel.locator(".chat-notice").inner_text()
            )
            page.locator("[data-chat-hours]").filter(has_text="在线").wait_for()
            assert fits_the_screen(page, PHONE["width"]), "the widget scrolls sideways at 375 px"

            page.keyboard.type("转人工")
            page.keyboard.press("Enter")
            handoff = page.locator("[data-chat-handoff]")
            handoff.wait_for(state="visible")
            assert "已为您转接人工客服" in handoff.inner_text()
            assert page.locator(".chat-msg.chat-from-contact").last.inner_text().endswith("转人工")
            assert page.locator(".chat-msg.chat-from-bot").count() >= 2  # the intro and a reply
            assert page.input_value("#chat-text") == ""
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "zh-CN-handoff-375.png"))

            page.keyboard.press("Escape")
            panel.wait_for(state="hidden")
            assert launcher.get_attribute("aria-expanded") == "false"
            assert page.evaluate("document.activeElement.dataset.chatOpen") == ""

            # On another page the same conversation comes back when the widget opens.
            page.goto(f"{live_server}/help")
            page.click("[data-chat-open]")
            page.locator(".chat-msg.chat-from-contact").first.wait_for()
            assert page.locator("[data-chat-handoff]").is_visible()
        finally:
            browser.close()


@pytest.fixture
def socket_server(settings: Settings, rt: Runtime) -> Iterator[str]:
    """Like `live_server`, with WebSockets and the app's lifespan (the chat hub) on."""
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
        app,
        lifespan="on",
        ws="websockets-sansio",
        http="h11",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()


def sign_in(page: Page, server: str, person: Person) -> None:
    registered = page.context.request.post(
        f"{server}/api/v1/auth/register",
        data={
            "email": person.email,
            "password": person.password,
            "display_name": person.display_name,
        },
    )
    assert registered.status == 201, registered.text()
    page.goto(f"{server}/login")
    page.fill("#login", person.login)
    page.fill("#password", person.password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_an_agents_answer_arrives_live_over_the_socket(
    socket_server: str,
    assistant: Runtime,  # noqa: F811
    client: TestClient,
) -> None:
    remember_person(TOM)
    agent = staff_member(client, assistant, "Wang", "agent")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True)
            page = context.new_page()
            sign_in(page, socket_server, TOM)
            page.goto(f"{socket_server}/help?lang=en")
            page.click("[data-chat-open]")
            assert "A real agent never asks for your password or code." in page.inner_text(
                ".chat-notice"
            )
            page.fill("#chat-text", "My withdrawal has not arrived")
            page.click("[data-chat-form] button[type=submit]")
            page.locator(".chat-msg.chat-from-bot:not(.chat-intro)").first.wait_for()
            helpful = page.locator(".chat-thumbs button", has_text="Helpful").first
            helpful.click()
            page.locator(".chat-thanks").filter(has_text="Thank you for your feedback.").wait_for()
            assert helpful.get_attribute("aria-pressed") == "true"
            page.click("[data-chat-human]")
            handoff = page.locator("[data-chat-handoff]")
            handoff.filter(has_text="You are now talking to our support team.").wait_for()
            case_id = page.evaluate(
                "fetch('/chat-widget/conversations/' + "
                "sessionStorage.getItem('wd-chat-conversation'))"
                ".then(r => r.json()).then(b => b.case_id)"
            )
            answered = context.request.post(
                f"{socket_server}/api/v1/staff/cases/{case_id}/messages",
                headers=agent.headers,
                data={"text": "Hello, this is Wang from walletdesk. I am checking it now."},
            )
            assert answered.status == 201, answered.text()
            # No reload and no polling: the socket brings it.
            live = page.locator(".chat-msg.chat-from-agent")
            live.wait_for()
            assert "I am checking it now." in live.inner_text()
            assert "Wang" in live.inner_text()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "en-agent-375.png"))
        finally:
            browser.close()
