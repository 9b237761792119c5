"""Risk rule versions in the admin pages against a real database: a refused rule file comes
back as typed with its line and reason, a saved one is in force, the diff shows the change,
a rollback restores the earlier file as a new version, and every change is audited."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.admin_helpers import audit_actions, post_page
from tests.web.console_helpers import console_staff
from tests.web.pages import csrf_token
from walletdesk.risk.ruleset import default_rules_source
from walletdesk.runtime import Runtime

EDIT = "/console/admin/rules/edit"


def _textarea(page: str) -> str:
    found = re.search(r'<textarea id="source"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "the page has no rule editor"
    return html.unescape(found.group(1))


def _save(admin: TestClient, source: str, comment: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return post_page(
        admin, f"{EDIT}?lang={lang}", "/console/admin/rules", {"source": source, "comment": comment}
    )


def test_the_editor_starts_from_the_rules_in_force(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    listed = admin.get("/console/admin/rules")
    assert listed.status_code == 200
    assert re.search(r'data-rule-version="0">.*?生效中', listed.text, re.S)
    assert _textarea(admin.get(EDIT).text) == default_rules_source()


def test_an_invalid_rule_file_is_refused_and_kept_as_typed(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    broken = default_rules_source().replace("weight: 20", "weight: lots", 1)
    refused = _save(admin, broken, "make new accounts riskier")
    assert refused.status_code == 422
    assert "The rule file was refused at line" in refused.text
    assert "data-rule-error" in refused.text
    assert _textarea(refused.text) == broken
    assert 'value="make new accounts riskier"' in refused.text

    no_reason = _save(admin, default_rules_source(), "   ", lang="zh-CN")
    assert no_reason.status_code == 422
    assert 'id="comment-error"' in no_reason.text
    assert _textarea(no_reason.text) == default_rules_source()

    unchanged_version = default_rules_source().replace("weight: 20", "weight: 25", 1)
    same_number = _save(admin, unchanged_version, "heavier")
    assert same_number.status_code == 422
    assert (
        "new_receiving_account" in same_number.text
        and "version must be above 1" in same_number.text
    )
    assert [
        v for v in re.findall(r'data-rule-version="(\d+)"', admin.get("/console/admin/rules").text)
    ] == ["0"]


def test_a_saved_change_is_in_force_the_diff_shows_it_and_a_rollback_restores(
    app: FastAPI, rt: Runtime
) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    stricter = default_rules_source().replace("  hold: 50", "  hold: 45", 1)
    saved = _save(admin, stricter, "hold more transfers")
    assert saved.status_code == 200, saved.text
    assert "The new rule set version is in force." in saved.text
    assert re.search(r'data-rule-version="1">.*?In force', saved.text, re.S)

    diff = admin.get("/console/admin/rules/diff?old=0&new=1&lang=zh-CN")
    assert diff.status_code == 200
    assert "拦截和冻结阈值有变化" in diff.text
    assert '<span class="diff-remove">-  hold: 50</span>' in diff.text
    assert '<span class="diff-add">+  hold: 45</span>' in diff.text
    assert admin.get("/console/admin/rules/diff?old=zero&new=1").status_code == 422

    version_zero = "/console/admin/rules/versions/0"
    rolled = post_page(
        admin, version_zero + "?lang=en", f"{version_zero}/rollback", {"comment": "too many holds"}
    )
    assert rolled.status_code == 200
    assert "The earlier rules are in force again, as a new version." in rolled.text
    assert re.search(r'data-rule-version="2">.*?In force.*?restores version 0', rolled.text, re.S)
    shown = admin.get("/console/admin/rules/versions/2")
    assert html.unescape(shown.text).count("  hold: 50") == 1
    assert "  hold: 45" not in html.unescape(shown.text)
    back = admin.get("/console/admin/rules/diff?old=1&new=2")
    assert '<span class="diff-add">+  hold: 50</span>' in back.text

    assert audit_actions(rt, "1") == [("risk.rules.saved", admin_id)]
    assert audit_actions(rt, "2") == [("risk.rules.rolled_back", admin_id)]


def test_a_rollback_needs_a_reason(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    page = "/console/admin/rules/versions/0"
    _save(admin, default_rules_source().replace("  hold: 50", "  hold: 45", 1), "stricter")
    refused = post_page(admin, page + "?lang=en", f"{page}/rollback", {"comment": ""})
    assert refused.status_code == 422
    assert "Say in a few words why the rules change" in refused.text
    assert admin.get("/console/admin/rules/versions/2").status_code == 404


def test_an_editor_opened_before_a_colleagues_save_is_refused_and_keeps_the_text(
    app: FastAPI, rt: Runtime
) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    boss, _ = console_staff(app, rt, "laowang", "老王", "supervisor")
    opened = admin.get(f"{EDIT}?lang=en")
    assert 'name="based_on" value="0"' in opened.text
    theirs = _save(boss, default_rules_source().replace("  hold: 50", "  hold: 45", 1), "hold")
    assert theirs.status_code == 200
    mine = default_rules_source().replace("  hold: 50", "  hold: 55", 1)
    refused = admin.post(
        "/console/admin/rules",
        data={
            "source": mine,
            "comment": "hold less",
            "based_on": "0",
            "csrf_token": csrf_token(opened.text),
        },
    )
    assert refused.status_code == 409
    assert "Someone else changed the rules just now." in refused.text
    assert _textarea(refused.text) == mine
    assert re.findall(r'data-rule-version="(\d+)"', admin.get("/console/admin/rules").text) == [
        "1",
        "0",
    ]


def test_a_file_sent_with_browser_line_breaks_differs_only_where_it_was_changed(
    app: FastAPI, rt: Runtime
) -> None:
    """Browsers send a text area's lines with CRLF; the stored file keeps the file's LF."""
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    typed = default_rules_source().replace("  hold: 50", "  hold: 45", 1).replace("\n", "\r\n")
    assert _save(admin, typed, "stricter").status_code == 200
    diff = admin.get("/console/admin/rules/diff?old=0&new=1")
    assert diff.text.count('<span class="diff-remove">') == 1
    assert diff.text.count('<span class="diff-add">') == 1
    assert "\r" not in html.unescape(admin.get("/console/admin/rules/versions/1").text)
