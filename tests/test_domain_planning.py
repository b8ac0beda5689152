"""The planning diff (bot/domain/planning.py): pure, so no database needed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from bot.domain.planning import CANCELLED, Diff, WorkDay, changes_to_tell, diff_planning, numbered


def day(d: int, work: str = "kitchen", home: int = 1, start: int = 8) -> WorkDay:
    return WorkDay(home, work, date(2026, 3, d), time(start, 0), time(16, 0))


def test_days_are_numbered_per_home_and_work_in_date_order() -> None:
    plan = numbered([day(5), day(3, "toilet"), day(3), day(3, home=2)])
    assert plan == {(1, "kitchen", 1): day(3), (1, "kitchen", 2): day(5),
                    (1, "toilet", 1): day(3, "toilet"), (2, "kitchen", 1): day(3, home=2)}


def test_the_diff_tells_added_moved_cancelled_and_unchanged() -> None:
    old = {key: replace(wd, id=n) for n, (key, wd) in enumerate(
        numbered([day(3), day(4), day(5, "toilet"), day(6, "heating")]).items(), start=1)}
    old[(1, "heating", 1)] = replace(old[(1, "heating", 1)], status=CANCELLED)
    new = numbered([day(3), day(10), day(7, "windows"), day(6, "heating")])
    assert diff_planning(old, new) == Diff(
        added=[(1, "windows", 1)],
        moved=[(1, "kitchen", 2), (1, "heating", 1)],  # a cancelled day planned again moved
        cancelled=[(1, "toilet", 1)], unchanged=1)


def test_notes_and_hours_count_as_a_change() -> None:
    old = numbered([day(3)])
    assert diff_planning(old, numbered([replace(day(3), notes="x")])).moved == [(1, "kitchen", 1)]
    assert diff_planning(old, numbered([day(3, start=9)])).moved == [(1, "kitchen", 1)]
    assert diff_planning(old, numbered([replace(day(3), line=7)])).unchanged == 1


def test_a_first_plan_is_no_change_to_tell() -> None:
    diff = Diff(added=[(1, "kitchen", 1), (2, "kitchen", 1)], moved=[(2, "toilet", 1)],
                cancelled=[(2, "windows", 1)])
    assert changes_to_tell(diff, had_plan={2}) == [
        ((1, "kitchen", 1), None), ((2, "kitchen", 1), "added"), ((2, "toilet", 1), "moved"),
        ((2, "windows", 1), "cancelled")]
