"""A repository for a dataclass stored one-to-one in a table (field names are column names)."""

from __future__ import annotations

import dataclasses
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Insert, Row, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")


def insert_ignoring_conflicts(connection: Connection, table: Table) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()  # type: ignore[no-any-return]


class DataclassRepository(Generic[T]):
    table: Table
    model: type[T]

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _to_model(self, row: Row[Any]) -> T:
        return self.model(**row._mapping)

    def _values(self, obj: T) -> dict[str, Any]:
        return dataclasses.asdict(obj)  # type: ignore[call-overload, no-any-return]

    def add(self, obj: T) -> T:
        self.connection.execute(insert(self.table).values(self._values(obj)))
        return obj

    def add_many(self, objs: list[T]) -> None:
        if objs:
            self.connection.execute(insert(self.table), [self._values(obj) for obj in objs])

    def get(self, object_id: str, *, for_update: bool = False) -> T | None:
        statement = select(self.table).where(self.table.c.id == object_id)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).first()
        return self._to_model(row) if row else None

    def save(self, obj: T) -> None:
        values = self._values(obj)
        object_id = values.pop("id")
        self.connection.execute(
            update(self.table).where(self.table.c.id == object_id).values(values)
        )

    def _one(self, statement: Any) -> T | None:
        row = self.connection.execute(statement).first()
        return self._to_model(row) if row else None

    def _many(self, statement: Any) -> list[T]:
        return [self._to_model(row) for row in self.connection.execute(statement)]
