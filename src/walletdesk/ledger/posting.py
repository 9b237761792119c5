"""Posting journal entries: the only way money moves.

`post_entry` runs inside the caller's unit of work. It checks the legs balance per currency,
applies them account by account in id order (a fixed lock order, so two entries touching the
same accounts cannot deadlock), lets the database refuse any overdraft, writes the immutable
entry and its postings with each account's running balance and sequence, and queues exactly
one outbox event for the entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.ledger.errors import InsufficientFunds
from walletdesk.ledger.models import JournalEntry, Leg, PostedEntry, Posting, check_balanced
from walletdesk.ledger.money import Money
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

EVENT_ENTRY_POSTED = "ledger.entry_posted"


def post_entry(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    kind: str,
    legs: list[Leg],
    description: str,
    details: dict[str, object] | None = None,
    actor_id: str | None = None,
    reverses_entry_id: str | None = None,
    locale: str = "zh-CN",
    entry_id: str | None = None,
) -> PostedEntry:
    """`entry_id`: for a caller that must name the entry before posting it."""
    check_balanced(legs)
    now = rt.clock.now()
    entry = JournalEntry(
        id=entry_id or new_id(rt.random, "ent"),
        kind=kind,
        created_at=now,
        description=description[:200],
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        actor_id=actor_id,
        reverses_entry_id=reverses_entry_id,
    )
    by_account: dict[tuple[str, str], int] = defaultdict(int)
    for leg in legs:
        by_account[(leg.account_id, leg.currency)] += leg.amount
    changes = {key: amount for key, amount in sorted(by_account.items()) if amount != 0}
    # An account that nets to zero in this entry is not touched.
    if uow.dialect == "postgresql" and reverses_entry_id is None:
        return _post_at_once(rt, uow, entry, changes, locale)
    uow.journal.add(entry)
    applied = _apply(uow, {account_id: amount for (account_id, _), amount in changes.items()})
    triples = [(account_id, amount, currency) for (account_id, currency), amount in changes.items()]
    postings = _postings(uow, entry, triples, applied, locale)
    uow.journal.add_postings(postings)
    queue_entry_event(
        rt,
        uow,
        entry_id=entry.id,
        kind=kind,
        postings=[(p.account_id, p.amount, p.currency) for p in postings],
        now=now,
    )
    return PostedEntry(entry=entry, postings=postings)


def _post_at_once(
    rt: Runtime,
    uow: UnitOfWork,
    entry: JournalEntry,
    changes: dict[tuple[str, str], int],
    locale: str,
) -> PostedEntry:
    """PostgreSQL: the same writes in one round trip (`wd_post_entry`). A reversal keeps the
    path above, whose savepoint turns a lost race into `AlreadyReversed`."""
    triples = [(account_id, amount, currency) for (account_id, currency), amount in changes.items()]
    event = rt.outbox.event_message(
        now=entry.created_at,
        event_id=entry_event_id(entry.id),
        kind=EVENT_ENTRY_POSTED,
        payload=entry_event_payload(entry.id, entry.kind, triples),
    )
    applied = uow.journal.post_at_once(entry, triples, event)
    return PostedEntry(entry=entry, postings=_postings(uow, entry, triples, applied, locale))


def _postings(
    uow: UnitOfWork,
    entry: JournalEntry,
    triples: list[tuple[str, int, str]],
    applied: dict[str, tuple[int, int]],
    locale: str,
) -> list[Posting]:
    """The entry's postings with each account's balance and sequence after it; the first
    account the database refused (missing from `applied`) raises `InsufficientFunds`, which
    rolls the caller's whole transaction back."""
    postings: list[Posting] = []
    for account_id, amount, currency in triples:
        if account_id not in applied:
            account = uow.accounts.get(account_id)
            available = Money(account.available if account else 0, currency)
            raise InsufficientFunds(available=available.format(locale))
        posted, seq = applied[account_id]
        postings.append(
            Posting(
                id=None,
                entry_id=entry.id,
                account_id=account_id,
                amount=amount,
                currency=currency,
                account_seq=seq,
                balance_after=posted,
                created_at=entry.created_at,
            )
        )
    return postings


def _apply(uow: UnitOfWork, deltas: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Apply every account's change, in account id order; the refused ones are missing from
    the result. PostgreSQL does it in two statements however many accounts there are (a
    payout to 1,000 people); SQLite, in process, one guarded UPDATE each, stopping at the
    first refusal (the caller rolls back)."""
    if uow.dialect == "postgresql" and len(deltas) > 2:
        return uow.accounts.apply_posted_many(deltas)
    applied: dict[str, tuple[int, int]] = {}
    for account_id, amount in sorted(deltas.items()):
        result = uow.accounts.apply(account_id, posted=amount, held=0)
        if result is None:
            break
        posted, _held, seq = result
        applied[account_id] = (posted, seq)
    return applied


def queue_entry_event(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    entry_id: str,
    kind: str,
    postings: list[tuple[str, int, str]],
    now: datetime,
) -> None:
    """Exactly one outbox event per entry: its id derives from the entry's."""
    rt.outbox.enqueue_event(
        uow,
        now=now,
        event_id=entry_event_id(entry_id),
        kind=EVENT_ENTRY_POSTED,
        payload=entry_event_payload(entry_id, kind, postings),
    )


def entry_event_id(entry_id: str) -> str:
    return f"evt_{entry_id.removeprefix('ent_')}"


def entry_event_payload(
    entry_id: str, kind: str, postings: list[tuple[str, int, str]]
) -> dict[str, object]:
    return {
        "entry_id": entry_id,
        "kind": kind,
        "postings": [
            {"account_id": account_id, "amount": amount, "currency": currency}
            for account_id, amount, currency in postings
        ],
    }
