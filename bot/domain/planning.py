"""The renovation planning as data: one work day, and what a re-import changes.

Pure Python: no telegram, no SQL. A work day is known by home + kind of work + its order among
that home's days of that work (its seq), not by its date, so a re-import can tell a day that
moved from one that was cancelled and another that was added.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time

DayKey = tuple[int, str, int]  # home id, kind of work, seq (1 = that work's first day there)
PLANNED, CANCELLED = "planned", "cancelled"
DIGITS = "0123456789"
SEPARATORS = ("", " ", "-", " -", "- ", " - ")  # between the number and its addition


def split_address(text: str) -> tuple[str, int, str] | None:
    """"Zambesidreef 12-B" as ("Zambesidreef", 12, "B"); None without a house number.

    The number is the first run of digits, after a street, that only an addition (letters and
    digits, after an optional "-" or space) follows: "2e Oosterparkstraat 5a" is street "2e
    Oosterparkstraat", 5, "a". In one pass over the text, so a line of 4,000 spaces is as quick
    as a short one (a regular expression with three nested choices took minutes for it).
    """
    s = " ".join(text.split())
    tail = len(s)  # where the trailing run of letters and digits starts
    while tail and s[tail - 1].isascii() and s[tail - 1].isalnum():
        tail -= 1
    i = 1  # the street takes at least one character
    while i < len(s):
        if s[i] in DIGITS and s[i - 1] not in DIGITS:
            end = i
            while end < len(s) and s[end] in DIGITS:
                end += 1
            sep = next((p for p in SEPARATORS if s.startswith(p, end)
                        and end + len(p) >= tail), None)
            if sep is not None and s[:i].strip():
                return s[:i].strip(), int(s[i:end]), s[end + len(sep):]
            i = end
        else:
            i += 1
    return None


@dataclass(frozen=True)
class WorkDay:
    """One day of one kind of work in one home: a row of the planning file or a stored day."""

    home_id: int
    work: str
    day: date
    start: time
    end: time
    notes: str = ""
    status: str = PLANNED  # or CANCELLED
    id: int = 0  # the stored row; 0 while the day is only a line of a planning file
    line: int = 0  # the planning file's line it was read from; 0 when read from the store

    def same_plan(self, other: WorkDay) -> bool:
        """Same date, hours and notes: re-importing it changes nothing."""
        return (self.day, self.start, self.end, self.notes) == (
            other.day, other.start, other.end, other.notes)


@dataclass
class Diff:
    added: list[DayKey] = field(default_factory=list)
    moved: list[DayKey] = field(default_factory=list)
    cancelled: list[DayKey] = field(default_factory=list)
    unchanged: int = 0


def numbered(days: list[WorkDay]) -> dict[DayKey, WorkDay]:
    """Each home's days of one kind of work, numbered in date order (the identity of a day)."""
    groups: dict[tuple[int, str], list[WorkDay]] = defaultdict(list)
    for d in days:
        groups[(d.home_id, d.work)].append(d)
    out = {}
    for (home, work), items in groups.items():
        for seq, d in enumerate(sorted(items, key=lambda x: (x.day, x.start)), start=1):
            out[(home, work, seq)] = d
    return out


def diff_planning(old: dict[DayKey, WorkDay], new: dict[DayKey, WorkDay]) -> Diff:
    """What the new planning changes for the homes in it. `old` holds every stored day of
    those homes, cancelled ones too: a cancelled day that is planned again counts as moved (it
    is planned anew), one that stays away is not cancelled a second time."""
    diff = Diff()
    for key, d in new.items():
        was = old.get(key)
        if was is None:
            diff.added.append(key)
        elif was.status == PLANNED and was.same_plan(d):
            diff.unchanged += 1
        else:
            diff.moved.append(key)
    diff.cancelled = [key for key, was in old.items() if key not in new and was.status == PLANNED]
    return diff


def changes_to_tell(diff: Diff, had_plan: set[int]) -> list[tuple[DayKey, str | None]]:
    """Each changed day with the change to tell at once. A day added to a home that had no
    plan yet is not a change (None): the week-before and evening-before notices announce it."""
    return ([(k, "added" if k[0] in had_plan else None) for k in diff.added]
            + [(k, "moved") for k in diff.moved] + [(k, "cancelled") for k in diff.cancelled])
