"""Due rows: everything that must happen later (reminders, escalations, promise checks) is a row
with a due time. A repeating sweep handles what is due; a restart only delays it.

Handling a row and marking it done happen in one transaction, together with the outbox messages
it causes, so after a crash each row fires once: never twice, never not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.tickets import Action
from bot.store.clock import iso, iso_ceil, parse
from bot.store.db import Database


@dataclass(frozen=True)
class DueRow:
    id: int
    ticket_id: int | None
    kind: str
    due_at: datetime
    data: dict[str, Any]


async def schedule(tx: aiosqlite.Connection, now: datetime, *, kind: str, due_at: datetime,
                   ticket_id: int | None = None, dedupe: str | None = None, **data: Any) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO due (ticket_id, kind, due_at, data, dedupe_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ticket_id, kind, iso_ceil(due_at), json.dumps(data), dedupe, iso(now)))


async def replan(tx: aiosqlite.Connection, now: datetime, *, kind: str, due_at: datetime,
                 dedupe: str, ticket_id: int | None = None, **data: Any) -> None:
    """Like schedule(), for a row that may have been cancelled before under the same key (a
    work day whose hours changed, or that moved away and back): a cancelled row is planned
    again; a pending one is kept, and a done one stays done (never twice)."""
    await tx.execute(
        "INSERT INTO due (ticket_id, kind, due_at, data, dedupe_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO UPDATE SET"
        " status = 'pending', due_at = excluded.due_at, data = excluded.data,"
        " created_at = excluded.created_at WHERE due.status = 'cancelled'",
        (ticket_id, kind, iso_ceil(due_at), json.dumps(data), dedupe, iso(now)))


async def pending(tx: aiosqlite.Connection, kind: str) -> bool:
    """Whether a row of this kind is waiting (a row about no ticket: the Monday digest)."""
    async with tx.execute("SELECT 1 FROM due WHERE status = 'pending' AND kind = ? LIMIT 1",
                          (kind,)) as cur:
        return await cur.fetchone() is not None


async def cancel(tx: aiosqlite.Connection, ticket_id: int, *kinds: str) -> None:
    marks = ",".join("?" for _ in kinds)
    await tx.execute(
        f"UPDATE due SET status = 'cancelled' WHERE ticket_id = ? AND status = 'pending'"
        f" AND kind IN ({marks})", (ticket_id, *kinds))


async def cancel_work_day(tx: aiosqlite.Connection, work_day_id: int, kind: str) -> None:
    await tx.execute(
        "UPDATE due SET status = 'cancelled' WHERE status = 'pending' AND kind = ?"
        " AND ticket_id IS NULL AND json_extract(data, '$.work_day') = ?", (kind, work_day_id))


async def finish(tx: aiosqlite.Connection, row_id: int, now: datetime) -> None:
    await tx.execute("UPDATE due SET status = 'done', done_at = ? WHERE id = ?",
                     (iso(now), row_id))


async def defer(tx: aiosqlite.Connection, row_id: int, until: datetime) -> None:
    await tx.execute("UPDATE due SET due_at = ? WHERE id = ?", (iso_ceil(until), row_id))


class DueRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def due(self, now: datetime, limit: int = 200) -> list[DueRow]:
        """What is due, oldest first; the partial index keeps this independent of history."""
        rows = await self.db.fetchall(
            "SELECT id, ticket_id, kind, due_at, data FROM due"
            " WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (iso(now), limit))
        return [DueRow(r[0], r[1], r[2], parse(r[3]) or now, json.loads(r[4])) for r in rows]


async def question_waiting(tx: aiosqlite.Connection, ticket_id: int, until: datetime) -> bool:
    """Whether the resident is about to be asked something about this ticket (a promise check or
    "were you helped?") before `until`."""
    async with tx.execute(
        "SELECT 1 FROM due WHERE ticket_id = ? AND status = 'pending' AND kind IN"
        " ('promise_check', 'promise_nudge', 'feedback_reminder') AND due_at <= ?",
        (ticket_id, iso(until))) as cur:
        return await cur.fetchone() is not None


async def claimed_at(tx: aiosqlite.Connection, ticket_id: int) -> datetime | None:
    """When the ticket was last claimed (its newest claim event; None: never): its "no contact
    yet" reminder is planned from the claim."""
    async with tx.execute(
        "SELECT max(at) FROM ticket_events WHERE ticket_id = ? AND event = ?",
        (ticket_id, Action.CLAIM.value)) as cur:
        row = await cur.fetchone()
    return parse(row[0]) if row else None
