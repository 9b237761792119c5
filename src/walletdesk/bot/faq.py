"""FAQ matching: which knowledge-base question is the customer asking?

The index holds the questions of published help articles (their titles and the question
phrasings an editor lists), in zh-CN and English. Two signals decide whether the customer asks
one of them:

- intent agreement: the probability that both questions have the same intent (the dot product
  of their intent distributions). It carries meaning across wordings and across languages, and
  keeps an unrelated question (whose mass sits on out_of_scope) away from every article;
- the pair model's P(same question), which separates two articles of the same intent by their
  words.

The score blends the two; candidates are the closest entries by character cosine or by intent
agreement, and hits at or above `MIN_SCORE` come back best first, one per key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from walletdesk.bot.intents import IntentModel
from walletdesk.bot.pairs import Encoded, PairScorer

CANDIDATES = 20
INTENT_WEIGHT = 0.6
MIN_SCORE = 0.5


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
    """How surely the customer asks this question, 0..1."""


class FaqIndex:
    def __init__(
        self, entries: Iterable[FaqEntry], scorer: PairScorer, intents: IntentModel
    ) -> None:
        self.entries = tuple(entries)
        self._scorer = scorer
        self._intents = intents
        self._encoded: tuple[Encoded, ...] = tuple(scorer.encode(e.question) for e in self.entries)
        in_scope = np.array([c != intents.rejection_label for c in intents.classes])
        self._in_scope = in_scope
        self._topics = (
            np.vstack([intents.vote.probabilities(e.question) * in_scope for e in self.entries])
            if self.entries
            else np.zeros((0, len(intents.classes)))
        )

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, text: str, *, limit: int = 3, locale: str | None = None) -> list[FaqHit]:
        """The best matching questions (at most one per key), optionally of one locale only."""
        if not self.entries or not text.strip():
            return []
        query = self._scorer.encode(text)
        agreement = self._topics @ (self._intents.vote.probabilities(text) * self._in_scope)
        q_index, q_value = query.chars
        rough = []
        for position, (entry, encoded) in enumerate(zip(self.entries, self._encoded, strict=True)):
            if locale is not None and entry.locale != locale:
                continue
            c_index, c_value = encoded.chars
            _, qi, ci = np.intersect1d(q_index, c_index, assume_unique=True, return_indices=True)
            cosine = float(q_value[qi] @ c_value[ci])
            rough.append((max(cosine, float(agreement[position])), position))
        rough.sort(reverse=True)
        best: dict[str, FaqHit] = {}
        for _, position in rough[:CANDIDATES]:
            entry = self.entries[position]
            same = self._scorer.score(query, self._encoded[position])
            score = INTENT_WEIGHT * float(agreement[position]) + (1 - INTENT_WEIGHT) * same
            if score < MIN_SCORE:
                continue
            if entry.key not in best or best[entry.key].score < score:
                best[entry.key] = FaqHit(entry.key, entry.locale, entry.question, score)
        return sorted(best.values(), key=lambda hit: hit.score, reverse=True)[:limit]
