"""Risk storage: movement history, decisions, rule-set versions, lists and snoozes.

`uow.risk` is also the engine's `FactSource` (the reads live in `risk_history.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from walletdesk.risk.models import (
    Action,
    Decision,
    Movement,
    MovementKind,
    hits_from_text,
    hits_to_text,
)
from walletdesk.risk.records import ListEntry, RuleSetVersion, Snooze
from walletdesk.storage.repositories.base import insert_ignoring_conflicts
from walletdesk.storage.repositories.risk_history import RiskHistoryQueries
from walletdesk.storage.tables_risk import (
    risk_decisions,
    risk_events,
    risk_list_entries,
    risk_rule_sets,
    risk_snoozes,
)

EVENT_COLUMNS = (
    "movement_id",
    "kind",
    "outgoing",
    "sender_id",
    "receiver_id",
    "device_id",
    "ip",
    "amount_minor",
    "currency",
    "amount_cny_minor",
    "at",
)


def event_values(movement: Movement) -> dict[str, Any]:
    return {
        "movement_id": movement.id,
        "kind": str(movement.kind),
        "outgoing": movement.is_outgoing,
        "sender_id": movement.sender_id,
        "receiver_id": movement.receiver_id,
        "device_id": movement.device_id,
        "ip": movement.ip,
        "amount_minor": movement.amount_minor,
        "currency": movement.currency,
        "amount_cny_minor": movement.amount_cny_minor,
        "at": movement.at,
    }


_INSERT_DECISION = insert(risk_decisions)


def decision_values(decision: Decision) -> dict[str, Any]:
    return dict(
        id=decision.id,
        movement_id=decision.movement_id,
        movement_kind=str(decision.movement_kind),
        user_id=decision.user_id,
        counterparty_id=decision.counterparty_id,
        amount_minor=decision.amount_minor,
        currency=decision.currency,
        amount_cny_minor=decision.amount_cny_minor,
        action=str(decision.action),
        score=decision.score,
        four_eyes=decision.four_eyes,
        rule_set_version=decision.rule_set_version,
        hits=hits_to_text(decision.hits),
        snoozed=json.dumps(list(decision.snoozed)),
        features=json.dumps(decision.features, ensure_ascii=False, sort_keys=True),
        failure=decision.failure,
        elapsed_us=decision.elapsed_us,
        created_at=decision.created_at,
    )


def _decision(row: Row[Any]) -> Decision:
    return Decision(
        id=row.id,
        movement_id=row.movement_id,
        movement_kind=MovementKind(row.movement_kind),
        user_id=row.user_id,
        counterparty_id=row.counterparty_id,
        amount_minor=int(row.amount_minor),
        currency=row.currency,
        amount_cny_minor=int(row.amount_cny_minor),
        action=Action(row.action),
        score=int(row.score),
        hits=hits_from_text(row.hits),
        rule_set_version=row.rule_set_version,
        elapsed_us=int(row.elapsed_us),
        created_at=row.created_at,
        four_eyes=bool(row.four_eyes),
        snoozed=tuple(json.loads(row.snoozed)),
        failure=row.failure,
        features=json.loads(row.features),
    )


class RiskRepository(RiskHistoryQueries):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block that may fail without spoiling the caller's transaction: an error inside
        rolls back to the savepoint (PostgreSQL aborts the whole transaction otherwise).
        A read-only unit of work on PostgreSQL runs in autocommit (each statement its own
        transaction): there is nothing to spoil, and SAVEPOINT is refused outside a
        transaction block, so none is taken."""
        if self.connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            yield
            return
        with self.connection.begin_nested():
            yield

    # --- history ---------------------------------------------------------------------------

    def record_event(self, movement: Movement) -> bool:
        """Add a posted movement to the history; the same movement id twice is kept once."""
        row = self.connection.execute(
            insert_ignoring_conflicts(self.connection, risk_events)
            .values(event_values(movement))
            .returning(risk_events.c.id)
        ).first()
        return row is not None

    def record_events(self, movements: list[Movement]) -> None:
        """`record_event` for many posted movements in ONE multi-row insert (the group commit
        records a whole batch with it); a movement id already there is kept once."""
        if movements:
            self.connection.execute(
                insert_ignoring_conflicts(self.connection, risk_events).values(
                    [event_values(movement) for movement in movements]
                )
            )

    def count_events(self) -> int:
        from sqlalchemy import func

        return int(
            self.connection.execute(select(func.count()).select_from(risk_events)).scalar_one()
        )

    def bulk_add_events(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Load many history rows at once (benchmarks, imports): COPY on PostgreSQL, one
        prepared multi-row insert on SQLite. `rows` are tuples in `EVENT_COLUMNS` order."""
        raw = self.connection.connection.driver_connection
        assert raw is not None
        count = 0
        if self.connection.dialect.name == "postgresql":
            names = ", ".join(EVENT_COLUMNS)
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    f"COPY risk_events ({names}) FROM STDIN"  # noqa: S608 - fixed column names
                ) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" for _ in EVENT_COLUMNS)
        statement = f"INSERT INTO risk_events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})"  # noqa: S608
        cursor = raw.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(_sqlite_row(row))
            if len(batch) >= 10_000:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
        cursor.close()
        return count

    # --- decisions -------------------------------------------------------------------------

    def add_decision(self, decision: Decision) -> None:
        self.connection.execute(_INSERT_DECISION, decision_values(decision))

    def add_decisions(self, decisions: list[Decision]) -> None:
        """Many decisions in ONE multi-row insert (a group-commit batch's)."""
        if decisions:
            self.connection.execute(
                insert(risk_decisions).values([decision_values(d) for d in decisions])
            )

    def decision(self, decision_id: str) -> Decision | None:
        row = self.connection.execute(
            select(risk_decisions).where(risk_decisions.c.id == decision_id)
        ).first()
        return _decision(row) if row else None

    def decisions(self, decision_ids: list[str]) -> dict[str, Decision]:
        """The decisions named, by id, in one query (missing ones are left out)."""
        if not decision_ids:
            return {}
        rows = self.connection.execute(
            select(risk_decisions).where(risk_decisions.c.id.in_(decision_ids))
        )
        return {row.id: _decision(row) for row in rows}

    def decisions_of_user(self, user_id: str, *, limit: int = 50) -> list[Decision]:
        c = risk_decisions.c
        rows = self.connection.execute(
            select(risk_decisions)
            .where(c.user_id == user_id)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
        )
        return [_decision(row) for row in rows]

    def decisions_of_movement(self, movement_id: str) -> list[Decision]:
        c = risk_decisions.c
        rows = self.connection.execute(
            select(risk_decisions).where(c.movement_id == movement_id).order_by(c.created_at)
        )
        return [_decision(row) for row in rows]

    # --- rule sets -------------------------------------------------------------------------

    def latest_rule_set_head(self) -> tuple[int, str] | None:
        """(version, sha256) of the active (latest) stored rule set, or None."""
        c = risk_rule_sets.c
        row = self.connection.execute(
            select(c.version, c.sha256).order_by(c.version.desc()).limit(1)
        ).first()
        return (int(row.version), str(row.sha256)) if row else None

    def rule_set(self, version: int) -> RuleSetVersion | None:
        row = self.connection.execute(
            select(risk_rule_sets).where(risk_rule_sets.c.version == version)
        ).first()
        return RuleSetVersion(**row._mapping) if row else None

    def rule_sets(self, *, limit: int = 100) -> list[RuleSetVersion]:
        c = risk_rule_sets.c
        rows = self.connection.execute(
            select(risk_rule_sets).order_by(c.version.desc()).limit(limit)
        )
        return [RuleSetVersion(**row._mapping) for row in rows]

    def add_rule_set(self, stored: RuleSetVersion) -> bool:
        """Store a new version; False when that version number was taken meanwhile."""
        row = self.connection.execute(
            insert_ignoring_conflicts(self.connection, risk_rule_sets)
            .values(
                version=stored.version,
                source=stored.source,
                sha256=stored.sha256,
                rule_count=stored.rule_count,
                comment=stored.comment,
                based_on=stored.based_on,
                created_by=stored.created_by,
                created_at=stored.created_at,
            )
            .returning(risk_rule_sets.c.version)
        ).first()
        return row is not None

    # --- lists -----------------------------------------------------------------------------

    def add_list_entry(self, entry: ListEntry) -> None:
        self.connection.execute(insert(risk_list_entries).values(**vars(entry)))

    def list_entry(self, entry_id: str) -> ListEntry | None:
        row = self.connection.execute(
            select(risk_list_entries).where(risk_list_entries.c.id == entry_id)
        ).first()
        return ListEntry(**row._mapping) if row else None

    def active_list_entry(self, kind: str, value: str) -> ListEntry | None:
        c = risk_list_entries.c
        row = self.connection.execute(
            select(risk_list_entries).where(
                c.kind == kind, c.value == value, c.removed_at.is_(None)
            )
        ).first()
        return ListEntry(**row._mapping) if row else None

    def remove_list_entry(self, entry_id: str, *, at: datetime, by: str | None) -> bool:
        c = risk_list_entries.c
        row = self.connection.execute(
            update(risk_list_entries)
            .where(c.id == entry_id, c.removed_at.is_(None))
            .values(removed_at=at, removed_by=by)
            .returning(c.id)
        ).first()
        return row is not None

    def list_entries(self, kind: str | None = None, *, limit: int = 500) -> list[ListEntry]:
        c = risk_list_entries.c
        statement = select(risk_list_entries).where(c.removed_at.is_(None))
        if kind is not None:
            statement = statement.where(c.kind == kind)
        rows = self.connection.execute(statement.order_by(c.created_at.desc()).limit(limit))
        return [ListEntry(**row._mapping) for row in rows]

    # --- snoozes ---------------------------------------------------------------------------

    def add_snooze(self, snooze: Snooze) -> None:
        self.connection.execute(insert(risk_snoozes).values(**vars(snooze)))

    def snooze(self, snooze_id: str) -> Snooze | None:
        row = self.connection.execute(
            select(risk_snoozes).where(risk_snoozes.c.id == snooze_id)
        ).first()
        return Snooze(**row._mapping) if row else None

    def lift_snooze(self, snooze_id: str, *, at: datetime, by: str | None) -> bool:
        c = risk_snoozes.c
        row = self.connection.execute(
            update(risk_snoozes)
            .where(c.id == snooze_id, c.lifted_at.is_(None))
            .values(lifted_at=at, lifted_by=by)
            .returning(c.id)
        ).first()
        return row is not None

    def snoozes_of(self, user_id: str) -> list[Snooze]:
        c = risk_snoozes.c
        rows = self.connection.execute(
            select(risk_snoozes).where(c.user_id == user_id).order_by(c.created_at.desc())
        )
        return [Snooze(**row._mapping) for row in rows]


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite keeps timestamps as naive UTC text, the way `UTCDateTime` writes them."""
    *head, at = row
    return (*head, at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
