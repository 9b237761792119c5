"""Read-only queries that audit the ledger's books (used by tests and `walletdesk bench`).

Each query returns the rows that break one invariant, so an empty result means the books are
right; they run as a handful of set-based statements, fast enough for a database with millions
of postings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, not_, or_, select

from walletdesk.storage import tables as t


class LedgerCheckRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def accounts_disagreeing_with_postings(self) -> list[dict[str, Any]]:
        """Accounts whose balance or sequence differs from their postings: posted must equal the
        sum of postings, seq the number of postings, and (with the unique (account, seq) key)
        max seq = count and min seq = 1 means the sequence is 1..n without gaps."""
        a, p = t.ledger_accounts.c, t.postings.c
        total = func.coalesce(func.sum(p.amount), 0)
        count = func.count(p.id)
        statement = (
            select(
                a.id,
                a.code,
                a.posted,
                a.seq,
                total.label("postings_total"),
                count.label("postings_count"),
                func.min(p.account_seq).label("min_seq"),
                func.max(p.account_seq).label("max_seq"),
            )
            .select_from(t.ledger_accounts.outerjoin(t.postings, p.account_id == a.id))
            .group_by(a.id, a.code, a.posted, a.seq)
            .having(
                or_(
                    a.posted != total,
                    a.seq != count,
                    and_(
                        count > 0,
                        or_(func.min(p.account_seq) != 1, func.max(p.account_seq) != count),
                    ),
                )
            )
        )
        return [dict(row._mapping) for row in self.connection.execute(statement)]

    def accounts_whose_last_balance_after_differs(self) -> list[dict[str, Any]]:
        """The posting with the account's current seq must carry its current balance."""
        a, p = t.ledger_accounts.c, t.postings.c
        statement = (
            select(a.id, a.code, a.posted, p.balance_after)
            .join(t.postings, and_(p.account_id == a.id, p.account_seq == a.seq))
            .where(p.balance_after != a.posted)
        )
        return [dict(row._mapping) for row in self.connection.execute(statement)]

    def overdrawn_accounts(self) -> list[dict[str, Any]]:
        a = t.ledger_accounts.c
        statement = select(a.id, a.code, a.posted, a.held).where(
            or_(a.held < 0, and_(not_(a.allow_negative), a.posted - a.held < 0))
        )
        return [dict(row._mapping) for row in self.connection.execute(statement)]

    def accounts_whose_held_differs_from_pending_holds(self) -> list[dict[str, Any]]:
        a, h = t.ledger_accounts.c, t.holds.c
        pending = (
            select(h.account_id, func.sum(h.amount).label("pending"))
            .where(h.status == "pending")
            .group_by(h.account_id)
            .subquery()
        )
        pending_total = func.coalesce(pending.c.pending, 0)
        statement = (
            select(a.id, a.code, a.held, pending_total.label("pending"))
            .select_from(t.ledger_accounts.outerjoin(pending, pending.c.account_id == a.id))
            .where(a.held != pending_total)
        )
        return [dict(row._mapping) for row in self.connection.execute(statement)]

    def successful_idempotent_responses(self) -> list[tuple[str, str, str]]:
        """(scope, key, stored body) for every key that answered with a 2xx."""
        k = t.idempotency_keys.c
        rows = self.connection.execute(
            select(k.scope, k.key, k.response_body).where(
                k.status == "done", k.response_status < 300
            )
        )
        return [(str(r.scope), str(r.key), str(r.response_body)) for r in rows]

    def existing_entry_ids(self, entry_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            rows = self.connection.execute(
                select(t.journal_entries.c.id).where(t.journal_entries.c.id.in_(chunk))
            )
            found.update(str(row.id) for row in rows)
        return found
