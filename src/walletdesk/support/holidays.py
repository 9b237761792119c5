"""The business calendars with mainland China's public holidays and make-up working days.

The opening hours and the holidays ship in `data/business_calendars.json`. The 2026 year is
the official calendar in 国务院办公厅关于2026年部分节假日安排的通知 (the State Council's
General Office, published 4 November 2025): 元旦 1-3 Jan (work Sun 4 Jan); 春节 15-23 Feb
(work Sat 14 and Sat 28 Feb); 清明 4-6 Apr; 劳动节 1-5 May (work Sat 9 May); 端午 19-21 Jun;
中秋 25-27 Sep; 国庆 1-7 Oct (work Sun 20 Sep and Sat 10 Oct).

Each year is configurable: `set_public_holidays` stores a year in the database, where it
replaces the shipped year of the same number (a correction) or adds one (next year's notice),
without a release.

`load_calendars` runs for nearly every case change (each chat message), so a process keeps the
calendars it built for `CALENDARS_FRESH_SECONDS` instead of reading and parsing the stored
years and hours every time. A writer calls `forget_calendars` in its unit of work: the process
that made the change uses it from its commit on, other processes within those seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.fresh import FreshCache
from walletdesk.i18n import N_
from walletdesk.support.calendar import BusinessCalendar, Calendars, Interval, parse_intervals

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.calendar_admin import WeeklyHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class HolidayYear:
    year: int
    source: str
    holidays: dict[date, str]
    """Every day off, by date, with the holiday's name (weekends inside a holiday included)."""
    workdays: dict[date, str]
    """Make-up working days (调休)."""

    def as_data(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "holidays": [
                {"name": name, "from": day.isoformat(), "to": day.isoformat()}
                for day, name in sorted(self.holidays.items())
            ],
            "workdays": [
                {"name": name, "date": day.isoformat()}
                for day, name in sorted(self.workdays.items())
            ],
        }


@dataclass(frozen=True)
class CalendarSpec:
    key: str
    zone: ZoneInfo
    weekly: tuple[tuple[Interval, ...], ...]
    makeup_day: tuple[Interval, ...]
    observes_public_holidays: bool


def _bad_year(reason: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_holiday_calendar",
        N_("The holiday calendar is not valid: {reason}"),
        reason=reason,
    )


def _day(text: object, year: int) -> date:
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        raise _bad_year(f"{text!r} is not a date like {year}-10-01") from None
    if day.year != year:
        raise _bad_year(f"{day} is not in {year}")
    return day


def parse_year(year: int, raw: dict[str, Any]) -> HolidayYear:
    """Read one year (`source`, `holidays` as name/from/to ranges, `workdays` as name/date)."""
    holidays: dict[date, str] = {}
    for item in raw.get("holidays", []):
        first, last = _day(item["from"], year), _day(item["to"], year)
        if last < first:
            raise _bad_year(f"{item['name']} ends before it starts")
        day = first
        while day <= last:
            holidays[day] = str(item["name"])
            day += timedelta(days=1)
    workdays = {_day(item["date"], year): str(item["name"]) for item in raw.get("workdays", [])}
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise _bad_year(f"{both[0]} is both a holiday and a make-up working day")
    return HolidayYear(year, str(raw.get("source", "")), holidays, workdays)


@cache
def _shipped() -> tuple[tuple[CalendarSpec, ...], dict[int, HolidayYear]]:
    text = (resources.files("walletdesk.support") / "data" / "business_calendars.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    specs = tuple(
        CalendarSpec(
            key=key,
            zone=ZoneInfo(spec["timezone"]),
            weekly=tuple(parse_intervals(spec["weekly"][day]) for day in WEEKDAYS),
            makeup_day=parse_intervals(spec.get("makeup_workday", [])),
            observes_public_holidays=bool(spec["observes_public_holidays"]),
        )
        for key, spec in data["calendars"].items()
    )
    years = {int(y): parse_year(int(y), raw) for y, raw in data["public_holidays"].items()}
    return specs, years


def shipped_years() -> dict[int, HolidayYear]:
    return dict(_shipped()[1])


def build_calendars(
    years: dict[int, HolidayYear], hours: Mapping[str, WeeklyHours] | None = None
) -> Calendars:
    """The shipped calendars with these holiday years, and `hours` (an admin's weekly hours
    by calendar key) in place of the shipped hours."""
    specs, _ = _shipped()
    holidays = frozenset(day for y in years.values() for day in y.holidays)
    workdays = frozenset(day for y in years.values() for day in y.workdays)
    by_key = {}
    for spec in specs:
        observes = spec.observes_public_holidays
        changed = (hours or {}).get(spec.key)
        by_key[spec.key] = BusinessCalendar(
            key=spec.key,
            zone=spec.zone,
            weekly=changed.weekly if changed else spec.weekly,
            makeup_day=changed.makeup_day if changed else spec.makeup_day,
            holidays=holidays if observes else frozenset(),
            workdays=workdays if observes else frozenset(),
            known_years=frozenset(years) if observes else frozenset(),
        )
    return Calendars(by_key)


def configured_years(uow: UnitOfWork) -> dict[int, HolidayYear]:
    years = shipped_years()
    for year, data in uow.support.holiday_years.all().items():
        years[year] = parse_year(year, data)
    return years


def read_calendars(uow: UnitOfWork) -> Calendars:
    """The shipped calendars with the years and weekly hours stored in the database laid
    over them, read now."""
    from walletdesk.support.calendar_admin import stored_hours  # it builds on this module

    return build_calendars(configured_years(uow), stored_hours(uow))


CALENDARS_FRESH_SECONDS = 10.0
"""How long a process reuses the calendars it read (`load_calendars`): the longest another
process keeps counting SLA time on the calendars from before an admin's change."""


_CACHE: FreshCache[Calendars] = FreshCache(CALENDARS_FRESH_SECONDS)


def load_calendars(uow: UnitOfWork) -> Calendars:
    """The business calendars as `read_calendars` builds them, reused for up to
    `CALENDARS_FRESH_SECONDS` within this process."""
    return _CACHE.get(uow.connection.engine, lambda: read_calendars(uow))


def forget_calendars(uow: UnitOfWork) -> None:
    """Call from every write of holiday years or business hours: this process reads the
    calendars again once `uow` commits (and a rollback changes nothing)."""
    uow.on_commit(_CACHE.forget)


def set_public_holidays(
    rt: Runtime, *, year: int, data: dict[str, Any], actor: Actor, at: datetime | None = None
) -> HolidayYear:
    """Store (or replace) one year's public holidays and make-up working days."""
    parsed = parse_year(year, data)
    if not parsed.source.strip():
        raise _bad_year("name the notice the dates come from in 'source'")
    now = at or rt.clock.now()
    with rt.db.uow() as uow:
        uow.support.holiday_years.put(year, parsed.as_data(), updated_at=now, updated_by=actor.id)
        forget_calendars(uow)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.holidays_set",
            subject_kind="holiday_year",
            subject_id=str(year),
            details={
                "source": parsed.source,
                "holidays": len(parsed.holidays),
                "workdays": len(parsed.workdays),
            },
        )
        uow.commit()
    return parsed
