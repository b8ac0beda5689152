"""Broadcasts: one announcement to all linked residents of a building, a stairwell or everyone,
in each resident's language (a text per language, or one text as the fallback).

Every message is an outbox row written in one transaction with the broadcast, so delivery is
paced by the same worker (under Telegram's limits), survives restarts and never sends twice. A due
row reports progress in the sender's group until all is delivered.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.store import drafts
from bot.store.clock import iso
from bot.store.db import Database
from bot.store.due import schedule
from bot.store.outbox import enqueue

PROGRESS_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Target:
    building: str | None = None  # None: every linked resident
    stairwell: str | None = None


def _where(target: Target) -> tuple[str, tuple[str, ...]]:
    if target.building is None:
        return "", ()
    if target.stairwell:
        return " AND h.building = ? AND h.stairwell = ?", (target.building, target.stairwell)
    return " AND h.building = ?", (target.building,)


async def recipients(db: Database, target: Target) -> list[tuple[int, str]]:
    """(user id, language) of each linked resident, once even with two homes."""
    where, params = _where(target)
    rows = await db.fetchall(
        "SELECT DISTINCT r.user_id, r.lang FROM home_residents l JOIN homes h ON h.id = l.home_id"
        f" JOIN residents r ON r.user_id = l.user_id WHERE 1 = 1{where} ORDER BY r.user_id",
        params)
    return [(r[0], r[1]) for r in rows]


def by_language(people: list[tuple[int, str]]) -> Counter[str]:
    return Counter(lang for _, lang in people)


def text_for(texts: dict[str, str], lang: str, fallback: str) -> str:
    return texts.get(lang) or texts[fallback]


async def start(db: Database, now: datetime, *, chat_id: int, thread_id: int | None,
                target: Target, texts: dict[str, str], fallback: str, created_by: str,
                draft_of: int | None = None, send_at: datetime | None = None) -> int:
    """Queue the announcement for every recipient, to go at `send_at` (the morning, when started
    in quiet hours). The composer's draft (`draft_of`) goes in the same transaction: a "Send"
    replayed after a crash finds nothing left to send."""
    people = await recipients(db, target)
    async with db.transaction() as tx:
        if draft_of is not None:
            await drafts.delete(tx, draft_of)
        cur = await tx.execute(
            "INSERT INTO broadcasts (chat_id, thread_id, building, stairwell, texts, total,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, thread_id, target.building, target.stairwell,
             json.dumps({"texts": texts, "fallback": fallback}, ensure_ascii=False), len(people),
             created_by, iso(now)))
        broadcast_id = int(cur.lastrowid or 0)
        for user_id, lang in people:
            await enqueue(tx, now, chat_id=user_id, method="send", purpose="broadcast",
                          dedupe_key=f"bc:{broadcast_id}:{user_id}", bulk=True, due_at=send_at,
                          initiative=True,
                          payload={"text": "📣 " + text_for(texts, lang, fallback)})
        await schedule(tx, now, kind="bc_progress", due_at=(send_at or now) + PROGRESS_EVERY,
                       broadcast=broadcast_id)
    return broadcast_id


@dataclass(frozen=True)
class Progress:
    sent: int
    failed: int
    pending: int
    resumes_at: datetime | None  # when the next pending message is due (the morning, at night)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


async def progress(tx: aiosqlite.Connection, broadcast_id: int) -> Progress:
    lo, hi = f"bc:{broadcast_id}:", f"bc:{broadcast_id};"  # a key range: uses the unique index
    async with tx.execute(
        "SELECT status, count(*), min(due_at) FROM outbox WHERE dedupe_key >= ?"
        " AND dedupe_key < ? GROUP BY status", (lo, hi)) as cur:
        rows = {r[0]: (r[1], r[2]) for r in await cur.fetchall()}
    pending, first_due = rows.get("pending", (0, None))
    return Progress(rows.get("sent", (0, None))[0], rows.get("undeliverable", (0, None))[0],
                    pending, datetime.fromisoformat(first_due) if first_due else None)


async def sender_of(tx: aiosqlite.Connection, broadcast_id: int) -> tuple[int, int | None] | None:
    async with tx.execute("SELECT chat_id, thread_id FROM broadcasts WHERE id = ?",
                          (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return (row[0], row[1]) if row else None
