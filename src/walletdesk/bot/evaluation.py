"""Measuring the engine on labelled data: intents (CSV `text,category`, BANKING77's format) and
Chinese question pairs (ATEC: `id<TAB>q1<TAB>q2<TAB>label` with a BOM; BQ: CSV with a header
`sentence1,sentence2,label`).

Each evaluation trains a fresh model on the training files only and then answers the test
rows one at a time, timing each answer, as the bot would in a conversation.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from walletdesk.bot.intents import IntentModel, Progress, no_progress
from walletdesk.bot.pairs import QuestionPair, fit_pairs

OOS = "oos"


class DataFileError(ValueError):
    """A data file that is missing, unreadable or not in an expected format."""


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str


def read_labelled_csv(path: Path) -> list[LabelledText]:
    """Rows of a CSV file with a `text,category` header (a BOM is allowed)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"text", "category"} <= set(reader.fieldnames):
                raise DataFileError(f"{path}: the header must name the columns text,category")
            rows = [
                LabelledText(row["text"].strip(), row["category"].strip())
                for row in reader
                if (row.get("text") or "").strip() and (row.get("category") or "").strip()
            ]
    except OSError as exc:
        raise DataFileError(f"{path}: {exc.strerror}") from exc
    if not rows:
        raise DataFileError(f"{path}: no rows")
    return rows


def read_question_pairs(path: Path) -> list[QuestionPair]:
    """ATEC (tab-separated, id column, BOM) or BQ (comma-separated with a header) pairs."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataFileError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8") from exc
    lines = text.splitlines()
    first = lines[0] if lines else ""
    pairs: list[QuestionPair] = []
    if first.count("\t") >= 3:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 4:
                raise DataFileError(f"{path}:{number}: expected id, q1, q2, label")
            pairs.append(_pair(fields[1], fields[2], fields[3], path, number))
    else:
        reader = csv.DictReader(lines)
        if not reader.fieldnames or not {"sentence1", "sentence2", "label"} <= set(
            reader.fieldnames
        ):
            raise DataFileError(f"{path}: expected ATEC (tab) or BQ (sentence1,sentence2,label)")
        for number, row in enumerate(reader, start=2):
            pairs.append(_pair(row["sentence1"], row["sentence2"], row["label"], path, number))
    if not pairs:
        raise DataFileError(f"{path}: no pairs")
    return pairs


def _pair(first: str, second: str, label: str, path: Path, line: int) -> QuestionPair:
    label = label.strip()
    if label not in ("0", "1"):
        raise DataFileError(f"{path}:{line}: the label must be 0 or 1, not {label!r}")
    clean = {ord("\ufeff"): None}
    return QuestionPair(
        first.translate(clean).strip(), second.translate(clean).strip(), label == "1"
    )


def _percentile_ms(seconds: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(seconds) * 1000.0, q)), 3)


def evaluate_intents(
    train: Sequence[LabelledText],
    test: Sequence[LabelledText],
    *,
    embeddings: bool | None = None,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Accuracy, macro F1 and single-query latency of a model trained on `train` only. A test
    row whose category is not among the training categories (`oos`) is right when rejected.
    `embeddings` as for `IntentModel.fit` (None: whenever the extra is installed)."""
    started = time.perf_counter()
    model = IntentModel.fit(
        [r.text for r in train],
        [r.category for r in train],
        embeddings=embeddings,
        progress=progress,
    )
    train_seconds = time.perf_counter() - started
    known = set(model.classes)
    expected: list[str] = []
    predicted: list[str] = []
    best: list[str] = []
    latencies: list[float] = []
    for row in test:
        began = time.perf_counter()
        result = model.classify(row.text)
        latencies.append(time.perf_counter() - began)
        expected.append(row.category if row.category in known else OOS)
        predicted.append(result.intent if result.intent is not None else OOS)
        best.append(result.ranked[0].intent)
    truth = np.array(expected)
    guess = np.array(predicted)
    report: dict[str, Any] = {
        "accuracy": round(float((truth == guess).mean()), 4),
        "macro_f1": round(float(f1_score(truth, guess, average="macro", zero_division=0)), 4),
        "p50_ms": _percentile_ms(latencies, 50),
        "p95_ms": _percentile_ms(latencies, 95),
        "train_seconds": round(train_seconds, 2),
        # The best intent whether or not it was rejected: the classifier alone.
        "top1_accuracy": round(float((truth == np.array(best))[truth != OOS].mean()), 4)
        if (truth != OOS).any()
        else None,
        "train_rows": len(train),
        "test_rows": len(test),
        "threshold": model.threshold,
        "embeddings": model.embedder,
    }
    unknown = truth == OOS
    if unknown.any():
        report["in_scope_accuracy"] = (
            round(float((truth == guess)[~unknown].mean()), 4) if (~unknown).any() else None
        )
        report["oos_recall"] = round(float((guess == OOS)[unknown].mean()), 4)
        report["oos_rows"] = int(unknown.sum())
    return report


def evaluate_pairs(
    train: Sequence[QuestionPair],
    test: Sequence[QuestionPair],
    *,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Accuracy and F1 (same question = positive) of a pair model trained on `train` only."""
    started = time.perf_counter()
    model = fit_pairs(train, progress=progress)
    train_seconds = time.perf_counter() - started
    latencies: list[float] = []
    guesses: list[bool] = []
    for pair in test:
        began = time.perf_counter()
        guesses.append(model.same(pair.first, pair.second))
        latencies.append(time.perf_counter() - began)
    truth = np.array([p.same for p in test])
    guess = np.array(guesses)
    return {
        "accuracy": round(float((truth == guess).mean()), 4),
        "f1": round(float(f1_score(truth, guess, zero_division=0)), 4),
        "p95_ms": _percentile_ms(latencies, 95),
        "p50_ms": _percentile_ms(latencies, 50),
        "train_seconds": round(train_seconds, 2),
        "train_pairs": len(train),
        "test_pairs": len(test),
        "threshold": model.threshold,
    }
