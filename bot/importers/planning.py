"""The contractor's planning: reading it, and applying it to the homes as work days.

A row is: address, date, start, end, work, notes. Every bad row is reported with its line number,
and nothing is applied until the whole file is right. A work item is known by home + kind of work +
its order among that home's days of that work, so a re-import can tell what moved, what was added
and what was cancelled.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import aiosqlite

from bot.domain.policy import Policy
from bot.followup.notices import plan_notices, plan_week_notice, work_day
from bot.store.clock import iso
from bot.store.db import Database
from bot.store.homes import address_key

CHUNK = 500  # homes per query: SQLite limits the number of ? in one statement
WORKS = ("kitchen", "bathroom", "toilet", "windows", "electrics", "heating", "other")
ADDRESS = re.compile(
    r"^\s*(?P<street>.*?\D)\s*(?P<number>\d+)\s*[-\s]?\s*(?P<addition>[A-Za-z0-9]*)\s*$")


@dataclass(frozen=True)
class PlannedDay:
    line: int
    home_id: int
    work: str
    day: date
    start: time
    end: time
    notes: str


@dataclass
class Diff:
    added: list[tuple[int, str, int]] = field(default_factory=list)
    moved: list[tuple[int, str, int]] = field(default_factory=list)
    cancelled: list[tuple[int, str, int]] = field(default_factory=list)
    unchanged: int = 0


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date: {text!r} is not a date (use 2026-03-12 or 12-03-2026)")


def _time(text: str, what: str) -> time:
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a time (use 08:00)") from None


async def read_planning(path: Path, db: Database, progress: bool = False
                        ) -> tuple[list[PlannedDay], list[str]]:
    """Raises OSError or UnicodeDecodeError (not UTF-8) before reading any row."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    homes = {address_key(s, n, a): i for i, s, n, a in await db.fetchall(
        "SELECT id, street, number, addition FROM homes")}
    days, errors = [], []
    for index, row in enumerate(rows):
        line = index + 2
        if progress and (index % 500 == 0 or index == len(rows) - 1):
            done = (index + 1) * 30 // max(len(rows), 1)
            print(f"\r[{'#' * done}{'.' * (30 - done)}] {index + 1}/{len(rows)}", end="",
                  file=sys.stderr, flush=True)
        try:
            days.append(_row(row, line, homes))
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
    if progress:
        print(file=sys.stderr)
    return days, errors


def _row(row: dict[str, str], line: int, homes: dict[tuple[str, int, str], int]) -> PlannedDay:
    match = ADDRESS.match(row.get("address") or "")
    if not match:
        raise ValueError(f"address: {row.get('address')!r} is not street + number")
    key = address_key(match["street"].strip(), int(match["number"]), match["addition"])
    if key not in homes:
        raise ValueError(f"address: {row.get('address')!r} is not a known home "
                         "(import it with `buurtbot import-homes`)")
    day = _date(row.get("date") or "")
    start, end = _time(row.get("start") or "", "start"), _time(row.get("end") or "", "end")
    if start >= end:
        raise ValueError("start: the work must start before it ends")
    work = (row.get("work") or "").strip().lower()
    if work not in WORKS:
        raise ValueError(f"work: {work!r} is not one of {', '.join(WORKS)}")
    return PlannedDay(line, homes[key], work, day, start, end, (row.get("notes") or "").strip())


def _numbered(days: list[PlannedDay]) -> dict[tuple[int, str, int], PlannedDay]:
    """Each home's days of one kind of work, numbered in date order (the identity of a day)."""
    groups: dict[tuple[int, str], list[PlannedDay]] = defaultdict(list)
    for d in days:
        groups[(d.home_id, d.work)].append(d)
    out = {}
    for (home, work), items in groups.items():
        for seq, d in enumerate(sorted(items, key=lambda x: (x.day, x.start)), start=1):
            out[(home, work, seq)] = d
    return out


async def apply_planning(db: Database, days: list[PlannedDay], now: datetime,
                         policy: Policy | None = None) -> Diff:
    """Write the planning in one transaction; days of homes in the file that are no longer
    planned are cancelled (homes not in the file are left alone). With a policy, the notices
    are planned in the same transaction: evening-before rows, the week-before row, and a notice
    at once for every moved, cancelled or (on a re-import) added day."""
    new = _numbered(days)
    diff = Diff()
    async with db.transaction() as tx:
        old = await _current(tx, {d.home_id for d in days})
        had_plan = {key[0] for key in old}
        ids = {key: was[0] for key, was in old.items()}  # work_days.id, for the notices
        for key, d in new.items():
            was = old.pop(key, None)
            values = (d.day.isoformat(), d.start.strftime("%H:%M"), d.end.strftime("%H:%M"),
                      d.notes)
            if was is None:
                diff.added.append(key)
            elif was[2:] == values and was[1] == "planned":
                diff.unchanged += 1
                continue
            else:
                diff.moved.append(key)
            cur = await tx.execute(
                'INSERT INTO work_days (home_id, work, seq, day, start, "end", notes, status,'
                " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?)"
                " ON CONFLICT(home_id, work, seq) DO UPDATE SET day = excluded.day,"
                ' start = excluded.start, "end" = excluded."end", notes = excluded.notes,'
                " status = 'planned', changed_at = excluded.changed_at",
                (*key, *values, iso(now)))
            if was is None:  # not in `old`, so a new row
                assert cur.lastrowid is not None
                ids[key] = cur.lastrowid
        for key, was in old.items():
            if was[1] == "planned":
                diff.cancelled.append(key)
                await tx.execute("UPDATE work_days SET status = 'cancelled', changed_at = ?"
                                 " WHERE id = ?", (iso(now), was[0]))
        if policy is not None:
            await _plan_notices(tx, now, policy, diff, had_plan, ids)
    return diff


async def _plan_notices(tx: aiosqlite.Connection, now: datetime, policy: Policy, diff: Diff,
                        had_plan: set[int], ids: dict[tuple[int, str, int], int]) -> None:
    changes = ([(k, "added" if k[0] in had_plan else None) for k in diff.added]
               + [(k, "moved") for k in diff.moved] + [(k, "cancelled") for k in diff.cancelled])
    for key, change in changes:
        wd = await work_day(tx, ids[key])
        if wd is not None:
            await plan_notices(tx, now, policy, wd, change)
    for home_id in {k[0] for k, _ in changes}:
        await plan_week_notice(tx, now, policy, home_id)


async def _current(tx: aiosqlite.Connection, homes: set[int]
                   ) -> dict[tuple[int, str, int], tuple[int, str, str, str, str, str]]:
    """(id, status, day, start, end, notes) of every work day of these homes."""
    out = {}
    ordered = sorted(homes)
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i:i + CHUNK]
        async with tx.execute(
                'SELECT home_id, work, seq, id, status, day, start, "end", notes FROM work_days'
                f" WHERE home_id IN ({', '.join('?' * len(chunk))})", chunk) as cur:
            for r in await cur.fetchall():
                out[(r[0], r[1], r[2])] = (r[3], r[4], r[5], r[6], r[7], r[8])
    return out


async def days_of_resident(db: Database, user_id: int) -> list[tuple[str, str, str, str, str]]:
    """(day, start, end, work, notes) of the planned work days of the resident's homes."""
    rows = await db.fetchall(
        'SELECT w.day, w.start, w."end", w.work, w.notes FROM work_days w'
        " JOIN home_residents r ON r.home_id = w.home_id WHERE r.user_id = ?"
        " AND w.status = 'planned' ORDER BY w.day, w.start", (user_id,))
    return [tuple(r) for r in rows]
