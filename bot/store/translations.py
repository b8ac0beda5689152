"""The cache of machine translations: (sha256 of the text, source, target) -> translated text.

Each row also says which resident's case the words belong to, so erasing a resident drops
their translations (`forget_resident`, in Privacy.erase's transaction) and the retention sweep
drops old ones (`purge_expired`). The original text is never stored here: only its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

import aiosqlite

from bot.store.clock import Clock, iso
from bot.store.db import Database


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Translations:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def lookup(self, keys: Iterable[str], source: str, target: str) -> dict[str, str]:
        """text_key -> translation, for the keys the cache has (whoever's they are)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        rows = await self.db.fetchall(
            f"SELECT text_hash, translated FROM translations WHERE source = ? AND target = ?"
            f" AND text_hash IN ({marks})", (source, target, *wanted))
        return {str(row[0]): str(row[1]) for row in rows}

    async def remember(self, found: dict[str, str], source: str, target: str,
                       user_id: int | None) -> None:
        """Store text_key -> translation for this resident (a row they already have stays)."""
        now = iso(self.clock())
        async with self.db.transaction() as tx:
            await tx.executemany(
                "INSERT OR IGNORE INTO translations (text_hash, source, target, translated,"
                " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(key, source, target, text, user_id, now) for key, text in found.items()])

    async def purge_expired(self, retention_days: int) -> int:
        """Drop translations made longer ago than the retention period."""
        async with self.db.transaction() as tx:
            return await purge_before(tx, self.clock() - timedelta(days=retention_days))

    async def count_for(self, user_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM translations WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else 0


async def purge_before(tx: aiosqlite.Connection, cutoff: datetime) -> int:
    """Inside a caller's transaction (the retention pass): translations made before `cutoff`."""
    cur = await tx.execute("DELETE FROM translations WHERE created_at < ?", (iso(cutoff),))
    return cur.rowcount


async def forget_resident(tx: aiosqlite.Connection, user_id: int) -> int:
    """Inside the erasure's transaction: drop every translation of this resident's case."""
    cur = await tx.execute("DELETE FROM translations WHERE user_id = ?", (user_id,))
    return cur.rowcount
