"""Running the risk engine's one SELECT on the driver, inside a savepoint, in one round trip.

`risk_history` builds the statement with SQLAlchemy; this module compiles it once per shape
and dialect and executes it on the DBAPI connection underneath the unit of work's
`Connection`. Why not `Connection.execute`: for this statement (71 result columns, 17
parameters, ~100 placeholders) SQLAlchemy's per-execution work (the execution context, a
bind processor per positional placeholder on SQLite, compiling the SAVEPOINT/RELEASE
clauses) and psycopg's ``%(name)s`` -> ``$n`` rewrite (cached only for statements under
4 KB; this one is 12 KB) cost more client CPU than the features and all the rules together.
Parameters and result columns still go through SQLAlchemy's own type processors, so the
values are exactly those `Connection.execute` would give.

Isolation: the read must be able to fail without spoiling the caller's transaction (the
engine then stores a *held* decision in it). Inside a transaction the SELECT runs between
``SAVEPOINT`` and ``RELEASE``; on PostgreSQL the three are sent together in one pipeline
(one round trip instead of three), and a failure rolls back to the savepoint before the
error is raised. Outside a transaction (a read-only unit of work in autocommit) there is
nothing to spoil and no savepoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select

SAVEPOINT = "risk_facts"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverSelect:
    """One statement compiled for one dialect, with its type processors."""

    sql: str
    order: tuple[str, ...]
    """Parameter names in placeholder order ($1, $2, … on PostgreSQL; every ? on SQLite)."""
    defaults: dict[str, Any]
    """Values SQLAlchemy put in the statement itself (LIMIT 1, OFFSET 0)."""
    bind_processors: dict[str, Processor]
    columns: tuple[str, ...]
    result_processors: tuple[Processor, ...]


def compile_select(statement: Select[Any], connection: Connection) -> DriverSelect:
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    sql = compiled.string
    if dialect.name == "postgresql":
        sql, order = _numbered(sql)
    else:
        order = tuple(compiled.positiontup or ())
    binds = compiled.binds
    return DriverSelect(
        sql=sql,
        order=order,
        defaults={k: v for k, v in compiled.params.items() if v is not None},
        bind_processors={
            name: binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in set(order)
        },
        columns=tuple(str(column.key) for column in statement.selected_columns),
        result_processors=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ),
    )


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """psycopg's ``%(name)s`` placeholders as PostgreSQL's own ``$n`` (one per name)."""
    order: list[str] = []

    def number(found: re.Match[str]) -> str:
        name = found.group(1)
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _PLACEHOLDER.sub(number, sql), tuple(order)


def fetch_one(
    connection: Connection, select: DriverSelect, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The statement's one row as {column: value}, read inside a savepoint (see the module
    docstring)."""
    arguments = _arguments(select, values)
    raw: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        row = _postgresql(raw, select.sql, arguments)
    else:
        row = _sqlite(raw, select.sql, arguments)
    return _processed(select, row)


def fetch_many(
    connection: Connection, jobs: Sequence[tuple[DriverSelect, Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """`fetch_one` for several (statement, values) pairs: on PostgreSQL all of them in one
    pipeline (one round trip, one savepoint around them all); elsewhere one after the other."""
    if connection.dialect.name != "postgresql" or len(jobs) == 1:
        return [fetch_one(connection, select, values) for select, values in jobs]
    raw: Any = connection.connection.dbapi_connection
    rows = _postgresql_many(
        raw, [(select.sql, _arguments(select, values)) for select, values in jobs]
    )
    return [_processed(select, row) for (select, _), row in zip(jobs, rows, strict=True)]


def _arguments(select: DriverSelect, values: Mapping[str, Any]) -> list[Any]:
    merged = {**select.defaults, **values}
    processed = {}
    for name, process in select.bind_processors.items():
        value = merged[name]
        processed[name] = value if process is None or value is None else process(value)
    return [processed[name] for name in select.order]


def _processed(select: DriverSelect, row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        name: value if process is None else process(value)
        for name, value, process in zip(select.columns, row, select.result_processors, strict=True)
    }


def _postgresql_many(raw: Any, many: list[tuple[str, list[Any]]]) -> list[tuple[Any, ...]]:
    from psycopg import RawCursor

    cursors = [RawCursor(raw) for _ in many]
    try:
        isolate = not raw.autocommit
        try:
            with raw.pipeline():
                if isolate:
                    raw.execute(f"SAVEPOINT {SAVEPOINT}")
                for cursor, (sql, arguments) in zip(cursors, many, strict=True):
                    cursor.execute(sql, arguments, prepare=True)
                if isolate:
                    raw.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
        except Exception:
            if isolate:
                _undo(raw, raw.execute)
            raise
        rows: list[tuple[Any, ...]] = []
        for cursor in cursors:
            row = cursor.fetchone()
            assert row is not None, "an aggregate SELECT returns one row"
            rows.append(tuple(row))
    finally:
        for cursor in cursors:
            cursor.close()
    return rows


def _postgresql(raw: Any, sql: str, arguments: list[Any]) -> tuple[Any, ...]:
    from psycopg import RawCursor  # only the PostgreSQL path needs the driver

    cursor = RawCursor(raw)
    try:
        if raw.autocommit:
            cursor.execute(sql, arguments, prepare=True)
        else:
            try:
                with raw.pipeline():
                    raw.execute(f"SAVEPOINT {SAVEPOINT}")
                    cursor.execute(sql, arguments, prepare=True)
                    raw.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            except Exception:
                _undo(raw, raw.execute)
                raise
        row = cursor.fetchone()
    finally:
        cursor.close()
    assert row is not None, "an aggregate SELECT returns one row"
    return tuple(row)


def _sqlite(raw: Any, sql: str, arguments: list[Any]) -> tuple[Any, ...]:
    isolate = raw.in_transaction
    if isolate:
        raw.execute(f"SAVEPOINT {SAVEPOINT}")
    try:
        row = raw.execute(sql, arguments).fetchone()
    except Exception:
        if isolate:
            _undo(raw, raw.execute)
        raise
    if isolate:
        raw.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    assert row is not None, "an aggregate SELECT returns one row"
    return tuple(row)


def _undo(raw: Any, execute: Callable[[str], Any]) -> None:
    """Back to where the caller's transaction was; if even that fails, the caller's error is
    the one that matters (its unit of work then rolls back)."""
    try:
        execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
    except Exception:  # noqa: S110 - the original error is re-raised by the caller
        pass
