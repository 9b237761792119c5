"""Macros in the admin pages against a real database: a saved macro expands in an agent's
reply at once, a shipped one can be changed and retired, refused forms keep what was typed,
and every change is audited."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case
from tests.web.admin_helpers import audit_actions, post_page
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token
from walletdesk.runtime import Runtime

DELAY = {
    "shortcut": "refund_delay",
    "title_zh": "退款延迟",
    "title_en": "Refund delayed",
    "body_zh": "您好{customer_name}，退款将在 3 个工作日内到账。工单号：{case_ref}。",
    "body_en": "Hello {customer_name}, the refund arrives within 3 business days ({case_ref}).",
}


def _expanded(agent: TestClient, case_id: str, text: str) -> str:
    """What the reply box holds after the agent asks to expand `text`."""
    page = f"/console/cases/{case_id}"
    shown = agent.get(page)
    version = re.search(r'name="version" value="(\d+)"', shown.text)
    assert version
    answer = agent.post(
        f"{page}/reply",
        data={
            "body": text,
            "do": "expand",
            "version": version.group(1),
            "csrf_token": csrf_token(shown.text),
        },
    )
    box = re.search(r"<textarea[^>]*data-reply[^>]*>(.*?)</textarea>", answer.text, re.S)
    assert box, answer.text
    return html.unescape(box.group(1))


def test_a_saved_macro_is_usable_at_once_and_retiring_it_stops_it(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, "退款什么时候到账")
    boss, boss_id = console_staff(app, rt, "laowang", "老王", "supervisor")
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    assert "/refund_delay" in _expanded(agent, case_id, "/refund_delay")

    saved = post_page(boss, "/console/admin/macros/new", "/console/admin/macros", DELAY)
    assert saved.status_code == 200 and "快捷回复已保存" in saved.text
    assert 'name="editing" value="refund_delay"' in saved.text
    assert 'data-macro="refund_delay"' in boss.get("/console/admin/macros").text
    text = _expanded(agent, case_id, "/refund_delay")
    assert "退款将在 3 个工作日内到账" in text and case_id in text and "*明" in text

    page = "/console/admin/macros/refund_delay"
    retired = post_page(boss, page, f"{page}/retire", {})
    assert "快捷回复已停用" in retired.text and "已停用" in retired.text
    assert "/refund_delay" in _expanded(agent, case_id, "/refund_delay")

    back = post_page(boss, page, "/console/admin/macros", {**DELAY, "editing": "refund_delay"})
    assert back.status_code == 200
    assert "退款将在 3 个工作日内到账" in _expanded(agent, case_id, "/refund_delay")
    assert audit_actions(rt, "refund_delay") == [
        ("support.macro_saved", boss_id),
        ("support.macro_retired", boss_id),
        ("support.macro_saved", boss_id),
    ]


def test_a_shipped_macro_is_changed_in_place(app: FastAPI, rt: Runtime) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    listed = admin.get("/console/admin/macros?lang=en")
    assert re.search(r'data-macro="greet">.*?As shipped', listed.text, re.S)
    page = "/console/admin/macros/greet"
    editor = admin.get(page)
    assert 'name="editing" value="greet"' in editor.text and 'name="shortcut"' not in editor.text
    changed = post_page(
        admin,
        page,
        "/console/admin/macros",
        {
            "editing": "greet",
            "title_zh": "问候",
            "title_en": "Greeting",
            "body_zh": "您好，我是{agent_name}，请讲。",
            "body_en": "Hello, {agent_name} here. How can I help?",
        },
    )
    assert "您好，我是{agent_name}，请讲。</textarea>" in changed.text
    assert audit_actions(rt, "greet") == [("support.macro_saved", admin_id)]


def test_a_refused_macro_keeps_what_was_typed(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    unknown = post_page(
        admin,
        "/console/admin/macros/new?lang=en",
        "/console/admin/macros",
        {**DELAY, "body_zh": "您的余额是{balance}。"},
    )
    assert unknown.status_code == 422
    assert "Macros can only use the placeholders" in unknown.text
    assert 'id="body_zh-error"' in unknown.text
    assert "您的余额是{balance}。</textarea>" in unknown.text
    assert 'value="refund_delay"' in unknown.text and 'value="退款延迟"' in unknown.text

    bad = post_page(
        admin, "/console/admin/macros/new", "/console/admin/macros", {**DELAY, "shortcut": "No!"}
    )
    assert bad.status_code == 422 and 'id="shortcut-error"' in bad.text
    assert 'data-macro="refund_delay"' not in admin.get("/console/admin/macros").text
    assert audit_actions(rt, "refund_delay") == []


def test_a_new_macro_cannot_take_a_shortcut_already_in_use(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    first = post_page(admin, "/console/admin/macros/new", "/console/admin/macros", DELAY)
    assert first.status_code == 200
    again = post_page(
        admin,
        "/console/admin/macros/new?lang=en",
        "/console/admin/macros",
        {**DELAY, "title_en": "Someone else's refund text"},
    )
    assert again.status_code == 409
    assert "A macro with this shortcut already exists" in again.text
    assert 'id="shortcut-error"' in again.text
    assert "Someone else&#39;s refund text" in again.text, "what was typed is kept"
    kept = admin.get("/console/admin/macros/refund_delay?lang=en")
    assert "Refund delayed" in kept.text and "Someone else" not in kept.text
