"""The withdrawal fee schedule as admins set it from the console.

The schedule in force is the latest one stored (`config_fee_schedules`, append-only: every
change is a new row, so the rows are the versions); until an admin first sets one, the
environment's defaults (`fees.schedule()`) apply. Withdrawals quote and charge with
`current_schedule`, read in their own unit of work, so a change applies to the next quote.
A quote already shown keeps its fee: `withdraw` refuses when the fee changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.banking.fees import FeeSchedule, schedule
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.config import FeeScheduleRepository
    from walletdesk.storage.uow import UnitOfWork

MAX_FREE_PER_MONTH = 100
MAX_FEE_BPS = 1_000
"""10 %: far above any withdrawal fee; a typo such as 1000 for 0.1 % is refused."""
MAX_MINIMUM_FEN = 100 * 100
"""¥100: the largest minimum fee the console accepts."""
HISTORY_MAX = 50


@dataclass(frozen=True)
class FeeVersion:
    """One stored schedule: a version of the fee schedule, who set it and when."""

    id: int
    schedule: FeeSchedule
    set_by: str | None
    created_at: datetime


def fee_repository(uow: UnitOfWork) -> FeeScheduleRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.config import FeeScheduleRepository

    return FeeScheduleRepository(uow.connection)


def current_schedule(uow: UnitOfWork) -> FeeSchedule:
    """The schedule in force: the latest one an admin set, else the configured default."""
    latest = fee_repository(uow).latest()
    return latest.schedule if latest is not None else schedule()


def _whole(text: str, field: str, high: int) -> int:
    raw = text.strip()
    if not raw.isdigit() or int(raw) > high:
        raise ValidationFailed(
            "invalid_fee_setting",
            N_("Enter a whole number from 0 to {max}."),
            field=field,
            max=high,
        )
    return int(raw)


def check_schedule(free_per_month: str, basis_points: str, minimum: str) -> FeeSchedule:
    """A schedule from what an admin typed, or `ValidationFailed` naming the field."""
    free = _whole(free_per_month, "free_per_month", MAX_FREE_PER_MONTH)
    bps = _whole(basis_points, "basis_points", MAX_FEE_BPS)
    raw = minimum.strip()
    if raw in ("0", "0.0", "0.00"):
        least = Money.zero("CNY")
    else:
        least = Money.parse(raw, "CNY", field="minimum")
        if least.minor > MAX_MINIMUM_FEN:
            raise ValidationFailed(
                "invalid_fee_minimum",
                N_("The minimum fee can be at most {max}."),
                field="minimum",
                max="100.00",
            )
    return FeeSchedule(free_per_month=free, basis_points=bps, minimum=least)


def set_fee_schedule(
    rt: Runtime, actor: Actor, *, free_per_month: str, basis_points: str, minimum: str
) -> FeeVersion:
    """check_set_fee_schedule: store a new version of the schedule and audit the change."""
    chosen = check_schedule(free_per_month, basis_points, minimum)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        before = current_schedule(uow)
        version = fee_repository(uow).add(chosen, set_by=actor.id, at=now)
        record(
            uow,
            at=now,
            actor=actor,
            action="fees.schedule_set",
            subject_kind="fee_schedule",
            subject_id=str(version.id),
            details={
                "free_per_month": chosen.free_per_month,
                "basis_points": chosen.basis_points,
                "minimum": chosen.minimum.to_string(),
                "previous": {
                    "free_per_month": before.free_per_month,
                    "basis_points": before.basis_points,
                    "minimum": before.minimum.to_string(),
                },
            },
        )
        uow.commit()
    return version


def fee_history(rt: Runtime, *, limit: int = HISTORY_MAX) -> list[FeeVersion]:
    """The stored versions, newest first."""
    with rt.db.uow(read_only=True) as uow:
        return fee_repository(uow).history(limit=min(limit, HISTORY_MAX))


def schedule_now(rt: Runtime) -> FeeSchedule:
    with rt.db.uow(read_only=True) as uow:
        return current_schedule(uow)
