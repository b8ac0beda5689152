"""Read models for the coordinator's `/overview` (the load per partner, who waits longest) and
for the daily overdue digest in each partner group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.clock import iso
from bot.store.db import Database


@dataclass(frozen=True)
class PartnerLoad:
    open: int = 0  # routed, nobody has it yet
    claimed: int = 0  # someone has it
    overdue: int = 0  # open or claimed, past its resolve deadline


@dataclass(frozen=True)
class Waiting:
    ref: str
    since: datetime


async def partner_loads(db: Database, now: datetime) -> dict[str, PartnerLoad]:
    """Per partner id; a partner with nothing open is missing (read it as PartnerLoad())."""
    counts: dict[str, dict[str, int]] = {}
    for partner_id, status, n in await db.fetchall(
            "SELECT partner_id, status, count(*) FROM tickets WHERE status IN ('open', 'claimed')"
            " GROUP BY partner_id, status"):
        counts.setdefault(partner_id, {})[status] = n
    for partner_id, n in await db.fetchall(
            "SELECT partner_id, count(*) FROM tickets WHERE status IN ('open', 'claimed')"
            " AND resolve_due < ? GROUP BY partner_id", (iso(now),)):
        counts.setdefault(partner_id, {})["overdue"] = n
    return {p: PartnerLoad(c.get("open", 0), c.get("claimed", 0), c.get("overdue", 0))
            for p, c in counts.items()}


async def oldest_open(db: Database, partner_id: str, limit: int) -> list[Waiting]:
    rows = await db.fetchall(
        "SELECT ref, created_at FROM tickets WHERE partner_id = ? AND status = 'open'"
        " ORDER BY created_at LIMIT ?", (partner_id, limit))
    return [Waiting(ref, datetime.fromisoformat(created)) for ref, created in rows]


@dataclass(frozen=True)
class Overdue:
    ref: str
    due: datetime
    claimed_name: str | None  # None: nobody has it


async def first_digest_of_day(tx: aiosqlite.Connection, partner_id: str, day: str) -> bool:
    """Claim today's overdue digest for a partner: True once a day, in the sending transaction
    (so a restart or a second sweep never sends it twice)."""
    cur = await tx.execute("INSERT OR IGNORE INTO digests VALUES (?, ?)", (partner_id, day))
    return cur.rowcount > 0


async def overdue_of(tx: aiosqlite.Connection, partner_id: str, now: datetime) -> list[Overdue]:
    async with tx.execute(
        "SELECT ref, resolve_due, claimed_name FROM tickets WHERE partner_id = ?"
        " AND status IN ('open', 'claimed') AND resolve_due < ? ORDER BY resolve_due",
        (partner_id, iso(now))) as cur:
        rows = await cur.fetchall()
    return [Overdue(r[0], datetime.fromisoformat(r[1]), r[2]) for r in rows]
