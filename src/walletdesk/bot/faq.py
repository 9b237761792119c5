"""FAQ matching: which knowledge-base question is the customer asking?

The index holds the questions of published help articles (their titles and the question
phrasings an editor lists), in zh-CN and English. Matching takes the closest candidates by
character-n-gram cosine (cheap), then asks the pair model whether each is the same question;
hits at or above the pair model's threshold come back best first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from walletdesk.bot.pairs import Encoded, PairScorer

CANDIDATES = 20


@dataclass(frozen=True)
class FaqEntry:
    key: str
    """What the hit points at, e.g. the article's slug."""
    locale: str
    question: str


@dataclass(frozen=True)
class FaqHit:
    key: str
    locale: str
    question: str
    score: float
    """P(the customer asks this question), from the pair model."""


class FaqIndex:
    def __init__(self, entries: Iterable[FaqEntry], scorer: PairScorer) -> None:
        self.entries = tuple(entries)
        self._scorer = scorer
        self._encoded: tuple[Encoded, ...] = tuple(scorer.encode(e.question) for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, text: str, *, limit: int = 3, locale: str | None = None) -> list[FaqHit]:
        """The best matching questions (at most one per key), optionally of one locale only."""
        if not self.entries or not text.strip():
            return []
        query = self._scorer.encode(text)
        q_index, q_value = query.chars
        rough = []
        for position, (entry, encoded) in enumerate(zip(self.entries, self._encoded, strict=True)):
            if locale is not None and entry.locale != locale:
                continue
            c_index, c_value = encoded.chars
            _, qi, ci = np.intersect1d(q_index, c_index, assume_unique=True, return_indices=True)
            rough.append((float(q_value[qi] @ c_value[ci]), position))
        rough.sort(reverse=True)
        best: dict[str, FaqHit] = {}
        for _, position in rough[:CANDIDATES]:
            entry = self.entries[position]
            score = self._scorer.score(query, self._encoded[position])
            if score < self._scorer.threshold:
                continue
            if entry.key not in best or best[entry.key].score < score:
                best[entry.key] = FaqHit(entry.key, entry.locale, entry.question, score)
        return sorted(best.values(), key=lambda hit: hit.score, reverse=True)[:limit]
