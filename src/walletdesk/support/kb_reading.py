"""Reading the knowledge base: the help centre's published articles (public ones for
everyone, internal ones for staff), the authors' view with every version and the feedback, and
"was this helpful?" from readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.i18n import normalise_locale
from walletdesk.support.kb import (
    COMMENT_MAX,
    FEEDBACK_RATE,
    Article,
    ArticleDetail,
    ArticleVersion,
    Audience,
    Feedback,
    FeedbackSummary,
    Published,
    find_article,
    published_article,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime


def staff_articles(rt: Runtime) -> list[tuple[Article, ArticleVersion]]:
    """Every article (drafts and internal ones too) with its latest version."""
    with rt.db.uow(read_only=True) as uow:
        result = []
        for article in uow.complaints_kb.kb.all():
            latest = uow.complaints_kb.kb.version(article.id, article.latest_version)
            assert latest is not None
            result.append((article, latest))
        return result


def staff_article(rt: Runtime, key: str) -> ArticleDetail:
    with rt.db.uow(read_only=True) as uow:
        article = find_article(uow, key)
        helpful, not_helpful = uow.complaints_kb.kb.feedback_counts(article.id)
        return ArticleDetail(
            article=article,
            versions=uow.complaints_kb.kb.versions(article.id),
            feedback=FeedbackSummary(
                helpful, not_helpful, uow.complaints_kb.kb.recent_comments(article.id, limit=20)
            ),
        )


def read_article(rt: Runtime, key: str, *, audience: Audience = Audience.PUBLIC) -> Published:
    """A published article by id or slug; internal ones only for the internal audience.
    Drafts and internal articles look missing to the public."""
    with rt.db.uow(read_only=True) as uow:
        return published_article(uow, key, audience)


def list_articles(
    rt: Runtime, *, category: str | None = None, audience: Audience = Audience.PUBLIC
) -> list[Published]:
    with rt.db.uow(read_only=True) as uow:
        found = []
        for article, version in uow.complaints_kb.kb.published():
            if category and version.category != category:
                continue
            if audience is Audience.PUBLIC and version.audience != Audience.PUBLIC:
                continue
            found.append(Published(article, version))
        return found


def give_feedback(
    rt: Runtime,
    key: str,
    *,
    helpful: bool,
    comment: str | None,
    locale: str,
    ip: str | None,
) -> Feedback:
    """ "Was this helpful?" on a public, published article (counted per client IP)."""
    if ip:
        rt.limiter.hit("kb_feedback_ip", ip, FEEDBACK_RATE)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        published = published_article(uow, key, Audience.PUBLIC)
        feedback = Feedback(
            article_id=published.article.id,
            version=published.version.version,
            locale=normalise_locale(locale),
            helpful=helpful,
            comment=(comment or "").strip()[:COMMENT_MAX] or None,
            created_at=now,
        )
        uow.complaints_kb.kb.add_feedback(feedback)
        uow.commit()
    return feedback
