"""Answers from the help centre: the published public article that fits what the customer
asked, in their language, with its link.

The article comes from the intent's own articles (the catalogue names them by slug) when one
is published, else from the best FAQ match over the published titles (`bot.faq`). The FAQ
index is built once per process for each set of published versions, so an editor's new
version is picked up at the next question without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.bot.catalogue import Catalogue
from walletdesk.bot.faq import FaqEntry, FaqHit, FaqIndex
from walletdesk.bot.understanding import Brain
from walletdesk.i18n import normalise_locale
from walletdesk.support.kb import Audience, Published, article_link
from walletdesk.support.kb_search import plain

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

SUMMARY_MAX = 280
FAQ_MIN_SCORE = 0.6
"""An article found only by FAQ matching (not by the intent) must be at least this sure."""


@dataclass(frozen=True)
class ArticleAnswer:
    article_id: str
    slug: str
    title: str
    summary: str
    link: str


def published_public(uow: UnitOfWork) -> list[Published]:
    return [
        Published(article, version)
        for article, version in uow.complaints_kb.kb.published()
        if version.audience == Audience.PUBLIC
    ]


class FaqCache:
    """One FAQ index per (model, published versions)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._index: FaqIndex | None = None

    def index(self, brain: Brain, published: Sequence[Published]) -> FaqIndex:
        key = (id(brain), *sorted((p.article.id, p.version.version) for p in published))
        with self._lock:
            if self._index is None or self._key != key:
                entries = [
                    FaqEntry(p.article.slug, locale, p.version.title(locale))
                    for p in published
                    for locale in ("zh-CN", "en")
                ]
                self._index = brain.faq_index(entries)
                self._key = key
            return self._index


FAQ_CACHE = FaqCache()


def _summary(body: str) -> str:
    """The article's first paragraph as plain text, cut at a sentence when it is long."""
    paragraphs = [p for p in body.split("\n\n") if p.strip() and not p.lstrip().startswith("#")]
    text = plain(paragraphs[0]) if paragraphs else ""
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[:SUMMARY_MAX]
    end = max(cut.rfind(mark) for mark in ("。", ". ", "！", "？"))
    return cut[: end + 1] if end > SUMMARY_MAX // 3 else cut.rstrip() + "…"


def answer_for(
    intent: str | None,
    hits: Sequence[FaqHit],
    published: Sequence[Published],
    catalogue: Catalogue,
    locale: str,
) -> ArticleAnswer | None:
    by_slug = {p.article.slug: p for p in published}
    chosen: Published | None = None
    if intent is not None and intent in catalogue.names:
        chosen = next((by_slug[s] for s in catalogue[intent].articles if s in by_slug), None)
    if chosen is None:
        best = next((h for h in hits if h.score >= FAQ_MIN_SCORE and h.key in by_slug), None)
        chosen = by_slug[best.key] if best else None
    if chosen is None:
        return None
    locale = normalise_locale(locale)
    return ArticleAnswer(
        article_id=chosen.article.id,
        slug=chosen.article.slug,
        title=chosen.version.title(locale),
        summary=_summary(chosen.version.body(locale)),
        link=article_link(chosen.article.id, locale),
    )
