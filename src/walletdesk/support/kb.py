"""Knowledge base / help centre: bilingual articles (zh-CN and en) in categories, with versions,
draft → published, for the public or for staff only, and "was this helpful?" feedback.

Every change of content is a new version (a draft); publishing points the article at one
version, so what customers read never changes under them while a draft is being written, and
the history of every wording is kept. Category and audience are part of the version, so
moving an article or making it internal goes through the same draft → publish step. Every
change is audited.

Search is in `kb_search.py`; the starter articles and `seed_kb` in `kb_seed.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_, normalise_locale
from walletdesk.randomness import new_id
from walletdesk.ratelimit import Rate

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

HELP_BASE = "/api/v1/help/articles"
FEEDBACK_RATE = Rate(30, 3600)
"""Feedback per client IP per hour: the route is public."""
COMMENT_MAX = 1000
BODY_MAX = 50_000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Audience(StrEnum):
    PUBLIC = "public"
    """Customers, the bot and staff."""
    INTERNAL = "internal"
    """Staff only (agents' guides)."""


@dataclass(frozen=True)
class KbCategory:
    key: str
    name: str
    """An English msgid, translated for the reader."""
    internal: bool = False
    """Holds staff-only articles; not listed in the public help centre."""


CATEGORIES = (
    KbCategory("account", N_("Account and sign-in")),
    KbCategory("security", N_("Security and scams")),
    KbCategory("topup_withdrawal", N_("Top-ups and withdrawals")),
    KbCategory("transfers", N_("Transfers and limits")),
    KbCategory("cards", N_("Bank cards")),
    KbCategory("fx", N_("International payments and exchange")),
    KbCategory("fees", N_("Fees")),
    KbCategory("complaints", N_("Complaints and suggestions")),
    KbCategory("agent_guides", N_("Agent guides"), internal=True),
)
CATEGORY_KEYS = frozenset(c.key for c in CATEGORIES)


class ArticleNotFound(NotFound):
    default_code = "article_not_found"
    default_message = N_("We could not find this help article.")


@dataclass
class Article:
    id: str
    slug: str
    latest_version: int
    created_at: datetime
    updated_at: datetime
    published_version: int | None = None
    published_at: datetime | None = None
    created_by: str | None = None

    @property
    def is_published(self) -> bool:
        return self.published_version is not None


@dataclass(frozen=True)
class ArticleContent:
    """What an author writes: both languages, the category and who may read it."""

    category: str
    audience: Audience
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    keywords_zh: str = ""
    """Extra words people search with (找回密码, 重置密码), not shown."""
    keywords_en: str = ""
    note: str | None = None
    """The author's note on this version (what changed)."""

    def checked(self) -> ArticleContent:
        if self.category not in CATEGORY_KEYS:
            raise ValidationFailed("unknown_kb_category", field="category")
        fields = {
            "title_zh": self.title_zh.strip(),
            "title_en": self.title_en.strip(),
            "body_zh": self.body_zh.strip(),
            "body_en": self.body_en.strip(),
        }
        for name, value in fields.items():
            limit = 200 if name.startswith("title") else BODY_MAX
            if not value or len(value) > limit:
                raise ValidationFailed(
                    "invalid_article",
                    N_("Every article needs a title and a text in both Chinese and English."),
                    field=name,
                )
        return ArticleContent(
            category=self.category,
            audience=Audience(self.audience),
            keywords_zh=self.keywords_zh.strip()[:400],
            keywords_en=self.keywords_en.strip()[:400],
            note=(self.note or "").strip()[:200] or None,
            **fields,
        )


@dataclass
class ArticleVersion:
    article_id: str
    version: int
    category: str
    audience: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    keywords_zh: str
    keywords_en: str
    created_at: datetime
    note: str | None = None
    created_by: str | None = None

    def title(self, locale: str) -> str:
        return self.title_zh if normalise_locale(locale) == "zh-CN" else self.title_en

    def body(self, locale: str) -> str:
        return self.body_zh if normalise_locale(locale) == "zh-CN" else self.body_en

    def keywords(self, locale: str) -> str:
        return self.keywords_zh if normalise_locale(locale) == "zh-CN" else self.keywords_en

    def content(self) -> ArticleContent:
        return ArticleContent(
            self.category,
            Audience(self.audience),
            self.title_zh,
            self.title_en,
            self.body_zh,
            self.body_en,
            self.keywords_zh,
            self.keywords_en,
        )


@dataclass(frozen=True)
class Feedback:
    article_id: str
    version: int
    locale: str
    helpful: bool
    created_at: datetime
    comment: str | None = None


@dataclass(frozen=True)
class FeedbackSummary:
    helpful: int = 0
    not_helpful: int = 0
    recent_comments: list[Feedback] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    article: Article
    version: ArticleVersion


@dataclass(frozen=True)
class ArticleDetail:
    article: Article
    versions: list[ArticleVersion]
    feedback: FeedbackSummary


def article_link(article_id: str, locale: str) -> str:
    """Where a customer reads the article (for the bot's and the agents' replies)."""
    return f"{HELP_BASE}/{article_id}?locale={normalise_locale(locale)}"


def check_slug(slug: str) -> str:
    cleaned = slug.strip().lower()
    if not 3 <= len(cleaned) <= 80 or not _SLUG.match(cleaned):
        raise ValidationFailed(
            "invalid_slug",
            N_("A slug is 3 to 80 lowercase letters, digits and single dashes."),
            field="slug",
        )
    return cleaned


def _audit(
    uow: UnitOfWork, rt: Runtime, actor: Actor, action: str, article: Article, **details: object
) -> None:
    record(
        uow,
        at=rt.clock.now(),
        actor=actor,
        action=action,
        subject_kind="kb_article",
        subject_id=article.id,
        details={"slug": article.slug, **details},
    )


def create_article(
    rt: Runtime, actor: Actor, *, slug: str, content: ArticleContent
) -> tuple[Article, ArticleVersion]:
    """A new article with its first version, as a draft."""
    cleaned_slug = check_slug(slug)
    checked = content.checked()
    now = rt.clock.now()
    with rt.db.uow() as uow:
        if uow.complaints_kb.kb.get_by_slug(cleaned_slug) is not None:
            raise Conflict(
                "slug_taken", N_("Another article already uses this slug."), field="slug"
            )
        article = Article(
            id=new_id(rt.random, "kb"),
            slug=cleaned_slug,
            latest_version=1,
            created_at=now,
            updated_at=now,
            created_by=actor.id,
        )
        uow.complaints_kb.kb.add(article)
        version = _store_version(uow, article, 1, checked, actor, now)
        _audit(uow, rt, actor, "kb.article_created", article, version=1)
        uow.commit()
    return article, version


def _store_version(
    uow: UnitOfWork,
    article: Article,
    number: int,
    content: ArticleContent,
    actor: Actor,
    now: datetime,
) -> ArticleVersion:
    version = ArticleVersion(
        article_id=article.id,
        version=number,
        category=content.category,
        audience=content.audience.value,
        title_zh=content.title_zh,
        title_en=content.title_en,
        body_zh=content.body_zh,
        body_en=content.body_en,
        keywords_zh=content.keywords_zh,
        keywords_en=content.keywords_en,
        note=content.note,
        created_at=now,
        created_by=actor.id,
    )
    uow.complaints_kb.kb.add_version(version)
    return version


def add_version(
    rt: Runtime, actor: Actor, article_id: str, content: ArticleContent
) -> ArticleVersion:
    """A new draft version; the published one stays in place until this one is published."""
    checked = content.checked()
    now = rt.clock.now()
    with rt.db.uow() as uow:
        article = find_article(uow, article_id, for_update=True)
        article.latest_version += 1
        article.updated_at = now
        version = _store_version(uow, article, article.latest_version, checked, actor, now)
        uow.complaints_kb.kb.save(article)
        _audit(uow, rt, actor, "kb.version_added", article, version=version.version)
        uow.commit()
    return version


def publish(rt: Runtime, actor: Actor, article_id: str, version: int | None = None) -> Article:
    """Publish `version` (the latest by default); search sees it at once."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        article = find_article(uow, article_id, for_update=True)
        number = version or article.latest_version
        if uow.complaints_kb.kb.version(article.id, number) is None:
            raise ValidationFailed("unknown_version", field="version")
        before = article.published_version
        article.published_version, article.published_at, article.updated_at = number, now, now
        uow.complaints_kb.kb.save(article)
        _audit(uow, rt, actor, "kb.published", article, version=number, before=before)
        uow.commit()
    return article


def unpublish(rt: Runtime, actor: Actor, article_id: str) -> Article:
    """Take the article off the help centre (its versions stay)."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        article = find_article(uow, article_id, for_update=True)
        if article.published_version is None:
            return article
        before = article.published_version
        article.published_version, article.published_at, article.updated_at = None, None, now
        uow.complaints_kb.kb.save(article)
        _audit(uow, rt, actor, "kb.unpublished", article, before=before)
        uow.commit()
    return article


def find_article(uow: UnitOfWork, key: str, *, for_update: bool = False) -> Article:
    """By id or by slug."""
    article: Article | None = uow.complaints_kb.kb.get(key, for_update=for_update)
    if article is None:
        article = uow.complaints_kb.kb.get_by_slug(key.strip().lower())
        if article is not None and for_update:
            article = uow.complaints_kb.kb.get(article.id, for_update=True)
    if article is None:
        raise ArticleNotFound()
    return article


def published_article(uow: UnitOfWork, key: str, audience: Audience) -> Published:
    article = find_article(uow, key)
    if article.published_version is None:
        raise ArticleNotFound()
    version = uow.complaints_kb.kb.version(article.id, article.published_version)
    assert version is not None
    if audience is Audience.PUBLIC and version.audience != Audience.PUBLIC:
        raise ArticleNotFound()
    return Published(article, version)


@dataclass(frozen=True)
class Insertion:
    """An article for an agent's draft (`support.macros.insert_article`)."""

    article_id: str
    title: str
    text: str
    url: str


def article_for_insertion(rt: Runtime, article_id: str, *, locale: str) -> Insertion | None:
    """The published public article in `locale`, or None: an internal guide never goes into
    a message to a customer."""
    try:
        with rt.db.uow(read_only=True) as uow:
            found = published_article(uow, article_id, Audience.PUBLIC)
    except ArticleNotFound:
        return None
    return Insertion(
        found.article.id,
        found.version.title(locale),
        found.version.body(locale),
        article_link(found.article.id, locale),
    )
