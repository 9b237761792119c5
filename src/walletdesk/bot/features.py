"""The sparse features the intent and question-pair models share: TF-IDF over words (jieba
words and English stems, with word pairs) and over character n-grams within words, so typos,
mixed Chinese and English, and unseen compounds still overlap with what was trained."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from walletdesk.bot.text import WordAnalyzer, char_text


def word_vectorizer(*, min_df: int = 1) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=WordAnalyzer(), sublinear_tf=True, min_df=min_df, dtype=np.float32
    )


def char_vectorizer(ngrams: tuple[int, int] = (1, 5), *, min_df: int = 2) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=char_text,
        ngram_range=ngrams,
        sublinear_tf=True,
        min_df=min_df,
        dtype=np.float32,
    )


def intent_vectorizer() -> FeatureUnion:
    return FeatureUnion([("words", word_vectorizer()), ("chars", char_vectorizer())])


def drop_fit_leftovers(vectorizer: TfidfVectorizer | FeatureUnion) -> None:
    """Forget the terms cut by min_df: scikit-learn keeps them only for introspection, and
    they would make the saved model several times larger."""
    parts = (
        [v for _, v in vectorizer.transformer_list]
        if isinstance(vectorizer, FeatureUnion)
        else [vectorizer]
    )
    for part in parts:
        if hasattr(part, "stop_words_"):
            del part.stop_words_
