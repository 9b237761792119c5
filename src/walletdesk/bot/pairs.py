"""Are two questions the same question? A pair model for FAQ matching, strongest for Chinese.

Each question becomes two L2-normalised TF-IDF vectors (words, character 1–3-grams). A pair is
described by what the two share (the element-wise product: which shared terms matter) and
what only one of them has (the absolute difference: which differences matter, "花呗" against
"借呗"), plus a few overall similarities (the cosines, Jaccard overlaps of words and of
characters, an edit ratio, the length difference). A logistic regression learns from labelled
pairs; its decision threshold is chosen for accuracy on a tenth of the training pairs held
back. As with intents, scikit-learn trains and the kept model is plain NumPy.
"""

from __future__ import annotations

import difflib
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from walletdesk.bot.features import (
    Encoder,
    FloatArray,
    IndexArray,
    char_vectorizer,
)
from walletdesk.bot.intents import SOLVER, Progress, no_progress
from walletdesk.bot.text import WordAnalyzer, char_text

PAIR_C = 1.0
VALIDATION_SHARE = 0.1
CHAR_NGRAMS = (1, 3)
DENSE_FEATURES = 6
FIT_STAGES = ("words", "features", "threshold", "final model")


@dataclass(frozen=True)
class QuestionPair:
    first: str
    second: str
    same: bool


def pretokenized(tokens: list[str]) -> list[str]:
    """The analyzer of a vectorizer handed token lists (module level, so it pickles)."""
    return tokens


@dataclass(frozen=True)
class Encoded:
    """One question, ready to be compared with many."""

    words: tuple[IndexArray, FloatArray]
    chars: tuple[IndexArray, FloatArray]
    word_set: frozenset[str]
    plain: str


def _jaccard(first: frozenset[str] | set[str], second: frozenset[str] | set[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _dense(a: Encoded, b: Encoded, cos_words: float, cos_chars: float) -> list[float]:
    longest = max(len(a.plain), len(b.plain), 1)
    return [
        cos_words,
        cos_chars,
        _jaccard(a.word_set, b.word_set),
        _jaccard(set(a.plain), set(b.plain)),
        difflib.SequenceMatcher(None, a.plain, b.plain).ratio(),
        abs(len(a.plain) - len(b.plain)) / longest,
    ]


def _shared_and_difference(
    a: tuple[IndexArray, FloatArray], b: tuple[IndexArray, FloatArray]
) -> tuple[IndexArray, FloatArray, IndexArray, FloatArray]:
    """Indices and values of a⊙b (common terms) and |a−b| (the union)."""
    (ia, va), (ib, vb) = a, b
    common, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
    shared = va[pa] * vb[pb]
    union = np.union1d(ia, ib).astype(np.int32)
    dense_a = np.zeros(len(union), dtype=np.float32)
    dense_b = np.zeros(len(union), dtype=np.float32)
    dense_a[np.searchsorted(union, ia)] = va
    dense_b[np.searchsorted(union, ib)] = vb
    return common.astype(np.int32), shared, union, np.abs(dense_a - dense_b)


@dataclass
class PairScorer:
    """The trained pair model: weights laid out as
    [shared words | different words | shared chars | different chars | dense]."""

    words: Encoder
    chars: Encoder
    weights: FloatArray
    bias: float
    threshold: float

    def encode(self, text: str) -> Encoded:
        tokens = WordAnalyzer()(text)
        known = [t for t in tokens if t in self.words.vocabulary]
        return Encoded(
            words=_encode_tokens(self.words, known),
            chars=self.chars.encode(text),
            word_set=frozenset(tokens),
            plain=char_text(text),
        )

    def score(self, a: Encoded, b: Encoded) -> float:
        """P(same question)."""
        nw, nc = self.words.size, self.chars.size
        z = self.bias
        cosines = []
        for va, vb, base, size in ((a.words, b.words, 0, nw), (a.chars, b.chars, 2 * nw, nc)):
            common, shared, union, difference = _shared_and_difference(va, vb)
            z += float(shared @ self.weights[base + common])
            z += float(difference @ self.weights[base + size + union])
            cosines.append(float(shared.sum()))
        dense = np.array(_dense(a, b, cosines[0], cosines[1]), dtype=np.float32)
        z += float(dense @ self.weights[2 * nw + 2 * nc :])
        return 1.0 / (1.0 + math.exp(-z))

    def probabilities(self, text: str, candidates: Sequence[Encoded]) -> list[float]:
        query = self.encode(text)
        return [self.score(query, c) for c in candidates]

    def probability(self, first: str, second: str) -> float:
        return self.score(self.encode(first), self.encode(second))

    def same(self, first: str, second: str) -> bool:
        return self.probability(first, second) >= self.threshold


def _encode_tokens(encoder: Encoder, tokens: list[str]) -> tuple[IndexArray, FloatArray]:
    if not tokens:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    counts: dict[int, int] = defaultdict(int)
    for token in tokens:
        counts[encoder.vocabulary[token]] += 1
    indices = np.array(sorted(counts), dtype=np.int32)
    tf = 1.0 + np.log(np.array([counts[int(i)] for i in indices], dtype=np.float32))
    values = (tf * encoder.idf[indices]).astype(np.float32)
    values /= np.float32(np.sqrt(float(values @ values)))
    return indices, values


def fit_pairs(
    pairs: Sequence[QuestionPair], *, seed: int = 0, progress: Progress = no_progress
) -> PairScorer:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len({p.same for p in pairs}) < 2:
        raise ValueError("need pairs of both kinds, same and different")
    progress("words")
    analyzer = WordAnalyzer()
    sentences = sorted({s for p in pairs for s in (p.first, p.second)})
    tokens = {s: analyzer(s) for s in sentences}
    words = TfidfVectorizer(analyzer=pretokenized, sublinear_tf=True, min_df=2, dtype=np.float32)
    words.fit([tokens[s] for s in sentences])
    chars = char_vectorizer("char", CHAR_NGRAMS)
    chars.fit(sentences)
    progress("features")
    firsts = [p.first for p in pairs]
    seconds = [p.second for p in pairs]
    blocks: list[Any] = []
    cosines = []
    for a, b in (
        (
            words.transform([tokens[s] for s in firsts]),
            words.transform([tokens[s] for s in seconds]),
        ),
        (chars.transform(firsts), chars.transform(seconds)),
    ):
        shared = a.multiply(b).tocsr()
        blocks += [shared, abs(a - b)]
        cosines.append(np.asarray(shared.sum(axis=1)).ravel())
    word_encoder = Encoder.from_vectorizer(words, "words")
    char_encoder = Encoder.from_vectorizer(chars, "char")
    dense = []
    for i, (first, second) in enumerate(zip(firsts, seconds, strict=True)):
        a, b = _light(tokens[first], first), _light(tokens[second], second)
        dense.append(_dense(a, b, float(cosines[0][i]), float(cosines[1][i])))
    blocks.append(sp.csr_matrix(np.array(dense, dtype=np.float32)))
    features = sp.hstack(blocks, format="csr")
    labels = np.array([p.same for p in pairs])
    progress("threshold")
    threshold = _tune_threshold(features, labels, seed)
    progress("final model")
    classifier = LogisticRegression(C=PAIR_C, max_iter=1000, **SOLVER).fit(features, labels)
    return PairScorer(
        words=word_encoder,
        chars=char_encoder,
        weights=np.asarray(classifier.coef_[0], dtype=np.float32),
        bias=float(classifier.intercept_[0]),
        threshold=threshold,
    )


_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def _light(tokens: list[str], text: str) -> Encoded:
    """What the dense features need of a question (its vectors are not)."""
    return Encoded(_EMPTY, _EMPTY, frozenset(tokens), char_text(text))


def _tune_threshold(features: Any, labels: np.ndarray[Any, Any], seed: int) -> float:
    """The probability cut-off with the best accuracy on a held-out tenth of the pairs."""
    from sklearn.linear_model import LogisticRegression

    count = features.shape[0]
    if count < 50:
        return 0.5
    order = np.random.default_rng(seed).permutation(count)
    cut = max(1, int(count * VALIDATION_SHARE))
    check, train = order[:cut], order[cut:]
    if len(set(labels[train].tolist())) < 2:
        return 0.5
    probe = LogisticRegression(C=PAIR_C, max_iter=1000, **SOLVER).fit(
        features[train], labels[train]
    )
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
    rng = random.Random(seed)  # noqa: S311 - sampling training data, not secrets
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_locale: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, intent, locale in examples:
        groups[(intent, locale)].append(text)
        by_locale[locale].append((text, intent))
    pairs: list[QuestionPair] = []
    for locale, items in sorted(by_locale.items()):
        texts = [t for t, _ in items]
        intents = np.array([i for _, i in items])
        vectors = char_vectorizer("char", CHAR_NGRAMS, min_df=1).fit_transform(texts)
        similarity = (vectors @ vectors.T).toarray()
        for row, (text, intent) in enumerate(items):
            mates = [t for t in groups[(intent, locale)] if t != text]
            for mate in rng.sample(mates, min(per_example, len(mates))):
                pairs.append(QuestionPair(text, mate, True))
            others = [i for i in range(len(items)) if intents[i] != intent]
            for other in rng.sample(others, min(max(1, per_example // 2), len(others))):
                pairs.append(QuestionPair(text, texts[other], False))
            scores = np.where(intents != intent, similarity[row], -1.0)
            for other in np.argsort(scores)[::-1][: max(1, per_example // 2)]:
                pairs.append(QuestionPair(text, texts[int(other)], False))
    return pairs
