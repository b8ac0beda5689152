"""The contractor's planning: reading it, and applying it to the homes as work days.

A row is: address, date, start, end, work, notes (Dutch column names and kinds of work are
understood too: adres, datum, begin, eind, werk, opmerkingen; keuken, badkamer, ...). The file
may be what Excel saves (semicolons, a byte order mark: bot/importers/csvfile.py). Every bad row
is reported with its line number, and nothing is applied until the whole file is right. A day
in the past is refused (a contractor does not plan a day that is over) unless it is the same as
the stored one, or `allow_past` is given. A work item is known by home + kind of work + its
order among that home's days of that work, so a re-import can tell what moved, what was added
and what was cancelled.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import aiosqlite

from bot.domain.planning import (
    PLANNED,
    DayKey,
    Diff,
    WorkDay,
    changes_to_tell,
    diff_planning,
    numbered,
    split_address,
)
from bot.domain.policy import Policy
from bot.followup.notices import day_over, plan_notices, plan_week_notice
from bot.importers.csvfile import read_table
from bot.store import renovation
from bot.store.db import Database
from bot.store.homes import address_key

WORKS = ("kitchen", "bathroom", "toilet", "windows", "electrics", "heating", "other")
DUTCH_WORKS = {"keuken": "kitchen", "badkamer": "bathroom", "wc": "toilet", "ramen": "windows",
               "kozijnen": "windows", "kozijn": "windows", "elektra": "electrics",
               "elektriciteit": "electrics", "verwarming": "heating", "cv": "heating",
               "overig": "other", "overige": "other", "anders": "other"}
COLUMNS = ("address", "date", "start", "end", "work")
OPTIONAL = ("notes",)
DUTCH = {"adres": "address", "datum": "date", "begin": "start", "begintijd": "start",
         "starttijd": "start", "van": "start", "eind": "end", "eindtijd": "end", "tot": "end",
         "werk": "work", "werkzaamheden": "work", "soort werk": "work", "opmerkingen": "notes",
         "opmerking": "notes", "notities": "notes", "toelichting": "notes"}
MAX_ADDRESS = 120


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date: {text!r} is not a date (use 2026-03-12 or 12-03-2026)")


def _time(text: str, what: str) -> time:
    for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    raise ValueError(f"{what}: {text!r} is not a time (use 08:00)")


async def read_planning(path: Path, db: Database, progress: bool = False,
                        today: date | None = None, allow_past: bool = False,
                        ) -> tuple[list[WorkDay], list[str]]:
    """The file's work days and its bad rows. With `today`, days before it are bad rows unless
    `allow_past`, or unless they are exactly as stored (a full planning exported again still
    has the days that are over). Raises OSError, UnicodeDecodeError (not UTF-8) or CsvError
    (the file as a whole: too big, empty, columns missing) before reading any row."""
    table = read_table(path, COLUMNS, OPTIONAL, DUTCH)
    homes = await renovation.Renovation(db).homes_by_address()
    days: list[WorkDay] = []
    errors: list[tuple[int, str]] = []
    for index, (line, row) in enumerate(table.rows):
        if progress and (index % 500 == 0 or index == len(table.rows) - 1):
            done = (index + 1) * 30 // len(table.rows)
            print(f"\r[{'#' * done}{'.' * (30 - done)}] {index + 1}/{len(table.rows)}", end="",
                  file=sys.stderr, flush=True)
        try:
            days.append(_row(row, line, homes))
        except ValueError as exc:
            errors.append((line, str(exc)))
    if progress:
        print(file=sys.stderr)
    if today is not None and not allow_past:
        errors += await _past(db, days, today)
    return days, [f"line {line}: {error}" for line, error in sorted(errors)]


def _row(row: dict[str, str], line: int, homes: dict[tuple[str, int, str], int]) -> WorkDay:
    text = row["address"]
    if not text:
        raise ValueError("address: empty")
    if len(text) > MAX_ADDRESS:
        raise ValueError(f"address: longer than {MAX_ADDRESS} characters")
    parts = split_address(text)
    if parts is None:
        raise ValueError(f"address: {text!r} has no street and house number "
                         "(like Zambesidreef 12-B)")
    key = address_key(*parts)
    if key not in homes:
        raise ValueError(f"address: {text!r} is not a known home "
                         "(import it with `buurtbot import-homes`)")
    day = _date(row["date"])
    start, end = _time(row["start"], "start"), _time(row["end"], "end")
    if start >= end:
        raise ValueError("start: the work must start before it ends")
    work = row["work"].lower()
    work = DUTCH_WORKS.get(work, work)
    if work not in WORKS:
        raise ValueError(f"work: {row['work']!r} is not one of {', '.join(WORKS)}")
    return WorkDay(homes[key], work, day, start, end, row.get("notes", ""), line=line)


async def _past(db: Database, days: list[WorkDay], today: date) -> list[tuple[int, str]]:
    """The days before today that would change the stored planning (new, or moved there)."""
    if all(d.day >= today for d in days):
        return []
    async with db.transaction() as tx:
        old = await renovation.days_of_homes(tx, {d.home_id for d in days})
    errors = []
    for key, d in numbered(days).items():
        was = old.get(key)
        same = (was is not None and was.status == PLANNED and was.same_plan(d))
        if d.day < today and not same:
            errors.append((d.line, f"date: {d.day.isoformat()} is in the past (today is "
                                   f"{today.isoformat()}); if that is right, import with "
                                   "--allow-past"))
    return errors


async def apply_planning(db: Database, days: list[WorkDay], now: datetime,
                         policy: Policy | None = None) -> Diff:
    """Write the planning in one transaction; days of homes in the file that are no longer
    planned are cancelled (homes not in the file are left alone). With a policy, the notices
    are planned in the same transaction: evening-before rows, the week-before row, and a notice
    at once for every moved, cancelled or (on a re-import) added day."""
    new = numbered(days)
    async with db.transaction() as tx:
        old = await renovation.days_of_homes(tx, {d.home_id for d in days})
        diff = diff_planning(old, new)
        ids = {key: was.id for key, was in old.items()}  # work_days.id, for the notices
        changed = {*diff.added, *diff.moved}
        for key, d in new.items():  # in this order, new rows get the ids they always got
            if key in changed:  # a moved day keeps its row (and its id)
                ids[key] = await renovation.save_day(tx, now, key, replace(d, id=ids.get(key, 0)))
        for key in diff.cancelled:
            await renovation.cancel_day(tx, now, ids[key])
        if policy is not None:
            await _plan_notices(tx, now, policy, diff, {key[0] for key in old}, ids)
    return diff


async def _plan_notices(tx: aiosqlite.Connection, now: datetime, policy: Policy, diff: Diff,
                        had_plan: set[int], ids: dict[DayKey, int]) -> None:
    changes = changes_to_tell(diff, had_plan)
    for key, change in changes:
        wd = await renovation.work_day(tx, ids[key])  # as written just now
        if wd is None or (change == "cancelled" and now >= day_over(policy, wd)):
            continue  # a day that is over and left out of the file: nothing to tell anyone
        await plan_notices(tx, now, policy, wd, change)
    for home_id in {k[0] for k, _ in changes}:
        await plan_week_notice(tx, now, policy, home_id)

