"""The hash chain: each entry's hash covers its fields and the previous entry's hash, so
changing, removing or reordering any row breaks verification at that row."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    ip: str | None
    details: str
    """Canonical JSON text, hashed exactly as stored."""
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def canonical_details(details: dict[str, object]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_kind: str,
    actor_id: str | None,
    action: str,
    subject_kind: str | None,
    subject_id: str | None,
    ip: str | None,
    details: str,
    prev_hash: str,
) -> str:
    material = json.dumps(
        [
            seq,
            at.isoformat(timespec="microseconds"),
            actor_kind,
            actor_id,
            action,
            subject_kind,
            subject_id,
            ip,
            details,
            prev_hash,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def recompute(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_kind=entry.actor_kind,
        actor_id=entry.actor_id,
        action=entry.action,
        subject_kind=entry.subject_kind,
        subject_id=entry.subject_id,
        ip=entry.ip,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


def first_break(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None = None
) -> ChainBreak | None:
    """Walk entries in `seq` order; return the first one that does not verify.

    `head` is the recorded (last_seq, last_hash): it catches entries deleted from the end.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "does not link to the previous entry")
        if recompute(entry) != entry.hash:
            return ChainBreak(entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
    if head is not None:
        last_seq, last_hash = head
        if last_seq != expected_seq - 1 or last_hash != expected_prev:
            return ChainBreak(expected_seq, f"entries after {expected_seq - 1} were removed")
    return None
