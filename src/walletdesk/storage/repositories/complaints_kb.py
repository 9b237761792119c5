"""Storage of complaints, suggestions, satisfaction surveys and the desk's policies; the
knowledge base is in `complaints_kb_help.py` and the metrics reads in `complaints_kb_metrics.py`.
`ComplaintsKbStore` bundles them for the unit of work (`uow.complaints_kb`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, delete, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from walletdesk.storage import tables_complaints_kb as ck
from walletdesk.storage import tables_routing as routing
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.storage.repositories.complaints_kb_help import KnowledgeBaseRepository
from walletdesk.storage.repositories.complaints_kb_metrics import MetricsReader
from walletdesk.support.complaints_model import ComplaintRecord
from walletdesk.support.csat import CsatSurvey
from walletdesk.support.suggestions import SuggestionRecord

_CLOSED = ("solved", "closed")
T = TypeVar("T")


class _ByCaseRepository(DataclassRepository[T]):
    """Records keyed by their case id."""

    def get(self, object_id: str, *, for_update: bool = False) -> T | None:
        statement = select(self.table).where(self.table.c.case_id == object_id)
        if for_update:
            statement = statement.with_for_update()
        return self._one(statement)

    def save(self, obj: T) -> None:
        values = self._values(obj)
        case_id = values.pop("case_id")
        self.connection.execute(
            self.table.update().where(self.table.c.case_id == case_id).values(values)
        )


class ComplaintRepository(_ByCaseRepository[ComplaintRecord]):
    table = ck.complaint_records
    model = ComplaintRecord

    def get_by_reference(self, reference: str) -> ComplaintRecord | None:
        return self._one(select(self.table).where(self.table.c.reference == reference))

    def for_contact(self, contact_id: str, *, limit: int = 100) -> list[ComplaintRecord]:
        c, cases = self.table.c, s.support_cases.c
        return self._many(
            select(self.table)
            .join(s.support_cases, cases.id == c.case_id)
            .where(cases.contact_id == contact_id)
            .order_by(c.received_at.desc(), c.case_id.desc())
            .limit(limit)
        )

    def escalations_due(self, now: datetime, *, limit: int) -> list[str]:
        c = self.table.c
        rows = self.connection.execute(
            select(c.case_id)
            .where(c.next_escalation_at <= now)
            .order_by(c.next_escalation_at)
            .limit(limit)
        )
        return [row.case_id for row in rows]

    def received_between(
        self,
        start: datetime,
        end: datetime,
        *,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[ComplaintRecord]:
        """Oldest first, keyset-paged on (received_at, case_id)."""
        c = self.table.c
        statement = select(self.table).where(c.received_at >= start, c.received_at < end)
        if after is not None:
            at, case_id = after
            statement = statement.where(
                or_(c.received_at > at, and_(c.received_at == at, c.case_id > case_id))
            )
        return self._many(statement.order_by(c.received_at, c.case_id).limit(limit))

    def staff_list(self, *, awaiting_result: bool | None, limit: int) -> list[ComplaintRecord]:
        """Newest first; `awaiting_result` keeps those whose current round has no result."""
        c = self.table.c
        statement = select(self.table)
        waiting = or_(
            and_(c.appealed_at.is_(None), c.result_at.is_(None)),
            and_(c.appealed_at.is_not(None), c.appeal_result_at.is_(None)),
        )
        if awaiting_result is True:
            statement = statement.where(waiting)
        elif awaiting_result is False:
            statement = statement.where(~waiting)
        return self._many(statement.order_by(c.received_at.desc(), c.case_id.desc()).limit(limit))


class SuggestionRepository(_ByCaseRepository[SuggestionRecord]):
    table = ck.suggestion_records
    model = SuggestionRecord

    def get_by_reference(self, reference: str) -> SuggestionRecord | None:
        return self._one(select(self.table).where(self.table.c.reference == reference))

    def for_contact(self, contact_id: str, *, limit: int = 100) -> list[SuggestionRecord]:
        c, cases = self.table.c, s.support_cases.c
        return self._many(
            select(self.table)
            .join(s.support_cases, cases.id == c.case_id)
            .where(cases.contact_id == contact_id)
            .order_by(c.received_at.desc(), c.case_id.desc())
            .limit(limit)
        )

    def staff_list(self, *, status: str | None, limit: int) -> list[SuggestionRecord]:
        c = self.table.c
        statement = select(self.table)
        if status is not None:
            statement = statement.where(c.status == status)
        return self._many(statement.order_by(c.received_at.desc(), c.case_id.desc()).limit(limit))


class CsatRepository(_ByCaseRepository[CsatSurvey]):
    table = ck.csat_surveys
    model = CsatSurvey

    def routed_queue(self, case_id: str) -> str | None:
        table = routing.routing_cases
        row = self.connection.execute(
            select(table.c.queue_id).where(table.c.case_id == case_id)
        ).first()
        return str(row.queue_id) if row else None

    def solved_unasked(self, since: datetime, *, limit: int) -> list[str]:
        """Solved cases (solved at or after `since`) that have not been asked for a rating."""
        cases = s.support_cases.c
        asked = exists().where(self.table.c.case_id == cases.id)
        rows = self.connection.execute(
            select(cases.id)
            .where(cases.category == "solved", cases.solved_at >= since, ~asked)
            .order_by(cases.solved_at, cases.id)
            .limit(limit)
        )
        return [row.id for row in rows]


class ReferenceCounter:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def next(self, prefix: str, day: str) -> int:
        """The next number of the day for `prefix`, atomically (an upsert that returns the new
        value), so two complaints received at once never share one."""
        table = ck.reference_counters
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(table)
            .values(prefix=prefix, day=day, last=1)
            .on_conflict_do_update(
                index_elements=[table.c.prefix, table.c.day], set_={"last": table.c.last + 1}
            )
            .returning(table.c.last)
        )
        return int(self.connection.execute(statement).scalar_one())


class UnrecordedCases:
    """Complaint and suggestion cases that came in through another door (the bot, a channel
    adapter, an agent) and have no record yet."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, case_type: str, *, since: datetime, limit: int) -> list[str]:
        record = ck.complaint_records if case_type == "complaint" else ck.suggestion_records
        cases = s.support_cases.c
        recorded = exists().where(record.c.case_id == cases.id)
        # Every category, named so that the (category, created_at) index serves the query.
        open_categories = ("new", "open", "pending_customer", "pending_internal", "on_hold")
        rows = self.connection.execute(
            select(cases.id)
            .where(
                cases.category.in_([*open_categories, *_CLOSED]),
                cases.created_at >= since,
                cases.type == case_type,
                ~recorded,
            )
            .order_by(cases.created_at, cases.id)
            .limit(limit)
        )
        return [row.id for row in rows]


class DeskPolicyRepository:
    """The desk's policies as JSON by key (complaint deadlines, the CSAT follow-up)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, key: str) -> dict[str, Any] | None:
        table = ck.support_desk_policies
        row = self.connection.execute(select(table.c.data).where(table.c.key == key)).first()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row.data)
        return data

    def put(
        self, key: str, data: dict[str, Any], *, updated_at: datetime, updated_by: str | None
    ) -> None:
        table = ck.support_desk_policies
        self.connection.execute(delete(table).where(table.c.key == key))
        self.connection.execute(
            insert(table).values(
                key=key,
                data=json.dumps(data, sort_keys=True, ensure_ascii=False),
                updated_at=updated_at,
                updated_by=updated_by,
            )
        )


class ComplaintsKbStore:
    """The repositories bound to one unit of work's connection (`uow.complaints_kb`)."""

    def __init__(self, connection: Connection) -> None:
        self.complaints = ComplaintRepository(connection)
        self.suggestions = SuggestionRepository(connection)
        self.csat = CsatRepository(connection)
        self.counters = ReferenceCounter(connection)
        self.unrecorded = UnrecordedCases(connection)
        self.policies = DeskPolicyRepository(connection)
        self.kb = KnowledgeBaseRepository(connection)
        self.metrics = MetricsReader(connection)
