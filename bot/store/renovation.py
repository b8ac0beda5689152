"""The renovation's work days and who lives where they happen: every line of SQL about the
`work_days` table.

The writing functions take the caller's transaction, so a planning change and the notices it
causes are committed together or not at all. `Renovation` holds the reads of handlers and
importers that have no transaction open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import aiosqlite

from bot.domain.planning import DayKey, WorkDay
from bot.store.clock import iso
from bot.store.db import Database
from bot.store.homes import COLS as HOME_COLS
from bot.store.homes import Home, address_key
from bot.store.residents import Reader

CHUNK = 500  # homes per query: SQLite limits the number of ? in one statement
COLUMNS = 'id, home_id, work, day, start, "end", notes, status'
W_COLUMNS = ", ".join("w." + c for c in COLUMNS.split(", "))
H_COLUMNS = ", ".join("h." + c.strip() for c in HOME_COLS.split(","))
# one work day, known by (home, work, seq): a re-import re-plans it in place, keeping its id
SAVE = ('INSERT INTO work_days (home_id, work, seq, day, start, "end", notes, status,'
        " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?)"
        " ON CONFLICT(home_id, work, seq) DO UPDATE SET day = excluded.day,"
        ' start = excluded.start, "end" = excluded."end", notes = excluded.notes,'
        " status = 'planned', changed_at = excluded.changed_at")


@dataclass(frozen=True)
class ResidentWorkDay:
    """A work day in one of the resident's homes, with that home (its address goes on a card)."""

    work_day: WorkDay
    home: Home


def _work_day(row: aiosqlite.Row) -> WorkDay:
    """A row that starts with COLUMNS (or W_COLUMNS), in that order."""
    return WorkDay(id=row[0], home_id=row[1], work=row[2], day=date.fromisoformat(row[3]),
                   start=time.fromisoformat(row[4]), end=time.fromisoformat(row[5]),
                   notes=row[6], status=row[7])


async def days_of_homes(tx: aiosqlite.Connection, homes: set[int]) -> dict[DayKey, WorkDay]:
    """Every work day of these homes, cancelled ones too, in chunks of CHUNK homes."""
    out = {}
    ordered = sorted(homes)
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i:i + CHUNK]
        async with tx.execute(
                f"SELECT {COLUMNS}, seq FROM work_days"
                f" WHERE home_id IN ({', '.join('?' * len(chunk))})", chunk) as cur:
            for r in await cur.fetchall():
                wd = _work_day(r)
                out[(wd.home_id, wd.work, r[8])] = wd
    return out


async def save_day(tx: aiosqlite.Connection, now: datetime, key: DayKey, wd: WorkDay) -> int:
    """Plan the day `key` as `wd`: a new row, or the stored one moved in place. Returns its id:
    `wd.id` when it is stored already (an update reports no row id), else the new row's."""
    cur = await tx.execute(SAVE, (*key, wd.day.isoformat(), wd.start.strftime("%H:%M"),
                                  wd.end.strftime("%H:%M"), wd.notes, iso(now)))
    if wd.id:
        return wd.id
    assert cur.lastrowid is not None
    return cur.lastrowid


async def cancel_day(tx: aiosqlite.Connection, now: datetime, work_day_id: int) -> None:
    await tx.execute("UPDATE work_days SET status = 'cancelled', changed_at = ? WHERE id = ?",
                     (iso(now), work_day_id))


async def work_day(tx: aiosqlite.Connection, work_day_id: int) -> WorkDay | None:
    async with tx.execute(f"SELECT {COLUMNS} FROM work_days WHERE id = ?",
                          (work_day_id,)) as cur:
        row = await cur.fetchone()
    return _work_day(row) if row is not None else None


async def first_planned_day(tx: aiosqlite.Connection, home_id: int) -> date | None:
    async with tx.execute("SELECT min(day) FROM work_days WHERE home_id = ?"
                          " AND status = 'planned'", (home_id,)) as cur:
        row = await cur.fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


async def residents_of(tx: aiosqlite.Connection, home_id: int) -> list[Reader]:
    async with tx.execute("SELECT r.user_id, r.lang FROM home_residents h JOIN residents r"
                          " ON r.user_id = h.user_id WHERE h.home_id = ?", (home_id,)) as cur:
        return [Reader(row[0], row[1]) for row in await cur.fetchall()]


class Renovation:
    """Reads for handlers and importers that hold no transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def homes_by_address(self) -> dict[tuple[str, int, str], int]:
        """Every home's id by its address key (bot.store.homes.address_key), to read a planning
        file's addresses."""
        rows = await self.db.fetchall("SELECT id, street, number, addition FROM homes")
        return {address_key(s, n, a): i for i, s, n, a in rows}

    async def days_of_resident(self, user_id: int) -> list[WorkDay]:
        """The planned work days of the resident's homes, in time order."""
        rows = await self.db.fetchall(
            f"SELECT {W_COLUMNS} FROM work_days w JOIN home_residents r"
            " ON r.home_id = w.home_id WHERE r.user_id = ? AND w.status = 'planned'"
            " ORDER BY w.day, w.start", (user_id,))
        return [_work_day(r) for r in rows]

    async def day_of_resident(self, work_day_id: int, user_id: int) -> ResidentWorkDay | None:
        """The work day if it is in one of the resident's homes (planned or not), else None."""
        row = await self.db.fetchone(
            f"SELECT {W_COLUMNS}, {H_COLUMNS} FROM work_days w JOIN homes h"
            " ON h.id = w.home_id JOIN home_residents r ON r.home_id = h.id"
            " WHERE w.id = ? AND r.user_id = ?", (work_day_id, user_id))
        if row is None:
            return None
        return ResidentWorkDay(_work_day(row), Home(*row[len(COLUMNS.split(", ")):]))
