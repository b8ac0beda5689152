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
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import aiosqlite

from bot.domain.planning import DayKey, Diff, WorkDay, changes_to_tell, diff_planning, numbered
from bot.domain.policy import Policy
from bot.followup.notices import plan_notices, plan_week_notice
from bot.store import renovation
from bot.store.db import Database
from bot.store.homes import address_key

WORKS = ("kitchen", "bathroom", "toilet", "windows", "electrics", "heating", "other")
ADDRESS = re.compile(
    r"^\s*(?P<street>.*?\D)\s*(?P<number>\d+)\s*[-\s]?\s*(?P<addition>[A-Za-z0-9]*)\s*$")


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
                        ) -> tuple[list[WorkDay], list[str]]:
    """Raises OSError or UnicodeDecodeError (not UTF-8) before reading any row."""
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    homes = await renovation.Renovation(db).homes_by_address()
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


def _row(row: dict[str, str], line: int, homes: dict[tuple[str, int, str], int]) -> WorkDay:
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
    return WorkDay(homes[key], work, day, start, end, (row.get("notes") or "").strip(),
                   line=line)


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
        if wd is not None:
            await plan_notices(tx, now, policy, wd, change)
    for home_id in {k[0] for k, _ in changes}:
        await plan_week_notice(tx, now, policy, home_id)

