"""The sparse features the intent and question-pair models share: TF-IDF over words (jieba
words and English stems, with word pairs) and over character n-grams, so typos, mixed Chinese
and English, and unseen compounds still overlap with what was trained.

Training uses scikit-learn's `TfidfVectorizer`. What is kept afterwards is an `Encoder`: the
vocabulary, the idf weights and the same analysis, in plain Python and NumPy. Encoding one
question that way takes microseconds where the vectorizer's batch machinery takes
milliseconds, and a saved model needs neither scikit-learn nor SciPy to be loaded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from walletdesk.bot.text import WordAnalyzer, char_text

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

Kind = Literal["words", "char_wb", "char"]
_WHITE_SPACES = re.compile(r"\s\s+")
FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IndexArray = np.ndarray[Any, np.dtype[np.int32]]


def word_vectorizer(*, min_df: int = 1) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=WordAnalyzer(), sublinear_tf=True, min_df=min_df, dtype=np.float32
    )


def char_vectorizer(
    kind: Literal["char_wb", "char"] = "char_wb",
    ngrams: tuple[int, int] = (1, 5),
    *,
    min_df: int = 2,
) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=kind,
        preprocessor=char_text,
        ngram_range=ngrams,
        sublinear_tf=True,
        min_df=min_df,
        dtype=np.float32,
    )


def char_wb_ngrams(text: str, ngrams: tuple[int, int]) -> list[str]:
    """scikit-learn's `char_wb` analysis: n-grams inside space-padded words."""
    low, high = ngrams
    found: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            offset = 0
            found.append(padded[offset : offset + n])
            while offset + n < size:
                offset += 1
                found.append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return found


def char_ngrams(text: str, ngrams: tuple[int, int]) -> list[str]:
    """scikit-learn's `char` analysis: n-grams across the whole text."""
    text = _WHITE_SPACES.sub(" ", text)
    low, high = ngrams
    found: list[str] = []
    if low == 1:
        found = list(text)
        low = 2
    for n in range(low, min(high + 1, len(text) + 1)):
        found.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return found


@dataclass
class Encoder:
    """A fitted TF-IDF vectorizer without scikit-learn: sublinear tf × idf, L2-normalised."""

    kind: Kind
    ngrams: tuple[int, int]
    vocabulary: dict[str, int]
    idf: FloatArray

    @classmethod
    def from_vectorizer(cls, vectorizer: TfidfVectorizer, kind: Kind) -> Encoder:
        assert vectorizer.sublinear_tf and vectorizer.norm == "l2" and vectorizer.use_idf
        return cls(
            kind=kind,
            ngrams=tuple(vectorizer.ngram_range),
            vocabulary={str(term): int(i) for term, i in vectorizer.vocabulary_.items()},
            idf=np.asarray(vectorizer.idf_, dtype=np.float32),
        )

    @property
    def size(self) -> int:
        return len(self.idf)

    def _analyzer(self) -> Callable[[str], list[str]]:
        if self.kind == "words":
            return WordAnalyzer()
        if self.kind == "char_wb":
            return lambda text: char_wb_ngrams(char_text(text), self.ngrams)
        return lambda text: char_ngrams(char_text(text), self.ngrams)

    def terms(self, text: str) -> list[str]:
        return self._analyzer()(text)

    def encode(self, text: str) -> tuple[IndexArray, FloatArray]:
        """The non-zero (index, weight) entries of the text's vector, indices ascending."""
        counts = Counter(t for t in self.terms(text) if t in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        indices = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int32)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32))
        values = (tf * self.idf[indices]).astype(np.float32)
        values /= np.float32(np.sqrt(float(values @ values)))
        order = np.argsort(indices)
        return indices[order], values[order]
