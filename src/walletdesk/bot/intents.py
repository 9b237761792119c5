"""Intent classification with calibrated confidence and out-of-scope rejection.

Two linear models over the same sparse features vote with their probabilities: a multinomial
logistic regression and a linear SVM whose scores are calibrated by temperature scaling on
cross-validated predictions. A question is out of scope when the averaged top probability is
below a threshold, or when it lands on the catalogue's own out-of-scope intent.

The threshold is tuned on a validation split carved from the training data only: a share of
the intents is held out entirely and plays the unknown questions, the rest is split 80/20. The
threshold is the lowest that turns away `RECALL_TARGET` of the held-out questions, as long as
in-scope accuracy on the validation part drops by at most `MAX_DROP`; if the target cannot be
reached within that, the one rejecting the most within it. Every rejected in-scope question
costs accuracy, so this trades a few points of it for turning away half of what the bot was
never taught (measured in docs/benchmarks.md).

With the optional `embeddings` extra installed (see `embeddings`), a third model joins the
vote: a logistic regression over the question's multilingual sentence embedding, whose
probabilities count `EMBEDDING_SHARE` times as much as each sparse model's. The model records
the encoder's name: it cannot answer without that encoder. (Appending the embedding to the
sparse features instead gained as much on validation but trained three times slower.)

scikit-learn trains; what is kept is the weights (`LinearVote`) and the encoders, so answering
one question is a few NumPy operations (plus the sentence encoder's forward pass, with the extra).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from walletdesk.bot import embeddings as sentence
from walletdesk.bot.features import Encoder, FloatArray, char_vectorizer, word_vectorizer

LR_C = 30.0
SOLVER = {"solver": "newton-cg", "tol": 1e-3}
"""Newton-CG reaches the optimum in a handful of steps where L-BFGS takes dozens."""
SVM_C = 1.0
CALIBRATION_FOLDS = 5
PSEUDO_OOS_SHARE = 0.15
VALIDATION_SHARE = 0.2
RECALL_TARGET = 0.55
MAX_DROP = 0.04
DEFAULT_THRESHOLD = 0.3
"""Used when the training data is too small to carve a validation split from."""
MIN_CLASSES_TO_TUNE = 5
MIN_EXAMPLES_TO_TUNE = 5
EMBEDDING_C = 10.0
EMBEDDING_SHARE = 1.0
"""The sentence model's weight in the vote, against 1 for each sparse model; chosen on the
validation split (docs/benchmarks.md)."""

Progress = Callable[[str], None]
"""Told the name of each stage of training as it starts."""
FIT_STAGES = (
    "sentence embeddings",
    "validation split",
    "threshold",
    "features",
    "logistic regression",
    "svm",
    "sentence model",
)
Vectors = dict[str, FloatArray]
"""Sentence embeddings of the training questions, by text."""


def no_progress(_stage: str) -> None:
    return None


@dataclass(frozen=True)
class Ranked:
    intent: str
    confidence: float


@dataclass(frozen=True)
class Classification:
    intent: str | None
    """None when the question is out of scope."""
    confidence: float
    """The calibrated probability of the best intent (also when it is rejected)."""
    ranked: tuple[Ranked, ...]
    out_of_scope: bool


@dataclass
class LinearVote:
    """Linear models over the concatenated encoders' features, each turned into probabilities
    by a softmax at its own inverse temperature, averaged."""

    encoders: tuple[Encoder, ...]
    weights: FloatArray
    """(features, models × classes)"""
    bias: FloatArray
    """(models, classes)"""
    betas: FloatArray
    """(models,) inverse temperatures"""
    classes: tuple[str, ...]
    embedder: str | None = None
    """The sentence encoder the sentence model reads, or None for the base model."""
    embedding_weights: FloatArray | None = None
    """(DIMENSIONS, classes) logistic-regression weights over the sentence embedding"""
    embedding_bias: FloatArray | None = None
    embedding_share: float = EMBEDDING_SHARE

    def _features(self, text: str) -> tuple[np.ndarray[Any, Any], FloatArray]:
        indices, values, offset = [], [], 0
        for encoder in self.encoders:
            i, v = encoder.encode(text)
            indices.append(i + offset)
            values.append(v)
            offset += encoder.size
        return np.concatenate(indices), np.concatenate(values)

    def probabilities(
        self, text: str, vector: FloatArray | None = None
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The averaged class probabilities; `vector` is the text's sentence embedding when the
        caller already has it (training does), else the encoder computes it."""
        indices, values = self._features(text)
        models, classes = self.bias.shape
        logits = (values @ self.weights[indices]).reshape(models, classes).astype(np.float64)
        logits = (logits + self.bias) * self.betas[:, None]
        total = _softmax(logits).sum(axis=0)
        if self.embedder is None or self.embedding_weights is None or self.embedding_bias is None:
            proba: np.ndarray[Any, np.dtype[np.float64]] = total / models
            return proba
        if vector is None:
            vector = sentence.encoder(self.embedder).encode_one(text)
        dense = (vector @ self.embedding_weights + self.embedding_bias).astype(np.float64)
        share = self.embedding_share
        proba = (total + share * _softmax(dense[None, :])[0]) / (models + share)
        return proba


def _softmax(logits: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    proba: np.ndarray[Any, Any] = exp / exp.sum(axis=1, keepdims=True)
    return proba


def _softmax_weights(coef: Any, intercept: Any, binary_sign: float) -> tuple[Any, Any]:
    """Two-class linear models keep one row; as softmax logits that is (0, z) for logistic
    regression and (-z, z) for the SVM (scikit-learn's temperature scaling does the same)."""
    coef = np.asarray(coef, dtype=np.float32)
    intercept = np.asarray(intercept, dtype=np.float32)
    if coef.shape[0] == 1:
        coef = np.vstack([binary_sign * coef, coef])
        intercept = np.concatenate([binary_sign * intercept, intercept])
    return coef, intercept


def fit_vote(
    texts: Sequence[str],
    labels: Sequence[str],
    progress: Progress,
    vectors: Vectors | None = None,
) -> LinearVote:
    """Train the vote; with `vectors` (every text's sentence embedding) the sentence model
    joins it."""
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    progress("features")
    words, chars = word_vectorizer(), char_vectorizer("char_wb", (1, 5))
    features = sp.hstack([words.fit_transform(texts), chars.fit_transform(texts)], format="csr")
    encoders = (Encoder.from_vectorizer(words, "words"), Encoder.from_vectorizer(chars, "char_wb"))
    progress("logistic regression")
    linear = LogisticRegression(C=LR_C, max_iter=1000, **SOLVER).fit(features, labels)
    coefs = [_softmax_weights(linear.coef_, linear.intercept_, 0.0)]
    betas = [1.0]
    progress("svm")
    folds = min(CALIBRATION_FOLDS, min(Counter(labels).values()))
    if folds >= 2:
        svm = CalibratedClassifierCV(
            LinearSVC(C=SVM_C, max_iter=5000), method="temperature", cv=folds, ensemble=False
        ).fit(features, labels)
        calibrated = svm.calibrated_classifiers_[0]
        assert list(svm.classes_) == list(linear.classes_)
        coefs.append(
            _softmax_weights(calibrated.estimator.coef_, calibrated.estimator.intercept_, -1.0)
        )
        betas.append(float(calibrated.calibrators[0].beta_))
    progress("sentence model")
    embedding: tuple[Any, Any] = (None, None)
    if vectors is not None:
        dense = LogisticRegression(C=EMBEDDING_C, max_iter=2000).fit(
            np.vstack([vectors[text] for text in texts]), labels
        )
        assert list(dense.classes_) == list(linear.classes_)
        coef, intercept = _softmax_weights(dense.coef_, dense.intercept_, 0.0)
        embedding = (np.ascontiguousarray(coef.T), intercept)
    return LinearVote(
        encoders=encoders,
        weights=np.ascontiguousarray(np.hstack([c.T for c, _ in coefs]), dtype=np.float32),
        bias=np.vstack([b for _, b in coefs]).astype(np.float32),
        betas=np.array(betas, dtype=np.float32),
        classes=tuple(str(c) for c in linear.classes_),
        embedder=sentence.NAME if vectors is not None else None,
        embedding_weights=embedding[0],
        embedding_bias=embedding[1],
    )


class IntentModel:
    def __init__(
        self, vote: LinearVote, threshold: float, rejection_label: str | None = None
    ) -> None:
        self.vote = vote
        self.threshold = threshold
        self.rejection_label = rejection_label

    @property
    def classes(self) -> tuple[str, ...]:
        return self.vote.classes

    @property
    def embedder(self) -> str | None:
        """The sentence encoder this model needs, None for the base model. Models saved before
        the extra existed have no such attribute and need none."""
        return getattr(self.vote, "embedder", None)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        rejection_label: str | None = None,
        seed: int = 0,
        embeddings: bool | None = None,
        progress: Progress = no_progress,
    ) -> IntentModel:
        """Train on (text, label) pairs. `rejection_label` names a class of questions to turn
        away (the catalogue's out_of_scope); a prediction of it counts as out of scope.
        `embeddings`: add the sentence model to the vote; None means whenever the extra is
        installed, True raises EmbeddingsMissing when it is not."""
        if len(texts) != len(labels) or len(set(labels)) < 2:
            raise ValueError("need texts with labels of at least two intents")
        progress("sentence embeddings")
        vectors: Vectors | None = None
        if embeddings or (embeddings is None and sentence.installed_name() is not None):
            unique = sorted(set(texts))
            encoded = sentence.encoder(sentence.NAME).encode(unique)
            vectors = dict(zip(unique, encoded, strict=True))
        progress("validation split")
        threshold = _tune_threshold(texts, labels, rejection_label, seed, progress, vectors)
        return cls(fit_vote(texts, labels, progress, vectors), threshold, rejection_label)

    def classify(self, text: str, *, alternatives: int = 3) -> Classification:
        proba = self.vote.probabilities(text)
        order = np.argsort(proba)[::-1][: max(1, alternatives)]
        ranked = tuple(Ranked(self.classes[i], float(proba[i])) for i in order)
        best = ranked[0]
        rejected = best.confidence < self.threshold or best.intent == self.rejection_label
        return Classification(
            intent=None if rejected else best.intent,
            confidence=best.confidence,
            ranked=ranked,
            out_of_scope=rejected,
        )


def _tune_threshold(
    texts: Sequence[str],
    labels: Sequence[str],
    rejection_label: str | None,
    seed: int,
    progress: Progress,
    vectors: Vectors | None = None,
) -> float:
    counts = Counter(labels)
    known = sorted(c for c in counts if c != rejection_label)
    if len(known) < MIN_CLASSES_TO_TUNE or min(counts[c] for c in known) < MIN_EXAMPLES_TO_TUNE:
        progress("threshold")
        return DEFAULT_THRESHOLD
    rng = random.Random(seed)  # noqa: S311 - sampling training data, not secrets
    held_out = set(rng.sample(known, max(1, round(PSEUDO_OOS_SHARE * len(known)))))
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_label[label].append(text)
    train_texts: list[str] = []
    train_labels: list[str] = []
    check_texts: list[str] = []
    check_labels: list[str | None] = []  # None: a question the model must turn away
    for label in sorted(by_label):
        items = list(by_label[label])
        rng.shuffle(items)
        if label in held_out:
            check_texts += items
            check_labels += [None] * len(items)
            continue
        cut = max(1, round(VALIDATION_SHARE * len(items)))
        check_texts += items[:cut]
        check_labels += [None if label == rejection_label else label] * cut
        train_texts += items[cut:]
        train_labels += [label] * (len(items) - cut)
    vote = fit_vote(train_texts, train_labels, no_progress, vectors)
    progress("threshold")
    proba = np.vstack(
        [vote.probabilities(text, vectors[text] if vectors else None) for text in check_texts]
    )
    classes = np.array(vote.classes)
    return choose_threshold(
        top=proba.max(axis=1),
        predicted=classes[proba.argmax(axis=1)],
        expected=check_labels,
        rejection_label=rejection_label,
    )


def choose_threshold(
    *,
    top: np.ndarray[Any, np.dtype[np.float64]],
    predicted: np.ndarray[Any, np.dtype[np.str_]],
    expected: Sequence[str | None],
    rejection_label: str | None,
    recall_target: float = RECALL_TARGET,
    max_drop: float = MAX_DROP,
) -> float:
    """The lowest threshold that rejects `recall_target` of the unknown questions (expected
    None) with in-scope accuracy within `max_drop` of its value without a threshold; failing
    that, the one rejecting the most within `max_drop`."""
    wanted = np.array([e if e is not None else "" for e in expected])
    in_scope = np.array([e is not None for e in expected])
    if not in_scope.any() or in_scope.all():
        return DEFAULT_THRESHOLD
    right = predicted == wanted
    landed_on_rejection = (
        predicted == rejection_label if rejection_label else np.zeros(len(wanted), dtype=bool)
    )
    baseline = float((right & ~landed_on_rejection)[in_scope].mean())
    best, best_recall = 0.0, -1.0
    for threshold in np.round(np.arange(0.0, 0.96, 0.01), 2):
        rejected = (top < threshold) | landed_on_rejection
        if baseline - float((right & ~rejected)[in_scope].mean()) > max_drop + 1e-9:
            break
        recall = float(rejected[~in_scope].mean())
        if recall >= recall_target:
            return float(threshold)
        if recall > best_recall:
            best, best_recall = float(threshold), recall
    return best
