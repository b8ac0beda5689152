"""The durable inbox: updates are stored before Telegram is told we have them.

python-telegram-bot's own polling confirms a batch (the next getUpdates offset) before handlers
ran, so a crash loses the batch. Here a batch is committed first; the next getUpdates confirms it;
whatever is stored but not done is replayed at start. Once handled, the payload (which can hold a
resident's words) is blanked; the bare id stays a while so a batch Telegram sends again is
recognised, then goes too.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.store.clock import Clock, iso
from bot.store.db import Database

KEEP_IDS = timedelta(days=2)  # Telegram keeps unconfirmed updates for at most 24 hours


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def add_all(self, updates: list[dict[str, Any]]) -> list[int]:
        """Store a batch in one transaction; returns the ids that are new."""
        now = iso(self.clock())
        fresh = []
        async with self.db.transaction() as tx:
            for update in updates:
                cur = await tx.execute(
                    "INSERT OR IGNORE INTO inbox (update_id, payload, received_at)"
                    " VALUES (?, ?, ?)",
                    (update["update_id"], json.dumps(update, ensure_ascii=False), now))
                if cur.rowcount:
                    fresh.append(int(update["update_id"]))
        return fresh

    async def pending(self) -> list[tuple[int, dict[str, Any]]]:
        rows = await self.db.fetchall(
            "SELECT update_id, payload FROM inbox WHERE done_at IS NULL ORDER BY update_id")
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    async def done(self, update_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE inbox SET done_at = ?, payload = '' WHERE update_id = ?",
                             (iso(self.clock()), update_id))

    async def next_offset(self) -> int | None:
        row = await self.db.fetchone("SELECT max(update_id) FROM inbox")
        return int(row[0]) + 1 if row and row[0] is not None else None

    async def purge(self) -> int:
        cutoff = iso(self.clock() - KEEP_IDS)
        async with self.db.transaction() as tx:
            # keep the newest row: it carries the offset across a restart
            cur = await tx.execute(
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?"
                " AND update_id < (SELECT max(update_id) FROM inbox)", (cutoff,))
            return cur.rowcount
