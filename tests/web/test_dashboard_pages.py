"""The supervisor dashboard against a real database: the figures it shows are the metrics
services' for the chosen period, live queues come from the routing board, only supervisors
and admins may open it, and both languages are complete."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING
from tests.web.console_helpers import console_staff
from tests.web.dashboard_helpers import (
    DAY_END,
    DAY_START,
    as_dict,
    scripted_day,
    section,
    table_rows,
)
from tests.web.pages import signed_up_and_in
from walletdesk.bot.metrics import bot_metrics
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.metrics import support_metrics
from walletdesk.support.routing_admin import queue_board
from walletdesk.web.dashboard_tables import minutes, percent
from walletdesk.web.dashboard_view import TABLE_KEYS, intent_name

TODAY_EN = "/console/dashboard?period=today&lang=en"


def test_the_figures_shown_are_those_of_the_metrics_services_for_the_day(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    day = scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    clock.set(DAY_START.replace(hour=20))
    page = sun.get(TODAY_EN)
    assert page.status_code == 200, page.text
    expected = support_metrics(rt, start=DAY_START, end=DAY_END)
    bot = bot_metrics(rt, start=DAY_START, end=DAY_END)
    totals = expected.totals

    overview = as_dict(table_rows(page.text, "overview"))
    assert overview["Cases opened"] == [str(totals.created)] == ["4"]  # three chats, one check
    assert overview["Cases solved"] == [str(totals.solved)] == ["2"]
    assert overview["First response, average (min)"] == ["20.0"]  # Wang answered a in 20 min
    assert overview["Resolution, average (min)"] == [minutes(totals.resolution.average_seconds)]
    assert overview["Resolution, average (min)"] == ["32.5"]  # 60 min (a) and 5 min (b)
    assert overview["CSAT average (1–5)"] == ["5.00"]
    assert overview["Bot containment"] == [percent(bot.totals.containment_rate)]
    assert overview["Cases open with people now"] == [str(expected.backlog.total)]

    sla = as_dict(table_rows(page.text, "sla"))
    # One row per target the service measured, each with the service's figures.
    sla_names = {"first_response": "First response", "resolution": "Resolution"}
    assert sla and set(sla) == {sla_names.get(kind, kind) for kind in totals.sla}
    for kind, figures in totals.sla.items():
        assert sla[sla_names.get(kind, kind)] == [
            str(figures.on_time),
            str(figures.late),
            percent(figures.attainment),
        ]

    # The verification's case is filed under chat too.
    assert as_dict(table_rows(page.text, "channels"))["In-app chat"] == [
        "4",
        "2",
        "20.0",
        "5.00",
    ]
    bot_rows = as_dict(table_rows(page.text, "bot"))
    assert len(bot_rows) == len(bot.by_intent) and bot.totals.cases == 3
    for intent, found in bot.by_intent.items():
        assert bot_rows[intent_name(intent, "en")] == [
            str(found.cases),
            str(found.contained),
            str(found.handed_off),
            percent(found.containment_rate),
        ]
    assert as_dict(table_rows(page.text, "verification")) == {"Suspicious": ["1"]}

    board = {s.queue.name_en: s for s in queue_board(rt)}
    live = as_dict(table_rows(page.text, "queues"))
    assert {name: row[0] for name, row in live.items()} == {
        name: str(s.waiting) for name, s in board.items()
    }
    # c (handed off at 17:20) and the verification's case (18:30) wait for people.
    assert sum(int(row[0]) for row in live.values()) == 2, f"case {day.waiting} waits"
    for name, stats in board.items():
        if stats.oldest_waiting_since is None:
            assert live[name][2] == "—"
        else:
            waited = (DAY_START.replace(hour=20) - stats.oldest_waiting_since).total_seconds()
            assert live[name][2] == str(int(waited // 60))
    assert "160" in [row[2] for row in live.values()], "c has waited since 17:20; it is 20:00"


def test_the_charts_are_svg_with_labelled_bars_and_an_accessible_title(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    page = sun.get(TODAY_EN).text

    channels = section(page, "channels")
    assert '<svg class="dash-chart"' in channels and 'role="img"' in channels
    assert re.search(r'<title id="chart-channels-title">Cases opened per channel</title>', channels)
    assert re.search(r"<desc id=\"chart-channels-desc\">", channels)
    assert re.search(r'class="bar-label"[^>]*>In-app chat</text>', channels)
    assert re.search(r'class="bar-value"[^>]*>4</text>', channels)
    assert "<title>In-app chat: 4</title>" in channels
    assert '<text class="axis-title"' in channels and ">Cases opened</text>" in channels

    verification = section(page, "verification")
    assert re.search(r'class="bar-label"[^>]*>Suspicious</text>', verification)
    volume = section(page, "volume")
    assert "<title>11-23: 4</title>" in volume and "<polyline" in volume
    sla = section(page, "sla")
    assert re.search(r'class="tick"[^>]*>100</text>', sla), "shares are drawn against 100%"
    assert "<script" not in page.split("<script src=")[0], "no inline script"
    assert 'style="' not in page and "<style" not in page


def test_the_dashboard_speaks_chinese_by_default_and_has_no_untranslated_texts(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    chinese = sun.get("/console/dashboard").text
    assert "主管数据看板" in chinese and "应用内聊天" in chinese and "可疑" in chinese
    assert "核实结果" in chinese and "下载 CSV" in chinese
    english = sun.get(TODAY_EN).text
    for page in (chinese, english):
        assert not re.search(r"%\(\w+\)s|\{\w+\}", page), "a placeholder was left unfilled"
    english_words = re.compile(
        r">\s*(Queues now|Overview|Cases opened|SLA attainment|Volume by channel|Intent|"
        r"Verification outcomes|Download as CSV|Period|Show|Not understood)\s*<"
    )
    assert english_words.search(english)
    assert not english_words.search(chinese), english_words.findall(chinese)
    for key in TABLE_KEYS:
        assert f'id="panel-{key}"' in chinese and f'id="panel-{key}"' in english


@pytest.mark.parametrize("role", ["agent", "senior_agent"])
def test_staff_who_do_not_supervise_are_refused(app: FastAPI, rt: Runtime, role: str) -> None:
    browser, _ = console_staff(app, rt, "xiaochen", "小陈", role)
    refused = browser.get(TODAY_EN)
    assert refused.status_code == 403
    assert "The dashboard is for support supervisors and administrators." in refused.text
    assert browser.get("/console/dashboard/queues.json").status_code == 403
    assert browser.get("/console/dashboard/export/sla.csv").status_code == 403


def test_customers_are_refused_and_signed_out_visitors_are_sent_to_sign_in(
    client: TestClient,
) -> None:
    away = client.get("/console/dashboard", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    signed_up_and_in(client, ZHANG_MING)
    refused = client.get("/console/dashboard")
    assert refused.status_code == 403 and "数据看板仅供客服主管和管理员使用。" in refused.text
    assert client.get("/console/dashboard/export/queues.csv").status_code == 403


def test_an_admin_may_open_the_dashboard(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "laozhao", "老赵", "admin")
    assert admin.get(TODAY_EN).status_code == 200


def test_the_live_queue_board_the_page_polls(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    clock.set(DAY_START.replace(hour=18, minute=50))
    found = sun.get("/console/dashboard/queues.json?lang=en")
    assert found.status_code == 200 and found.headers["cache-control"] == "no-store"
    board = found.json()
    assert board["status"] == "Updated at 18:50:00; refreshes every 30 seconds."
    expected = {s.queue.id: s.waiting for s in queue_board(rt)}
    assert {q["id"]: q["waiting"] for q in board["queues"]} == expected
    waiting = [q for q in board["queues"] if q["waiting"]]
    assert sum(q["waiting"] for q in waiting) == 2
    assert max(q["oldest_wait_minutes"] for q in waiting) == 90, "c waits since 17:20"
    assert all(q["oldest_wait_minutes"] is None for q in board["queues"] if not q["waiting"])
    page = sun.get("/console/dashboard").text
    assert 'data-refresh="30"' in page and '<script src="/static/dashboard.js" defer>' in page
    assert sun.get("/static/dashboard.js").status_code == 200
