"""Broadcasts: who a target reaches, the broadcast row, and its progress read from the outbox.

A broadcast composed in a group waits ('waiting') for a second person: approved it goes out
('sent', with who approved it), or it is stopped ('stopped'). The row holds what the preview
showed, so a restart in between loses nothing; approving and stopping are compare-and-sets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.domain.authority import SENT, STOPPED, WAITING
from bot.store.clock import iso
from bot.store.db import Database
from bot.store.residents import Reader

WAITING_KIND = "bc_waiting"  # due rows: an announcement still waiting for a second person
LAPSED_BY = "lapsed"  # stopped_by of an announcement nobody approved within APPROVAL_LAPSES
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
class Broadcast:
    """A broadcast as stored: what it says (`texts` as written, `fallback` the first text's
    language, `translations` what the preview showed, language -> Version json), where it was
    composed, and who wrote, approved or stopped it (staff keys and first names)."""

    id: int
    chat_id: int
    thread_id: int | None
    target: Target
    texts: dict[str, str]
    fallback: str
    translations: dict[str, dict[str, Any]]
    total: int
    status: str
    created_by: str
    composed_name: str | None
    approved_by: str | None
    approved_name: str | None
    stopped_name: str | None

    @property
    def waiting(self) -> bool:
        return self.status == WAITING


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
                 translations: dict[str, dict[str, Any]] | None = None,
                 waiting: bool = False, composed_name: str | None = None) -> int:
    """The broadcast as sent (or, `waiting`, as it waits for a second person): the texts as
    written, the language of the first (`fallback`, the source of the machine translations)
    and the translations the sender checked in the preview (language -> {text, source,
    missing}; bot/render/broadcast.py Version)."""
    body: dict[str, Any] = {"texts": texts, "fallback": fallback}
    if translations:
        body["translations"] = translations
    cur = await tx.execute(
        "INSERT INTO broadcasts (chat_id, thread_id, building, stairwell, texts, total,"
        " created_by, created_at, status, composed_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, thread_id, target.building, target.stairwell,
         json.dumps(body, ensure_ascii=False), total,
         created_by, iso(now), WAITING if waiting else SENT, composed_name))
    return int(cur.lastrowid or 0)


_COLUMNS = ("id, chat_id, thread_id, building, stairwell, texts, total, status, created_by,"
            " composed_name, approved_by, approved_name, stopped_name")


def _broadcast(row: Any) -> Broadcast:
    body = json.loads(row[5])
    return Broadcast(int(row[0]), int(row[1]), row[2], Target(row[3], row[4]),
                     dict(body["texts"]), str(body["fallback"]),
                     dict(body.get("translations", {})), int(row[6]), str(row[7]), str(row[8]),
                     row[9], row[10], row[11], row[12])


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def fetch(tx: aiosqlite.Connection, broadcast_id: int) -> Broadcast | None:
    """The broadcast as the caller's transaction sees it."""
    async with tx.execute(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?",
                          (broadcast_id,)) as cur:
        row = await cur.fetchone()
    return _broadcast(row) if row else None


async def approve(tx: aiosqlite.Connection, broadcast_id: int, now: datetime, *, by: str,
                  name: str, total: int) -> bool:
    """Waiting -> sent, approved by `by` (a compare-and-set: False when it was not waiting)."""
    cur = await tx.execute(
        "UPDATE broadcasts SET status = ?, approved_by = ?, approved_name = ?, approved_at = ?,"
        " total = ? WHERE id = ? AND status = ?",
        (SENT, by, name, iso(now), total, broadcast_id, WAITING))
    return cur.rowcount == 1


async def stop(tx: aiosqlite.Connection, broadcast_id: int, now: datetime, *, by: str,
               name: str) -> bool:
    """Waiting -> stopped (a compare-and-set: False when it was not waiting)."""
    cur = await tx.execute(
        "UPDATE broadcasts SET status = ?, stopped_by = ?, stopped_name = ?, stopped_at = ?"
        " WHERE id = ? AND status = ?", (STOPPED, by, name, iso(now), broadcast_id, WAITING))
    return cur.rowcount == 1


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
