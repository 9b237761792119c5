"""Storage for the SLA side of the support desk: policies, per-case targets, the configured
holiday years, and the staff look-ups the escalation ladder needs."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select

from walletdesk.storage import tables as t
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.support.sla import EscalationAction, EscalationStep, SlaPolicy, SlaTarget
from walletdesk.support.statuses import Category

_TARGETS_OF_CASE = (
    select(s.support_sla_targets)
    .where(s.support_sla_targets.c.case_id == bindparam("case_id"))
    .order_by(s.support_sla_targets.c.kind)
)


class SlaPolicyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def all(self) -> list[SlaPolicy]:
        rows = self.connection.execute(
            select(s.support_sla_policies).order_by(s.support_sla_policies.c.id)
        )
        policies = []
        for row in rows:
            values = dict(row._mapping)
            ladder = tuple(
                EscalationStep(int(step["after_minutes"]), EscalationAction(step["action"]))
                for step in json.loads(values.pop("ladder"))
            )
            policies.append(SlaPolicy(**values, ladder=ladder))
        return policies

    def put(self, policy: SlaPolicy) -> None:
        """Insert or replace the policy with this id."""
        table = s.support_sla_policies
        self.connection.execute(delete(table).where(table.c.id == policy.id))
        ladder = [
            {"after_minutes": x.after_minutes, "action": x.action.value} for x in policy.ladder
        ]
        self.connection.execute(
            insert(table).values(
                id=policy.id,
                priority=policy.priority,
                case_type=policy.case_type,
                first_response_minutes=policy.first_response_minutes,
                next_response_minutes=policy.next_response_minutes,
                resolution_minutes=policy.resolution_minutes,
                calendar=policy.calendar,
                ladder=json.dumps(ladder),
                updated_at=policy.updated_at,
            )
        )

    def remove(self, policy_id: str) -> bool:
        """Delete the stored policy; True if there was one (the defaults apply again)."""
        table = s.support_sla_policies
        row = self.connection.execute(
            delete(table).where(table.c.id == policy_id).returning(table.c.id)
        ).first()
        return row is not None


class SlaTargetRepository(DataclassRepository[SlaTarget]):
    """SLA targets. A case's targets are read once per unit of work (`for_case` keeps what it
    read and what this unit of work wrote through `add`/`save`): the clocks look at them
    after every change, several times for one chat message. Copies go out, so a caller's
    unsaved change never shows in the next read."""

    table = s.support_sla_targets
    model = SlaTarget

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._known: dict[str, list[SlaTarget]] = {}

    def for_case(self, case_id: str) -> list[SlaTarget]:
        if case_id not in self._known:
            rows = self.connection.execute(_TARGETS_OF_CASE, {"case_id": case_id})
            self._known[case_id] = [self._to_model(row) for row in rows]
        return [dataclasses.replace(t) for t in self._known[case_id]]

    def add(self, obj: SlaTarget) -> SlaTarget:
        super().add(obj)
        known = self._known.get(obj.case_id)
        if known is not None:
            known.append(dataclasses.replace(obj))
            known.sort(key=lambda t: t.kind)
        return obj

    def save(self, obj: SlaTarget) -> None:
        super().save(obj)
        known = self._known.get(obj.case_id)
        if known is not None:
            self._known[obj.case_id] = [
                dataclasses.replace(obj) if t.id == obj.id else t for t in known
            ]

    def for_cases(self, case_ids: list[str]) -> dict[str, list[SlaTarget]]:
        found: dict[str, list[SlaTarget]] = {case_id: [] for case_id in case_ids}
        if not case_ids:
            return found
        c = self.table.c
        for target in self._many(select(self.table).where(c.case_id.in_(case_ids))):
            found[target.case_id].append(target)
        return found

    def cases_due(self, now: datetime, *, limit: int) -> list[str]:
        """Cases with a running target past its due time, or an escalation step due."""
        c = self.table.c
        late = select(c.case_id).where(c.state == "active", c.due_at < now)
        cases = s.support_cases.c
        escalating = select(cases.id).where(cases.next_escalation_at <= now)
        rows = self.connection.execute(
            select(cases.id)
            .where(or_(cases.id.in_(late), cases.id.in_(escalating)))
            .order_by(cases.id)
            .limit(limit)
        )
        return [row.id for row in rows]


class HolidayYearRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def all(self) -> dict[int, dict[str, Any]]:
        rows = self.connection.execute(select(s.support_holiday_years))
        return {int(row.year): json.loads(row.data) for row in rows}

    def put(
        self, year: int, data: dict[str, Any], *, updated_at: datetime, updated_by: str | None
    ) -> None:
        table = s.support_holiday_years
        self.connection.execute(delete(table).where(table.c.year == year))
        self.connection.execute(
            insert(table).values(
                year=year,
                data=json.dumps(data, ensure_ascii=False, sort_keys=True),
                updated_at=updated_at,
                updated_by=updated_by,
            )
        )


class StaffDirectory:
    """Who holds a role, and how many open cases each has (for the escalation ladder)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def with_role(self, role: str) -> list[str]:
        rows = self.connection.execute(
            select(t.staff_roles.c.user_id)
            .where(t.staff_roles.c.role == role)
            .order_by(t.staff_roles.c.user_id)
        )
        return [row.user_id for row in rows]

    def open_case_counts(self, user_ids: list[str]) -> dict[str, int]:
        if not user_ids:
            return {}
        c = s.support_cases.c
        rows = self.connection.execute(
            select(c.assignee_id, func.count())
            .where(
                c.assignee_id.in_(user_ids),
                c.category.not_in([Category.SOLVED.value, Category.CLOSED.value]),
            )
            .group_by(c.assignee_id)
        )
        return {row[0]: int(row[1]) for row in rows}
