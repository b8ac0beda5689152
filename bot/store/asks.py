"""Permission questions to a resident: may we pass your help request on to another partner?

A help request (debts, care) holds what a resident told one organisation; it goes to another
only when the resident says yes (AVG: sharing needs consent). The question, the handover note
and the answer live here; the transfer itself is bot/services/casework.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.clock import iso, parse


@dataclass(frozen=True)
class TransferAsk:
    id: int
    ticket_id: int
    from_partner: str  # where the request was when they were asked
    to_partner: str
    note: str
    actor: str  # the staff member's key ("staff:<id>"), as in the ticket's events
    actor_name: str
    asked_at: datetime
    answer: str | None  # None while open; "yes", "no", or "stale"


_COLUMNS = "id, ticket_id, from_partner, to_partner, note, actor, actor_name, asked_at, answer"


def _ask(row: aiosqlite.Row) -> TransferAsk:
    asked = parse(row[7])
    assert asked is not None
    return TransferAsk(row[0], row[1], row[2], row[3], row[4], row[5], row[6], asked, row[8])


async def ask(tx: aiosqlite.Connection, now: datetime, *, ticket_id: int, from_partner: str,
              to_partner: str, note: str, actor: str, actor_name: str) -> int:
    """A new question; an open one about the same request is overtaken (only the newest
    counts: a staff member who asks again for another partner)."""
    await close_open(tx, ticket_id, now)
    cur = await tx.execute(
        "INSERT INTO transfer_asks (ticket_id, from_partner, to_partner, note, actor, actor_name,"
        " asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, from_partner, to_partner, note, actor, actor_name, iso(now)))
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get(tx: aiosqlite.Connection, ask_id: int) -> TransferAsk | None:
    async with tx.execute(f"SELECT {_COLUMNS} FROM transfer_asks WHERE id = ?",
                          (ask_id,)) as cur:
        row = await cur.fetchone()
    return _ask(row) if row else None


async def answer(tx: aiosqlite.Connection, ask_id: int, value: str, now: datetime) -> bool:
    """Record the answer; False when it was answered (or overtaken) before."""
    cur = await tx.execute(
        "UPDATE transfer_asks SET answer = ?, answered_at = ? WHERE id = ? AND answer IS NULL",
        (value, iso(now), ask_id))
    return cur.rowcount == 1


async def close_open(tx: aiosqlite.Connection, ticket_id: int, now: datetime) -> None:
    """The request changed (moved, closed, asked again): an open question no longer counts."""
    await tx.execute(
        "UPDATE transfer_asks SET answer = 'stale', answered_at = ? WHERE ticket_id = ?"
        " AND answer IS NULL", (iso(now), ticket_id))


async def forget(tx: aiosqlite.Connection, ticket_ids: list[int]) -> None:
    """Erasure: the questions and their handover notes go with the resident's data."""
    marks = ", ".join("?" * len(ticket_ids))
    await tx.execute(f"DELETE FROM transfer_asks WHERE ticket_id IN ({marks})", ticket_ids)
