"""Promises to residents and their fate: every line of SQL about the `promises` table.

The functions take the caller's transaction, so a promise changes together with the ticket event
and the messages that go with it, or not at all. Every status change goes through the promise
workflow table (`bot.domain.promises.transition`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import aiosqlite

from bot.domain.promises import (
    IllegalPromiseTransition,
    Promise,
    PromiseAction,
    PromiseStatus,
    transition,
)
from bot.domain.tickets import Ticket
from bot.store import due
from bot.store.clock import iso
from bot.store.db import Database

COLUMNS = "id, ticket_id, partner_id, kind, day, part, staff_id, staff_name, status"
# the due rows that remind or ask about a promise (bot/followup/engine.py and sweep.py)
DUE_KINDS = ("promise_eve", "promise_day", "promise_check", "promise_nudge", "promise_expire")
GET = f"SELECT {COLUMNS} FROM promises WHERE id = ?"
# cancelled promises are left out: they were neither kept nor broken
COUNTS = ("SELECT partner_id, status, count(*) FROM promises"
          " WHERE status IN ('kept', 'broken', 'unanswered') GROUP BY partner_id, status")


@dataclass(frozen=True)
class PromiseCounts:
    """How one partner's promises ended, as the resident told us (cancelled ones do not count:
    they were neither kept nor broken)."""

    kept: int = 0
    broken: int = 0
    unanswered: int = 0

    @property
    def total(self) -> int:
        return self.kept + self.broken + self.unanswered


def _promise(row: aiosqlite.Row) -> Promise:
    return Promise(id=row[0], ticket_id=row[1], partner_id=row[2], kind=row[3],
                   day=date.fromisoformat(row[4]), part=row[5], staff_id=row[6],
                   staff_name=row[7], status=PromiseStatus(row[8]))


async def create(tx: aiosqlite.Connection, ticket: Ticket, now: datetime, *, kind: str, day: date,
                 part: str, staff_id: int, staff_name: str) -> Promise:
    cur = await tx.execute(
        "INSERT INTO promises (ticket_id, partner_id, kind, day, part, staff_id, staff_name,"
        " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket.id, ticket.partner_id, kind, day.isoformat(), part, staff_id, staff_name,
         PromiseStatus.OPEN.value, iso(now)))
    assert cur.lastrowid is not None
    return Promise(cur.lastrowid, ticket.id, ticket.partner_id, kind, day, part, staff_id,
                   staff_name, PromiseStatus.OPEN)


async def get(tx: aiosqlite.Connection, promise_id: int) -> Promise | None:
    async with tx.execute(GET, (promise_id,)) as cur:
        row = await cur.fetchone()
    return _promise(row) if row else None


async def open_promise(tx: aiosqlite.Connection, promise_id: int) -> Promise | None:
    """The promise while it is still open; None once it is answered, expired or cancelled, so
    a reminder or question still in the due table does nothing."""
    promise = await get(tx, promise_id)
    return promise if promise is not None and promise.status == PromiseStatus.OPEN else None


async def apply(tx: aiosqlite.Connection, promise_id: int, action: PromiseAction,
                now: datetime) -> Promise:
    """Move one promise through its workflow as a compare-and-set. Raises
    IllegalPromiseTransition when the table forbids it (nothing written), LookupError when there
    is no such promise."""
    before = await get(tx, promise_id)
    if before is None:
        raise LookupError(f"no promise {promise_id}")
    after = transition(before.status, action)
    # answered_at is when the resident's answer (or its absence) was recorded; a cancelled
    # promise was never asked about, its moment is in the ticket's `promise_cancelled` event
    answered = None if action == PromiseAction.CANCEL else iso(now)
    cur = await tx.execute(
        "UPDATE promises SET status = ?, answered_at = ? WHERE id = ? AND status = ?",
        (after.value, answered, promise_id, before.status.value))
    if cur.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; refuse rather than guess
        raise IllegalPromiseTransition(before.status, action)
    return replace(before, status=after)


async def cancel_open(tx: aiosqlite.Connection, ticket_id: int,
                      now: datetime) -> list[Promise]:
    """Cancel every open promise of a ticket, and the reminders and questions about them (so
    they no longer hold back "we are still on it" either). Returns the cancelled promises."""
    async with tx.execute(
        "SELECT id FROM promises WHERE ticket_id = ? AND status = ? ORDER BY id",
        (ticket_id, PromiseStatus.OPEN.value)) as cur:
        ids = [row[0] for row in await cur.fetchall()]
    cancelled = [await apply(tx, promise_id, PromiseAction.CANCEL, now) for promise_id in ids]
    if cancelled:
        await due.cancel(tx, ticket_id, *DUE_KINDS)
    return cancelled


def _counts(rows: list[aiosqlite.Row]) -> dict[str, PromiseCounts]:
    tally: dict[str, dict[str, int]] = {}
    for partner_id, status, n in rows:
        tally.setdefault(partner_id, {})[status] = n
    return {partner_id: PromiseCounts(**by_status) for partner_id, by_status in tally.items()}


class Promises:
    """Reads for handlers that hold no transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, promise_id: int) -> Promise | None:
        row = await self.db.fetchone(GET, (promise_id,))
        return _promise(row) if row else None

    async def counts(self) -> dict[str, PromiseCounts]:
        """Per partner: how many promises were kept, broken or went unanswered."""
        return _counts(await self.db.fetchall(COUNTS))
