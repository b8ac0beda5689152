"""Working time: deadlines counted in working hours (a configurable week, Dutch public holidays)
or in calendar hours for urgent categories. Pure functions on aware datetimes.

Working hours are counted on the local wall clock (Europe/Amsterdam), so a DST change does not
shift the office day: Friday 16:30 + 2 working hours is Monday 10:30, summer or winter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def dutch_holidays(year: int) -> frozenset[date]:
    """National holidays on which offices close: New Year, Easter Monday, King's Day, Liberation
    Day (every year, as most municipalities do), Ascension, Whit Monday, Christmas (two days).
    Good Friday is not a general day off; Easter and Whit Sunday fall on Sundays anyway."""
    e = easter(year)
    kings = date(year, 4, 27)
    if kings.weekday() == 6:  # on a Sunday it moves to Saturday the 26th
        kings = date(year, 4, 26)
    return frozenset({
        date(year, 1, 1), e + timedelta(days=1), kings, date(year, 5, 5),
        e + timedelta(days=39), e + timedelta(days=50), date(year, 12, 25), date(year, 12, 26),
    })


@dataclass(frozen=True)
class WorkWeek:
    zone: ZoneInfo
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    start: time = time(9, 0)
    end: time = time(17, 0)
    extra_holidays: frozenset[date] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        return (day.weekday() in self.days and day not in dutch_holidays(day.year)
                and day not in self.extra_holidays)

    def workdays_from(self, day: date, count: int) -> list[date]:
        """`count` working days, starting with `day` itself if it is one (for date pickers)."""
        days: list[date] = []
        while len(days) < count:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def is_working_time(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return self.is_workday(local.date()) and self.start <= local.time() < self.end

    def _at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` if it is working time, else the start of the next working period."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_workday(day) and local.time() < self.start:
            return self._at(day, self.start)
        if self.is_working_time(local):
            return moment
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return self._at(day, self.start)

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `moment`."""
        remaining = timedelta(hours=hours)
        current = self.next_working_moment(moment).astimezone(self.zone)
        while True:
            end_of_day = self._at(current.date(), self.end)
            # wall-clock difference, so a DST night in between changes nothing
            left_today = (end_of_day.replace(tzinfo=None) - current.replace(tzinfo=None))
            if remaining <= left_today:
                return (current.replace(tzinfo=None) + remaining).replace(tzinfo=self.zone)
            remaining -= left_today
            current = self.next_working_moment(end_of_day + timedelta(seconds=1))

    def previous_workday(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def add_workdays(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day


def add_hours(moment: datetime, hours: float, week: WorkWeek, *, calendar: bool) -> datetime:
    """A deadline: calendar hours for urgent categories, working hours otherwise."""
    if calendar:
        return moment + timedelta(hours=hours)
    return week.add_working_hours(moment, hours)
