"""Storage for held transfers and review cases (`uow.risk_review`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, exists, or_, select

from walletdesk.risk.review_models import (
    CaseStatus,
    HeldStatus,
    HeldTransfer,
    ReviewActionRecord,
    ReviewAlert,
    ReviewCase,
)
from walletdesk.storage import tables_risk_review as t
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.storage.tables_risk import risk_events


class HeldTransferRepository(DataclassRepository[HeldTransfer]):
    table = t.held_transfers
    model = HeldTransfer

    def of_user(self, user_id: str, *, pending_only: bool, limit: int = 50) -> list[HeldTransfer]:
        c = self.table.c
        statement = select(self.table).where(c.user_id == user_id)
        if pending_only:
            statement = statement.where(c.status == HeldStatus.UNDER_REVIEW.value)
        return self._many(statement.order_by(c.created_at.desc(), c.id.desc()).limit(limit))

    def pending_of_case(self, case_id: str) -> list[HeldTransfer]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.case_id == case_id, c.status == HeldStatus.UNDER_REVIEW.value)
            .order_by(c.created_at, c.id)
            .with_for_update()
        )

    def pending_of_cases(self, case_ids: list[str]) -> list[HeldTransfer]:
        """The movements still under review in any of `case_ids` (read, not locked)."""
        if not case_ids:
            return []
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.case_id.in_(case_ids), c.status == HeldStatus.UNDER_REVIEW.value)
            .order_by(c.created_at, c.id)
        )

    def due(self, now: datetime, *, limit: int) -> list[str]:
        c = self.table.c
        rows = self.connection.execute(
            select(c.id)
            .where(c.status == HeldStatus.UNDER_REVIEW.value, c.decline_at <= now)
            .order_by(c.decline_at, c.id)
            .limit(limit)
        )
        return [row.id for row in rows]


class ReviewCaseRepository(DataclassRepository[ReviewCase]):
    table = t.risk_review_cases
    model = ReviewCase

    def open_of_user(self, user_id: str, *, for_update: bool = False) -> ReviewCase | None:
        statement = select(self.table).where(self.table.c.open_user_id == user_id)
        if for_update:
            statement = statement.with_for_update()
        return self._one(statement)

    def next_unassigned(
        self, *, skip_locked: bool, excluding_user: str, escalated_too: bool
    ) -> ReviewCase | None:
        """The oldest open, unassigned case that does not involve `excluding_user` (as the
        customer or as a counterparty of one of its alerts), escalated ones only with
        `escalated_too`; locked (SKIP LOCKED on PostgreSQL, so two reviewers never take the
        same one)."""
        c = self.table.c
        a = t.risk_review_alerts.c
        involving = exists().where(
            a.case_id == c.id,
            or_(a.user_id == excluding_user, a.counterparty_id == excluding_user),
        )
        statement = (
            select(self.table)
            .where(
                c.status == CaseStatus.OPEN.value,
                c.assigned_to.is_(None),
                c.user_id != excluding_user,
                ~involving,
            )
            .order_by(c.opened_at, c.id)
            .limit(1)
        )
        if not escalated_too:
            statement = statement.where(c.escalated.is_(False))
        statement = statement.with_for_update(skip_locked=skip_locked)
        return self._one(statement)

    def queue(self, *, limit: int = 100) -> list[ReviewCase]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.status != CaseStatus.CLOSED.value)
            .order_by(c.opened_at, c.id)
            .limit(limit)
        )

    def awaiting_second(self, *, limit: int = 100) -> list[ReviewCase]:
        """Cases, open or closed, where an action waits for a second reviewer, oldest ask
        first (an unfreeze may be asked on a closed case)."""
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.pending_action.is_not(None))
            .order_by(c.pending_at, c.id)
            .limit(limit)
        )

    def of_user(self, user_id: str, *, limit: int = 20) -> list[ReviewCase]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.user_id == user_id)
            .order_by(c.opened_at.desc(), c.id.desc())
            .limit(limit)
        )


class ReviewAlertRepository(DataclassRepository[ReviewAlert]):
    table = t.risk_review_alerts
    model = ReviewAlert

    def of_case(self, case_id: str) -> list[ReviewAlert]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id == case_id).order_by(c.created_at, c.id)
        )

    def of_cases(self, case_ids: list[str]) -> list[ReviewAlert]:
        if not case_ids:
            return []
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id.in_(case_ids)).order_by(c.created_at, c.id)
        )

    def of_user_elsewhere(
        self, user_id: str, case_id: str, *, limit: int = 50
    ) -> list[ReviewAlert]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.user_id == user_id, c.case_id != case_id)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
        )

    def involving(self, case_id: str, party_id: str) -> bool:
        c = self.table.c
        row = self.connection.execute(
            select(c.id)
            .where(c.case_id == case_id, or_(c.user_id == party_id, c.counterparty_id == party_id))
            .limit(1)
        ).first()
        return row is not None


class ReviewActionRepository(DataclassRepository[ReviewActionRecord]):
    table = t.risk_review_actions
    model = ReviewActionRecord

    def of_case(self, case_id: str) -> list[ReviewActionRecord]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id == case_id).order_by(c.created_at, c.id)
        )


def movements_between(
    connection: Connection, a: str, b: str, since: datetime, *, limit: int = 20
) -> list[dict[str, object]]:
    """Recent posted movements between two parties, both directions, newest first."""
    c = risk_events.c
    rows = connection.execute(
        select(c.movement_id, c.kind, c.sender_id, c.receiver_id, c.amount_cny_minor, c.at)
        .where(
            or_(
                (c.sender_id == a) & (c.receiver_id == b),
                (c.sender_id == b) & (c.receiver_id == a),
            ),
            c.at >= since,
        )
        .order_by(c.at.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


class RiskReviewStore:
    """The review repositories bound to one unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.held = HeldTransferRepository(connection)
        self.cases = ReviewCaseRepository(connection)
        self.alerts = ReviewAlertRepository(connection)
        self.actions = ReviewActionRepository(connection)

    def movements_between(
        self, a: str, b: str, since: datetime, *, limit: int = 20
    ) -> list[dict[str, object]]:
        return movements_between(self.connection, a, b, since, limit=limit)
