"""Storage of the knowledge base: articles, their versions and readers' feedback."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from walletdesk.storage import tables_complaints_kb as ck
from walletdesk.support.kb import Article, ArticleVersion, Feedback

A = ck.kb_articles
V = ck.kb_article_versions
F = ck.kb_feedback


class KnowledgeBaseRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def _article(row: Any) -> Article:
        return Article(**row._mapping)

    @staticmethod
    def _version(row: Any) -> ArticleVersion:
        return ArticleVersion(**row._mapping)

    def add(self, article: Article) -> None:
        self.connection.execute(insert(A).values(vars(article)))

    def save(self, article: Article) -> None:
        values = dict(vars(article))
        article_id = values.pop("id")
        self.connection.execute(update(A).where(A.c.id == article_id).values(values))

    def get(self, article_id: str, *, for_update: bool = False) -> Article | None:
        statement = select(A).where(A.c.id == article_id)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        return self._article(row) if row else None

    def get_by_slug(self, slug: str) -> Article | None:
        row = self.connection.execute(select(A).where(A.c.slug == slug)).first()
        return self._article(row) if row else None

    def all(self) -> list[Article]:
        return [self._article(row) for row in self.connection.execute(select(A).order_by(A.c.slug))]

    def add_version(self, version: ArticleVersion) -> None:
        self.connection.execute(insert(V).values(vars(version)))

    def version(self, article_id: str, number: int) -> ArticleVersion | None:
        row = self.connection.execute(
            select(V).where(V.c.article_id == article_id, V.c.version == number)
        ).first()
        return self._version(row) if row else None

    def versions(self, article_id: str) -> list[ArticleVersion]:
        rows = self.connection.execute(
            select(V).where(V.c.article_id == article_id).order_by(V.c.version.desc())
        )
        return [self._version(row) for row in rows]

    def published(self) -> list[tuple[Article, ArticleVersion]]:
        """Every published article with its published version, by slug."""
        columns = [c.label(f"a_{c.name}") for c in A.c] + [c.label(f"v_{c.name}") for c in V.c]
        rows = self.connection.execute(
            select(*columns)
            .join(V, and_(V.c.article_id == A.c.id, V.c.version == A.c.published_version))
            .order_by(A.c.slug)
        )
        result = []
        for row in rows:
            m = row._mapping
            article = Article(**{c.name: m[f"a_{c.name}"] for c in A.c})
            version = ArticleVersion(**{c.name: m[f"v_{c.name}"] for c in V.c})
            result.append((article, version))
        return result

    def published_stamp(self) -> str:
        """Changes whenever what is published changes (the search index's cache key)."""
        rows = self.connection.execute(
            select(A.c.id, A.c.published_version, A.c.published_at)
            .where(A.c.published_version.is_not(None))
            .order_by(A.c.id)
        )
        digest = hashlib.sha256()
        for row in rows:
            digest.update(f"{row.id}:{row.published_version}:{row.published_at};".encode())
        return digest.hexdigest()

    def add_feedback(self, feedback: Feedback) -> None:
        self.connection.execute(insert(F).values(vars(feedback)))

    def feedback_counts(self, article_id: str) -> tuple[int, int]:
        rows = self.connection.execute(
            select(F.c.helpful, func.count())
            .where(F.c.article_id == article_id)
            .group_by(F.c.helpful)
        )
        counts = {bool(row[0]): int(row[1]) for row in rows}
        return counts.get(True, 0), counts.get(False, 0)

    def recent_comments(self, article_id: str, *, limit: int) -> list[Feedback]:
        rows = self.connection.execute(
            select(F)
            .where(F.c.article_id == article_id, F.c.comment.is_not(None))
            .order_by(F.c.id.desc())
            .limit(limit)
        )
        return [
            Feedback(
                article_id=row.article_id,
                version=row.version,
                locale=row.locale,
                helpful=row.helpful,
                created_at=row.created_at,
                comment=row.comment,
            )
            for row in rows
        ]
