"""Storage of the admin-set configuration: fee schedules, limits, business hours. Rows are
only ever added; the latest row of a thing is the one in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from walletdesk.banking.fee_config import FeeVersion
from walletdesk.banking.fees import FeeSchedule
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.limits_config import LimitVersion
from walletdesk.ledger.money import Money
from walletdesk.storage.tables_config import (
    config_business_hours,
    config_fee_schedules,
    config_limits,
)
from walletdesk.support.calendar_admin import (
    HoursVersion,
    WeeklyHours,
    hours_as_json,
    hours_from_json,
)


def _added_id(connection: Connection, statement: Any) -> int:
    return int(connection.execute(statement).scalar_one())


class FeeScheduleRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def _version(row: Any) -> FeeVersion:
        return FeeVersion(
            id=int(row.id),
            schedule=FeeSchedule(
                free_per_month=row.free_per_month,
                basis_points=row.fee_bps,
                minimum=Money(row.min_fee_minor, row.currency),
            ),
            set_by=row.set_by,
            created_at=row.created_at,
        )

    def latest(self) -> FeeVersion | None:
        row = self.connection.execute(
            select(config_fee_schedules).order_by(config_fee_schedules.c.id.desc()).limit(1)
        ).first()
        return self._version(row) if row is not None else None

    def history(self, *, limit: int) -> list[FeeVersion]:
        rows = self.connection.execute(
            select(config_fee_schedules).order_by(config_fee_schedules.c.id.desc()).limit(limit)
        )
        return [self._version(row) for row in rows]

    def add(self, schedule: FeeSchedule, *, set_by: str | None, at: datetime) -> FeeVersion:
        new_id = _added_id(
            self.connection,
            insert(config_fee_schedules)
            .values(
                free_per_month=schedule.free_per_month,
                fee_bps=schedule.basis_points,
                min_fee_minor=schedule.minimum.minor,
                currency=schedule.minimum.currency,
                set_by=set_by,
                created_at=at,
            )
            .returning(config_fee_schedules.c.id),
        )
        return FeeVersion(new_id, schedule, set_by, at)


class LimitRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def _version(row: Any) -> LimitVersion:
        return LimitVersion(
            id=int(row.id),
            account_type=row.account_type,
            kyc_tier=row.kyc_tier,
            limit=Limit(row.per_transaction, row.per_day, row.per_year),
            set_by=row.set_by,
            created_at=row.created_at,
        )

    def current(self) -> dict[tuple[str, int], LimitVersion]:
        """The latest version of each class that was ever set."""
        c = config_limits.c
        latest = select(func.max(c.id)).group_by(c.account_type, c.kyc_tier)
        rows = self.connection.execute(select(config_limits).where(c.id.in_(latest)))
        return {(row.account_type, row.kyc_tier): self._version(row) for row in rows}

    def history(self, *, limit: int) -> list[LimitVersion]:
        rows = self.connection.execute(
            select(config_limits).order_by(config_limits.c.id.desc()).limit(limit)
        )
        return [self._version(row) for row in rows]

    def add(
        self, account_type: str, kyc_tier: int, limit: Limit, *, set_by: str | None, at: datetime
    ) -> LimitVersion:
        new_id = _added_id(
            self.connection,
            insert(config_limits)
            .values(
                account_type=account_type,
                kyc_tier=kyc_tier,
                per_transaction=limit.per_transaction,
                per_day=limit.per_day,
                per_year=limit.per_year,
                set_by=set_by,
                created_at=at,
            )
            .returning(config_limits.c.id),
        )
        return LimitVersion(new_id, account_type, kyc_tier, limit, set_by, at)


class BusinessHoursRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def _version(row: Any) -> HoursVersion:
        return HoursVersion(
            id=int(row.id),
            calendar=row.calendar,
            hours=hours_from_json(row.weekly, row.makeup_day),
            set_by=row.set_by,
            created_at=row.created_at,
        )

    def current(self) -> dict[str, HoursVersion]:
        c = config_business_hours.c
        latest = select(func.max(c.id)).group_by(c.calendar)
        rows = self.connection.execute(select(config_business_hours).where(c.id.in_(latest)))
        return {row.calendar: self._version(row) for row in rows}

    def history(self, calendar: str, *, limit: int) -> list[HoursVersion]:
        c = config_business_hours.c
        rows = self.connection.execute(
            select(config_business_hours)
            .where(c.calendar == calendar)
            .order_by(c.id.desc())
            .limit(limit)
        )
        return [self._version(row) for row in rows]

    def add(
        self, calendar: str, hours: WeeklyHours, *, set_by: str | None, at: datetime
    ) -> HoursVersion:
        weekly, makeup_day = hours_as_json(hours)
        new_id = _added_id(
            self.connection,
            insert(config_business_hours)
            .values(
                calendar=calendar,
                weekly=weekly,
                makeup_day=makeup_day,
                set_by=set_by,
                created_at=at,
            )
            .returning(config_business_hours.c.id),
        )
        return HoursVersion(new_id, calendar, hours, set_by, at)
