"""Backtests: run labelled movements through a rule set (and a baseline) on the in-memory
history, in time order, and measure what the rules catch.

Inputs are a PaySim CSV (``step,type,amount,nameOrig,...,isFraud,isFlaggedFraud``; `step` is an
hour) or a scenario file from `risk.scenarios` (JSON lines). Every movement is assessed with
the history of the movements before it, then recorded. "Alerted" means any action other than
approve. The decision hash covers each movement's id, action, score and fired rules in order,
so identical input and rules give an identical hash, on any machine.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from walletdesk.risk.engine import evaluate_movement
from walletdesk.risk.history import Party
from walletdesk.risk.memory import MemoryStore
from walletdesk.risk.models import Action, Movement, MovementKind
from walletdesk.risk.ruleset import RuleSet

PAYSIM_START = datetime(2026, 1, 1, tzinfo=UTC)
"""PaySim's step 1 is the first hour after this instant."""
_PAYSIM_KINDS = {
    "PAYMENT": MovementKind.PAYMENT,
    "TRANSFER": MovementKind.TRANSFER,
    "CASH_OUT": MovementKind.WITHDRAWAL,
    "DEBIT": MovementKind.WITHDRAWAL,
    "CASH_IN": MovementKind.TOPUP,
}


@dataclass(frozen=True)
class Labelled:
    movement: Movement
    fraud: bool
    pattern: str = ""


@dataclass
class Replay:
    """Everything a replay needs: the movements in time order and a store that knows the
    parties and devices they refer to."""

    events: list[Labelled]
    store: MemoryStore = field(default_factory=MemoryStore)
    source: str = ""


def _fen(text: str) -> int:
    return int((Decimal(text) * 100).quantize(Decimal(1)))


def read_paysim(path: Path) -> Replay:
    """PaySim rows in time order: within one step (hour) the file's order, spread evenly
    over the hour. CASH_IN is a top-up (no receiver); CASH_OUT and DEBIT are withdrawals."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_step: dict[int, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(rows):
        by_step.setdefault(int(row["step"]), []).append((number, row))
    events: list[Labelled] = []
    for step in sorted(by_step):
        chunk = by_step[step]
        for rank, (number, row) in enumerate(chunk):
            kind = _PAYSIM_KINDS[row["type"]]
            at = PAYSIM_START + timedelta(hours=step - 1, seconds=rank * 3600 // len(chunk))
            fen = _fen(row["amount"])
            events.append(
                Labelled(
                    Movement(
                        id=f"paysim-{number + 1}",
                        kind=kind,
                        sender_id=row["nameOrig"],
                        receiver_id=None if kind is MovementKind.TOPUP else row["nameDest"],
                        amount_minor=fen,
                        currency="CNY",
                        amount_cny_minor=fen,
                        at=at,
                        sender_balance_minor=_fen(row["oldbalanceOrg"]),
                    ),
                    fraud=float(row["isFraud"]) == 1.0,
                    pattern=row["type"].lower(),
                )
            )
    return Replay(events=events, source=str(path))


def _when(text: object) -> datetime | None:
    return datetime.fromisoformat(str(text)) if text else None


def read_scenarios(path: Path) -> Replay:
    """A scenario file: JSON lines of accounts, devices and labelled movements."""
    replay = Replay(events=[], source=str(path))
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            item = json.loads(line)
            kind = item.get("type")
            if kind == "account":
                replay.store.add_party(
                    item["id"],
                    Party(
                        opened_at=_when(item.get("opened_at")),
                        password_reset_at=_when(item.get("password_reset_at")),
                        contact_changed_at=_when(item.get("contact_changed_at")),
                    ),
                )
            elif kind == "device":
                first_seen = _when(item["first_seen_at"])
                assert first_seen is not None
                replay.store.add_device(item["user"], item["device"], first_seen)
            elif kind == "movement":
                replay.events.append(_scenario_movement(item))
    replay.events.sort(key=lambda e: (e.movement.at, e.movement.id))
    return replay


def _scenario_movement(item: dict[str, object]) -> Labelled:
    fen = _fen(str(item["amount"]))
    at = _when(item["at"])
    assert at is not None
    balance = item.get("sender_balance")
    return Labelled(
        Movement(
            id=str(item["id"]),
            kind=MovementKind(str(item["kind"])),
            sender_id=str(item["sender"]),
            receiver_id=str(item["receiver"]) if item.get("receiver") else None,
            amount_minor=fen,
            currency="CNY",
            amount_cny_minor=fen,
            at=at,
            device_id=str(item["device"]) if item.get("device") else None,
            ip=str(item["ip"]) if item.get("ip") else None,
            payee_added_at=_when(item.get("payee_added_at")),
            support_contact=bool(item.get("support_contact")),
            sender_balance_minor=_fen(str(balance)) if balance is not None else None,
        ),
        fraud=bool(item.get("label")),
        pattern=str(item.get("pattern", "")),
    )


def read_replay_file(path: Path) -> Replay:
    """A PaySim CSV or a scenario file, told apart by the first line."""
    with path.open(encoding="utf-8") as handle:
        first = handle.readline()
    if first.lstrip().startswith("{"):
        return read_scenarios(path)
    return read_paysim(path)


@dataclass
class Scorecard:
    """A confusion matrix and what follows from it."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    rule_hits: Counter[str] = field(default_factory=Counter)

    def add(self, action: Action, fraud: bool, hits: Sequence[str]) -> None:
        alerted = action is not Action.APPROVE
        self.actions[str(action)] += 1
        self.rule_hits.update(hits)
        if alerted and fraud:
            self.true_positive += 1
        elif alerted:
            self.false_positive += 1
        elif fraud:
            self.false_negative += 1
        else:
            self.true_negative += 1

    @property
    def events(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def alerts(self) -> int:
        return self.true_positive + self.false_positive

    @property
    def precision(self) -> float:
        return self.true_positive / self.alerts if self.alerts else 0.0

    @property
    def recall(self) -> float:
        frauds = self.true_positive + self.false_negative
        return self.true_positive / frauds if frauds else 0.0

    @property
    def alert_rate(self) -> float:
        return self.alerts / self.events if self.events else 0.0


@dataclass
class ReplayResult:
    rules: Scorecard
    baseline: Scorecard
    decision_hash: str
    changed: int
    """Movements whose action differs between the rules and the baseline."""
    newly_alerted: int
    no_longer_alerted: int
    events: int
    by_pattern: dict[str, Counter[str]]
    """Per scenario pattern: how many movements, and how many the rules alerted on."""


def run_replay(
    replay: Replay,
    rules: RuleSet,
    baseline: RuleSet,
    *,
    progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Assess every movement in order with both rule sets on the same features, then record
    it; the baseline sees exactly what the rules see."""
    digest = hashlib.sha256()
    mine, theirs = Scorecard(), Scorecard()
    changed = newly = dropped = 0
    by_pattern: dict[str, Counter[str]] = {}
    store = replay.store
    same = rules.sha256 == baseline.sha256
    for number, labelled in enumerate(replay.events, start=1):
        movement = labelled.movement
        assessed = evaluate_movement(rules, store, movement, movement.at)
        verdict = assessed.verdict
        other = verdict if same else baseline.evaluate(assessed.features)
        hit_ids = [hit.rule_id for hit in verdict.hits]
        mine.add(verdict.action, labelled.fraud, hit_ids)
        theirs.add(other.action, labelled.fraud, [hit.rule_id for hit in other.hits])
        if verdict.action is not other.action:
            changed += 1
            was, now = other.action is not Action.APPROVE, verdict.action is not Action.APPROVE
            newly += int(now and not was)
            dropped += int(was and not now)
        tally = by_pattern.setdefault(labelled.pattern, Counter())
        tally["events"] += 1
        tally["alerted"] += int(verdict.action is not Action.APPROVE)
        digest.update(
            f"{movement.id}|{verdict.action}|{verdict.score}|{','.join(hit_ids)}\n".encode()
        )
        store.record(movement)
        if progress is not None and number % 1000 == 0:
            progress(number)
    if progress is not None:
        progress(len(replay.events))
    return ReplayResult(
        rules=mine,
        baseline=theirs,
        decision_hash=digest.hexdigest(),
        changed=changed,
        newly_alerted=newly,
        no_longer_alerted=dropped,
        events=len(replay.events),
        by_pattern=by_pattern,
    )


def summary(
    result: ReplayResult, *, seconds: float, cpu_seconds: float | None = None
) -> dict[str, object]:
    """The machine line: one JSON object. `events_per_s` is wall-clock; `events_per_cpu_s`
    (when given the process's CPU time) does not depend on what else the machine runs."""
    card, base = result.rules, result.baseline
    return {
        "events": result.events,
        "precision": round(card.precision, 4),
        "recall": round(card.recall, 4),
        "alert_rate": round(card.alert_rate, 4),
        "confusion": {
            "tp": card.true_positive,
            "fp": card.false_positive,
            "fn": card.false_negative,
            "tn": card.true_negative,
        },
        "events_per_s": round(result.events / seconds, 1) if seconds > 0 else None,
        "events_per_cpu_s": (round(result.events / cpu_seconds, 1) if cpu_seconds else None),
        "decision_hash": result.decision_hash,
        "baseline": {
            "precision": round(base.precision, 4),
            "recall": round(base.recall, 4),
            "alert_rate": round(base.alert_rate, 4),
            "changed": result.changed,
            "newly_alerted": result.newly_alerted,
            "no_longer_alerted": result.no_longer_alerted,
        },
    }
