"""The starter help-centre articles, shipped as Markdown in `kb_articles/`, and `seed_kb`.

Each article is two files, `<slug>.zh-CN.md` and `<slug>.en.md`, each starting with a front
matter block:

    ---
    title: 忘记密码怎么办
    category: account
    audience: public
    keywords: 找回密码 重置密码 登录不了
    ---

`seed_kb` is idempotent: it creates and publishes the articles that are missing, republishes a
shipped article whose file changed as long as nobody edited it in the app (its latest version is
still the seed's), and leaves everything else alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from walletdesk.audit.services import Actor
from walletdesk.support.kb import (
    ArticleContent,
    Audience,
    add_version,
    create_article,
    publish,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

FOLDER = "kb_articles"


@dataclass(frozen=True)
class ShippedArticle:
    slug: str
    content: ArticleContent


def _parse(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise ValueError(f"{name} has no front matter")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise ValueError(f"{name}: the front matter is not closed with ---")
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict) or not meta.get("title"):
        raise ValueError(f"{name}: the front matter needs a title")
    return meta, body.strip()


def _keywords(meta: dict[str, Any]) -> str:
    value = meta.get("keywords", "")
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def shipped_articles() -> list[ShippedArticle]:
    """The articles in `kb_articles/`, by slug; both languages of each must be there and
    agree on the category and the audience."""
    folder = resources.files("walletdesk.support") / FOLDER
    texts: dict[tuple[str, str], str] = {}
    for entry in folder.iterdir():
        name = entry.name
        if not name.endswith(".md"):
            continue
        slug, _, locale = name[: -len(".md")].rpartition(".")
        texts[(slug, locale)] = entry.read_text(encoding="utf-8")
    slugs = sorted({slug for slug, _ in texts})
    found = []
    for slug in slugs:
        if (slug, "zh-CN") not in texts or (slug, "en") not in texts:
            raise ValueError(f"kb article {slug} needs both {slug}.zh-CN.md and {slug}.en.md")
        zh, body_zh = _parse(texts[(slug, "zh-CN")], f"{slug}.zh-CN.md")
        en, body_en = _parse(texts[(slug, "en")], f"{slug}.en.md")
        if (zh.get("category"), zh.get("audience")) != (en.get("category"), en.get("audience")):
            raise ValueError(f"kb article {slug}: the languages disagree on category or audience")
        content = ArticleContent(
            category=str(zh["category"]),
            audience=Audience(str(zh.get("audience", "public"))),
            title_zh=str(zh["title"]),
            title_en=str(en["title"]),
            body_zh=body_zh,
            body_en=body_en,
            keywords_zh=_keywords(zh),
            keywords_en=_keywords(en),
        ).checked()
        found.append(ShippedArticle(slug, content))
    return found


def seed_kb(rt: Runtime) -> list[str]:
    """Create, publish or refresh the shipped articles; one line per article."""
    system = Actor.system()
    lines = []
    for shipped in shipped_articles():
        with rt.db.uow(read_only=True) as uow:
            article = uow.complaints_kb.kb.get_by_slug(shipped.slug)
            latest = (
                uow.complaints_kb.kb.version(article.id, article.latest_version)
                if article
                else None
            )
        if article is None:
            created, _ = create_article(rt, system, slug=shipped.slug, content=shipped.content)
            publish(rt, system, created.id)
            lines.append(f"created kb article  {shipped.slug}")
            continue
        assert latest is not None
        if latest.created_by is not None or latest.content() == shipped.content:
            lines.append(f"exists  kb article  {shipped.slug}")
            continue
        add_version(rt, system, article.id, shipped.content)
        publish(rt, system, article.id)
        lines.append(f"updated kb article  {shipped.slug}")
    return lines
