"""The ledger's invariants, checked against the stored books.

`check_books` returns one line per broken rule (an empty list means the books are right):

- every currency sums to zero over all accounts (money only moves, it never appears);
- every entry balances per currency;
- each account's posted balance equals the sum of its postings and its last posting's
  `balance_after`, and its postings are numbered 1..n without gaps;
- no wallet's available balance is negative and no held balance is negative;
- each account's held balance equals the sum of its pending holds;
- each idempotency key that answered 2xx names one existing entry, and no two keys name the
  same entry (a retry never posts twice).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from walletdesk.storage.repositories.ledger_checks import LedgerCheckRepository
    from walletdesk.storage.uow import UnitOfWork


def check_books(uow: UnitOfWork) -> list[str]:
    # Imported here so the ledger package stays free of SQLAlchemy at import time.
    from walletdesk.storage.repositories.ledger_checks import LedgerCheckRepository

    checks = LedgerCheckRepository(uow.connection)
    problems: list[str] = []
    for currency, total in sorted(uow.accounts.totals_by_currency().items()):
        if total != 0:
            problems.append(f"{currency} sums to {total}, not 0")
    problems += [f"entry {e} does not balance" for e in uow.journal.unbalanced_entries()]
    problems += [
        f"account {r['code']}: posted {r['posted']} seq {r['seq']} but postings sum to "
        f"{r['postings_total']} over {r['postings_count']} (seq {r['min_seq']}..{r['max_seq']})"
        for r in checks.accounts_disagreeing_with_postings()
    ]
    problems += [
        f"account {r['code']}: posted {r['posted']} but last balance_after {r['balance_after']}"
        for r in checks.accounts_whose_last_balance_after_differs()
    ]
    problems += [
        f"account {r['code']} is overdrawn: posted {r['posted']} held {r['held']}"
        for r in checks.overdrawn_accounts()
    ]
    problems += [
        f"account {r['code']}: held {r['held']} but pending holds total {r['pending']}"
        for r in checks.accounts_whose_held_differs_from_pending_holds()
    ]
    problems += _idempotency_problems(checks)
    return problems


def _idempotency_problems(checks: LedgerCheckRepository) -> list[str]:
    named: dict[tuple[str, str], str] = {}
    for scope, key, body in checks.successful_idempotent_responses():
        entry_id = json.loads(body).get("id")
        if isinstance(entry_id, str) and entry_id.startswith("ent_"):
            named[(scope, key)] = entry_id
    problems = [
        f"entry {entry_id} is named by {count} idempotency keys"
        for entry_id, count in Counter(named.values()).items()
        if count > 1
    ]
    existing = checks.existing_entry_ids(sorted(set(named.values())))
    problems += [
        f"idempotency key {key!r} names entry {entry_id}, which does not exist"
        for (_scope, key), entry_id in sorted(named.items())
        if entry_id not in existing
    ]
    return problems
