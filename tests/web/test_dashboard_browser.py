"""The supervisor dashboard in a real browser (the system Chromium through Playwright): after a
scripted support day (tests/web/dashboard_helpers.py), a supervisor signs in with the
authenticator code, sees the charts drawn, switches the period with a preset and with her own
dates (typing a date ticks "Choose dates" by itself), downloads a table as CSV, and the live
queue table asks the server again when its refresh time comes. The page is photographed in
Chinese and English at 1440 px into build/screenshots/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright

from tests.web.browser_harness import (
    chromium,
    laptop_context,
    new_staff,
    shoot,
    shoot_in_both_languages,
    staff_sign_in,
)
from tests.web.dashboard_helpers import scripted_day
from tests.web.test_browser import live_server  # noqa: F401
from tests.web.test_wallet_browser import fits_the_screen
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

pytestmark = pytest.mark.browser

DASHBOARD = "/console/dashboard"


def _charts_are_drawn(page: Page) -> int:
    """How many charts show with a size and bars or lines in them."""
    charts = page.locator("svg.dash-chart")
    drawn = 0
    for index in range(charts.count()):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").first.text_content(), "a chart says what it shows"
        assert chart.locator("rect, path, polyline, line").count() > 1
        drawn += 1
    return drawn


def test_a_supervisor_reads_the_charts_changes_the_period_and_downloads_a_table(
    live_server: str,  # noqa: F811 - the fixture imported above
    rt: Runtime,
    client: TestClient,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    scripted_day(client, rt, clock)
    supervisor = new_staff(rt, "sunmin", "孙敏", "supervisor")
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        try:
            context = laptop_context(browser)
            page = staff_sign_in(context, live_server, rt, supervisor, home=DASHBOARD)
            assert page.inner_text("h1") == "主管数据看板"
            assert "2026-11-23 至 2026-11-23（北京时间）" in page.inner_text(".dash-range")
            assert _charts_are_drawn(page) >= 4
            assert fits_the_screen(page, 1440)

            # A preset: the last 7 days.
            page.check("input[name=period][value='7d']")
            page.click("form.dash-period button[type=submit]")
            page.wait_for_url("**/console/dashboard?period=7d**")
            assert "2026-11-17 至 2026-11-23" in page.inner_text(".dash-range")
            assert _charts_are_drawn(page) >= 4

            # Her own dates: typing one ticks "Choose dates" (dashboard.js).
            page.fill("#dash-from", "2026-11-20")
            page.fill("#dash-to", "2026-11-23")
            assert page.is_checked("input[name=period][value='custom']")
            page.click("form.dash-period button[type=submit]")
            page.wait_for_url("**period=custom**")
            assert "2026-11-20 至 2026-11-23" in page.inner_text(".dash-range")

            # A table as CSV, in the page's language, with the rows the page shows.
            with page.expect_download() as started:
                page.click("#panel-channels a.csv")
            download = started.value
            assert download.suggested_filename == "walletdesk-channels-2026-11-20-2026-11-23.csv"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            raw = saved.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert rows[0][0] == "渠道"
            assert ["应用内聊天", "4", "2", "20.0", "5.00"] in rows
            shown = page.locator("#panel-channels tbody tr").first.inner_text().split()
            assert shown[:3] == ["应用内聊天", "4", "2"]

            # The live queue table asks the server again when its time comes.
            refresh = int(page.get_attribute("[data-dashboard]", "data-refresh") or "0")
            assert refresh > 0
            page.clock.install()
            page.reload()
            with page.expect_response(f"**{DASHBOARD}/queues.json") as answered:
                page.clock.run_for(refresh * 1000 + 100)
            assert answered.value.status == 200
            assert answered.value.json()["queues"], "the queues come back as figures"

            shoot_in_both_languages(page, live_server, f"{DASHBOARD}?period=7d", "dashboard")
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(f"{live_server}{DASHBOARD}?period=7d&lang=zh-CN")
            assert fits_the_screen(page, 1280)
            page.locator("#panel-queues").evaluate("panel => panel.scrollIntoView()")
            shoot(page, "zh-CN", "dashboard", full_page=False)  # the charts, for the README
        finally:
            browser.close()
