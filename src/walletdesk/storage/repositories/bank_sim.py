"""The bank simulator's books (see `storage/tables_bank_sim.py`): cards, daily usage, binding
codes, decided operations and scripted outcomes."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from walletdesk.channels.bank_sim_records import SimulatedBinding, SimulatedCard, SimulatedOperation
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.storage.tables_bank_sim import (
    bank_sim_bindings,
    bank_sim_cards,
    bank_sim_daily_usage,
    bank_sim_operations,
    bank_sim_scripts,
)


def _card(row: Row[Any] | None) -> SimulatedCard | None:
    return SimulatedCard(**row._mapping) if row else None


class BankSimRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- cards -------------------------------------------------------------------------------

    def card(self, token: str, *, for_update: bool = False) -> SimulatedCard | None:
        statement = select(bank_sim_cards).where(bank_sim_cards.c.token == token)
        if for_update:
            statement = statement.with_for_update()
        return _card(self.connection.execute(statement).first())

    def card_by_digest(self, number_digest: str) -> SimulatedCard | None:
        statement = select(bank_sim_cards).where(bank_sim_cards.c.number_digest == number_digest)
        return _card(self.connection.execute(statement).first())

    def open_card(self, card: SimulatedCard) -> None:
        """Open the card unless another process opened the same number first."""
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, bank_sim_cards).values(
                dataclasses.asdict(card)
            )
        )

    def change_card(self, token: str, **values: object) -> None:
        self.connection.execute(
            update(bank_sim_cards).where(bank_sim_cards.c.token == token).values(**values)
        )

    def move(self, token: str, delta: int) -> None:
        c = bank_sim_cards.c
        self.connection.execute(
            update(bank_sim_cards).where(c.token == token).values(balance=c.balance + delta)
        )

    def spent(self, token: str, day: str) -> int:
        c = bank_sim_daily_usage.c
        value = self.connection.execute(
            select(c.spent).where(c.card_token == token, c.day == day)
        ).scalar()
        return int(value or 0)

    def add_spent(self, token: str, day: str, amount: int) -> None:
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        c = bank_sim_daily_usage.c
        statement = (
            dialect.insert(bank_sim_daily_usage)
            .values(card_token=token, day=day, spent=amount)
            .on_conflict_do_update(
                index_elements=[c.card_token, c.day], set_={"spent": c.spent + amount}
            )
        )
        self.connection.execute(statement)

    # --- binding codes -----------------------------------------------------------------------

    def add_binding(self, binding: SimulatedBinding) -> None:
        self.connection.execute(insert(bank_sim_bindings).values(dataclasses.asdict(binding)))

    def binding(self, request_id: str) -> SimulatedBinding | None:
        """The binding, locked until the end of the transaction (attempts are counted)."""
        row = self.connection.execute(
            select(bank_sim_bindings)
            .where(bank_sim_bindings.c.request_id == request_id)
            .with_for_update()
        ).first()
        return SimulatedBinding(**row._mapping) if row else None

    def count_attempt(self, request_id: str) -> None:
        c = bank_sim_bindings.c
        self.connection.execute(
            update(bank_sim_bindings)
            .where(c.request_id == request_id)
            .values(attempts=c.attempts + 1)
        )

    def drop_binding(self, request_id: str) -> None:
        self.connection.execute(
            delete(bank_sim_bindings).where(bank_sim_bindings.c.request_id == request_id)
        )

    # --- operations --------------------------------------------------------------------------

    def operation(self, request_id: str) -> SimulatedOperation | None:
        row = self.connection.execute(
            select(bank_sim_operations).where(bank_sim_operations.c.request_id == request_id)
        ).first()
        return SimulatedOperation(**row._mapping) if row else None

    def add_operation(self, operation: SimulatedOperation) -> None:
        self.connection.execute(insert(bank_sim_operations).values(dataclasses.asdict(operation)))

    # --- scripted outcomes -------------------------------------------------------------------

    def push_outcomes(self, token: str, outcomes: list[str]) -> None:
        for outcome in outcomes:  # one statement each, so the ids keep the order given
            self.connection.execute(
                insert(bank_sim_scripts).values(card_token=token, outcome=outcome)
            )

    def pop_outcome(self, token: str) -> str | None:
        """The card's next scripted outcome, taken off the queue (the card row is locked)."""
        c = bank_sim_scripts.c
        row = self.connection.execute(
            select(c.id, c.outcome).where(c.card_token == token).order_by(c.id).limit(1)
        ).first()
        if row is None:
            return None
        self.connection.execute(delete(bank_sim_scripts).where(c.id == row.id))
        return str(row.outcome)
