"""A repository for a dataclass stored one-to-one in a table (field names are column names).

`get`, `add` and `save` run statements built once per table with bound parameters: building
a statement with its values costs more Python time than sending it (measured on the chat
path, where a message is a dozen such statements).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Connection,
    Insert,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")
_KEY = "_object_id"


@functools.cache
def _get_by_id(table: Table, for_update: bool) -> Select[Any]:
    statement = select(table).where(table.c.id == bindparam(_KEY))
    return statement.with_for_update() if for_update else statement


@functools.cache
def _insert(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _update_by_id(table: Table) -> Update:
    """UPDATE … WHERE id = :_object_id; the SET clause is the parameters' other keys."""
    return update(table).where(table.c.id == bindparam(_KEY))


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
        self.connection.execute(_insert(self.table), self._values(obj))
        return obj

    def add_many(self, objs: list[T]) -> None:
        if objs:
            self.connection.execute(insert(self.table), [self._values(obj) for obj in objs])

    def get(self, object_id: str, *, for_update: bool = False) -> T | None:
        row = self.connection.execute(_get_by_id(self.table, for_update), {_KEY: object_id}).first()
        return self._to_model(row) if row else None

    def save(self, obj: T) -> None:
        values = self._values(obj)
        values[_KEY] = values.pop("id")
        self.connection.execute(_update_by_id(self.table), values)

    def _one(self, statement: Any) -> T | None:
        row = self.connection.execute(statement).first()
        return self._to_model(row) if row else None

    def _many(self, statement: Any) -> list[T]:
        return [self._to_model(row) for row in self.connection.execute(statement)]
