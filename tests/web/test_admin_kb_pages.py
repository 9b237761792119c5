"""The knowledge-base editor in the admin pages against a real database: a new article is a
draft the help centre does not show; publishing shows it; an edit is a new draft that
readers do not see until it is published; preview saves nothing; refused forms keep what was
typed; every change is audited."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.admin_helpers import audit_actions, post_page
from tests.web.console_helpers import console_staff
from walletdesk.runtime import Runtime

ARTICLE = {
    "slug": "wallet-pin-tips",
    "category": "security",
    "audience": "public",
    "title_zh": "如何设置安全的支付密码",
    "title_en": "Choosing a safe payment PIN",
    "body_zh": "不要使用**生日**作为密码。",
    "body_en": "Never use your **birthday** as your PIN.",
    "keywords_zh": "密码 生日",
    "keywords_en": "pin birthday",
    "note": "first draft",
}


def _create(admin: TestClient, data: dict[str, str], lang: str = "en"):  # type: ignore[no-untyped-def]
    return post_page(admin, f"/console/admin/kb/new?lang={lang}", "/console/admin/kb", data)


def _article_id(page: str) -> str:
    found = re.search(r'action="/console/admin/kb/(kb_[^/"]+)/', page)
    assert found, "not an article page"
    return found.group(1)


def test_a_draft_is_published_to_the_help_centre_and_taken_off_again(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    created = _create(admin, ARTICLE, lang="zh-CN")
    assert created.status_code == 200, created.text
    assert "文章已创建为草稿" in created.text and "草稿，未在帮助中心显示" in created.text
    article_id = _article_id(created.text)
    assert client.get("/help/articles/wallet-pin-tips").status_code == 404
    assert 'data-article="wallet-pin-tips"' in admin.get("/console/admin/kb").text

    page = f"/console/admin/kb/{article_id}"
    published = post_page(admin, page, f"{page}/publish", {"version": "1"})
    assert "文章已发布到帮助中心" in published.text
    reader = client.get("/help/articles/wallet-pin-tips?lang=zh-CN")
    assert reader.status_code == 200
    assert "如何设置安全的支付密码" in reader.text and "<strong>生日</strong>" in reader.text
    assert (
        "Choosing a safe payment PIN" in client.get("/help/articles/wallet-pin-tips?lang=en").text
    )

    gone = post_page(admin, page, f"{page}/unpublish", {})
    assert "文章已从帮助中心下线" in gone.text
    assert client.get("/help/articles/wallet-pin-tips").status_code == 404
    assert audit_actions(rt, article_id) == [
        ("kb.article_created", admin_id),
        ("kb.published", admin_id),
        ("kb.unpublished", admin_id),
    ]


def test_an_edit_is_a_new_draft_readers_see_only_once_it_is_published(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    admin, admin_id = console_staff(app, rt, "guanli", "管理员小林", "admin")
    article_id = _article_id(_create(admin, ARTICLE).text)
    page = f"/console/admin/kb/{article_id}"
    post_page(admin, page, f"{page}/publish", {"version": "1"})

    editor = admin.get(f"{page}/edit")
    assert "Never use your **birthday** as your PIN." in editor.text
    changed = {k: v for k, v in ARTICLE.items() if k != "slug"}
    changed["body_en"] = "Never use your **birthday** or your phone number as your PIN."
    changed["note"] = "phone numbers too"
    saved = post_page(admin, f"{page}/edit", f"{page}/versions", changed)
    assert "A new draft version was saved." in saved.text
    assert 'data-kb-version="2"' in saved.text and "phone numbers too" in saved.text
    reader = "/help/articles/wallet-pin-tips?lang=en"
    assert "phone number" not in client.get(reader).text

    post_page(admin, page, f"{page}/publish", {"version": "2"})
    assert "phone number as your PIN" in client.get(reader).text
    version_one = admin.get(f"{page}/versions/1")
    assert version_one.status_code == 200 and "phone number" not in version_one.text
    assert [a for a, _ in audit_actions(rt, article_id)] == [
        "kb.article_created",
        "kb.published",
        "kb.version_added",
        "kb.published",
    ]


def test_preview_shows_the_text_and_saves_nothing(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    preview = _create(admin, {**ARTICLE, "do": "preview"})
    assert preview.status_code == 200
    assert "Preview (not saved yet)" in preview.text
    assert "Never use your <strong>birthday</strong> as your PIN." in preview.text
    assert 'value="wallet-pin-tips"' in preview.text
    assert "wallet-pin-tips" not in admin.get("/console/admin/kb").text


def test_a_refused_article_keeps_what_was_typed(app: FastAPI, rt: Runtime) -> None:
    admin, _ = console_staff(app, rt, "guanli", "管理员小林", "admin")
    no_english = _create(admin, {**ARTICLE, "title_en": "  "}, lang="zh-CN")
    assert no_english.status_code == 422
    assert 'id="title_en-error"' in no_english.text
    assert "每篇文章都需要" in no_english.text or "中英文" in no_english.text
    assert "不要使用**生日**作为密码。</textarea>" in no_english.text
    assert 'value="如何设置安全的支付密码"' in no_english.text

    bad_slug = _create(admin, {**ARTICLE, "slug": "Bad Slug!"})
    assert bad_slug.status_code == 422
    assert 'id="slug-error"' in bad_slug.text and 'value="Bad Slug!"' in bad_slug.text
    assert "wallet-pin-tips" not in admin.get("/console/admin/kb").text


def test_only_knowledge_base_editors_may_open_the_editor(app: FastAPI, rt: Runtime) -> None:
    agent, _ = console_staff(app, rt, "xiaochen", "小陈", "agent")
    assert agent.get("/console/admin/kb/new").status_code == 403
    senior, _ = console_staff(app, rt, "laozhou", "老周", "senior_agent")
    assert senior.get("/console/admin/kb").status_code == 403
    assert senior.get("/console/admin").status_code == 403
