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
) -> PostedEntry:
    check_balanced(legs)
    now = rt.clock.now()
    entry = JournalEntry(
        id=new_id(rt.random, "ent"),
        kind=kind,
        created_at=now,
        description=description[:200],
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        actor_id=actor_id,
        reverses_entry_id=reverses_entry_id,
    )
    uow.journal.add(entry)
    by_account: dict[tuple[str, str], int] = defaultdict(int)
    for leg in legs:
        by_account[(leg.account_id, leg.currency)] += leg.amount
    postings: list[Posting] = []
    for (account_id, currency), amount in sorted(by_account.items()):
        if amount == 0:
            continue  # an account that nets to zero in this entry is not touched
        applied = uow.accounts.apply(account_id, posted=amount, held=0)
        if applied is None:
            account = uow.accounts.get(account_id)
            available = Money(account.available if account else 0, currency)
            raise InsufficientFunds(available=available.format(locale))
        posted, _held, seq = applied
        postings.append(
            Posting(
                id=None,
                entry_id=entry.id,
                account_id=account_id,
                amount=amount,
                currency=currency,
                account_seq=seq,
                balance_after=posted,
                created_at=now,
            )
        )
    uow.journal.add_postings(postings)
    rt.outbox.enqueue_event(
        uow,
        now=now,
        event_id=f"evt_{entry.id.removeprefix('ent_')}",
        kind=EVENT_ENTRY_POSTED,
        payload={
            "entry_id": entry.id,
            "kind": kind,
            "postings": [
                {"account_id": p.account_id, "amount": p.amount, "currency": p.currency}
                for p in postings
            ],
        },
    )
    return PostedEntry(entry=entry, postings=postings)
