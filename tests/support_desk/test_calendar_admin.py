"""The console's way of writing business hours and holiday years, read into what the
calendar services store and written back the same way."""

from __future__ import annotations

from datetime import date

import pytest

from walletdesk.errors import ValidationFailed
from walletdesk.support.calendar_admin import (
    check_hours,
    holidays_as_text,
    holidays_from_text,
    span_text,
)
from walletdesk.support.holidays import parse_year, shipped_years


def test_the_shipped_2026_year_reads_back_into_the_same_days() -> None:
    shipped = shipped_years()[2026]
    holidays, workdays = holidays_as_text(shipped)
    assert "2026-10-01..2026-10-07 国庆节 National Day" in holidays.splitlines()
    again = parse_year(2026, holidays_from_text(shipped.source, holidays, workdays))
    assert again.holidays == shipped.holidays and again.workdays == shipped.workdays


@pytest.mark.parametrize(
    ("label", "line", "first", "last"),
    [
        ("a range with dots", "2027-02-06..2027-02-12 春节", date(2027, 2, 6), date(2027, 2, 12)),
        (
            "a range in Chinese",
            "2027-02-06 至 2027-02-12 春节",
            date(2027, 2, 6),
            date(2027, 2, 12),
        ),
        ("one day", "2027-01-01 元旦", date(2027, 1, 1), date(2027, 1, 1)),
    ],
)
def test_a_holiday_line_may_be_a_range_or_one_day(
    label: str, line: str, first: date, last: date
) -> None:
    year = parse_year(2027, holidays_from_text("通知", line, ""))
    assert min(year.holidays) == first and max(year.holidays) == last, label


def test_hours_may_be_split_by_commas_or_spaces_and_empty_means_closed() -> None:
    hours = check_hours({"mon": "09:00-12:00，13:00-18:00", "sat": "  "}, "09:00-18:00")
    assert span_text(hours.weekly[0]) == "09:00-12:00, 13:00-18:00"
    assert hours.weekly[5] == () and hours.weekly[6] == ()
    assert span_text(hours.makeup_day) == "09:00-18:00"


@pytest.mark.parametrize(
    ("label", "text"),
    [("overlap", "09:00-13:00 12:00-18:00"), ("backwards", "18:00-09:00"), ("words", "mornings")],
)
def test_wrong_hours_are_refused_naming_the_day(label: str, text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_hours({"thu": text}, "")
    assert (refused.value.code, refused.value.field) == ("invalid_business_hours", "thu"), label
