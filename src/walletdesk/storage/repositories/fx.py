"""FX storage: the append-only rate history and customers' quotes."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import insert, select, update

from walletdesk.ledger.fx_models import FxQuote
from walletdesk.ledger.fx_pricing import FxRate
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.storage.tables_fx import fx_quotes, fx_rates


class FxRateRepository(DataclassRepository[FxRate]):
    """Rates are only ever added: a change of rate is a new row, so history is the table."""

    table = fx_rates
    model = FxRate

    def add(self, obj: FxRate) -> FxRate:
        values = self._values(obj)
        values.pop("id")  # assigned by the database, in insertion order
        new_id = self.connection.execute(
            insert(fx_rates).values(values).returning(fx_rates.c.id)
        ).scalar_one()
        return dataclasses.replace(obj, id=int(new_id))

    def current(self, base: str, quote: str, at: datetime) -> FxRate | None:
        """The pair's latest rate already in effect at `at`; of two with the same effective
        time, the one set last."""
        c = fx_rates.c
        return self._one(
            select(fx_rates)
            .where(c.base == base, c.quote == quote, c.effective_at <= at)
            .order_by(c.effective_at.desc(), c.id.desc())
            .limit(1)
        )

    def history(self, base: str, quote: str, *, limit: int) -> list[FxRate]:
        c = fx_rates.c
        return self._many(
            select(fx_rates)
            .where(c.base == base, c.quote == quote)
            .order_by(c.effective_at.desc(), c.id.desc())
            .limit(limit)
        )


class FxQuoteRepository(DataclassRepository[FxQuote]):
    table = fx_quotes
    model = FxQuote

    def mark_used(self, quote_id: str, *, at: datetime, entry_id: str) -> bool:
        """Use the quote unless it already was: the guard in the WHERE clause makes a second
        use fail even when two conversions race."""
        # RETURNING rather than rowcount: psycopg reports -1 for some statements.
        row = self.connection.execute(
            update(fx_quotes)
            .where(fx_quotes.c.id == quote_id, fx_quotes.c.used_at.is_(None))
            .values(used_at=at, entry_id=entry_id)
            .returning(fx_quotes.c.id)
        ).first()
        return row is not None
