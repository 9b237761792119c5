"""The admin pages against a real database: who may open them, the index of every admin
section, and staff and roles (create, change roles, deactivate), each change audited.
Risk rules, the knowledge base and macros are in test_admin_{rules,kb,macro}_pages.py."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, remember
from tests.web.admin_helpers import audit_actions, post_page
from tests.web.console_helpers import console_staff
from tests.web.pages import signed_up_and_in
from walletdesk.runtime import Runtime

NEW_PASSWORD = "copper kite meadow 58"
SECTIONS = ("staff", "rules", "kb", "macros")
CONFIG = ("sla", "calendars", "limits", "fees", "fx", "channels")


def test_signed_out_visitors_sign_in_and_customers_are_refused(client: TestClient) -> None:
    away = client.get("/console/admin", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    signed_up_and_in(client, ZHANG_MING)
    refused = client.get("/console/admin?lang=en")
    assert refused.status_code == 403
    assert "This admin page is for walletdesk staff with the right admin role." in refused.text
    for section in SECTIONS:
        assert client.get(f"/console/admin/{section}").status_code == 403, section


def test_agents_are_refused_everywhere_and_see_no_admin_link(app: FastAPI, rt: Runtime) -> None:
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    assert 'href="/console/admin"' not in agent.get("/console").text
    refused = agent.get("/console/admin")
    assert refused.status_code == 403 and "此管理页面仅供具有相应管理角色的员工使用" in refused.text
    for section in SECTIONS:
        assert agent.get(f"/console/admin/{section}").status_code == 403, section
    posted = post_page(
        agent,
        "/console",
        "/console/admin/macros",
        {"shortcut": "sneaky", "title_zh": "偷", "title_en": "x", "body_zh": "x", "body_en": "x"},
    )
    assert posted.status_code == 403
    assert audit_actions(rt, "sneaky") == []


def test_supervisors_get_rules_articles_and_macros_but_not_staff(app: FastAPI, rt: Runtime) -> None:
    boss, _ = console_staff(app, rt, "laowang", "老王", "supervisor")
    assert 'href="/console/admin"' in boss.get("/console").text
    index = boss.get("/console/admin?lang=en")
    assert index.status_code == 200
    for section in ("rules", "kb", "macros"):
        assert f'href="/console/admin/{section}"' in index.text
        assert boss.get(f"/console/admin/{section}").status_code == 200, section
    assert 'href="/console/admin/staff"' not in index.text
    assert boss.get("/console/admin/staff").status_code == 403
    assert boss.get("/console/admin/staff/new").status_code == 403


def test_the_admin_index_links_every_admin_section_in_both_languages(
    app: FastAPI, rt: Runtime
) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    chinese = admin.get("/console/admin")
    assert chinese.status_code == 200
    assert "<h1>管理</h1>" in chinese.text and "员工与角色" in chinese.text
    assert "风控规则" in chinese.text and "知识库" in chinese.text and "快捷回复" in chinese.text
    english = admin.get("/console/admin?lang=en")
    assert "<h1>Administration</h1>" in english.text and "Staff and roles" in english.text
    for section in (*SECTIONS, *CONFIG):
        assert f'href="/console/admin/{section}"' in english.text, section
    assert re.search(r'href="/console/admin" aria-current="page">Administration', english.text)


def _create(admin: TestClient, data: dict[str, str | list[str]], lang: str = "en"):  # type: ignore[no-untyped-def]
    remember(NEW_PASSWORD)
    return post_page(admin, f"/console/admin/staff/new?lang={lang}", "/console/admin/staff", data)


def test_an_admin_creates_a_staff_account_and_sees_its_secret_once(
    app: FastAPI, rt: Runtime
) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    created = _create(
        admin,
        {
            "login": "xiaoli@walletdesk.example",
            "display_name": "小李",
            "password": NEW_PASSWORD,
            "roles": ["agent", "senior_agent"],
        },
    )
    assert created.status_code == 201, created.text
    assert "Staff account created" in created.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', created.text)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", created.text)
    assert secret and len(codes) >= 8
    remember(secret.group(1), *codes)
    user_id = re.search(r'data-created="([^"]+)"', created.text)
    assert user_id
    new_id = user_id.group(1)

    listed = admin.get("/console/admin/staff?lang=en")
    row = re.search(rf'<tr data-staff="{new_id}">(.*?)</tr>', listed.text, re.S)
    assert row and "小李" in row.group(1) and "x***@walletdesk.example" in row.group(1)
    assert "Agent" in row.group(1) and "Senior agent" in row.group(1)
    assert secret.group(1) not in admin.get(f"/console/admin/staff/{new_id}").text
    assert audit_actions(rt, new_id).count(("role.granted", admin_id)) == 2


def test_a_refused_staff_form_keeps_what_was_typed(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    bad_login = _create(
        admin,
        {
            "login": "not a login",
            "display_name": "小李",
            "password": NEW_PASSWORD,
            "roles": ["agent"],
        },
        lang="zh-CN",
    )
    assert bad_login.status_code == 422
    assert 'value="小李"' in bad_login.text and 'value="not a login"' in bad_login.text
    assert 'aria-invalid="true"' in bad_login.text
    assert NEW_PASSWORD not in bad_login.text
    assert re.search(r'value="agent" checked', bad_login.text)

    no_role = _create(
        admin,
        {"login": "xiaoli@walletdesk.example", "display_name": "小李", "password": NEW_PASSWORD},
    )
    assert no_role.status_code == 422
    assert 'id="roles-error"' in no_role.text
    assert 'value="xiaoli@walletdesk.example"' in no_role.text


def test_an_admin_changes_roles_and_deactivates_a_staff_member(app: FastAPI, rt: Runtime) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    agent, agent_id = console_staff(app, rt, "xiaochen", "小陈", "agent")
    page = f"/console/admin/staff/{agent_id}"

    empty = post_page(admin, page + "?lang=en", f"{page}/roles", {})
    assert empty.status_code == 422
    assert "Choose at least one role." in empty.text

    changed = post_page(
        admin, page + "?lang=zh-CN", f"{page}/roles", {"roles": ["senior_agent", "supervisor"]}
    )
    assert changed.status_code == 200 and "角色已更改" in changed.text
    assert re.search(r'value="supervisor" checked', changed.text)
    assert not re.search(r'value="agent" checked', changed.text)
    assert agent.get("/console/admin/macros").status_code == 200  # supervisors manage macros

    gone = post_page(admin, page, f"{page}/deactivate", {})
    assert gone.status_code == 200 and "员工账户已停用" in gone.text
    assert f'data-staff="{agent_id}"' not in gone.text
    assert admin.get(page).status_code == 404
    away = agent.get("/console", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")

    assert audit_actions(rt, agent_id)[-6:] == [
        ("role.granted", admin_id),
        ("role.granted", admin_id),
        ("role.revoked", admin_id),
        ("role.revoked", admin_id),
        ("role.revoked", admin_id),
        ("staff.deactivated", admin_id),
    ]


def test_an_admin_can_neither_deactivate_themselves_nor_drop_their_own_admin_role(
    app: FastAPI, rt: Runtime
) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    page = f"/console/admin/staff/{admin_id}"
    shown = admin.get(page)
    assert f'action="{page}/deactivate"' not in shown.text
    refused = post_page(admin, page + "?lang=en", f"{page}/roles", {"roles": ["supervisor"]})
    assert refused.status_code == 409
    assert "You cannot take away your own admin role; ask another admin." in refused.text
    itself = post_page(admin, page + "?lang=en", f"{page}/deactivate", {})
    assert itself.status_code == 409
    assert "You cannot deactivate your own account." in itself.text
    assert admin.get("/console/admin/staff").status_code == 200
