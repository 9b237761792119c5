"""Parts of the console case page that no page test covered: inserting a help-centre
article into the reply draft (search, insert, nothing sent), "who is viewing" (the page's
script pings /viewing and learns which colleagues have the case open), and a complaint's
answer deadline turning overdue next to the case history."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token, signed_up_and_in
from tests.web.test_help_complaint_pages import file_complaint
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.kb import article_link
from walletdesk.support.kb_seed import seed_kb

CASE_TEXT = "我忘记登录密码了怎么办"


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def _reply_box(html: str) -> str:
    found = re.search(r'<textarea[^>]*name="body"[^>]*>([^<]*)</textarea>', html)
    assert found, "no reply box"
    return found.group(1)


def test_an_agent_finds_an_article_and_inserts_its_link_into_the_draft_without_sending(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    seed_kb(rt)
    _, case_id = signed_up_with_case(client, ZHANG_MING, CASE_TEXT)
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    page = f"/console/cases/{case_id}"
    shown = agent.get(page + "?lang=en")
    form = {"version": _version(shown.text), "csrf_token": csrf_token(shown.text)}

    found = agent.post(
        f"{page}/reply?lang=en",
        data={**form, "body": "Hello Zhang Ming,", "kb_q": "forgot password", "do": "kb_search"},
    )
    assert found.status_code == 200
    assert "I forgot my password" in found.text
    article_id = re.search(r'name="article" value="([^"]+)"[^>]*data-insert', found.text)
    assert article_id, "no Insert button"
    assert _reply_box(found.text) == "Hello Zhang Ming,"  # the draft is kept while searching

    inserted = agent.post(
        f"{page}/reply?lang=en",
        data={**form, "body": "Hello Zhang Ming,", "article": article_id.group(1)},
    )
    assert inserted.status_code == 200
    draft = _reply_box(inserted.text)
    assert draft.startswith("Hello Zhang Ming,\n\n")
    # The draft goes to the customer, so the article is inserted in their language (zh-CN),
    # not in the agent's English console.
    assert "忘记密码" in draft
    assert article_link(article_id.group(1), "zh-CN") in draft
    # Nothing was sent: the customer's conversation has only what they wrote.
    assert "Hello Zhang Ming," not in agent.get(page).text.split('name="body"')[0]

    nothing = agent.post(
        f"{page}/reply?lang=en",
        data={**form, "body": "", "kb_q": "qwertyuiop", "do": "kb_search"},
    )
    assert "No article matches. Try other words." in nothing.text


def test_colleagues_on_the_same_case_see_each_other_viewing(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, CASE_TEXT)
    xiaochen, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    laozhou, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    page = f"/console/cases/{case_id}"

    first = xiaochen.get(page)
    assert '<span class="viewer">' not in first.text  # nobody else has it open yet
    second = laozhou.get(page)
    assert re.search(r'<span class="viewer">小陈</span>', second.text)

    ping = xiaochen.post(f"{page}/viewing", data={"csrf_token": csrf_token(first.text)})
    assert ping.status_code == 200
    assert ping.headers["cache-control"] == "no-store"
    answer = ping.json()
    assert answer["ttl_seconds"] > 0
    assert {(v["name"], v["me"]) for v in answer["viewers"]} == {("小陈", True), ("老周", False)}

    refused = xiaochen.post(f"{page}/viewing", data={})
    assert refused.status_code in (400, 403)


def test_a_complaint_shows_its_deadline_then_overdue_and_the_history_records_the_take(
    app: FastAPI, rt: Runtime, client: TestClient, clock: FrozenClock
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    reference = file_complaint(client, "提现手续费比页面上写的多收了5元")
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    inbox = agent.get("/console")  # the complaint is the only case
    case_id = re.search(r'href="/console/cases/([^"]+)"', inbox.text)
    assert case_id, inbox.text
    page = f"/console/cases/{case_id.group(1)}"

    shown = agent.get(page + "?lang=en")
    assert reference in shown.text
    assert re.search(r'<p class="deadline">Answer due by [^<]+</p>', shown.text)
    assert "Overdue" not in shown.text
    taken = agent.post(f"{page}/take?lang=en", data={"csrf_token": csrf_token(shown.text)})
    history = taken.text.split('id="history-title"')[1]
    assert "Case opened" in history and "Assignee changed" in history and "小陈" in history

    clock.advance(timedelta(days=60))
    # Staff sessions do not last 60 days: a colleague signs in now.
    senior, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    late = senior.get(page + "?lang=en")
    assert '<p class="deadline overdue">' in late.text and "Overdue" in late.text
    assert '<span class="tag bad">已超期</span>' in senior.get(page + "?lang=zh-CN").text
