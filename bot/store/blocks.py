"""Blocked residents, and what the resident limits count (bot/domain/limits.py).

A coordinator blocks "the resident of M-0024": the row is keyed by that resident's Telegram id,
which the coordinator never sees, with the reference it was found by, the first name of who
blocked and when. It lasts until /unblock (the row is deleted) or until the resident erases
their data (bot/store/privacy.py); see bot/store/retention.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.store.clock import Clock, iso, parse
from bot.store.db import Database

RELAY_EVENT = "resident_message"  # the history event of a resident's message to a request


@dataclass(frozen=True)
class Block:
    user_id: int
    ref: str  # the request the resident was found by
    blocked_by: str  # the coordinator's first name
    blocked_at: datetime


@dataclass(frozen=True)
class Sent:
    """A resident's earlier message to one of their requests: when it was given to go out."""

    at: datetime
    late: bool  # it waited for the limit


def normal_ref(text: str) -> str:
    """`#m-0024`, `M-0024` and `m0024` as the reference is stored: M-0024."""
    ref = text.strip().lstrip("#").upper()
    if len(ref) > 1 and ref[0].isalpha() and ref[1:].isdigit():
        ref = f"{ref[0]}-{ref[1:]}"
    return ref


async def resident_of(tx: aiosqlite.Connection, ref: str) -> int | None:
    """The resident behind a request (None: no such request, or its resident erased)."""
    async with tx.execute("SELECT resident_id FROM tickets WHERE ref = ?",
                          (normal_ref(ref),)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else None


async def block(tx: aiosqlite.Connection, user_id: int, ref: str, by: str,
                moment: datetime) -> bool:
    """Block the resident; False if they were already blocked (the first block stays)."""
    cur = await tx.execute(
        "INSERT OR IGNORE INTO blocks (user_id, ref, blocked_by, blocked_at) VALUES (?, ?, ?, ?)",
        (user_id, normal_ref(ref), by, iso(moment)))
    return cur.rowcount == 1


async def unblock(tx: aiosqlite.Connection, user_id: int) -> bool:
    """Lift the block; False if there was none. Nothing of it is kept."""
    cur = await tx.execute("DELETE FROM blocks WHERE user_id = ?", (user_id,))
    return cur.rowcount == 1


async def is_blocked(tx: aiosqlite.Connection, user_id: int) -> bool:
    async with tx.execute("SELECT 1 FROM blocks WHERE user_id = ?", (user_id,)) as cur:
        return await cur.fetchone() is not None


async def forget(tx: aiosqlite.Connection, user_id: int) -> None:
    """The resident erased their data: the block goes with it (bot/store/privacy.py)."""
    await tx.execute("DELETE FROM blocks WHERE user_id = ?", (user_id,))


# -- what the limits count ----------------------------------------------------------------------
async def became_ticket(tx: aiosqlite.Connection, draft_key: str) -> bool:
    """Whether this draft was made into a request already (a repeat is not a new request)."""
    async with tx.execute("SELECT 1 FROM tickets WHERE draft_key = ?", (draft_key,)) as cur:
        return await cur.fetchone() is not None


async def requests_since(tx: aiosqlite.Connection, user_id: int, since: datetime) -> int:
    """New requests the resident made since `since`. Answers under a renovation notice (draft
    key wd:...) are not counted: the bot asked, and each can be given only once."""
    async with tx.execute(
        "SELECT count(*) FROM tickets WHERE resident_id = ? AND created_at > ?"
        " AND draft_key NOT LIKE 'wd:%'", (user_id, iso(since))) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def last_relays(tx: aiosqlite.Connection, user_id: int, count: int) -> list[Sent]:
    """The resident's last `count` messages to their requests, oldest first, each at the moment
    it was given to go out (later than when it was written if it waited)."""
    # From the resident's tickets to their events (CROSS JOIN keeps SQLite to that order):
    # starting from the events of every resident by kind took 38 ms a message at 150,000
    # events, under the write lock; this way 0.05 ms.
    async with tx.execute(
        "SELECT e.at, e.data FROM tickets t CROSS JOIN ticket_events e ON e.ticket_id = t.id"
        " WHERE t.resident_id = ? AND e.event = ? ORDER BY e.id DESC LIMIT ?",
        (user_id, RELAY_EVENT, count)) as cur:
        rows = list(await cur.fetchall())
    out = []
    for at, data in reversed(rows):
        extra: dict[str, Any] = json.loads(data) if data else {}
        moment = parse(str(extra.get("goes_at") or at))
        assert moment is not None
        out.append(Sent(moment, bool(extra.get("goes_at"))))
    return out


class Blocks:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, user_id: int) -> Block | None:
        row = await self.db.fetchone(
            "SELECT user_id, ref, blocked_by, blocked_at FROM blocks WHERE user_id = ?",
            (user_id,))
        if row is None:
            return None
        at = parse(row[3])
        assert at is not None
        return Block(int(row[0]), str(row[1]), str(row[2]), at)
