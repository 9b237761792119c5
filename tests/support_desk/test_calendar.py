"""Business-time arithmetic on the 2026 calendar: opening hours 09:00-18:00 Beijing time,
the Spring Festival holiday (15-23 Feb) and its make-up Saturdays (14 and 28 Feb)."""

from datetime import timedelta

import pytest

from tests.support_desk.helpers import beijing
from walletdesk.audit.services import Actor
from walletdesk.errors import ValidationFailed
from walletdesk.runtime import Runtime
from walletdesk.support.calendar import parse_intervals
from walletdesk.support.holidays import (
    build_calendars,
    load_calendars,
    parse_year,
    set_public_holidays,
    shipped_years,
)

CALENDARS = build_calendars(shipped_years())
BUSINESS = CALENDARS.get("business")
ALWAYS = CALENDARS.get("always")
SECOND = timedelta(seconds=1)
HOUR = 3600


def test_the_make_up_saturday_before_spring_festival_is_a_working_day() -> None:
    friday_afternoon = beijing("2026-02-13 17:00")
    assert BUSINESS.add(friday_afternoon, 2 * HOUR) == beijing("2026-02-14 10:00")


def test_an_answer_due_exactly_at_closing_time_is_due_at_closing_not_next_morning() -> None:
    assert BUSINESS.add(beijing("2026-02-13 17:00"), HOUR) == beijing("2026-02-13 18:00")


def test_the_whole_spring_festival_is_skipped() -> None:
    make_up_saturday = beijing("2026-02-14 17:00")
    assert BUSINESS.add(make_up_saturday, 2 * HOUR) == beijing("2026-02-24 10:00")
    assert BUSINESS.elapsed(make_up_saturday, beijing("2026-02-24 10:00")) == 2 * HOUR


@pytest.mark.parametrize(
    ("label", "instant", "open_"),
    [
        ("make-up Saturday opens at nine", "2026-02-14 09:00", True),
        ("a second before it opens", "2026-02-14 08:59:59", False),
        ("the last second of the make-up day", "2026-02-14 17:59:59", True),
        ("closing time itself", "2026-02-14 18:00", False),
        ("Chinese New Year's Eve, a Monday", "2026-02-16 10:00", False),
        ("the last holiday, a Monday", "2026-02-23 10:00", False),
        ("the first day back", "2026-02-24 09:00", True),
        ("the second make-up Saturday", "2026-02-28 10:00", True),
        ("a plain Saturday", "2026-03-07 10:00", False),
        ("New Year's make-up Sunday", "2026-01-04 10:00", True),
        ("National Day's make-up Sunday", "2026-09-20 10:00", True),
        ("National Day itself, a Thursday", "2026-10-01 10:00", False),
    ],
)
def test_opening_hours_follow_the_2026_notice(label: str, instant: str, open_: bool) -> None:
    assert BUSINESS.is_open(beijing(instant)) is open_, label


def test_elapsed_business_time_counts_only_opening_hours_at_their_edges() -> None:
    friday_close = beijing("2026-02-13 18:00")
    assert BUSINESS.elapsed(friday_close - SECOND, friday_close + SECOND) == 1
    assert BUSINESS.elapsed(friday_close, beijing("2026-02-14 09:00")) == 0
    assert BUSINESS.elapsed(friday_close, beijing("2026-02-14 09:00") + SECOND) == 1


def test_the_round_the_clock_calendar_ignores_holidays() -> None:
    new_years_eve = beijing("2026-02-16 10:00")
    assert ALWAYS.add(new_years_eve, HOUR) == beijing("2026-02-16 11:00")
    assert ALWAYS.is_open(beijing("2026-02-16 03:00"))


def test_a_year_without_holiday_data_counts_weekly_hours_only() -> None:
    assert BUSINESS.is_open(beijing("2027-02-08 10:00"))  # a Monday; 2027 is not configured
    assert BUSINESS.add(beijing("2027-02-05 17:00"), 2 * HOUR) == beijing("2027-02-08 10:00")


def test_a_day_cannot_be_both_a_holiday_and_a_make_up_working_day() -> None:
    with pytest.raises(ValidationFailed):
        parse_year(
            2027,
            {
                "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
                "workdays": [{"name": "元旦调休", "date": "2027-01-02"}],
            },
        )
    with pytest.raises(ValidationFailed):
        parse_year(2027, {"holidays": [{"name": "x", "from": "2026-12-31", "to": "2027-01-01"}]})


def test_opening_hours_must_not_overlap() -> None:
    with pytest.raises(ValueError, match="overlap"):
        parse_intervals(["09:00-12:00", "11:00-18:00"])


def test_next_years_holidays_can_be_configured_without_a_release(rt: Runtime) -> None:
    new_years_day_2027 = beijing("2027-01-01 10:00")  # a Friday
    with rt.db.uow(read_only=True) as uow:
        assert load_calendars(uow).get("business").is_open(new_years_day_2027)
    set_public_holidays(
        rt,
        year=2027,
        data={
            "source": "国务院办公厅关于2027年部分节假日安排的通知 (test)",
            "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
            "workdays": [],
        },
        actor=Actor.staff("usr_supervisor"),
    )
    with rt.db.uow(read_only=True) as uow:
        business = load_calendars(uow).get("business")
        assert not business.is_open(new_years_day_2027)
        assert business.is_open(beijing("2026-02-14 10:00")), "2026 still comes from the file"
