"""Business-hours calendars and business-time arithmetic.

A calendar has weekly opening hours in a time zone (Asia/Shanghai for us) and, when it
observes them, the public holidays and make-up working days (调休) of each year: a holiday has
no hours, a make-up working day (usually a Saturday or Sunday) has `makeup_day` hours.

Two operations drive the SLA clocks:

- `add(start, seconds)`: the instant by which `seconds` of business time have passed since
  `start`. A result that lands exactly on closing time is that closing time (18:00), not the
  next opening.
- `elapsed(start, end)`: the business seconds between two instants.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

Interval = tuple[int, int]
"""Opening hours of one day as minutes after local midnight: (540, 1080) is 09:00-18:00.
The end may be 1440 (24:00)."""

MAX_SCAN_DAYS = 3_660
"""`add` gives up after ten years without enough business hours (a calendar with none)."""

_warned_years: set[tuple[str, int]] = set()


def parse_intervals(spans: list[str]) -> tuple[Interval, ...]:
    """["09:00-12:00", "13:00-18:00"] → ((540, 720), (780, 1080)); refuses overlaps."""
    parsed: list[Interval] = []
    for span in spans:
        start_text, sep, end_text = span.partition("-")
        if not sep:
            raise ValueError(f"opening hours {span!r} must look like 09:00-18:00")
        start, end = _minutes(start_text), _minutes(end_text)
        if not 0 <= start < end <= 1440:
            raise ValueError(f"opening hours {span!r} must start before they end, within a day")
        parsed.append((start, end))
    parsed.sort()
    for (_, end), (next_start, _) in zip(parsed, parsed[1:], strict=False):
        if next_start < end:
            raise ValueError(f"opening hours {spans!r} overlap")
    return tuple(parsed)


def _minutes(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time like 09:00")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class BusinessCalendar:
    key: str
    zone: ZoneInfo
    weekly: tuple[tuple[Interval, ...], ...]
    """Seven entries, Monday first."""
    makeup_day: tuple[Interval, ...] = ()
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    """Make-up working days (调休): working days although they fall on a weekend."""
    known_years: frozenset[int] = field(default_factory=frozenset)
    """Years whose holidays are configured; empty for a calendar that ignores holidays."""

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        if self.known_years and day.year not in self.known_years:
            if (self.key, day.year) not in _warned_years:
                _warned_years.add((self.key, day.year))
                logger.warning(
                    "calendar %s has no public holidays for %s; counting weekly hours only",
                    self.key,
                    day.year,
                )
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.makeup_day
        return self.weekly[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours_on(day))

    def _day_windows(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        for start, end in self.hours_on(day):
            yield (
                (midnight + timedelta(minutes=start)).astimezone(UTC),
                (midnight + timedelta(minutes=end)).astimezone(UTC),
            )

    def windows(
        self, start: datetime, end: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Opening windows from `start` (up to `end`), clipped to them, in UTC, in order."""
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date() if end is not None else None
        for _ in range(MAX_SCAN_DAYS):
            if last is not None and day > last:
                return
            for opens, closes in self._day_windows(day):
                opens = max(opens, start)
                if end is not None:
                    closes = min(closes, end)
                if closes > opens:
                    yield opens, closes
            day += timedelta(days=1)

    def add(self, start: datetime, seconds: int) -> datetime:
        """The instant at which `seconds` business seconds after `start` have passed."""
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        for opens, closes in self.windows(start):
            span = closes - opens
            if remaining <= span:
                return opens + remaining
            remaining -= span
        raise ValueError(f"calendar {self.key} has no business hours for {MAX_SCAN_DAYS} days")

    def elapsed(self, start: datetime, end: datetime) -> int:
        """Business seconds from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0
        total = timedelta(0)
        for opens, closes in self.windows(start, end):
            total += closes - opens
        return int(total.total_seconds())

    def is_open(self, instant: datetime) -> bool:
        return any(
            opens <= instant < closes
            for opens, closes in self._day_windows(instant.astimezone(self.zone).date())
        )

    def next_opening(self, instant: datetime) -> datetime:
        """`instant` itself when open, else when the calendar next opens."""
        for opens, _ in self.windows(instant):
            return opens
        raise ValueError(f"calendar {self.key} never opens")


@dataclass(frozen=True)
class Calendars:
    """The calendars by key, as loaded for one unit of work."""

    by_key: dict[str, BusinessCalendar]

    def get(self, key: str) -> BusinessCalendar:
        try:
            return self.by_key[key]
        except KeyError:
            raise ValueError(f"no business calendar named {key!r}") from None
