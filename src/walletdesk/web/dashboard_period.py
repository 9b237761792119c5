"""The dashboard's period: today, the last 7 or 30 days, or chosen days (from/to, both
included), always whole days in Beijing time.

The period is in the query string (`?period=7d`, `?period=custom&from=2026-11-01&to=2026-11-07`),
so a view is a link a supervisor can keep. A period that cannot be read is refused with 422 and
a message beside the field it concerns, never replaced silently by another one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from urllib.parse import urlencode

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.web.rendering import BEIJING

PRESETS: Final = {"today": 1, "7d": 7, "30d": 30}
"""Preset name → how many days, ending with today."""
CUSTOM: Final = "custom"
MAX_DAYS: Final = 92
"""Longest chosen period: a quarter keeps a page of daily columns readable."""
WEEKLY_AFTER: Final = 31
"""Periods longer than this are charted per week rather than per day."""


@dataclass(frozen=True)
class Period:
    preset: str
    first_day: date
    last_day: date
    """Included."""

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=BEIJING)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=BEIJING)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def weekly(self) -> bool:
        return self.days > WEEKLY_AFTER

    def query(self) -> str:
        """The query string that shows this period again (for links and exports)."""
        if self.preset != CUSTOM:
            return urlencode({"period": self.preset})
        return urlencode(
            {"period": CUSTOM, "from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        )


def today_in_beijing(now: datetime) -> date:
    return now.astimezone(BEIJING).date()


def _day(value: str, field: str) -> date:
    if not value.strip():
        raise ValidationFailed(
            "dashboard_date_required",
            N_("Enter a date, for example 2026-11-01."),
            field=field,
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            "dashboard_date_invalid",
            N_("This is not a date. Write it as year-month-day, for example 2026-11-01."),
            field=field,
        ) from None


def check_period(preset: str, first: str, last: str, now: datetime) -> Period:
    """The period the query asks for; `ValidationFailed` (with the field) when it cannot be."""
    today = today_in_beijing(now)
    if preset in PRESETS:
        return Period(preset, today - timedelta(days=PRESETS[preset] - 1), today)
    if preset != CUSTOM:
        raise ValidationFailed(
            "dashboard_period_unknown",
            N_("Choose today, the last 7 days, the last 30 days or your own dates."),
            field="period",
        )
    first_day, last_day = _day(first, "from"), _day(last, "to")
    if last_day < first_day:
        raise ValidationFailed(
            "dashboard_period_backwards",
            N_("The end date must be on or after the start date."),
            field="to",
        )
    if first_day > today:
        raise ValidationFailed(
            "dashboard_period_future",
            N_("The start date cannot be in the future."),
            field="from",
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            "dashboard_period_too_long",
            N_("Choose at most {days} days."),
            field="to",
            days=MAX_DAYS,
        )
    return Period(CUSTOM, first_day, last_day)
