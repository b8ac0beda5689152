"""Deadlines in working hours: table-driven, including holidays and a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.worktime import WorkWeek, add_hours, dutch_holidays, easter

AMS = ZoneInfo("Europe/Amsterdam")
WEEK = WorkWeek(AMS)


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


@pytest.mark.parametrize(("start", "hours", "expected"), [
    # Friday 16:30 plus 2 working hours is Monday 10:30
    (local(2026, 3, 6, 16, 30), 2, local(2026, 3, 9, 10, 30)),
    # inside one day
    (local(2026, 3, 9, 9, 0), 8, local(2026, 3, 9, 17, 0)),
    (local(2026, 3, 9, 10, 0), 1.5, local(2026, 3, 9, 11, 30)),
    # before opening and in the evening: counting starts at 09:00 next working time
    (local(2026, 3, 9, 7, 0), 1, local(2026, 3, 9, 10, 0)),
    (local(2026, 3, 9, 20, 0), 1, local(2026, 3, 10, 10, 0)),
    # on a Saturday
    (local(2026, 3, 7, 12, 0), 3, local(2026, 3, 9, 12, 0)),
    # King's Day 2026 is Monday 27 April: Friday 16:00 + 2 h -> Tuesday 10:00
    (local(2026, 4, 24, 16, 0), 2, local(2026, 4, 28, 10, 0)),
    # King's Day 2025 fell on Sunday -> Saturday 26 April; Monday 28th is a working day
    (local(2025, 4, 25, 16, 0), 2, local(2025, 4, 28, 10, 0)),
    # Christmas 2026: Thursday 24 Dec 16:00 + 2 h -> Monday 28 Dec 10:00
    (local(2026, 12, 24, 16, 0), 2, local(2026, 12, 28, 10, 0)),
    # New Year 2027 is a Friday: Thursday 31 Dec 16:00 + 2 h -> Monday 4 Jan 10:00
    (local(2026, 12, 31, 16, 0), 2, local(2027, 1, 4, 10, 0)),
    # Ascension 2026 is Thursday 14 May
    (local(2026, 5, 13, 16, 0), 2, local(2026, 5, 15, 10, 0)),
    # DST starts Sunday 29 March 2026: Friday 16:00 + 2 h is Monday 10:00 local wall time
    (local(2026, 3, 27, 16, 0), 2, local(2026, 3, 30, 10, 0)),
    # DST ends Sunday 25 October 2026
    (local(2026, 10, 23, 16, 0), 2, local(2026, 10, 26, 10, 0)),
    # several days
    (local(2026, 3, 9, 9, 0), 24, local(2026, 3, 11, 17, 0)),
])
def test_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    result = WEEK.add_working_hours(start, hours)
    assert result.astimezone(AMS).replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_calendar_hours_for_urgent_categories_cross_the_dst_night() -> None:
    start = local(2026, 3, 28, 22, 0).astimezone(UTC)
    end = add_hours(start, 8, WEEK, calendar=True)
    assert (end - start).total_seconds() == 8 * 3600
    assert end.astimezone(AMS).hour == 7  # 22:00 + 8 h, one hour lost to summer time


@pytest.mark.parametrize(("year", "day"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                           (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))])
def test_easter(year: int, day: date) -> None:
    assert easter(year) == day


def test_holidays_2026() -> None:
    assert dutch_holidays(2026) == {
        date(2026, 1, 1), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 5),
        date(2026, 5, 14), date(2026, 5, 25), date(2026, 12, 25), date(2026, 12, 26)}


def test_extra_holidays_and_a_custom_week() -> None:
    week = WorkWeek(AMS, days=frozenset({0, 1, 2, 3}), start=time(8, 0), end=time(12, 0),
                    extra_holidays=frozenset({date(2026, 3, 10)}))
    # Monday 11:00 + 2 h: 1 h Monday, Tuesday is a holiday, Wednesday 08:00 + 1 h
    assert week.add_working_hours(local(2026, 3, 9, 11, 0), 2) == local(2026, 3, 11, 9, 0)
    assert week.add_workdays(date(2026, 3, 12), 1) == date(2026, 3, 16)  # Thu -> Mon
    assert week.previous_workday(date(2026, 3, 16)) == date(2026, 3, 12)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)),
       st.floats(min_value=0, max_value=100))
def test_result_is_never_before_start_and_in_working_time(start: datetime, hours: float) -> None:
    moment = start.replace(tzinfo=AMS)
    end = WEEK.add_working_hours(moment, hours)
    assert end >= moment
    local_end = end.astimezone(AMS)
    assert WEEK.is_workday(local_end.date())
    assert time(9, 0) <= local_end.time() <= time(17, 0)


def test_date_pickers_offer_working_days_only() -> None:
    """The staff's day buttons skip weekends and holidays: King's Day 2026 is Monday 27 April."""
    assert WEEK.workdays_from(date(2026, 4, 24), 3) == [
        date(2026, 4, 24), date(2026, 4, 28), date(2026, 4, 29)]
    assert WEEK.workdays_from(date(2026, 4, 25), 1) == [date(2026, 4, 28)]
