"""Storage of bound cards and bank operations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from walletdesk.banking.models import BankOperation, Card, CardStatus
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.storage.tables_banking import bank_cards, bank_operations


class CardRepository(DataclassRepository[Card]):
    table = bank_cards
    model = Card

    def of_user(self, user_id: str) -> list[Card]:
        c = bank_cards.c
        return self._many(
            select(bank_cards)
            .where(c.user_id == user_id, c.status != CardStatus.REMOVED)
            .order_by(c.created_at, c.id)
        )

    def all_of_user(self, user_id: str) -> list[Card]:
        """Every card the user ever bound, removed ones too (history still names them)."""
        return self._many(select(bank_cards).where(bank_cards.c.user_id == user_id))

    def active_with_token(self, user_id: str, token: str) -> Card | None:
        c = bank_cards.c
        return self._one(
            select(bank_cards).where(
                c.user_id == user_id, c.gateway_token == token, c.status == CardStatus.ACTIVE
            )
        )


class BankOperationRepository(DataclassRepository[BankOperation]):
    table = bank_operations
    model = BankOperation

    def by_client_key(self, user_id: str, key: str) -> BankOperation | None:
        c = bank_operations.c
        return self._one(select(bank_operations).where(c.user_id == user_id, c.client_key == key))

    def open_since(self, before: datetime, *, limit: int) -> list[str]:
        """Ids of operations still processing, last touched before `before`, oldest first."""
        c = bank_operations.c
        rows = self.connection.execute(
            select(c.id)
            .where(c.status == "processing", c.updated_at <= before)
            .order_by(c.updated_at)
            .limit(limit)
        )
        return [str(row.id) for row in rows]

    def count_since(self, user_id: str, kind: str, since: datetime) -> int:
        """Operations of `kind` since `since` that did not fail (they use the free quota)."""
        c = bank_operations.c
        return int(
            self.connection.execute(
                select(func.count()).where(
                    c.user_id == user_id,
                    c.kind == kind,
                    c.status != "failed",
                    c.created_at >= since,
                )
            ).scalar_one()
        )

    def unposted_of_user(
        self,
        user_id: str,
        *,
        newest: datetime | None,
        oldest: datetime | None,
        kinds: list[str] | None,
        currency: str | None = None,
    ) -> list[BankOperation]:
        """Processing and failed operations (no ledger entry yet) created in [oldest, newest)."""
        c = bank_operations.c
        conditions: list[ColumnElement[bool]] = [
            c.user_id == user_id,
            c.status.in_(["processing", "failed"]),
        ]
        if newest is not None:
            conditions.append(c.created_at < newest)
        if oldest is not None:
            conditions.append(c.created_at >= oldest)
        if kinds:
            conditions.append(c.kind.in_(kinds))
        if currency:
            conditions.append(c.currency == currency)
        return self._many(
            select(bank_operations)
            .where(and_(*conditions))
            .order_by(c.created_at.desc(), c.id.desc())
        )

    def posting_time(self, posting_id: int) -> datetime | None:
        """When the posting a history cursor points at was made."""
        value = self.connection.execute(
            select(t.postings.c.created_at).where(t.postings.c.id == posting_id)
        ).scalar()
        return value if isinstance(value, datetime) else None
