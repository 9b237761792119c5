"""Are two questions the same question? A pair model for FAQ matching, strongest for Chinese.

Each question becomes two L2-normalised TF-IDF vectors (words, character 1–3-grams). A pair is
described by what the two share (the element-wise product: which shared terms matter) and
what only one of them has (the absolute difference: which differences matter, "花呗" against
"借呗"), plus a few overall similarities (cosines, Jaccard overlaps, edit ratio, length
difference). A logistic regression learns from labelled pairs; its decision threshold is
chosen for accuracy on a validation split carved from the training pairs.
"""

from __future__ import annotations

import difflib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from walletdesk.bot.features import char_vectorizer, drop_fit_leftovers
from walletdesk.bot.intents import Progress, no_progress
from walletdesk.bot.text import WordAnalyzer, char_text, normalise

PAIR_C = 1.0
VALIDATION_SHARE = 0.1
FIT_STAGES = ("words", "features", "threshold", "final model")


@dataclass(frozen=True)
class QuestionPair:
    first: str
    second: str
    same: bool


def pretokenized(tokens: list[str]) -> list[str]:
    """The analyzer of a vectorizer that is handed token lists (module level, so it pickles)."""
    return tokens


class PairModel:
    def __init__(
        self,
        words: TfidfVectorizer,
        chars: TfidfVectorizer,
        classifier: LogisticRegression,
        threshold: float,
    ) -> None:
        self._words = words
        self._chars = chars
        self._classifier = classifier
        self.threshold = threshold

    @classmethod
    def fit(
        cls, pairs: Sequence[QuestionPair], *, seed: int = 0, progress: Progress = no_progress
    ) -> PairModel:
        if len({p.same for p in pairs}) < 2:
            raise ValueError("need pairs of both kinds, same and different")
        progress("words")
        analyzer = WordAnalyzer()
        sentences = sorted({s for p in pairs for s in (p.first, p.second)})
        tokens = {s: analyzer(s) for s in sentences}
        words = TfidfVectorizer(analyzer=pretokenized, sublinear_tf=True, min_df=2)
        words.fit([tokens[s] for s in sentences])
        chars = char_vectorizer((1, 3))
        chars.set_params(analyzer="char")
        chars.fit(sentences)
        drop_fit_leftovers(words)
        drop_fit_leftovers(chars)
        model = cls(words, chars, LogisticRegression(C=PAIR_C, max_iter=5000), 0.5)
        progress("features")
        features = model._features(
            [p.first for p in pairs], [p.second for p in pairs], tokens=tokens
        )
        labels = np.array([p.same for p in pairs])
        progress("threshold")
        model.threshold = _tune_threshold(features, labels, seed)
        progress("final model")
        model._classifier.fit(features, labels)
        model._classifier.coef_ = model._classifier.coef_.astype(np.float32)
        return model

    def _features(
        self,
        firsts: Sequence[str],
        seconds: Sequence[str],
        *,
        tokens: dict[str, list[str]] | None = None,
    ) -> sp.csr_matrix:
        analyzer = WordAnalyzer()
        known = tokens or {}

        def words_of(text: str) -> list[str]:
            found = known.get(text)
            return found if found is not None else analyzer(text)

        first_words = [words_of(t) for t in firsts]
        second_words = [words_of(t) for t in seconds]
        blocks: list[Any] = []
        dense: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        for a, b in (
            (self._words.transform(first_words), self._words.transform(second_words)),
            (self._chars.transform(firsts), self._chars.transform(seconds)),
        ):
            shared = a.multiply(b).tocsr()
            blocks += [shared, abs(a - b)]
            dense.append(np.asarray(shared.sum(axis=1)).ravel())
        dense.append(np.array([_jaccard(x, y) for x, y in zip(first_words, second_words, strict=True)]))
        plain = [(char_text(x), char_text(y)) for x, y in zip(firsts, seconds, strict=True)]
        dense.append(np.array([_jaccard(list(x), list(y)) for x, y in plain]))
        dense.append(np.array([difflib.SequenceMatcher(None, x, y).ratio() for x, y in plain]))
        dense.append(
            np.array([abs(len(x) - len(y)) / max(len(x), len(y), 1) for x, y in plain])
        )
        blocks.append(sp.csr_matrix(np.column_stack(dense)))
        return sp.hstack(blocks, format="csr")

    def probabilities(self, first: str, candidates: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """P(same question) of `first` against each candidate."""
        if not candidates:
            return np.zeros(0)
        features = self._features([first] * len(candidates), list(candidates))
        proba: np.ndarray[Any, np.dtype[np.float64]] = self._classifier.predict_proba(features)[:, 1]
        return proba

    def probability(self, first: str, second: str) -> float:
        return float(self.probabilities(first, [second])[0])

    def same(self, first: str, second: str) -> bool:
        return self.probability(first, second) >= self.threshold

    def char_vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """L2-normalised character vectors, for a cheap first pass over many candidates."""
        vectors: sp.csr_matrix = self._chars.transform(list(texts))
        return vectors


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _tune_threshold(features: sp.csr_matrix, labels: np.ndarray[Any, Any], seed: int) -> float:
    """The probability cut-off with the best accuracy on a held-out tenth of the pairs."""
    count = features.shape[0]
    if count < 50:
        return 0.5
    order = np.random.default_rng(seed).permutation(count)
    cut = max(1, int(count * VALIDATION_SHARE))
    check, train = order[:cut], order[cut:]
    if len(set(labels[train].tolist())) < 2:
        return 0.5
    probe = LogisticRegression(C=PAIR_C, max_iter=5000).fit(features[train], labels[train])
    proba = probe.predict_proba(features[check])[:, 1]
    best, best_accuracy = 0.5, -1.0
    for threshold in np.round(np.arange(0.2, 0.81, 0.01), 2):
        accuracy = float(((proba >= threshold) == labels[check]).mean())
        if accuracy > best_accuracy + 1e-9:
            best, best_accuracy = float(threshold), accuracy
    return best


def catalogue_pairs(
    examples: Sequence[tuple[str, str, str]], *, seed: int = 0, per_example: int = 2
) -> list[QuestionPair]:
    """Labelled pairs from intent examples (text, intent, locale): two questions of the same
    intent are the same question; of different intents, not. Negatives are half random, half
    the most similar question of another intent (the hard cases)."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for text, intent, locale in examples:
        groups[(intent, locale)].append(text)
    by_locale: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, intent, locale in examples:
        by_locale[locale].append((text, intent))
    pairs: list[QuestionPair] = []
    for locale, items in sorted(by_locale.items()):
        texts = [t for t, _ in items]
        intents = np.array([i for _, i in items])
        vectors = char_vectorizer((1, 3), min_df=1).fit_transform(texts)
        similarity = (vectors @ vectors.T).toarray()
        for row, (text, intent) in enumerate(items):
            mates = [t for t in groups[(intent, locale)] if t != text]
            for mate in rng.sample(mates, min(per_example, len(mates))):
                pairs.append(QuestionPair(text, mate, True))
            others = [i for i in range(len(items)) if intents[i] != intent]
            for other in rng.sample(others, min(per_example // 2 or 1, len(others))):
                pairs.append(QuestionPair(text, texts[other], False))
            scores = np.where(intents != intent, similarity[row], -1.0)
            for other in np.argsort(scores)[::-1][: max(1, per_example // 2)]:
                pairs.append(QuestionPair(text, texts[int(other)], False))
    return pairs


def same_text(first: str, second: str) -> bool:
    return normalise(first) == normalise(second)
