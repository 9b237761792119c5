"""The dashboard's period (presets, chosen days and their edges, refusals with the reason
beside the field) and the CSV export of each table (headers, BOM, same rows as the page)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.console_helpers import console_staff
from tests.web.dashboard_helpers import scripted_day, table_columns, table_rows
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.web.dashboard_view import TABLE_KEYS

PAGE = "/console/dashboard"


@pytest.fixture
def sun(app: FastAPI, rt: Runtime) -> TestClient:
    """老孙, a supervisor, signed in on Monday 23 November 2026 at 17:00 Beijing time."""
    browser, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    return browser


@pytest.mark.parametrize(
    ("label", "query", "shown"),
    [
        ("today", "period=today", "From 2026-11-23 to 2026-11-23"),
        ("a week", "period=7d", "From 2026-11-17 to 2026-11-23"),
        ("a month", "period=30d", "From 2026-10-25 to 2026-11-23"),
        ("no choice is today", "", "From 2026-11-23 to 2026-11-23"),
        ("one chosen day", "period=custom&from=2026-11-01&to=2026-11-01", "From 2026-11-01 to"),
        ("starts today", "period=custom&from=2026-11-23&to=2026-11-30", "to 2026-11-30"),
        (
            "the longest period",
            "period=custom&from=2026-08-24&to=2026-11-23",
            "From 2026-08-24 to 2026-11-23",
        ),
    ],
)
def test_a_period_that_can_be_read_is_shown(
    sun: TestClient, label: str, query: str, shown: str
) -> None:
    page = sun.get(f"{PAGE}?{query}&lang=en")
    assert page.status_code == 200, label
    assert shown in page.text, label


@pytest.mark.parametrize(
    ("label", "query", "field", "message"),
    [
        (
            "backwards",
            "from=2026-11-20&to=2026-11-19",
            "to",
            "The end date must be on or after the start date.",
        ),
        (
            "not a date",
            "from=2026-13-01&to=2026-11-19",
            "from",
            "This is not a date. Write it as year-month-day, for example 2026-11-01.",
        ),
        ("no start", "from=&to=2026-11-19", "from", "Enter a date, for example 2026-11-01."),
        ("no end", "from=2026-11-19", "to", "Enter a date, for example 2026-11-01."),
        (
            "starts tomorrow",
            "from=2026-11-24&to=2026-11-25",
            "from",
            "The start date cannot be in the future.",
        ),
        ("a day too long", "from=2026-08-23&to=2026-11-23", "to", "Choose at most 92 days."),
    ],
)
def test_a_chosen_period_that_cannot_be_used_is_refused_beside_its_field(
    sun: TestClient, label: str, query: str, field: str, message: str
) -> None:
    page = sun.get(f"{PAGE}?period=custom&{query}&lang=en")
    assert page.status_code == 422, label
    assert f'<p class="error" id="{field}-error">{message}</p>' in page.text, label
    assert f'id="dash-{field}"' in page.text and 'aria-invalid="true"' in page.text
    assert 'id="panel-' not in page.text, "no figures for a period that was refused"
    if label == "not a date":
        assert 'value="2026-13-01"' in page.text, "what was typed is kept"


def test_an_unknown_preset_is_refused_in_chinese_by_default(sun: TestClient) -> None:
    page = sun.get(f"{PAGE}?period=yesterday")
    assert page.status_code == 422
    assert "请选择今天、最近 7 天、最近 30 天或自选日期。" in page.text


def test_a_period_that_has_turned_into_the_past_still_counts_whole_beijing_days(
    sun: TestClient, clock: FrozenClock
) -> None:
    clock.advance(timedelta(hours=7))  # 00:00 on Tuesday in Beijing: a new day
    assert "From 2026-11-24 to 2026-11-24" in sun.get(f"{PAGE}?period=today&lang=en").text
    clock.advance(timedelta(seconds=-1))
    assert "From 2026-11-23 to 2026-11-23" in sun.get(f"{PAGE}?period=today&lang=en").text


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_table_exports_as_csv_with_the_rows_of_the_page(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    page = sun.get(f"{PAGE}?period=7d").text
    for key in TABLE_KEYS:
        assert f'href="/console/dashboard/export/{key}.csv?period=7d"' in page
        exported = sun.get(f"/console/dashboard/export/{key}.csv?period=7d")
        assert exported.status_code == 200, key
        assert exported.headers["content-type"] == "text/csv; charset=utf-8"
        assert exported.headers["content-disposition"] == (
            f'attachment; filename="walletdesk-{key}-2026-11-17-2026-11-23.csv"'
        )
        assert exported.content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM for Chinese"
        assert exported.content.count(b"\xef\xbb\xbf") == 1
        rows = _csv(exported)
        assert rows[0] == table_columns(page, key), key
        assert rows[1:] == table_rows(page, key), key


def test_the_csv_is_in_the_readers_language_and_chinese_survives(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    scripted_day(client, rt, clock)
    sun, _ = console_staff(app, rt, "laosun", "老孙", "supervisor")
    query = "period=custom&from=2026-11-23&to=2026-11-23"
    chinese = _csv(sun.get(f"/console/dashboard/export/channels.csv?{query}"))
    assert chinese == [
        ["渠道", "新建", "已解决", "首次响应平均（分钟）", "满意度平均分（1–5）"],
        ["应用内聊天", "4", "2", "20.0", "5.00"],
    ]
    english = _csv(sun.get(f"/console/dashboard/export/verification.csv?{query}&lang=en"))
    assert english == [["Outcome", "Count"], ["Suspicious", "1"]]
    raw = sun.get(f"/console/dashboard/export/verification.csv?{query}&lang=en").content
    assert raw.endswith(b"\r\n") and b"\r\nSuspicious,1\r\n" in raw


def test_an_export_of_no_table_or_of_a_bad_period_is_refused(sun: TestClient) -> None:
    missing = sun.get("/console/dashboard/export/salaries.csv?lang=en")
    assert missing.status_code == 404 and "There is no such table to export." in missing.text
    backwards = sun.get(
        "/console/dashboard/export/sla.csv?period=custom&from=2026-11-20&to=2026-11-19&lang=en"
    )
    assert backwards.status_code == 422
    assert "The end date must be on or after the start date." in backwards.text
