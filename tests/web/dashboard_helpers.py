"""A scripted support day for the dashboard tests, driven through the API with the injected
clock (Monday 23 November 2026, Beijing), and readers for the dashboard's tables."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import beijing, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.access import SupportActor
from walletdesk.support.casework import change_status
from walletdesk.support.csat import ask_solved_cases

DAY_START = beijing("2026-11-23 00:00")
DAY_END = DAY_START + timedelta(days=1)


@dataclass(frozen=True)
class ScriptedDay:
    solved_by_people: str
    solved_by_bot: str
    waiting: str


def _ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 201), response.text
    body: dict = response.json()
    return body


def scripted_day(client: TestClient, rt: Runtime, clock: FrozenClock) -> ScriptedDay:
    """Three chats and a verification on one day:

    - a (张明, 17:00): handed off 17:10, answered by Wang 17:30 (20 min), solved 18:00 (1 h),
      rated 5;
    - b (张明, 17:00): solved by the assistant at 17:05 (5 min);
    - c (李娜, 17:00): handed off 17:20 and still waiting in its queue;
    - a verification of 张明 decided "suspicious" at 18:30.
    """
    clock.set(beijing("2026-11-23 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    wang = staff_member(client, rt, "Wang", "agent")
    clock.set(beijing("2026-11-23 17:00"))
    a = start_chat(client, zhang, "提现没到账")
    b = start_chat(client, zhang, "怎么看账单")
    c = start_chat(client, li, "绑卡失败")
    clock.set(beijing("2026-11-23 17:05"))
    change_status(rt, SupportActor.bot(), b["case"]["id"], "solved")
    clock.set(beijing("2026-11-23 17:10"))
    hand_off(client, zhang, a["conversation_id"])
    case_a = f"/api/v1/staff/cases/{a['case']['id']}"
    _ok(client.post(f"{case_a}/assign", headers=wang.headers, json={"assignee_id": wang.user_id}))
    clock.set(beijing("2026-11-23 17:20"))
    hand_off(client, li, c["conversation_id"])
    clock.set(beijing("2026-11-23 17:30"))
    _ok(client.post(f"{case_a}/messages", headers=wang.headers, json={"text": "正在查"}))
    clock.set(beijing("2026-11-23 18:00"))
    _ok(client.post(f"{case_a}/status", headers=wang.headers, json={"status": "solved"}))
    ask_solved_cases(rt)
    clock.set(beijing("2026-11-23 18:05"))
    _ok(client.post(f"/api/v1/cases/{a['case']['id']}/rating", headers=zhang, json={"score": 5}))
    clock.set(beijing("2026-11-23 18:30"))
    zhang_id = _ok(client.get("/api/v1/me", headers=zhang))["id"]
    opened = _ok(
        client.post(
            "/api/v1/staff/verifications",
            headers=wang.headers,
            json={"user_id": zhang_id, "reason": "large_transaction", "note": "大额转账"},
        )
    )
    decided = _ok(
        client.post(
            f"/api/v1/staff/verifications/{opened['id']}/outcome",
            headers=wang.headers,
            json={"outcome": "suspicious", "note": "回访完成"},
        )
    )
    assert decided["state"] == "suspicious"
    return ScriptedDay(a["case"]["id"], b["case"]["id"], c["case"]["id"])


_SECTION = r'<section class="dash-panel" id="panel-{key}".*?</section>'
_ROW = re.compile(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td>(.*?)</td>", re.S)
_HEAD = re.compile(r"<th scope=\"col\">(.*?)</th>", re.S)


def section(page: str, key: str) -> str:
    found = re.search(_SECTION.format(key=key), page, re.S)
    assert found, f"the dashboard has no {key} panel"
    return found.group(0)


def table_rows(page: str, key: str) -> list[list[str]]:
    """The body rows of a panel's table as text, the row header first."""
    return [
        [html.unescape(head), *(html.unescape(c) for c in _CELL.findall(cells))]
        for head, cells in _ROW.findall(section(page, key))
    ]


def table_columns(page: str, key: str) -> list[str]:
    return [html.unescape(c) for c in _HEAD.findall(section(page, key))]


def as_dict(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in rows}
