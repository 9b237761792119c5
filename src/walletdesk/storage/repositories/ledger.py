"""Ledger storage. Balances change only through `apply`, a guarded UPDATE ... RETURNING:
the database itself refuses to take an account below zero available, so a check and the
posting can never be separated by another transaction (no check-then-act race)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from walletdesk.ledger.errors import AlreadyReversed
from walletdesk.ledger.models import Hold, JournalEntry, LedgerAccount, Posting
from walletdesk.notify.models import OutboxMessage
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.base import DataclassRepository, insert_ignoring_conflicts

_LOCK_IN_ORDER = text(
    "SELECT id FROM ledger_accounts WHERE id = ANY(CAST(:ids AS text[])) ORDER BY id FOR UPDATE"
)
_IDS_BY_CODE = text("SELECT code, id FROM ledger_accounts WHERE code = ANY(CAST(:codes AS text[]))")
_POST_ENTRY = text("SELECT account_id, posted, seq FROM wd_post_entry(CAST(:e AS jsonb))")
_APPLY_MANY = text(
    "UPDATE ledger_accounts AS a SET posted = a.posted + v.delta, seq = a.seq + 1"
    " FROM unnest(CAST(:ids AS text[]), CAST(:deltas AS bigint[])) AS v(id, delta)"
    " WHERE a.id = v.id AND (a.allow_negative OR a.posted + v.delta - a.held >= 0)"
    " RETURNING a.id, a.posted, a.seq"
)


class LedgerAccountRepository(DataclassRepository[LedgerAccount]):
    table = t.ledger_accounts
    model = LedgerAccount

    def get_by_code(self, code: str) -> LedgerAccount | None:
        return self._one(select(t.ledger_accounts).where(t.ledger_accounts.c.code == code))

    def ensure(self, account: LedgerAccount) -> LedgerAccount:
        """Create the account unless one with its code exists; returns the stored one."""
        values = self._values(account)
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, t.ledger_accounts), [values]
        )
        stored = self.get_by_code(account.code)
        assert stored is not None
        return stored

    def ids_by_code(self, codes: list[str]) -> dict[str, str]:
        if self.connection.dialect.name == "postgresql":
            # One array parameter: a payout names up to 1,000 wallets.
            rows = self.connection.execute(_IDS_BY_CODE, {"codes": codes})
        else:
            c = t.ledger_accounts.c
            rows = self.connection.execute(select(c.code, c.id).where(c.code.in_(codes)))
        return {str(code): str(account_id) for code, account_id in rows}

    def for_owner(self, owner_id: str) -> list[LedgerAccount]:
        return self._many(
            select(t.ledger_accounts)
            .where(t.ledger_accounts.c.owner_id == owner_id)
            .order_by(t.ledger_accounts.c.currency, t.ledger_accounts.c.code)
        )

    def apply(self, account_id: str, *, posted: int, held: int) -> tuple[int, int, int] | None:
        """Add to the posted and held balances unless that breaks the account's constraints.

        Returns (posted, held, seq) after the change, or None when refused. `seq` counts
        postings, so it moves only when the posted balance does.
        """
        c = t.ledger_accounts.c
        new_posted = c.posted + posted
        new_held = c.held + held
        statement = (
            update(t.ledger_accounts)
            .where(
                c.id == account_id,
                new_held >= 0,
                or_(c.allow_negative, new_posted - new_held >= 0),
            )
            .values(posted=new_posted, held=new_held, seq=c.seq + (1 if posted else 0))
            .returning(c.posted, c.held, c.seq)
        )
        row = self.connection.execute(statement).first()
        return (int(row.posted), int(row.held), int(row.seq)) if row else None

    def apply_posted_many(self, deltas: dict[str, int]) -> dict[str, tuple[int, int]]:
        """PostgreSQL: add to several accounts' posted balances in two statements, whatever
        their number: lock the rows in id order (the same fixed order as `apply` one by one,
        so entries cannot deadlock each other), then one guarded UPDATE ... FROM unnest(...).

        Returns {account id: (posted, seq)} for the accounts changed; an account missing from
        it was refused (it would go below zero available) and the caller must roll back."""
        ids = sorted(deltas)
        self.connection.execute(_LOCK_IN_ORDER, {"ids": ids})
        rows = self.connection.execute(
            _APPLY_MANY, {"ids": ids, "deltas": [deltas[i] for i in ids]}
        ).all()
        return {str(row.id): (int(row.posted), int(row.seq)) for row in rows}

    def totals_by_currency(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(t.ledger_accounts.c.currency, func.sum(t.ledger_accounts.c.posted)).group_by(
                t.ledger_accounts.c.currency
            )
        )
        return {str(currency): int(total or 0) for currency, total in rows}

    def all(self) -> list[LedgerAccount]:
        return self._many(select(t.ledger_accounts).order_by(t.ledger_accounts.c.id))


class JournalRepository(DataclassRepository[JournalEntry]):
    table = t.journal_entries
    model = JournalEntry

    def post_at_once(
        self, entry: JournalEntry, changes: list[tuple[str, int, str]], event: OutboxMessage
    ) -> dict[str, tuple[int, int]]:
        """PostgreSQL: the entry, its account changes (id, delta, currency), its postings and
        its outbox event in one round trip (`wd_post_entry`, migration 0009f). Returns
        {account id: (posted, seq)} for the accounts applied; a missing one was refused."""
        payload = {
            "id": entry.id,
            "kind": entry.kind,
            "at": entry.created_at.isoformat(),
            "description": entry.description,
            "details": entry.details,
            "actor_id": entry.actor_id,
            "ids": [account_id for account_id, _, _ in changes],
            "deltas": [delta for _, delta, _ in changes],
            "currencies": [currency for _, _, currency in changes],
            "event_id": event.id,
            "event_kind": event.template,
            "event_body": event.body_enc,
        }
        rows = self.connection.execute(_POST_ENTRY, {"e": json.dumps(payload)}).all()
        return {str(row.account_id): (int(row.posted), int(row.seq)) for row in rows}

    def add(self, obj: JournalEntry) -> JournalEntry:
        if obj.reverses_entry_id is None:
            return super().add(obj)
        try:
            with self.connection.begin_nested():
                return super().add(obj)
        except IntegrityError as exc:
            # The unique link to the original: another reversal committed first.
            raise AlreadyReversed() from exc

    def add_postings(self, postings: list[Posting]) -> None:
        rows = [
            {
                "entry_id": p.entry_id,
                "account_id": p.account_id,
                "amount": p.amount,
                "currency": p.currency,
                "account_seq": p.account_seq,
                "balance_after": p.balance_after,
                "created_at": p.created_at,
            }
            for p in postings
        ]
        self.connection.execute(insert(t.postings), rows)

    def postings_of(self, entry_id: str) -> list[Posting]:
        rows = self.connection.execute(
            select(t.postings).where(t.postings.c.entry_id == entry_id).order_by(t.postings.c.id)
        )
        return [Posting(**row._mapping) for row in rows]

    def reversal_of(self, entry_id: str) -> JournalEntry | None:
        return self._one(
            select(t.journal_entries).where(t.journal_entries.c.reverses_entry_id == entry_id)
        )

    def balance_at(self, account_id: str, at: datetime) -> int:
        """The posted balance as it was at `at` (the last posting at or before it)."""
        row = self.connection.execute(
            select(t.postings.c.balance_after)
            .where(t.postings.c.account_id == account_id, t.postings.c.created_at <= at)
            .order_by(t.postings.c.account_seq.desc())
            .limit(1)
        ).first()
        return int(row.balance_after) if row else 0

    def sum_of_postings(self, account_id: str) -> int:
        total = self.connection.execute(
            select(func.coalesce(func.sum(t.postings.c.amount), 0)).where(
                t.postings.c.account_id == account_id
            )
        ).scalar_one()
        return int(total)

    def unbalanced_entries(self) -> list[str]:
        """Entries whose postings do not sum to zero in some currency (must be none)."""
        rows = self.connection.execute(
            select(t.postings.c.entry_id)
            .group_by(t.postings.c.entry_id, t.postings.c.currency)
            .having(func.sum(t.postings.c.amount) != 0)
        )
        return sorted({str(row.entry_id) for row in rows})

    def count(self) -> int:
        return int(
            self.connection.execute(
                select(func.count()).select_from(t.journal_entries)
            ).scalar_one()
        )

    def history(
        self,
        account_ids: list[str],
        *,
        before_id: int | None,
        limit: int,
        kinds: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        min_amount: int | None = None,
        max_amount: int | None = None,
    ) -> list[dict[str, Any]]:
        """Postings on `account_ids`, newest first, with their entries, for the history page."""
        p, e = t.postings.c, t.journal_entries.c
        conditions: list[ColumnElement[bool]] = [p.account_id.in_(account_ids)]
        if before_id is not None:
            conditions.append(p.id < before_id)
        if kinds:
            conditions.append(e.kind.in_(kinds))
        if since is not None:
            conditions.append(p.created_at >= since)
        if until is not None:
            conditions.append(p.created_at < until)
        if min_amount is not None:
            conditions.append(func.abs(p.amount) >= min_amount)
        if max_amount is not None:
            conditions.append(func.abs(p.amount) <= max_amount)
        statement = (
            select(
                p.id.label("posting_id"),
                p.entry_id,
                p.account_id,
                p.amount,
                p.currency,
                p.balance_after,
                p.created_at,
                e.kind,
                e.description,
                e.details,
                e.reverses_entry_id,
            )
            .join(t.journal_entries, e.id == p.entry_id)
            .where(and_(*conditions))
            .order_by(p.id.desc())
            .limit(limit)
        )
        return [dict(row._mapping) for row in self.connection.execute(statement)]


class HoldRepository(DataclassRepository[Hold]):
    table = t.holds
    model = Hold

    def expired_pending(self, now: datetime, *, limit: int) -> list[str]:
        rows = self.connection.execute(
            select(t.holds.c.id)
            .where(t.holds.c.status == "pending", t.holds.c.expires_at <= now)
            .order_by(t.holds.c.expires_at)
            .limit(limit)
        )
        return [str(row.id) for row in rows]

    def pending_total(self, account_id: str) -> int:
        total = self.connection.execute(
            select(func.coalesce(func.sum(t.holds.c.amount), 0)).where(
                t.holds.c.account_id == account_id, t.holds.c.status == "pending"
            )
        ).scalar_one()
        return int(total)


class IdempotencyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def claim(self, values: dict[str, Any]) -> bool:
        """Insert a new in-flight key; False when the (scope, key) already exists."""
        # RETURNING, not rowcount: psycopg reports rowcount -1 for this INSERT, which read as
        # "claimed" even when ON CONFLICT inserted nothing, so on PostgreSQL every retry ran
        # again (and was answered 409 request_in_progress instead of the stored response).
        statement = insert_ignoring_conflicts(self.connection, t.idempotency_keys).returning(
            t.idempotency_keys.c.key
        )
        return self.connection.execute(statement, values).first() is not None

    def get(self, scope: str, key: str, *, for_update: bool = False) -> dict[str, Any] | None:
        statement = select(t.idempotency_keys).where(
            t.idempotency_keys.c.scope == scope, t.idempotency_keys.c.key == key
        )
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        return dict(row._mapping) if row else None

    def take_over(self, scope: str, key: str, old_token: str, values: dict[str, Any]) -> bool:
        c = t.idempotency_keys.c
        result = self.connection.execute(
            update(t.idempotency_keys)
            .where(c.scope == scope, c.key == key, c.lease_token == old_token)
            .values(**values)
        )
        return bool(result.rowcount)

    def finish(self, scope: str, key: str, token: str, status: int, body: str) -> bool:
        """Store the response, only if this request still holds the lease."""
        c = t.idempotency_keys.c
        result = self.connection.execute(
            update(t.idempotency_keys)
            .where(c.scope == scope, c.key == key, c.lease_token == token, c.status == "in_flight")
            .values(status="done", response_status=status, response_body=body)
        )
        return bool(result.rowcount)


class LimitUsageRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, subject_id: str, period: str, start: str, amount: int, cap: int) -> int | None:
        """Add `amount` to the period's usage unless it would pass `cap`; returns the new
        total, or None when refused. Safe under concurrency: the cap is in the statement.

        One round trip: an upsert whose update only happens under the cap (PostgreSQL locks
        the conflicting row and re-checks the condition on its latest version)."""
        if amount > cap:
            return None
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        c = t.limit_usage.c
        inserted = dialect.insert(t.limit_usage).values(
            subject_id=subject_id, period=period, period_start=start, used=amount, count=1
        )
        statement = inserted.on_conflict_do_update(
            index_elements=[c.subject_id, c.period, c.period_start],
            set_={"used": c.used + amount, "count": c.count + 1},
            where=c.used + amount <= cap,
        ).returning(c.used)
        row = self.connection.execute(statement).first()
        return int(row.used) if row else None

    def give_back(self, subject_id: str, period: str, start: str, amount: int) -> None:
        """Undo a use that did not go through (never below zero)."""
        c = t.limit_usage.c
        self.connection.execute(
            update(t.limit_usage)
            .where(c.subject_id == subject_id, c.period == period, c.period_start == start)
            .values(used=case((c.used >= amount, c.used - amount), else_=0))
        )

    def used(self, subject_id: str, period: str, start: str) -> int:
        c = t.limit_usage.c
        value = self.connection.execute(
            select(c.used).where(
                c.subject_id == subject_id, c.period == period, c.period_start == start
            )
        ).scalar()
        return int(value or 0)
