"""Broadcasts: who a target reaches, the broadcast row, and its progress read from the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.store.clock import iso
from bot.store.db import Database
from bot.store.residents import Reader

PROGRESS_EVERY = timedelta(minutes=1)  # how often the sender's group hears how far it is


@dataclass(frozen=True)
class Target:
    building: str | None = None  # None: every linked resident
    stairwell: str | None = None


@dataclass(frozen=True)
class Sender:
    chat_id: int  # the group the announcement was made in: its progress is reported there
    thread_id: int | None


@dataclass(frozen=True)
class Progress:
    sent: int
    failed: int
    pending: int
    resumes_at: datetime | None  # when the next pending message is due (the morning, at night)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


def _where(target: Target) -> tuple[str, tuple[str, ...]]:
    if target.building is None:
        return "", ()
    if target.stairwell:
        return " AND h.building = ? AND h.stairwell = ?", (target.building, target.stairwell)
    return " AND h.building = ?", (target.building,)


async def recipients(db: Database, target: Target) -> list[Reader]:
    """Each linked resident of the target, once even with two homes."""
    where, params = _where(target)
    rows = await db.fetchall(
        "SELECT DISTINCT r.user_id, r.lang FROM home_residents l JOIN homes h ON h.id = l.home_id"
        f" JOIN residents r ON r.user_id = l.user_id WHERE 1 = 1{where} ORDER BY r.user_id",
        params)
    return [Reader(r[0], r[1]) for r in rows]


async def insert(tx: aiosqlite.Connection, now: datetime, *, chat_id: int,
                 thread_id: int | None, target: Target, texts: dict[str, str], fallback: str,
                 total: int, created_by: str,
                 translations: dict[str, dict[str, Any]] | None = None) -> int:
    """The broadcast as sent: the texts as written, the language of the first (`fallback`, the
    source of the machine translations) and the translations the sender checked in the preview
    (language -> {text, source, missing}; bot/render/broadcast.py Version)."""
    body: dict[str, Any] = {"texts": texts, "fallback": fallback}
    if translations:
        body["translations"] = translations
    cur = await tx.execute(
        "INSERT INTO broadcasts (chat_id, thread_id, building, stairwell, texts, total,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, thread_id, target.building, target.stairwell,
         json.dumps(body, ensure_ascii=False), total,
         created_by, iso(now)))
    return int(cur.lastrowid or 0)


async def total_of(db: Database, broadcast_id: int) -> int:
    row = await db.fetchone("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,))
    return int(row[0]) if row else 0


async def progress(tx: aiosqlite.Connection, broadcast_id: int) -> Progress:
    lo, hi = f"bc:{broadcast_id}:", f"bc:{broadcast_id};"  # a key range: uses the unique index
    async with tx.execute(
        "SELECT status, count(*), min(due_at) FROM outbox WHERE dedupe_key >= ?"
        " AND dedupe_key < ? GROUP BY status", (lo, hi)) as cur:
        rows = {r[0]: (r[1], r[2]) for r in await cur.fetchall()}
    pending, first_due = rows.get("pending", (0, None))
    return Progress(rows.get("sent", (0, None))[0], rows.get("undeliverable", (0, None))[0],
                    pending, datetime.fromisoformat(first_due) if first_due else None)


async def sender_of(tx: aiosqlite.Connection, broadcast_id: int) -> Sender | None:
    async with tx.execute("SELECT chat_id, thread_id FROM broadcasts WHERE id = ?",
                          (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return Sender(row[0], row[1]) if row else None


async def translations_of(db: Database, broadcast_id: int) -> dict[str, dict[str, Any]]:
    """The machine translations stored with a broadcast, by language ({} when none)."""
    row = await db.fetchone("SELECT texts FROM broadcasts WHERE id = ?", (broadcast_id,))
    found = json.loads(row[0]).get("translations", {}) if row else {}
    return dict(found)


async def mark_done(tx: aiosqlite.Connection, broadcast_id: int, now: datetime) -> None:
    await tx.execute("UPDATE broadcasts SET done_at = ? WHERE id = ?", (iso(now), broadcast_id))
