"""The help centre: published public articles for everyone (no sign-in), search in Chinese and
English, "was this helpful?"; internal articles and search for agents (`cases.work`); drafts,
versions and publishing for knowledge-base editors (`kb.manage`, every change audited).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field

from walletdesk.api.access import Public, requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.audit.services import Actor
from walletdesk.i18n import normalise_locale, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import kb, kb_reading
from walletdesk.support.kb_search import Hit, search_articles

router = APIRouter(prefix="/api/v1/help", tags=["help-centre"])
staff_router = APIRouter(prefix="/api/v1/staff/kb", tags=["knowledge-base"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Editor = Annotated[Authenticated, Depends(requires(Permission.KB_MANAGE))]
CATEGORY_NAMES = {c.key: c.name for c in kb.CATEGORIES}


def _locale(request: Request, locale: str | None) -> str:
    return normalise_locale(locale) if locale else request_locale(request)


class CategoryOut(BaseModel):
    key: str
    name: str


class ArticleSummaryOut(BaseModel):
    id: str
    slug: str
    title: str
    category: str
    url: str
    snippet: str | None = None
    score: float | None = Field(default=None, description="Search relevance (BM25)")

    @classmethod
    def of_hit(cls, hit: Hit) -> ArticleSummaryOut:
        return cls(
            id=hit.article_id,
            slug=hit.slug,
            title=hit.title,
            category=hit.category,
            url=hit.url,
            snippet=hit.snippet,
            score=hit.score,
        )

    @classmethod
    def of(cls, found: kb.Published, locale: str) -> ArticleSummaryOut:
        return cls(
            id=found.article.id,
            slug=found.article.slug,
            title=found.version.title(locale),
            category=found.version.category,
            url=kb.article_link(found.article.id, locale),
        )


class ArticleOut(BaseModel):
    id: str
    slug: str
    locale: str
    title: str
    body_markdown: str
    category: str
    category_name: str
    audience: str
    version: int
    published_at: datetime | None

    @classmethod
    def of(cls, found: kb.Published, locale: str) -> ArticleOut:
        version = found.version
        return cls(
            id=found.article.id,
            slug=found.article.slug,
            locale=locale,
            title=version.title(locale),
            body_markdown=version.body(locale),
            category=version.category,
            category_name=translate(CATEGORY_NAMES[version.category], locale),
            audience=version.audience,
            version=version.version,
            published_at=found.article.published_at,
        )


class FeedbackIn(BaseModel):
    helpful: bool
    comment: str | None = Field(default=None, max_length=kb.COMMENT_MAX)
    locale: str | None = Field(default=None, max_length=16)


class FeedbackOut(BaseModel):
    recorded: bool


@router.get("/categories", dependencies=[Public])
def categories(request: Request, locale: str | None = None) -> list[CategoryOut]:
    chosen = _locale(request, locale)
    return [
        CategoryOut(key=c.key, name=translate(c.name, chosen))
        for c in kb.CATEGORIES
        if not c.internal
    ]


@router.get("/articles", dependencies=[Public])
def articles(
    rt: RuntimeDep,
    request: Request,
    q: str | None = Query(default=None, max_length=200),
    category: str | None = Query(default=None, max_length=32),
    locale: str | None = Query(default=None, max_length=16),
    limit: int = Query(default=10, ge=1, le=50),
) -> list[ArticleSummaryOut]:
    """Search (with `q`) or list the published public articles."""
    chosen = _locale(request, locale)
    if q and q.strip():
        hits = search_articles(
            rt, q, chosen, audience=kb.Audience.PUBLIC, category=category, limit=limit
        )
        return [ArticleSummaryOut.of_hit(hit) for hit in hits]
    return [
        ArticleSummaryOut.of(a, chosen) for a in kb_reading.list_articles(rt, category=category)
    ]


@router.get("/articles/{key}", dependencies=[Public])
def article(
    key: str,
    rt: RuntimeDep,
    request: Request,
    locale: str | None = Query(default=None, max_length=16),
) -> ArticleOut:
    """A published public article by slug or id (drafts and internal ones are not found)."""
    chosen = _locale(request, locale)
    return ArticleOut.of(kb_reading.read_article(rt, key), chosen)


@router.post("/articles/{key}/feedback", status_code=status.HTTP_201_CREATED, dependencies=[Public])
def feedback(
    key: str, body: FeedbackIn, rt: RuntimeDep, request: Request, ctx: Context
) -> FeedbackOut:
    kb_reading.give_feedback(
        rt,
        key,
        helpful=body.helpful,
        comment=body.comment,
        locale=_locale(request, body.locale),
        ip=ctx.ip,
    )
    return FeedbackOut(recorded=True)


# --- agents -------------------------------------------------------------------------------


@staff_router.get("/search")
def staff_search(
    auth: CaseWorker,
    rt: RuntimeDep,
    request: Request,
    q: str = Query(max_length=200),
    locale: str | None = Query(default=None, max_length=16),
    limit: int = Query(default=10, ge=1, le=50),
) -> list[ArticleSummaryOut]:
    """Public and internal articles, for answering customers."""
    hits = search_articles(
        rt, q, _locale(request, locale), audience=kb.Audience.INTERNAL, limit=limit
    )
    return [ArticleSummaryOut.of_hit(hit) for hit in hits]


@staff_router.get("/published/{key}")
def staff_read(
    key: str,
    auth: CaseWorker,
    rt: RuntimeDep,
    request: Request,
    locale: str | None = Query(default=None, max_length=16),
) -> ArticleOut:
    found = kb_reading.read_article(rt, key, audience=kb.Audience.INTERNAL)
    return ArticleOut.of(found, _locale(request, locale))


# --- editors ------------------------------------------------------------------------------


class ContentIn(BaseModel):
    category: str = Field(max_length=32)
    audience: kb.Audience = kb.Audience.PUBLIC
    title_zh: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    body_zh: str = Field(max_length=kb.BODY_MAX, description="Markdown")
    body_en: str = Field(max_length=kb.BODY_MAX, description="Markdown")
    keywords_zh: str = Field(default="", max_length=400)
    keywords_en: str = Field(default="", max_length=400)
    note: str | None = Field(default=None, max_length=200)

    def content(self) -> kb.ArticleContent:
        return kb.ArticleContent(**self.model_dump())


class NewArticleIn(ContentIn):
    slug: str = Field(max_length=80, examples=["forgot-password"])


class PublishIn(BaseModel):
    version: int | None = Field(default=None, ge=1, description="The latest when left out")


class VersionOut(BaseModel):
    version: int
    category: str
    audience: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    keywords_zh: str
    keywords_en: str
    note: str | None
    created_at: datetime
    created_by: str | None

    @classmethod
    def of(cls, v: kb.ArticleVersion) -> VersionOut:
        return cls(**{name: getattr(v, name) for name in cls.model_fields})


class EditorArticleOut(BaseModel):
    id: str
    slug: str
    latest_version: int
    published_version: int | None
    published_at: datetime | None
    updated_at: datetime
    title_zh: str = Field(description="Of the latest version")
    audience: str
    category: str

    @classmethod
    def of(cls, article: kb.Article, latest: kb.ArticleVersion) -> EditorArticleOut:
        return cls(
            id=article.id,
            slug=article.slug,
            latest_version=article.latest_version,
            published_version=article.published_version,
            published_at=article.published_at,
            updated_at=article.updated_at,
            title_zh=latest.title_zh,
            audience=latest.audience,
            category=latest.category,
        )


class CommentOut(BaseModel):
    version: int
    locale: str
    helpful: bool
    comment: str | None
    created_at: datetime


class EditorDetailOut(BaseModel):
    id: str
    slug: str
    latest_version: int
    published_version: int | None
    published_at: datetime | None
    versions: list[VersionOut]
    helpful: int
    not_helpful: int
    recent_comments: list[CommentOut]

    @classmethod
    def of(cls, detail: kb.ArticleDetail) -> EditorDetailOut:
        a = detail.article
        return cls(
            id=a.id,
            slug=a.slug,
            latest_version=a.latest_version,
            published_version=a.published_version,
            published_at=a.published_at,
            versions=[VersionOut.of(v) for v in detail.versions],
            helpful=detail.feedback.helpful,
            not_helpful=detail.feedback.not_helpful,
            recent_comments=[
                CommentOut(
                    version=f.version,
                    locale=f.locale,
                    helpful=f.helpful,
                    comment=f.comment,
                    created_at=f.created_at,
                )
                for f in detail.feedback.recent_comments
            ],
        )


@staff_router.get("/articles")
def editor_articles(auth: Editor, rt: RuntimeDep) -> list[EditorArticleOut]:
    return [EditorArticleOut.of(a, v) for a, v in kb_reading.staff_articles(rt)]


@staff_router.post("/articles", status_code=status.HTTP_201_CREATED)
def create_article(
    body: NewArticleIn, auth: Editor, rt: RuntimeDep, ctx: Context
) -> EditorDetailOut:
    content = ContentIn(**body.model_dump(exclude={"slug"})).content()
    created, _ = kb.create_article(
        rt, Actor.staff(auth.user.id, ctx.ip), slug=body.slug, content=content
    )
    return EditorDetailOut.of(kb_reading.staff_article(rt, created.id))


@staff_router.get("/articles/{key}")
def editor_article(key: str, auth: Editor, rt: RuntimeDep) -> EditorDetailOut:
    return EditorDetailOut.of(kb_reading.staff_article(rt, key))


@staff_router.post("/articles/{key}/versions", status_code=status.HTTP_201_CREATED)
def add_version(
    key: str, body: ContentIn, auth: Editor, rt: RuntimeDep, ctx: Context
) -> VersionOut:
    version = kb.add_version(rt, Actor.staff(auth.user.id, ctx.ip), key, body.content())
    return VersionOut.of(version)


@staff_router.post("/articles/{key}/publish")
def publish(
    key: str, auth: Editor, rt: RuntimeDep, ctx: Context, body: PublishIn | None = None
) -> EditorDetailOut:
    article = kb.publish(rt, Actor.staff(auth.user.id, ctx.ip), key, body.version if body else None)
    return EditorDetailOut.of(kb_reading.staff_article(rt, article.id))


@staff_router.post("/articles/{key}/unpublish")
def unpublish(key: str, auth: Editor, rt: RuntimeDep, ctx: Context) -> EditorDetailOut:
    article = kb.unpublish(rt, Actor.staff(auth.user.id, ctx.ip), key)
    return EditorDetailOut.of(kb_reading.staff_article(rt, article.id))
