"""Business hours and holiday years as admins set them from the console.

Weekly opening hours ship in `data/business_calendars.json`; an admin's change is a new row
of `config_business_hours` (append-only: the rows are the versions) and the latest row of a
calendar replaces the shipped hours in `holidays.load_calendars`, so SLA clocks started or
resumed afterwards count the new hours. Public holidays and make-up working days of a year
go through `holidays.set_public_holidays`; `holidays_from_text` reads the console's
one-line-per-day form into that service's data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.calendar import Interval, parse_intervals
from walletdesk.support.holidays import (
    WEEKDAYS,
    HolidayYear,
    configured_years,
    forget_calendars,
    load_calendars,
    set_public_holidays,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.config import BusinessHoursRepository
    from walletdesk.storage.uow import UnitOfWork

HISTORY_MAX = 50
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class WeeklyHours:
    weekly: tuple[tuple[Interval, ...], ...]
    """Seven entries, Monday first."""
    makeup_day: tuple[Interval, ...]


@dataclass(frozen=True)
class HoursVersion:
    id: int
    calendar: str
    hours: WeeklyHours
    set_by: str | None
    created_at: datetime


def hours_repository(uow: UnitOfWork) -> BusinessHoursRepository:
    # Imported here so this domain module does not pull SQLAlchemy in at import time.
    from walletdesk.storage.repositories.config import BusinessHoursRepository

    return BusinessHoursRepository(uow.connection)


def stored_hours(uow: UnitOfWork) -> dict[str, WeeklyHours]:
    """The latest hours an admin set, by calendar key (calendars never changed are absent)."""
    return {key: version.hours for key, version in hours_repository(uow).current().items()}


def span_text(spans: tuple[Interval, ...]) -> str:
    """((540, 720), (780, 1080)) → "09:00-12:00, 13:00-18:00" (the form's way of writing it)."""
    return ", ".join(f"{_clock(start)}-{_clock(end)}" for start, end in spans)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _spans(text: str, field: str) -> tuple[Interval, ...]:
    parts = [part.strip() for part in re.split(r"[,，;；\s]+", text.strip()) if part.strip()]
    try:
        return parse_intervals(parts)
    except ValueError:
        raise ValidationFailed(
            "invalid_business_hours",
            N_(
                "Write the hours like 09:00-12:00, 13:00-18:00 (empty for closed); "
                "they must not overlap."
            ),
            field=field,
        ) from None


def check_hours(days: dict[str, str], makeup_day: str) -> WeeklyHours:
    """Hours from the form's texts (`mon`..`sun`, `makeup_day`), or `ValidationFailed`."""
    weekly = tuple(_spans(days.get(day, ""), day) for day in WEEKDAYS)
    return WeeklyHours(weekly=weekly, makeup_day=_spans(makeup_day, "makeup_day"))


def set_business_hours(
    rt: Runtime, actor: Actor, *, calendar: str, days: dict[str, str], makeup_day: str
) -> HoursVersion:
    """check_set_business_hours: store a new version of a calendar's weekly hours, audited."""
    hours = check_hours(days, makeup_day)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        calendars = load_calendars(uow)
        if calendar not in calendars.by_key:
            raise ValidationFailed("unknown_calendar", field="calendar")
        before = calendars.get(calendar)
        version = hours_repository(uow).add(calendar, hours, set_by=actor.id, at=now)
        forget_calendars(uow)  # this process counts the new hours from the commit on
        record(
            uow,
            at=now,
            actor=actor,
            action="support.business_hours_set",
            subject_kind="calendar",
            subject_id=calendar,
            details={
                "version": version.id,
                "weekly": {d: span_text(h) for d, h in zip(WEEKDAYS, hours.weekly, strict=True)},
                "makeup_day": span_text(hours.makeup_day),
                "previous": {d: span_text(h) for d, h in zip(WEEKDAYS, before.weekly, strict=True)},
            },
        )
        uow.commit()
    return version


def hours_history(rt: Runtime, calendar: str, *, limit: int = HISTORY_MAX) -> list[HoursVersion]:
    with rt.db.uow(read_only=True) as uow:
        return hours_repository(uow).history(calendar, limit=min(limit, HISTORY_MAX))


def _bad_line(field: str, line: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_holiday_line",
        N_("This line is not understood: “{line}”. Write one per line, as shown in the hint."),
        field=field,
        line=line[:80],
    )


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至|到)\s*(\d{4}-\d{2}-\d{2}))?\s+(.+)$")


def holidays_from_text(source: str, holidays: str, workdays: str) -> dict[str, Any]:
    """The form's texts as `set_public_holidays` data. A holiday line is
    ``2027-01-01..2027-01-03 元旦 New Year's Day`` (or one date), a make-up working day line
    ``2027-01-04 元旦调休``."""
    days: list[dict[str, str]] = []
    for line in filter(None, (raw.strip() for raw in holidays.splitlines())):
        found = _RANGE.match(line)
        if found is None:
            raise _bad_line("holidays", line)
        first, last, name = found.groups()
        days.append({"name": name.strip(), "from": first, "to": last or first})
    work: list[dict[str, str]] = []
    for line in filter(None, (raw.strip() for raw in workdays.splitlines())):
        found = _RANGE.match(line)
        if found is None or found.group(2):
            raise _bad_line("workdays", line)
        work.append({"name": found.group(3).strip(), "date": found.group(1)})
    return {"source": source.strip(), "holidays": days, "workdays": work}


def holidays_as_text(year: HolidayYear) -> tuple[str, str]:
    """A stored year written back as the form's two texts (consecutive days of one holiday
    become one range)."""
    lines: list[str] = []
    runs: list[list[Any]] = []
    for day, name in sorted(year.holidays.items()):
        if runs and runs[-1][2] == name and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, name])
    for first, last, name in runs:
        span = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        lines.append(f"{span} {name}")
    work = [f"{day.isoformat()} {name}" for day, name in sorted(year.workdays.items())]
    return "\n".join(lines), "\n".join(work)


def check_year(text: str) -> int:
    raw = text.strip()
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise ValidationFailed(
            "invalid_holiday_year",
            N_("Enter a year from {low} to {high}."),
            field="year",
            low=MIN_YEAR,
            high=MAX_YEAR,
        )
    return int(raw)


def set_holidays_from_form(
    rt: Runtime, actor: Actor, *, year: str, source: str, holidays: str, workdays: str
) -> HolidayYear:
    """check_set_holidays: read the console's form and store the year (audited there)."""
    chosen = check_year(year)
    return set_public_holidays(
        rt, year=chosen, data=holidays_from_text(source, holidays, workdays), actor=actor
    )


def hours_as_json(hours: WeeklyHours) -> tuple[str, str]:
    weekly = {d: [span_text((s,)) for s in h] for d, h in zip(WEEKDAYS, hours.weekly, strict=True)}
    return json.dumps(weekly), json.dumps([span_text((s,)) for s in hours.makeup_day])


def hours_from_json(weekly: str, makeup_day: str) -> WeeklyHours:
    days = json.loads(weekly)
    return WeeklyHours(
        weekly=tuple(parse_intervals(days[d]) for d in WEEKDAYS),
        makeup_day=parse_intervals(json.loads(makeup_day)),
    )


@dataclass(frozen=True)
class CalendarShown:
    key: str
    days: dict[str, str]
    """The weekly hours as the form writes them, by `WEEKDAYS` key."""
    makeup_day: str
    observes_public_holidays: bool
    version: HoursVersion | None
    """The admin's change in force; None while the shipped hours apply."""


@dataclass(frozen=True)
class YearShown:
    year: HolidayYear
    stored: bool
    """Set from the console (or the API) rather than shipped with the release."""


def calendars_view(rt: Runtime) -> list[CalendarShown]:
    with rt.db.uow(read_only=True) as uow:
        calendars = load_calendars(uow)
        versions = hours_repository(uow).current()
    return [
        CalendarShown(
            key=key,
            days={d: span_text(h) for d, h in zip(WEEKDAYS, cal.weekly, strict=True)},
            makeup_day=span_text(cal.makeup_day),
            observes_public_holidays=bool(cal.known_years),
            version=versions.get(key),
        )
        for key, cal in sorted(calendars.by_key.items())
    ]


def years_view(rt: Runtime) -> list[YearShown]:
    with rt.db.uow(read_only=True) as uow:
        years = configured_years(uow)
        stored = set(uow.support.holiday_years.all())
    return [YearShown(years[y], y in stored) for y in sorted(years)]
