"""Business-hours calendars and holiday years over the API (issue 5, items 5 and 15). The
same services as the console's calendar page (`support.calendar_admin`, `support.holidays`):
a change is audited and counts for SLA clocks started or resumed afterwards. Included by
`support_staff.router`, so the paths sit under `/api/v1/staff`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import calendar_admin
from walletdesk.support.holidays import WEEKDAYS, HolidayYear, set_public_holidays

router = APIRouter(tags=["support-sla"])

ConfigAdmin = Annotated[Authenticated, Depends(requires(Permission.CONFIG_MANAGE))]
Year = Annotated[int, Path(ge=calendar_admin.MIN_YEAR, le=calendar_admin.MAX_YEAR)]


class CalendarOut(BaseModel):
    key: str
    days: dict[str, str] = Field(description='By weekday, mon first: "09:00-12:00, 13:00-18:00"')
    makeup_day: str = Field(description="Hours of a make-up working day (调休)")
    observes_public_holidays: bool
    version_id: int | None = Field(description="The admin's change in force; null: shipped")
    set_at: datetime | None


class DayOut(BaseModel):
    day: date
    name: str


class HolidayYearOut(BaseModel):
    year: int
    source: str = Field(description="The notice the dates come from")
    stored: bool = Field(description="Set by an admin rather than shipped with the release")
    holidays: list[DayOut] = Field(description="Every day off, weekends inside a holiday too")
    workdays: list[DayOut] = Field(description="Make-up working days")

    @classmethod
    def of(cls, year: HolidayYear, *, stored: bool) -> HolidayYearOut:
        return cls(
            year=year.year,
            source=year.source,
            stored=stored,
            holidays=[DayOut(day=d, name=n) for d, n in sorted(year.holidays.items())],
            workdays=[DayOut(day=d, name=n) for d, n in sorted(year.workdays.items())],
        )


class CalendarsOut(BaseModel):
    calendars: list[CalendarOut]
    years: list[HolidayYearOut]


class HoursIn(BaseModel):
    days: dict[str, str] = Field(
        description="mon..sun; a missing or empty day is closed",
        examples=[{"mon": "09:00-18:00", "sat": ""}],
    )
    makeup_day: str = Field(default="", max_length=200, examples=["09:00-18:00"])


class HolidayIn(BaseModel):
    name: str = Field(max_length=80, examples=["元旦 New Year's Day"])
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class WorkdayIn(BaseModel):
    name: str = Field(max_length=80, examples=["元旦调休"])
    day: date = Field(alias="date")


class HolidayYearIn(BaseModel):
    source: str = Field(max_length=300, description="The notice the dates come from")
    holidays: list[HolidayIn] = Field(max_length=60)
    workdays: list[WorkdayIn] = Field(default_factory=list, max_length=30)


@router.get("/calendars")
def list_calendars(auth: ConfigAdmin, rt: RuntimeDep) -> CalendarsOut:
    return CalendarsOut(
        calendars=[
            CalendarOut(
                key=c.key,
                days=c.days,
                makeup_day=c.makeup_day,
                observes_public_holidays=c.observes_public_holidays,
                version_id=c.version.id if c.version else None,
                set_at=c.version.created_at if c.version else None,
            )
            for c in calendar_admin.calendars_view(rt)
        ],
        years=[HolidayYearOut.of(y.year, stored=y.stored) for y in calendar_admin.years_view(rt)],
    )


@router.put("/calendars/{calendar}/hours")
def set_hours(
    calendar: str, body: HoursIn, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context
) -> CalendarOut:
    version = calendar_admin.set_business_hours(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        calendar=calendar,
        days={day: body.days.get(day, "") for day in WEEKDAYS},
        makeup_day=body.makeup_day,
    )
    shown = next(c for c in calendar_admin.calendars_view(rt) if c.key == calendar)
    return CalendarOut(
        key=shown.key,
        days=shown.days,
        makeup_day=shown.makeup_day,
        observes_public_holidays=shown.observes_public_holidays,
        version_id=version.id,
        set_at=version.created_at,
    )


@router.put("/holiday-years/{year}")
def set_holiday_year(
    year: Year, body: HolidayYearIn, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context
) -> HolidayYearOut:
    """Store (or replace) a year's public holidays and make-up working days, as the State
    Council publishes them (usually in November)."""
    stored = set_public_holidays(
        rt,
        year=year,
        data=body.model_dump(mode="json", by_alias=True),
        actor=Actor.staff(auth.user.id, ctx.ip),
    )
    return HolidayYearOut.of(stored, stored=True)
