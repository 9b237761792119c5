"""Recording and verifying audit entries. Recording happens inside the caller's unit of work,
so an event is written exactly when the change it describes commits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.chain import (
    AuditEntry,
    ChainBreak,
    canonical_details,
    entry_hash,
    first_break,
)

if TYPE_CHECKING:
    from walletdesk.storage.uow import Database, UnitOfWork


@dataclass(frozen=True)
class Actor:
    """Who did something: a user, a staff member, the system, or an anonymous caller."""

    kind: str
    id: str | None = None
    ip: str | None = None

    @classmethod
    def user(cls, user_id: str, ip: str | None = None) -> Actor:
        return cls("user", user_id, ip)

    @classmethod
    def staff(cls, user_id: str, ip: str | None = None) -> Actor:
        return cls("staff", user_id, ip)

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls("anonymous", None, ip)


def record(
    uow: UnitOfWork,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one event. Never put secrets (passwords, codes, tokens, full contacts) in details."""
    last_seq, last_hash = uow.audit.lock_head()
    text = canonical_details(details or {})
    seq = last_seq + 1
    digest = entry_hash(
        seq=seq,
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        ip=actor.ip,
        details=text,
        prev_hash=last_hash,
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        ip=actor.ip,
        details=text,
        prev_hash=last_hash,
        hash=digest,
    )
    uow.audit.append(entry)
    return entry


def record_for_user(
    uow: UnitOfWork,
    at: datetime,
    actor: Actor,
    action: str,
    user_id: str,
    **details: object,
) -> AuditEntry:
    """`record` for the common case: an event about one user's account."""
    return record(
        uow,
        at=at,
        actor=actor,
        action=action,
        subject_kind="user",
        subject_id=user_id,
        details=details,
    )


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken: ChainBreak | None


def verify(uow: UnitOfWork) -> VerifyResult:
    counted = 0

    def counting() -> Iterator[AuditEntry]:
        nonlocal counted
        for entry in uow.audit.iterate():
            counted += 1
            yield entry

    broken = first_break(counting(), head=uow.audit.head())
    return VerifyResult(checked=counted, broken=broken)


def verify_database(db: Database) -> VerifyResult:
    with db.uow(read_only=True) as uow:
        return verify(uow)


def recent_entries(
    db: Database, *, subject_id: str | None = None, limit: int = 50
) -> list[AuditEntry]:
    with db.uow(read_only=True) as uow:
        return uow.audit.recent(subject_id=subject_id, limit=limit)
